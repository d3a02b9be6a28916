"""Benchmark: building a round's report (reports.services.report_compute) at about 1M answer cells.

Variants, each measured in a fresh child process (wall time of the measured part, peak RSS of the process):

- oscethb: ``report_compute(survey=…, include_in_progress=False)``, the whole report document;
- naive ORM: what the report's counts would cost with one ORM aggregate query per question, row and option
  (``Answer.objects.filter(question=…, row=…, value_text=option).values(kind).annotate(Count)``) and one
  Count/Sum/Min/Max aggregate per numeric question; run on the first BENCH_NAIVE_QUESTIONS questions (default 40,
  two blocks of the round's repeating question mix) and scaled linearly to all questions;
- COPY floor: the same answer cells streamed out of PostgreSQL with ``COPY (…) TO STDOUT WITH CSV`` into
  ``pandas.read_csv`` and one groupby giving the counts per question, row, kind and option (multiple choices
  split and exploded first): what reading every answer's codes and texts and counting them costs. The build
  reads less (ids, no free texts), so it can come in under 1× of it.

Targets (issue 5): report build ≤ 5 s at 1M answers, ≥ 20× faster than naive; (issue 14) ≤ 1.3× the floor measured
in the same run, peak RSS of the build's process ≤ 250 MB at 1M answers (the absolute VmHWM of the child, interpreter
included; the interpreter-alone baseline is reported beside it).

    python -m bench.aggregation                  # BENCH_SCALE=5m for the 5M round, BENCH_RUNS=N runs
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
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
from bench.synth import DEFAULT_QUESTIONS, database_name, ensure_round, round_info, scale_orgs

NAME = "aggregation"
NAIVE_QUESTIONS = int(os.environ.get("BENCH_NAIVE_QUESTIONS", "40"))
MAX_VS_FLOOR = 1.3  # issue 14
MAX_PEAK_MB = 250  # issue 14, at 1M answers


# --- the variants (run in children) ----------------------------------------------------------------------


def _survey() -> Any:
    from surveys.models import Survey

    return Survey.objects.get(slug__startswith="bench-")


def child_oscethb() -> None:
    from reports.services import report_compute

    survey = _survey()
    started = time.perf_counter()
    report = report_compute(survey=survey, include_in_progress=False)
    seconds = time.perf_counter() - started
    counts = report["choice_counts"]
    child_result(
        seconds,
        choice_count_rows=len(counts),
        chosen=sum(r["count"] for r in counts),
        json_mb=round(len(json.dumps(report, default=str)) / 1e6, 1),
    )


def child_naive(limit: int) -> None:
    from django.db.models import Count, Max, Min, Sum

    from responses.models import Answer, Response

    survey = _survey()
    questions = list(
        survey.questions.select_related("option_set", "survey")
        .prefetch_related("option_set__options")
        .order_by("section__area__position", "section__position", "position")
    )
    subset = questions[:limit] if limit else questions
    started = time.perf_counter()
    chosen = queries = 0
    for question in subset:
        base = Answer.objects.filter(
            question=question, response__survey=survey, response__status__in=Response.COUNTED_STATUSES
        ).exclude(value_text__isnull=True, value_number__isnull=True, value_choices__isnull=True)
        cells = question.cells()
        kinds = {spec.kind for spec in cells}
        if kinds & {"choice", "choices"}:
            rows = sorted({spec.row for spec in cells})
            for row in rows:
                for option in question.options_list():
                    if "choices" in kinds:
                        matching = base.filter(row=row, value_choices__contains=[option.code])
                    else:
                        matching = base.filter(row=row, value_text=option.code)
                    for entry in matching.values("response__organisation__kind").annotate(n=Count("id")):
                        chosen += entry["n"]
                    queries += 1
        elif kinds & {"integer", "decimal"}:
            list(
                base.values("row", "column", "response__organisation__kind").annotate(
                    count=Count("value_number"),
                    sum=Sum("value_number"),
                    min=Min("value_number"),
                    max=Max("value_number"),
                )
            )
            queries += 1
    seconds = time.perf_counter() - started
    child_result(seconds, questions=len(subset), all_questions=len(questions), queries=queries, chosen=chosen)


FLOOR_SQL = """
COPY (
    SELECT o.code, o.kind, coalesce(c.code, o.code), q.code, a."row", a."column", a.value_text, a.value_number,
           a.value_choices::text
    FROM responses_answer a
    JOIN responses_response r ON r.id = a.response_id
    JOIN responses_organisation o ON o.id = r.organisation_id
    LEFT JOIN responses_organisation c ON c.id = o.country_id
    JOIN surveys_question q ON q.id = a.question_id
    WHERE r.survey_id = %(survey)s AND r.status IN (%(counted)s)
      AND NOT (a.value_text IS NULL AND a.value_number IS NULL AND a.value_date IS NULL AND a.value_choices IS NULL)
) TO STDOUT WITH (FORMAT csv)
"""


def child_floor() -> None:
    import pandas as pd
    from django.db import connection

    from responses.models import Response

    survey = _survey()
    counted = ", ".join(f"'{status}'" for status in Response.COUNTED_STATUSES)  # our constants, not input
    sql = FLOOR_SQL.replace("%(survey)s", str(int(survey.pk))).replace("%(counted)s", counted)
    started = time.perf_counter()
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(sql, buffer)
    buffer.seek(0)
    names = ["organisation", "kind", "country", "question", "row", "column", "text", "number", "choices"]
    frame = pd.read_csv(
        buffer,
        names=names,
        dtype={n: "str" for n in names if n != "number"},
        keep_default_na=False,
        na_values={"text": [""], "number": [""], "choices": [""]},
    )
    del buffer
    multi = frame["choices"].dropna().str.strip("[]").str.replace('"', "", regex=False).str.split(", ")
    options = pd.concat([frame["text"], multi.explode()])
    keys = frame.loc[options.index, ["question", "row", "kind"]].reset_index(drop=True)
    keys["option"] = options.to_numpy()
    counts = keys.dropna(subset=["option"]).groupby(["question", "row", "kind", "option"]).size()
    seconds = time.perf_counter() - started
    # Texts are counted as options here too (the floor does not know the cell kinds): report only the total of
    # the choice cells, for the cross-check with the report's counts.
    chosen_choice = int(counts[counts.index.get_level_values("option").str.fullmatch(r"[a-z_]+")].sum())
    child_result(seconds, rows=len(frame), groups=len(counts), chosen=chosen_choice)


# --- the parent ------------------------------------------------------------------------------------------


def measure(database: str, variant: str, runs: int, extra: list[str] | None = None) -> Measurement:
    args = ["-m", "bench.aggregation", "--child", variant, "--database", database, *(extra or [])]
    samples = []
    for index in range(runs):
        with stage(f"{NAME}: {variant} run {index + 1}/{runs}"):
            samples.append(run_child(args))
    return Measurement(variant, samples)


def run(orgs: int, questions: int, database: str, runs: int) -> dict[str, Any]:
    ensure_round(database, orgs, questions)
    info = round_info(database)
    baseline = interpreter_baseline(pg_url(database))
    oscethb = measure(database, "oscethb", runs)
    floor = measure(database, "floor", runs)
    naive = measure(database, "naive", runs, ["--naive-questions", str(NAIVE_QUESTIONS)])
    subset = naive.samples[0].extra
    scale = ratio(subset["all_questions"], subset["questions"])
    naive_seconds = naive.seconds * scale
    answers = info["answers"]
    speedup = ratio(naive_seconds, oscethb.seconds)
    vs_floor = ratio(oscethb.seconds, floor.seconds)
    # The highest of the runs (not the median): a peak is what the worker must have room for.
    peak = max((s.peak_rss_mb for s in oscethb.samples if s.peak_rss_mb is not None), default=None)
    targets = [
        target(
            "report build at 1M answers",
            "≤ 5 s",
            fmt_s(oscethb.seconds),
            oscethb.seconds <= 5,
            f"{answers:,} answer cells",
            "" if oscethb.seconds <= 5 else f"by {oscethb.seconds - 5:.2f} s",
        ),
        target(
            "report build vs naive ORM",
            "≥ 20× faster",
            f"{speedup:.0f}×",
            speedup >= 20,
            f"naive: {fmt_s(naive_seconds)} (scaled ×{scale:.1f} from {subset['questions']} questions)",
            "" if speedup >= 20 else f"{speedup:.1f}× of 20×",
        ),
        target(
            "report build ≤ 1.3× the floor",
            "≤ 1.3× the COPY + pandas floor (same run)",
            f"{vs_floor:.2f}×",
            vs_floor <= MAX_VS_FLOOR,
            f"build {fmt_s(oscethb.seconds)}, floor {fmt_s(floor.seconds)}",
            "" if vs_floor <= MAX_VS_FLOOR else f"by {vs_floor - MAX_VS_FLOOR:.2f}×",
        ),
        target(
            "report build peak RSS ≤ 250 MB at 1M answers",
            f"≤ {MAX_PEAK_MB} MB",
            fmt_mb(peak),
            peak is not None and peak <= MAX_PEAK_MB,
            f"the child's whole VmHWM; the interpreter alone peaks at {fmt_mb(baseline.peak_rss_mb)}, "
            f"the floor at {fmt_mb(floor.peak_rss_mb)}",
            "" if peak is not None and peak <= MAX_PEAK_MB else f"by {(peak or 0) - MAX_PEAK_MB:.0f} MB",
        ),
    ]
    checks = {
        "report_chosen": oscethb.samples[0].extra.get("chosen"),
        "floor_chosen": floor.samples[0].extra.get("chosen"),
        "floor_rows": floor.samples[0].extra.get("rows"),
        "answers": answers,
    }
    return {
        "name": NAME,
        "scale": {"orgs": orgs, "questions": questions, "answers": answers, "database": database},
        "runs": runs,
        "interpreter_baseline": baseline.as_dict(),
        "measurements": [m.as_dict() for m in (oscethb, naive, floor)],
        "naive_scale": scale,
        "naive_seconds_scaled": naive_seconds,
        "checks": checks,
        "targets": targets,
    }


def markdown(data: dict[str, Any]) -> str:
    oscethb, naive, floor = (Measurement.from_dict(m) for m in data["measurements"])
    baseline = data["interpreter_baseline"]
    scale = data["scale"]
    subset = naive.samples[0].extra
    rows = [
        [
            "oscethb `report_compute` (whole report)",
            fmt_s(oscethb.seconds),
            fmt_mb(oscethb.peak_rss_mb),
            "1.0×",
            ", ".join(fmt_s(s.seconds) for s in oscethb.samples),
        ],
        [
            f"naive ORM: one aggregate query per question/row/option ({subset['queries']} queries for "
            f"{subset['questions']} of {subset['all_questions']} questions, × {data['naive_scale']:.1f})",
            fmt_s(data["naive_seconds_scaled"]),
            fmt_mb(naive.peak_rss_mb),
            f"{ratio(data['naive_seconds_scaled'], oscethb.seconds):.1f}× slower",
            ", ".join(fmt_s(s.seconds) for s in naive.samples) + " (subset)",
        ],
        [
            "floor: COPY … TO STDOUT CSV → read_csv → one groupby",
            fmt_s(floor.seconds),
            fmt_mb(floor.peak_rss_mb),
            f"{ratio(oscethb.seconds, floor.seconds):.2f}× (oscethb / floor)",
            ", ".join(fmt_s(s.seconds) for s in floor.samples),
        ],
    ]
    checks = data["checks"]
    peak_build = max((s.peak_rss_mb for s in oscethb.samples if s.peak_rss_mb is not None), default=None)
    lines = [
        "## Report aggregation",
        "",
        f"Round: {scale['orgs']:,} organisations × {scale['questions']} questions = **{scale['answers']:,} answer "
        f"cells** counted (database `{scale['database']}`, from `bench/synth.py`). Median of {data['runs']} runs, "
        "each in a fresh child process; time is the measured part only (no interpreter start-up), peak RSS is the "
        f"child's VmHWM. A child that only starts Python, Django and pandas peaks at "
        f"{fmt_mb(baseline['median_peak_rss_mb'])}.",
        "",
        table(["variant", "time (median)", "peak RSS", "relative", "runs"], rows),
        "",
        "Same data: the report counts "
        f"{checks['report_chosen']:,} chosen options; the floor's groupby counts {checks['floor_chosen']:,} over "
        f"{checks['floor_rows']:,} answer rows (the floor also counts the answers that show-if rules hide from the "
        "report, so it counts a little more).",
        "",
        table(
            ["target", "wanted", "measured", "verdict", "note"],
            [
                [t["what"], t["target"], t["measured"], verdict(t["met"], t.get("gap", "")), t["note"]]
                for t in data["targets"]
            ],
        ),
        "",
        "**How the build reads the answers (issue 14).** COPY of the answer cells as organisation and question "
        "ids (not codes: a few small lookups name them), through a temporary file (the CSV text is the kernel's "
        "page cache, never the worker's memory) into `pandas.read_csv` with typed columns: codes, option texts, "
        "rows and columns as categoricals with sorted categories, so grouping and sorting give the order strings "
        "would. The texts of questions listed as written (short and long texts) stay in the database: no figure "
        "reads them. So the build sends and parses less than the floor, which reads every code and text, and can "
        f"be under 1× of it. Peak RSS: the build {fmt_mb(peak_build)} in all, of which the interpreter, Django and "
        f"pandas alone are {fmt_mb(baseline['median_peak_rss_mb'])}.",
        "",
        "**Why, where a target is missed.** "
        f"Reading the answers at all costs about the floor's {fmt_s(floor.seconds)} here (COPY of 1M rows as text, "
        f"parsed by pandas, one groupby); the build is {ratio(oscethb.seconds, floor.seconds):.2f}× of it, so "
        f"≤ 5 s holds on a machine where the floor is under about "
        f"{5 / max(0.01, ratio(oscethb.seconds, floor.seconds)):.1f} s. The naive baseline is only "
        f"{ratio(data['naive_seconds_scaled'], oscethb.seconds):.1f}× slower because each of its aggregate queries "
        f"is a cheap indexed count (about {naive.seconds / max(1, naive.samples[0].extra.get('queries', 1)) * 1000:.0f} "
        "ms each): 20× faster than naive would be "
        f"{fmt_s(data['naive_seconds_scaled'] / 20)}, below the cost of streaming the answers out of the database, "
        "so no build that reads the answers can meet it. What would close it: a binary transfer instead of CSV "
        "text (pyarrow/ADBC, about 2× on the read), or counts kept up to date as answers are saved (an incremental "
        "table the build only sums), which moves the cost into every save.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark the report build")
    parser.add_argument("--child", choices=["oscethb", "naive", "floor"])
    parser.add_argument("--database")
    parser.add_argument("--orgs", type=int)
    parser.add_argument("--questions", type=int, default=DEFAULT_QUESTIONS)
    parser.add_argument("--naive-questions", type=int, default=NAIVE_QUESTIONS)
    parser.add_argument("--runs", type=int)
    parser.add_argument("--render", action="store_true", help="rewrite the section from the last run's JSON")
    args = parser.parse_args(argv)
    if args.render:
        data = json.loads((OUT / f"{NAME}.json").read_text(encoding="utf-8"))
        write_section(NAME, markdown(data), data)
        return
    if args.child:
        django_setup(pg_url(args.database))
        if args.child == "oscethb":
            child_oscethb()
        elif args.child == "naive":
            child_naive(args.naive_questions)
        else:
            child_floor()
        return
    orgs = args.orgs or scale_orgs()
    database = args.database or database_name(orgs, args.questions)
    data = run(orgs, args.questions, database, args.runs or runs_default())
    path = write_section(NAME, markdown(data), data)
    print(f"[bench] wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
