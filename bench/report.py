"""Assemble BENCHMARKS.md at the repository root from the sections in var/bench/ (python -m bench.report).

The header says when and on what the numbers were measured (machine, OS, versions, PostgreSQL server, scale,
BENCH_RUNS) and gathers every section's targets (the "targets" list of its JSON, see bench/common.py) into one
summary table; the sections follow in the order of bench.run.MODULES, then any others.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.common import OUT, ROOT, pg_url, runs_default, table, verdict

ORDER = ["synth", "aggregation", "excel", "imports", "load", "request_cpu"]


def _proc(path: str, key: str) -> str:
    try:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def machine() -> dict[str, str]:
    mem_kb = _proc("/proc/meminfo", "MemTotal").split()[0]
    os_name = "unknown"
    try:
        release = dict(line.split("=", 1) for line in Path("/etc/os-release").read_text().splitlines() if "=" in line)
        os_name = release.get("PRETTY_NAME", "").strip('"')
    except OSError:
        pass
    return {
        "cpu": _proc("/proc/cpuinfo", "model name"),
        "cores": str(os.cpu_count()),
        "ram": f"{int(mem_kb) / 1024 / 1024:.1f} GB" if mem_kb.isdigit() else "unknown",
        "os": f"{os_name} (kernel {platform.release()})",
    }


def versions() -> dict[str, str]:
    result = {"Python": platform.python_version()}
    for package in ("Django", "pandas", "openpyxl", "psycopg2-binary", "numpy"):
        try:
            result[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            result[package] = "not installed"
    try:
        import psycopg2

        conn = psycopg2.connect(pg_url("postgres"))
        with conn.cursor() as cursor:
            cursor.execute("SHOW server_version")
            result["PostgreSQL"] = str(cursor.fetchone()[0])
        conn.close()
    except Exception as exc:
        result["PostgreSQL"] = f"unreachable ({type(exc).__name__})"
    return result


def git_revision() -> str:
    try:
        out = subprocess.run(  # nosec B603 B607 # git from PATH, only to name the measured revision
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def sections() -> list[tuple[str, str, dict[str, Any]]]:
    names = sorted(p.stem for p in OUT.glob("*.md"))
    ordered = [n for n in ORDER if n in names] + [n for n in names if n not in ORDER]
    result = []
    for name in ordered:
        markdown = (OUT / f"{name}.md").read_text(encoding="utf-8")
        json_path = OUT / f"{name}.json"
        data = json.loads(json_path.read_text(encoding="utf-8")) if json_path.exists() else {}
        result.append((name, markdown, data))
    return result


def build(failures: dict[str, str] | None = None) -> str:
    found = sections()
    info = machine()
    ver = versions()
    rows = []
    for name, _markdown, data in found:
        for t in data.get("targets", []):
            rows.append(
                [name, t["what"], t["target"], t["measured"], verdict(t["met"], t.get("gap", "")), t.get("note", "")]
            )
    scale = os.environ.get("BENCH_SCALE", "1m")
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bench.run`); see bench/README.md for what each benchmark measures and",
        "how. Times are medians; every target is compared with baselines measured in the same run on the same",
        "machine, which may have been shared with other work (CPU timings are noisy).",
        "",
        f"- Date: {dt.datetime.now().astimezone().isoformat(timespec='minutes')} (revision {git_revision()})",
        f"- Machine: {info['cpu']}, {info['cores']} cores, {info['ram']} RAM",
        f"- OS: {info['os']}",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in ver.items()),
        f"- Scale: BENCH_SCALE={scale}; BENCH_RUNS={runs_default()}",
        "",
        "## Targets",
        "",
        table(["benchmark", "target", "wanted", "measured", "verdict", "note"], rows) if rows else "No targets found.",
    ]
    if failures:
        lines += ["", "**Benchmarks that failed in this run** (their sections below may be from an earlier run):", ""]
        lines += [f"- `{name}`: {reason}" for name, reason in failures.items()]
    for _name, markdown, _data in found:
        lines += ["", markdown.rstrip()]
    return "\n".join(lines) + "\n"


def main(failures: dict[str, str] | None = None) -> Path:
    path = ROOT / "BENCHMARKS.md"
    path.write_text(build(failures), encoding="utf-8")
    print(f"[bench] wrote {path}", file=sys.stderr)
    return path


if __name__ == "__main__":
    main()
