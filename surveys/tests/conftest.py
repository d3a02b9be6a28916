"""Fixtures for the surveys tests: loading definition files through the real command, and database snapshots."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from surveys.models import Survey
from tests.scenario import SMALL, load_round

from .factories import SHIPPED, row_counts


@dataclass
class CommandOutput:
    stdout: str
    stderr: str


@pytest.fixture
def run_command() -> Callable[..., CommandOutput]:
    """call_command with its output captured; a CommandError propagates (the CLI turns it into exit status 1)."""

    def run(name: str, *args: str, **options: object) -> CommandOutput:
        out, err = io.StringIO(), io.StringIO()
        call_command(name, *args, stdout=out, stderr=err, **options)
        return CommandOutput(out.getvalue(), err.getvalue())

    return run


@pytest.fixture
def load_text(tmp_path: Path, run_command: Callable[..., CommandOutput]) -> Callable[..., CommandOutput]:
    """Write a definition text to a file under tmp_path and run `load_survey` on it."""
    counter = iter(range(1_000_000))

    def load(text: str, name: str | None = None) -> CommandOutput:
        path = tmp_path / (name or f"definition-{next(counter)}.yaml")
        path.write_text(text, encoding="utf-8")
        return run_command("load_survey", str(path))

    return load


@pytest.fixture
def load_shipped(run_command: Callable[..., CommandOutput]) -> Callable[[str], Survey]:
    """Load a shipped round (thb-2016, thb-2021) with `load_survey` and return it."""

    def load(slug: str) -> Survey:
        run_command("load_survey", str(SHIPPED[slug]))
        return Survey.objects.get(slug=slug)

    return load


@dataclass
class Reported:
    """One problem line the command wrote to stderr: `FILE: PATH (line N): MESSAGE`."""

    path: str
    line: int | None
    message: str


@dataclass
class Refusal:
    error: str
    problems: list[Reported]
    stderr: str
    file: Path


_PROBLEM_LINE = re.compile(r"^(?P<file>\S+): (?P<path>(?:question )?\S+)(?: \(line (?P<line>\d+)\))?: (?P<message>.*)$")


@pytest.fixture
def load_refused(tmp_path: Path) -> Callable[[str], Refusal]:
    """Run `load_survey` on a text that must be refused; checks that no definition row was added or removed."""
    counter = iter(range(1_000_000))

    def load(text: str) -> Refusal:
        path = tmp_path / f"broken-{next(counter)}.yaml"
        path.write_text(text, encoding="utf-8")
        out, err = io.StringIO(), io.StringIO()
        before = row_counts()
        with pytest.raises(CommandError) as info:
            call_command("load_survey", str(path), stdout=out, stderr=err)
        assert row_counts() == before
        assert out.getvalue() == ""
        problems = []
        for line in err.getvalue().splitlines():
            match = _PROBLEM_LINE.match(line)
            assert match is not None, f"not a problem line: {line!r}"
            assert match["file"] == str(path)
            problems.append(Reported(match["path"], int(match["line"]) if match["line"] else None, match["message"]))
        return Refusal(str(info.value), problems, err.getvalue(), path)

    return load


@pytest.fixture
def small_round(db: None) -> Survey:
    """The small round of the unit tests (tests/data/small.yaml): one question of every answer type."""
    return load_round(SMALL)
