"""Benchmark: the Excel summary export (reports.exports.excel_export_execute) at 1M and 5M spreadsheet cells.

"Cells" here are spreadsheet cells: the export writes each stored answer cell as one row of its "Raw data" sheet
(9 spreadsheet columns), which also feeds the "Country matrix"; the other sheets come from the stored report.
Both scales always run: 1M and 5M spreadsheet cells are rounds of 556 and 2,778 organisations × 200 questions.

Variants, each in a fresh child process (time of the measured part, peak RSS of the process):

- oscethb: ``excel_export_execute`` of a new export job, with the round's report already stored (as after a
  round closes), writing the workbook into a temporary MEDIA_ROOT;
- naive: the same raw rows (``reports.exports.raw_rows``) into a DataFrame, then ``DataFrame.to_excel`` with the
  openpyxl engine (1M only: it holds everything in memory);
- CSV floor: the same raw rows written with the csv module (what any export of these rows costs at least).

Targets (issue 5): ≤ 15 s per 1M cells, peak RSS ≤ 150 MB, RSS growing by < 20 MB from 1M to 5M cells.
Target (issue 14): per spreadsheet cell, at most 4× the CSV floor's time, at 1M and at 5M cells (both measured in
the same run, so that the machine's load counts alike).

    python -m bench.excel
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import (
    OUT,
    Measurement,
    child_result,
    django_setup,
    fmt_mb,
    fmt_s,
    interpreter_baseline,
    pg_url,
    ratio,
    run_child,
    runs_default,
    stage,
    table,
    target,
    verdict,
    write_section,
)
from bench.synth import DEFAULT_QUESTIONS, database_name, round_info

NAME = "excel"


def _survey() -> Any:
    from surveys.models import Survey

    return Survey.objects.get(slug__startswith="bench-")


def child_prepare() -> None:
    """Store the round's report once (the export reads it), unless it is there already."""
    from reports.models import Report
    from reports.services import report_compute

    survey = _survey()
    if not Report.objects.filter(survey=survey, include_in_progress=False).exists():
        from django.utils import timezone

        data = report_compute(survey=survey, include_in_progress=False)
        data["built_at"] = timezone.now().isoformat()
        Report.objects.create(survey=survey, include_in_progress=False, data=data, built_at=timezone.now())
    child_result(0.0)


def child_oscethb() -> None:
    from reports.exports import excel_export_create, excel_export_execute
    from reports.models import ExcelExport

    survey = _survey()
    export = excel_export_create(survey=survey, user=None, language="en", include_in_progress=False)
    started = time.perf_counter()
    status = excel_export_execute(export_id=export.pk)
    seconds = time.perf_counter() - started
    export = ExcelExport.objects.get(pk=export.pk)
    size = export.file.size if export.file else 0
    export.file.delete(save=False)
    export.delete()
    child_result(seconds, status=str(status), file_mb=round(size / 1e6, 1))


def child_naive() -> None:
    import pandas as pd

    from reports.exports import raw_rows
    from reports.workbook import RAW_HEADER

    survey = _survey()
    with tempfile.TemporaryDirectory(prefix="bench-excel-") as folder:
        path = Path(folder) / "naive.xlsx"
        started = time.perf_counter()
        frame = pd.DataFrame(list(raw_rows(survey, False)), columns=list(RAW_HEADER))
        frame["last changed"] = frame["last changed"].dt.tz_localize(None)
        frame.to_excel(path, sheet_name="Raw data", index=False, engine="openpyxl")
        seconds = time.perf_counter() - started
        child_result(seconds, rows=len(frame), file_mb=round(path.stat().st_size / 1e6, 1))


def child_csv() -> None:
    from reports.exports import raw_rows
    from reports.workbook import RAW_HEADER

    survey = _survey()
    with tempfile.TemporaryDirectory(prefix="bench-excel-") as folder:
        path = Path(folder) / "floor.csv"
        started = time.perf_counter()
        rows = 0
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(RAW_HEADER)
            for row in raw_rows(survey, False):
                writer.writerow(row)
                rows += 1
        seconds = time.perf_counter() - started
        child_result(seconds, rows=rows, file_mb=round(path.stat().st_size / 1e6, 1))


def measure(database: str, variant: str, runs: int) -> Measurement:
    media = tempfile.mkdtemp(prefix="bench-media-")
    samples = []
    for index in range(runs):
        with stage(f"{NAME}: {variant} on {database} run {index + 1}/{runs}"):
            samples.append(
                run_child(["-m", "bench.excel", "--child", variant, "--database", database], env={"MEDIA_ROOT": media})
            )
    return Measurement(f"{variant} ({database})", samples)


RAW_COLUMNS = 9  # spreadsheet cells per answer cell in the "Raw data" sheet
# Rounds sized so that the Raw data sheet holds about 1M and 5M spreadsheet cells (200 questions ≈ 200 answers each).
CELL_SCALES = (("1M cells", 556), ("5M cells", 2_778))


def run(runs: int) -> dict[str, Any]:
    scales: list[dict[str, Any]] = []
    for label, orgs in CELL_SCALES:
        database = database_name(orgs, DEFAULT_QUESTIONS)
        # In a child: Django is configured once per process, for one database, and each scale has its own.
        run_child(
            ["-m", "bench.synth", "--orgs", str(orgs), "--questions", str(DEFAULT_QUESTIONS), "--database", database]
        )
        info = round_info(database)
        measure(database, "prepare", 1)
        entry: dict[str, Any] = {
            "scale": label,
            "database": database,
            "answers": info["answers"],
            "cells": info["answers"] * RAW_COLUMNS,
        }
        entry["oscethb"] = measure(database, "oscethb", runs).as_dict()
        entry["csv"] = measure(database, "csv", runs).as_dict()
        if label == "1M cells":
            entry["naive"] = measure(database, "naive", max(1, min(runs, 2))).as_dict()
        scales.append(entry)
    baseline = interpreter_baseline(pg_url(scales[0]["database"]))
    first = Measurement.from_dict(scales[0]["oscethb"])
    per_million = max(
        Measurement.from_dict(s["oscethb"]).seconds / (s["cells"] / 1e6) for s in scales
    )  # the slower of the two scales
    rss = [Measurement.from_dict(s["oscethb"]).peak_rss_mb or 0.0 for s in scales]
    targets = [
        target(
            "Excel export time",
            "≤ 15 s per 1M cells",
            f"{per_million:.1f} s per 1M cells",
            per_million <= 15,
            f"{scales[0]['cells']:,} cells ({scales[0]['answers']:,} answers) in {fmt_s(first.seconds)}",
            "" if per_million <= 15 else f"by {per_million - 15:.1f} s ({per_million / 15 - 1:.0%})",
        ),
        target(
            "Excel export peak RSS",
            "≤ 150 MB",
            fmt_mb(max(rss)),
            max(rss) <= 150,
            f"interpreter alone: {fmt_mb(baseline.peak_rss_mb)}",
            "" if max(rss) <= 150 else f"by {max(rss) - 150:.0f} MB",
        ),
    ]
    for entry in scales:
        per_cell = Measurement.from_dict(entry["oscethb"]).seconds / entry["cells"] * 1e6
        floor_cell = Measurement.from_dict(entry["csv"]).seconds / entry["cells"] * 1e6
        times = per_cell / floor_cell if floor_cell else float("inf")
        targets.append(
            target(
                f"Excel per cell ≤ 4× the CSV floor ({entry['scale']})",
                "≤ 4× the CSV floor",
                f"{times:.1f}×",
                times <= 4,
                f"{per_cell:.1f} µs vs {floor_cell:.1f} µs per cell, same run",
                "" if times <= 4 else f"by {times - 4:.1f}×",
            )
        )
    if len(scales) > 1:  # always: both scales are measured
        growth = rss[1] - rss[0]
        targets.append(
            target(
                "Excel export RSS growth 1M → 5M cells",
                "< 20 MB",
                f"{growth:+.0f} MB",
                growth < 20,
                f"{fmt_mb(rss[0])} → {fmt_mb(rss[1])}",
                "" if growth < 20 else f"by {growth - 20:.0f} MB",
            )
        )
    return {
        "name": NAME,
        "runs": runs,
        "interpreter_baseline": baseline.as_dict(),
        "scales": scales,
        "targets": targets,
    }


def markdown(data: dict[str, Any]) -> str:
    baseline = data["interpreter_baseline"]
    rows = []
    for entry in data["scales"]:
        answers = entry["answers"]
        cells = entry.get("cells", answers * RAW_COLUMNS)
        oscethb = Measurement.from_dict(entry["oscethb"])
        variants = [("oscethb `excel_export_execute` (whole workbook)", oscethb)]
        if "naive" in entry:
            variants.append(
                (
                    "naive: raw rows → DataFrame → `to_excel` (openpyxl), Raw data sheet only",
                    Measurement.from_dict(entry["naive"]),
                )
            )
        variants.append(("floor: the same raw rows → csv module", Measurement.from_dict(entry["csv"])))
        for label, m in variants:
            rows.append(
                [
                    f"{cells / 1e6:.2f}M ({answers:,} answers)",
                    label,
                    fmt_s(m.seconds),
                    f"{m.seconds / (cells / 1e6):.1f} s",
                    fmt_mb(m.peak_rss_mb),
                    f"{ratio(m.seconds, oscethb.seconds):.2f}×",
                    ", ".join(fmt_s(s.seconds) for s in m.samples),
                ]
            )
    lines = [
        "## Excel export",
        "",
        'Cells are spreadsheet cells of the workbook\'s "Raw data" sheet: one row of 9 columns per stored answer '
        "cell, so 1M cells are about 111,000 answers (556 organisations × 200 questions) and 5M about 556,000 "
        '(2,778 organisations). The same answers also fill the "Country matrix"; the summary, area, score and '
        "State-vs-NGO sheets come from the stored report and are written too. "
        f"Median of {data['runs']} runs (naive: at most 2), each in a fresh child process; peak RSS is the child's "
        f"VmHWM. A child that only starts Python, Django, pandas and openpyxl peaks at "
        f"{fmt_mb(baseline['median_peak_rss_mb'])}: the export's own share is the difference.",
        "",
        table(["cells", "variant", "time (median)", "per 1M cells", "peak RSS", "vs oscethb", "runs"], rows),
        "",
        table(
            ["target", "wanted", "measured", "verdict", "note"],
            [
                [t["what"], t["target"], t["measured"], verdict(t["met"], t.get("gap", "")), t["note"]]
                for t in data["targets"]
            ],
        ),
        "",
        _why(data),
    ]
    return "\n".join(lines)


def _why(data: dict[str, Any]) -> str:
    """The reading of the numbers: where the time goes and what would close a missed target."""
    first = data["scales"][0]
    cells = first.get("cells", first["answers"] * RAW_COLUMNS)
    oscethb = Measurement.from_dict(first["oscethb"])
    floor = Measurement.from_dict(first["csv"])
    text = (
        f"**Reading the numbers.** Per spreadsheet cell the export costs {oscethb.seconds / cells * 1e6:.1f} µs, "
        f"the CSV floor {floor.seconds / cells * 1e6:.1f} µs: reading the rows is the same query in both. The "
        "Raw data sheet's rows are written as ready-made XML into openpyxl's write-only stream "
        "(reports/workbook/xml_rows.py), one string per row instead of nine openpyxl cells, which cost about 9× the "
        "floor; what remains is building that XML (2–3 µs per cell), compressing the sheet into the file and "
        "the other sheets (a fixed cost of a few seconds). The floor itself varies from run to run with the "
        "machine's load, hence a ratio measured in the same run. Memory stays flat because the workbook is written "
        "write-only from a server-side cursor."
    )
    if "naive" in first:
        naive = Measurement.from_dict(first["naive"])
        text += (
            f" `DataFrame.to_excel` of the raw rows alone takes {ratio(naive.seconds, oscethb.seconds):.1f}× the "
            f"time of the whole workbook and peaks at {fmt_mb(naive.peak_rss_mb)}."
        )
    return text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark the Excel export")
    parser.add_argument("--child", choices=["prepare", "oscethb", "naive", "csv"])
    parser.add_argument("--database")
    parser.add_argument("--runs", type=int)
    parser.add_argument("--render", action="store_true", help="rewrite the section from the last run's JSON")
    args = parser.parse_args(argv)
    if args.render:
        data = json.loads((OUT / f"{NAME}.json").read_text(encoding="utf-8"))
        write_section(NAME, markdown(data), data)
        return
    if args.child:
        django_setup(pg_url(args.database))
        {"prepare": child_prepare, "oscethb": child_oscethb, "naive": child_naive, "csv": child_csv}[args.child]()
        return
    data = run(args.runs or runs_default())
    path = write_section(NAME, markdown(data), data)
    print(f"[bench] wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
