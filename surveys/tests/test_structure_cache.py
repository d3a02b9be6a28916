"""The round structure is read once per process and structure version (surveys/structure.py): a change to what the
round asks is seen by the next request, in another thread and in another process, and every kind of change bumps
the version."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys.models import Area, Option, OptionSet, Question, Section, Survey
from surveys.services import survey_clone, survey_load_text, survey_set_status
from surveys.structure import OnFirstUse, structure_areas, structure_snapshot

from .factories import MINIMAL_DEFINITION

BASE_DIR = Path(__file__).resolve().parents[2]


def _texts(survey: Survey, kind: str | None = "state") -> dict[str, str]:
    return {
        q.code: q.text["en"] for a in structure_areas(survey, kind) for s in a.sections.all() for q in s.questions.all()
    }


def _fresh(survey: Survey) -> Survey:
    """The round as the next request reads it."""
    return Survey.objects.get(pk=survey.pk)


@pytest.mark.django_db(transaction=True)
def test_the_structure_is_read_once_and_a_change_is_seen_by_the_next_request_in_another_thread() -> None:
    survey = survey_load_text(text=MINIMAL_DEFINITION).survey
    assert _texts(_fresh(survey))["PRV.SUP.01"] == "Is there a purchasing policy?"
    with CaptureQueriesContext(connection) as second:
        areas = structure_areas(_fresh(survey), "state")
    assert len(second) == 1  # the round's row only: the structure came from this process's snapshot
    question = areas[0].sections.all()[0].questions.all()[0]
    assert [o.code for o in question.options_list()] == ["yes", "no", "in_process"]
    assert question.section.area.code == "PRV"

    # The Office edits the question (as the admin does: one save, committed).
    row = Question.objects.get(survey=survey, code="PRV.SUP.01")
    row.text = {**row.text, "en": "Is there a public purchasing policy?"}
    row.save()

    seen: dict[str, str] = {}

    def next_request() -> None:
        try:
            seen.update(_texts(_fresh(survey)))
        finally:
            connection.close()

    thread = threading.Thread(target=next_request)
    thread.start()
    thread.join(30)
    assert seen["PRV.SUP.01"] == "Is there a public purchasing policy?"
    assert _texts(_fresh(survey))["PRV.SUP.01"] == "Is there a public purchasing policy?"


@pytest.mark.django_db(transaction=True)
def test_each_request_gets_its_own_instances_of_the_shared_snapshot() -> None:
    survey = survey_load_text(text=MINIMAL_DEFINITION).survey
    first, second = structure_areas(_fresh(survey), "state"), structure_areas(_fresh(survey), "state")
    assert first[0] is not second[0]
    assert first[0].sections.all()[0] is not second[0].sections.all()[0]
    assert structure_snapshot(_fresh(survey), "state") is structure_snapshot(_fresh(survey), "state")


WORKER = """
import sys, django
django.setup()
from surveys.models import Survey
from surveys.structure import structure_areas

def text():
    survey = Survey.objects.get(slug="thb-2099")
    return next(q.text["en"] for a in structure_areas(survey, "state") for s in a.sections.all()
                for q in s.questions.all() if q.code == "PRV.SUP.01")

print(text(), flush=True)
sys.stdin.readline()  # the other process changes the question meanwhile
print(text(), flush=True)
"""

EDITOR = """
import django
django.setup()
from surveys.models import Question
row = Question.objects.get(survey__slug="thb-2099", code="PRV.SUP.01")
row.text = {**row.text, "en": "Changed in another process"}
row.save()
"""


def test_a_change_made_in_one_process_is_seen_by_the_next_request_of_another(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "oscethb.settings_test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'structure.sqlite3'}",
    }
    definition = tmp_path / "round.yaml"
    definition.write_text(MINIMAL_DEFINITION, encoding="utf-8")
    for command in (["migrate", "--noinput", "-v", "0"], ["load_survey", str(definition)]):
        done = subprocess.run(
            [sys.executable, "manage.py", *command], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER],
        cwd=BASE_DIR,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stdout is not None
        assert worker.stdin is not None
        assert worker.stdout.readline().strip() == "Is there a purchasing policy?"
        edit = subprocess.run(
            [sys.executable, "-c", EDITOR], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
        )
        assert edit.returncode == 0, edit.stderr
        worker.stdin.write("go\n")
        worker.stdin.flush()
        assert worker.stdout.readline().strip() == "Changed in another process"
    finally:
        worker.kill()
        worker.communicate(timeout=30)


def _version(survey: Survey) -> int:
    return _fresh(survey).structure_version


@pytest.mark.django_db
def test_every_kind_of_change_to_what_a_round_asks_bumps_its_structure_version() -> None:
    survey = survey_load_text(text=MINIMAL_DEFINITION).survey
    changes = {
        "a question saved": lambda: Question.objects.get(survey=survey, code="PRV.SUP.01").save(),
        "a section saved": lambda: Section.objects.get(survey=survey, code="PRV.SUP").save(),
        "an area saved": lambda: Area.objects.get(survey=survey, code="PRV").save(),
        "an option set saved": lambda: OptionSet.objects.filter(survey=survey).first().save(),  # type: ignore[union-attr]
        "an option saved": lambda: Option.objects.filter(option_set__survey=survey).first().save(),  # type: ignore[union-attr]
        "an option deleted": lambda: Option.objects.filter(option_set__survey=survey).last().delete(),  # type: ignore[union-attr]
        "the status changed": lambda: survey_set_status(survey=_fresh(survey), status=Survey.Status.OPEN),
        "the reference years changed": lambda: _years(survey),
        "the definition loaded again, changed": lambda: survey_load_text(
            text=MINIMAL_DEFINITION.replace("Is there a purchasing policy?", "Is there a purchasing rule?")
        ),
    }
    for what, change in changes.items():
        before = _version(survey)
        change()
        assert _version(survey) > before, what
    # Saving the round without touching what it asks (a closing date) leaves the version alone.
    before = _version(survey)
    row = _fresh(survey)
    row.closes_on = None
    row.save()
    assert _version(survey) == before
    clone = survey_clone(source=survey, slug="thb-2100")
    assert _texts(clone, None) == _texts(_fresh(survey), None)


def _years(survey: Survey) -> None:
    row = _fresh(survey)
    row.reference_end = row.reference_end + 1
    row.save()


def test_a_list_made_on_first_use_is_made_again_after_a_failure() -> None:
    """A section's questions and a question's options are made when first read; a failure then must not leave an
    empty list for the rest of the request (a page showing a section without its questions)."""
    calls: list[int] = []

    def make() -> list[int]:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the first try fails")
        return [1, 2]

    items = OnFirstUse(make)
    with pytest.raises(RuntimeError):
        list(items)
    assert list(items) == [1, 2]
    assert len(items) == 2
    assert len(calls) == 2
