"""The benchmark code works: a tiny synthetic round (20 organisations × 10 questions) and the report benchmark
on it, once. The benchmarks themselves (`make bench`) are not tests and never run in the suite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("DATABASE_URL", "")

pytestmark = pytest.mark.skipif(
    not DATABASE_URL.startswith(("postgres://", "postgresql://")),
    reason="the benchmarks load data with PostgreSQL COPY: set DATABASE_URL=postgres://… to run this smoke test",
)


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    parts = urlsplit(DATABASE_URL)
    env = {
        **os.environ,
        "BENCH_DATABASE_URL": urlunsplit((parts.scheme, parts.netloc, "/postgres", "", "")),
        "BENCH_OUT": str(tmp_path),
        "BENCH_RUNS": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the children configure the production settings themselves
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def test_synth_and_aggregation_benchmarks_run_at_a_tiny_scale(tmp_path: Path) -> None:
    tiny = ["--orgs", "20", "--questions", "10", "--database", "oscethb_bench_smoke"]
    synth = _run(tmp_path, "-m", "bench.synth", *tiny, "--force")
    assert synth.returncode == 0, synth.stderr[-3000:]
    info = json.loads(synth.stdout.strip().splitlines()[-1])
    assert info["organisations"] == 20
    assert info["questions"] == 10
    assert info["answers"] > 100

    bench = _run(tmp_path, "-m", "bench.aggregation", *tiny, "--runs", "1", "--naive-questions", "0")
    assert bench.returncode == 0, bench.stderr[-3000:]
    data = json.loads((tmp_path / "aggregation.json").read_text())
    assert (tmp_path / "aggregation.md").read_text().startswith("## ")
    # the floor also counts answers that show-if rules hide from the report
    assert data["checks"]["floor_chosen"] >= data["checks"]["report_chosen"] > 0
    assert {t["what"] for t in data["targets"]} >= {
        "report build vs naive ORM",
        "report build ≤ 1.3× the floor",
        "report build peak RSS ≤ 250 MB at 1M answers",
    }
    peak = next(t for t in data["targets"] if "peak RSS" in t["what"])
    assert peak["measured"].endswith("MB")
    assert "interpreter alone peaks at" in peak["note"]
    assert all(isinstance(t["met"], bool) for t in data["targets"])
