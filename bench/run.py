"""Run every benchmark that exists, in order, then write BENCHMARKS.md (what `make bench` runs).

    python -m bench.run            # BENCH_SCALE=5m for the 5M round, BENCH_RUNS=N runs per measurement

A benchmark that fails is reported (in the output and in BENCHMARKS.md) and the others still run. Exits 1 when
one failed.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time

from bench import report
from bench.common import PYTHON, ROOT

MODULES = ["synth", "aggregation", "excel", "imports", "load", "request_cpu"]


def main() -> int:
    failures: dict[str, str] = {}
    for name in MODULES:
        if importlib.util.find_spec(f"bench.{name}") is None:
            print(f"[bench] {name}: not written yet, skipped", file=sys.stderr)
            continue
        started = time.perf_counter()
        print(f"[bench] === {name} ===", file=sys.stderr, flush=True)
        result = subprocess.run([PYTHON, "-m", f"bench.{name}"], cwd=ROOT, check=False)  # noqa: S603  # nosec B603
        took = time.perf_counter() - started
        if result.returncode != 0:
            failures[name] = f"exited with {result.returncode} after {took:.0f} s (see the output above)"
            print(f"[bench] {name} FAILED ({result.returncode})", file=sys.stderr, flush=True)
        else:
            print(f"[bench] {name} done in {took:.0f} s", file=sys.stderr, flush=True)
    report.main(failures)
    for name, reason in failures.items():
        print(f"[bench] FAILED: {name}: {reason}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
