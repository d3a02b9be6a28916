"""Shared helpers for the benchmarks: timing, peak memory of a child process, scratch databases, report sections.

Every benchmark module under ``bench/`` is runnable on its own (``python -m bench.<name>``) and writes two files into
``var/bench/``: ``<name>.json`` (the raw numbers) and ``<name>.md`` (a markdown section for BENCHMARKS.md that
starts with ``## ``). ``python -m bench.report`` joins the sections under a header with the machine, the versions
and the date. Times are medians of several runs; each target is compared with a baseline measured in the same run,
because this machine is shared and noisy.

The JSON of a section follows one convention so that ``bench.report`` can gather every target into the summary
table of BENCHMARKS.md: a top-level ``"targets"`` list of objects made with ``target()``::

    {"what": "report build at 1M answers", "target": "≤ 5 s", "measured": "3.10 s", "met": true,
     "note": "1,000,000 answer cells", "gap": ""}

``what`` names the measured thing, ``target`` is the goal as written in the issue, ``measured`` the value with its
unit, ``met`` a boolean, ``note`` anything the reader needs (baseline, scaling, caveat) and ``gap`` (optional) how
far a missed target is off ("by 1.2 s (24%)"). Other keys of the JSON are free (measurements, checks, scale).
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(os.environ.get("BENCH_OUT") or ROOT / "var" / "bench")  # BENCH_OUT: elsewhere (the smoke test)
PYTHON = sys.executable
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/"


def runs_default() -> int:
    """How many times each measurement is repeated (BENCH_RUNS, at least 3 for a median worth the name)."""
    return max(1, int(os.environ.get("BENCH_RUNS", "3")))


@dataclass
class Sample:
    """One measured run: wall seconds and, when measured in a child process, its peak RSS in MB."""

    seconds: float
    peak_rss_mb: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Measurement:
    """The runs of one variant (e.g. 'oscethb', 'naive ORM', 'COPY floor') of one benchmark."""

    name: str
    samples: list[Sample]

    @property
    def seconds(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def peak_rss_mb(self) -> float | None:
        values = [s.peak_rss_mb for s in self.samples if s.peak_rss_mb is not None]
        return statistics.median(values) if values else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "median_seconds": self.seconds,
            "median_peak_rss_mb": self.peak_rss_mb,
            "samples": [asdict(s) for s in self.samples],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Measurement:
        """The inverse of as_dict (for writing a section's markdown from its JSON)."""
        return cls(data["name"], [Sample(**s) for s in data["samples"]])


def time_call(fn: Callable[[], Any], runs: int | None = None, name: str = "") -> Measurement:
    """Run ``fn`` in this process ``runs`` times; wall time per run (no memory: use run_child for that)."""
    samples = []
    for _ in range(runs or runs_default()):
        started = time.perf_counter()
        fn()
        samples.append(Sample(time.perf_counter() - started))
    return Measurement(name, samples)


def run_child(args: Sequence[str], env: dict[str, str] | None = None, timeout: float = 3600) -> Sample:
    """Run ``python <args>`` in a fresh process and return its wall time and peak RSS (VmHWM via wait4).

    The child may print one JSON object on its last stdout line; it lands in ``Sample.extra`` (e.g. the time of
    the measured part alone, without interpreter and Django start-up, under the key "seconds").
    """
    started = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module  # nosec B603
        [PYTHON, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    # communicate() has reaped the child; its rusage is in RUSAGE_CHILDREN, so read peak RSS from the child itself.
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed with {proc.returncode}:\n{stderr[-4000:]}")
    extra: dict[str, Any] = {}
    lines = [line for line in stdout.strip().splitlines() if line.strip()]
    if lines:
        with contextlib.suppress(ValueError):
            extra = json.loads(lines[-1])
    seconds = float(extra.get("seconds", wall))
    rss = extra.get("peak_rss_mb")
    return Sample(seconds, float(rss) if rss is not None else None, extra)


def peak_rss_mb() -> float:
    """This process's peak resident set size so far (VmHWM), in MB. Call at the end of a child's measured work."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def child_result(seconds: float, **extra: Any) -> None:
    """Print the last-line JSON that run_child reads: measured seconds, peak RSS and anything else."""
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak_rss_mb(), **extra}))


def pg_url(database: str, base: str | None = None) -> str:
    """The URL of ``database`` on the PostgreSQL server of BENCH_DATABASE_URL (default 127.0.0.1, trust auth)."""
    parts = urlsplit(base or os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG + "oscethb_bench"))
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, "", ""))


def pg_recreate(database: str) -> str:
    """Drop and create a scratch database; returns its URL. Benchmarks never touch a database they did not make."""
    if not database.startswith("oscethb_bench"):
        raise ValueError(f"refusing to recreate {database!r}: benchmark databases start with 'oscethb_bench'")
    import psycopg2

    conn = psycopg2.connect(pg_url("postgres"))
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{database}"')
    conn.close()
    return pg_url(database)


def django_setup(database_url: str, broker_url: str = "") -> None:
    """Configure Django in this process for ``database_url`` (production settings module); tasks run in-process, or
    are only queued on ``broker_url`` when given (no worker reads it: the bench drops what it queued)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oscethb.settings")
    os.environ.setdefault("DEBUG", "1")
    if broker_url:
        os.environ["CELERY_BROKER_URL"] = broker_url
    else:
        os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()


def interpreter_baseline(database_url: str, runs: int = 1) -> Measurement:
    """Peak RSS of a child that only starts Python, sets up Django and imports pandas, openpyxl and the apps.

    What every measured child carries before doing any work: sections report it so that the reader can see a
    variant's own share of its peak RSS.
    """
    samples = [run_child(["-m", "bench.common", "--baseline"], env={"DATABASE_URL": database_url}) for _ in range(runs)]
    return Measurement("interpreter baseline", samples)


def _baseline_child() -> None:
    started = time.perf_counter()
    django_setup(os.environ["DATABASE_URL"])
    import openpyxl  # noqa: F401
    import pandas  # noqa: F401

    import reports.exports
    import reports.services  # noqa: F401

    child_result(time.perf_counter() - started)


def target(what: str, wanted: str, measured: str, met: bool, note: str = "", gap: str = "") -> dict[str, Any]:
    """One entry of a section's "targets" list (the convention in this module's docstring)."""
    return {"what": what, "target": wanted, "measured": measured, "met": bool(met), "note": note, "gap": gap}


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("inf")


def verdict(met: bool, gap: str = "") -> str:
    """'met' or 'missed by …' for the targets column."""
    return "met" if met else f"**missed** {gap}".rstrip()


def fmt_s(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 0.1 else f"{seconds * 1000:.1f} ms"


def fmt_mb(mb: float | None) -> str:
    return "n/a" if mb is None else f"{mb:.0f} MB"


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def write_section(name: str, markdown: str, data: dict[str, Any]) -> Path:
    """Write var/bench/<name>.md and <name>.json; the markdown must start with a '## ' heading."""
    if not markdown.startswith("## "):
        raise ValueError("a benchmark section starts with a '## ' heading")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{name}.json").write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    path = OUT / f"{name}.md"
    path.write_text(markdown.rstrip() + "\n", encoding="utf-8")
    return path


@contextlib.contextmanager
def stage(label: str) -> Iterator[None]:
    """Print progress to stderr so a long `make bench` says what it is doing."""
    started = time.perf_counter()
    print(f"[bench] {label}…", file=sys.stderr, flush=True)
    yield
    print(f"[bench] {label}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["--baseline"]:
        _baseline_child()
    else:
        raise SystemExit("usage: python -m bench.common --baseline  (the interpreter-baseline child)")
