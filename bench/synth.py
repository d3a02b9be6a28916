"""A synthetic survey round at scale, bulk-loaded into a scratch PostgreSQL database for the benchmarks.

``ensure_round(database, orgs, questions)`` returns the URL of a database that holds, after the migrations (which
load the 57 participating States and 11 Partners):

- one round ``bench-<questions>`` loaded from a generated definition through ``surveys.services`` (so it is a
  valid round): ``questions`` questions over the four Action Plan areas PRV, PRO, PRT and PAR, in sections of 10,
  with the mix of answer types the real definitions use (single choice on yes/no/in process and yes/partly/no
  scales, some scored; multiple choice; whole numbers; a number per year of the reference period; matrices;
  breakdown tables; short and long texts) and a few show-if rules;
- ``orgs`` responding organisations: up to 57 States (one in ten of ``orgs``) and NGOs working in them for the rest;
- one response per organisation (submitted, resubmitted or accepted: every one is counted in the final report);
- answers: about ``orgs * questions`` answer cells (5000 × 200 → about 1M), each with a version and its
  ``AnswerChange`` history (one change per version), loaded with PostgreSQL COPY.

The database is reused when it already holds a round made with the same parameters (a marker table
``bench_synth`` records them), so several benchmark modules and repeated runs generate it once.

    python -m bench.synth                       # 5000 orgs × 200 questions (BENCH_SCALE=5m: 25000 orgs)
    python -m bench.synth --orgs 20 --questions 10 --database oscethb_bench_tiny --force
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import random
import sys
import time
from collections.abc import Iterator
from typing import Any

import yaml

from bench.common import django_setup, pg_recreate, pg_url, stage, table, target, write_section

GENERATOR_VERSION = 2
DEFAULT_DATABASE = "oscethb_bench"
DEFAULT_QUESTIONS = 200
SCALES = {"1m": 5_000, "5m": 25_000}  # organisations per scale at 200 questions
AREAS = [
    ("PRV", "Prevention"),
    ("PRO", "Prosecution"),
    ("PRT", "Protection of victims"),
    ("PAR", "Partnership"),
]
SECTION_SIZE = 10
REFERENCE = (2021, 2023)
# One block of 20 questions, repeated: (type, option set or shape, audience, scored).
PATTERN: list[tuple[str, str, str, bool]] = [
    ("single_select", "YNP", "state", True),
    ("single_select", "YNP", "both", False),  # shown only if the previous one is yes / in process (show_if)
    ("single_select", "YNPART", "both", True),
    ("multi_select", "FORMS", "both", False),
    ("integer", "", "both", False),
    ("single_select", "YN", "both", False),
    ("matrix", "YNP", "state", False),
    ("single_select", "YNP", "ngo", False),
    ("long_text", "", "both", False),
    ("integer_per_year", "", "both", False),
    ("single_select", "YNP", "both", True),
    ("single_select", "YNPART", "state", False),
    ("multi_select", "GROUPS", "both", False),
    ("likert_matrix", "LIKERT", "ngo", False),
    ("single_select", "YN", "state", False),
    ("short_text", "", "both", False),
    ("integer_matrix", "", "both", False),
    ("single_select", "YNP", "both", False),
    ("decimal", "", "state", False),
    ("single_select", "YNPART", "ngo", False),
]
OPTION_SETS = {
    "YNP": ["yes", "no", "in_process", "not_applicable", "no_information"],
    "YN": ["yes", "no", "no_information"],
    "YNPART": ["yes", "partially", "no", "no_information"],
    "LIKERT": ["very_effective", "effective", "partly_effective", "ineffective", "no_opinion"],
    "FORMS": ["sexual_exploitation", "forced_labour", "forced_criminality", "begging", "organ_removal", "other"],
    "GROUPS": ["women", "children", "migrants", "minorities", "persons_with_disabilities", "none"],
}
WEIGHTS = {  # how often each option is chosen: more yes than no, few "no information"
    "YNP": [45, 20, 20, 5, 10],
    "YN": [60, 30, 10],
    "YNPART": [40, 30, 20, 10],
    "LIKERT": [15, 35, 30, 10, 10],
}
MATRIX_ROWS = ["national", "regional", "local", "border"]
SEX = ["female", "male", "other_unknown"]
CITIZENSHIP = ["national", "foreign"]
STATUSES = ["accepted"] * 50 + ["submitted"] * 40 + ["resubmitted"] * 10
WORDS = [
    "national",
    "referral",
    "mechanism",
    "coordinator",
    "labour",
    "inspection",
    "training",
    "judges",
    "prosecutors",
    "shelters",
    "hotline",
    "awareness",
    "campaign",
    "victims",
    "identification",
    "children",
    "online",
    "recruitment",
    "supply",
    "chains",
    "procurement",
    "NGOs",
    "compensation",
    "residence",
    "permits",
    "non-punishment",
    "data",
    "collection",
    "cross-border",
    "co-operation",
]


def scale_orgs(scale: str | None = None) -> int:
    """Organisations for BENCH_SCALE (1m, the default, or 5m) at 200 questions."""
    key = (scale or os.environ.get("BENCH_SCALE") or "1m").lower()
    if key not in SCALES:
        raise SystemExit(f"unknown BENCH_SCALE {key!r} (use one of {', '.join(SCALES)})")
    return SCALES[key]


def database_name(orgs: int, questions: int) -> str:
    """The default scratch database of a scale: one per parameter set, so 1M and 5M can live side by side."""
    if (orgs, questions) == (SCALES["1m"], DEFAULT_QUESTIONS):
        return DEFAULT_DATABASE
    return f"{DEFAULT_DATABASE}_{orgs}x{questions}"


# --- the definition ------------------------------------------------------------------------------------------


def _question_plan(questions: int) -> list[dict[str, Any]]:
    """Code, area, section and shape of each question, in order."""
    per_area = [questions // len(AREAS) + (1 if i < questions % len(AREAS) else 0) for i in range(len(AREAS))]
    plan, index = [], 0
    for (area, _title), count in zip(AREAS, per_area, strict=True):
        for n in range(count):
            section = f"{area}.{_letters(n // SECTION_SIZE)}"
            qtype, shape, audience, scored = PATTERN[index % len(PATTERN)]
            plan.append(
                {
                    "code": f"{section}.{n % SECTION_SIZE + 1:02d}",
                    "area": area,
                    "section": section,
                    "type": qtype,
                    "shape": shape,
                    "audience": audience,
                    "scored": scored,
                    "pattern": index % len(PATTERN),
                }
            )
            index += 1
    return plan


def _letters(n: int) -> str:
    """0 → A, 25 → Z, 26 → BA: section codes are letters only."""
    text = ""
    while True:
        text = chr(ord("A") + n % 26) + text
        n //= 26
        if n == 0:
            return text


def definition_text(questions: int, slug: str) -> str:
    """The YAML definition of the synthetic round (docs/survey-definitions.md)."""
    plan = _question_plan(questions)
    option_sets = {
        code: {"options": [{"code": o, "label": {"en": o.replace("_", " ").capitalize()}} for o in options]}
        for code, options in OPTION_SETS.items()
    }
    areas: list[dict[str, Any]] = []
    previous: dict[str, Any] | None = None
    for area, title in AREAS:
        sections: dict[str, list[dict[str, Any]]] = {}
        for q in (q for q in plan if q["area"] == area):
            item: dict[str, Any] = {
                "code": q["code"],
                "type": q["type"],
                "audience": q["audience"],
                "required": q["type"] not in ("long_text", "short_text"),
                "text": {"en": f"Synthetic question {q['code']} ({q['type']}): is the measure in place?"},
            }
            if q["scored"]:
                item["scored"] = True
                item["headline"] = {"en": f"measure {q['code']} in place"}
            if q["type"] in ("single_select", "multi_select", "matrix", "likert_matrix"):
                item["options"] = q["shape"]
            if q["type"] == "multi_select":
                item["exclusive"] = ["none"] if q["shape"] == "GROUPS" else []
            if q["type"] in ("matrix", "likert_matrix"):
                item["rows"] = [{"code": r, "label": {"en": r.capitalize()}} for r in MATRIX_ROWS]
            if q["type"] == "integer_matrix":
                item["dimensions"] = [
                    {"code": "sex", "label": {"en": "Sex"}, "values": [{"code": v, "label": {"en": v}} for v in SEX]},
                    {
                        "code": "citizenship",
                        "label": {"en": "Citizenship"},
                        "values": [{"code": v, "label": {"en": v}} for v in CITIZENSHIP],
                    },
                ]
            if q["type"] in ("integer", "integer_per_year"):
                item["validation"] = {"min": 0}
            if (
                q["pattern"] == 1
                and previous is not None
                and previous["type"] == "single_select"
                and previous["section"] == q["section"]
            ):
                item["show_if"] = {"question": previous["code"], "in": ["yes", "in_process"]}
            sections.setdefault(q["section"], []).append(item)
            previous = q
        areas.append(
            {
                "code": area,
                "title": {"en": title},
                "sections": [
                    {"code": code, "title": {"en": f"{title}, part {code.split('.')[1]}"}, "items": items}
                    for code, items in sections.items()
                ],
            }
        )
    definition = {
        "survey": {
            "slug": slug,
            "title": {"en": f"Synthetic benchmark round ({questions} questions)"},
            "reference_period": {"start": REFERENCE[0], "end": REFERENCE[1]},
            "opens_on": "2024-01-15",
            "closes_on": "2024-06-30",
            "respondent_kinds": ["state", "ngo"],
            "previous": None,
        },
        "option_sets": option_sets,
        "areas": [a for a in areas if a["sections"]],
    }
    return yaml.safe_dump(definition, sort_keys=False, allow_unicode=True, width=120)


# --- the data ------------------------------------------------------------------------------------------------


def _cells(question: Any) -> list[tuple[str, str, str]]:
    """(row, column, kind) of every cell of a loaded question."""
    return [(spec.row, spec.column, spec.kind) for spec in question.cells()]


def _copy(cursor: Any, table: str, columns: list[str], lines: Iterator[str], batch: int = 200_000) -> int:
    """COPY rows (already CSV lines) into a table, in batches from an in-memory buffer. Returns the row count."""
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"
    buffer, count, pending = io.StringIO(), 0, 0
    for line in lines:
        buffer.write(line)
        count += 1
        pending += 1
        if pending >= batch:
            buffer.seek(0)
            cursor.copy_expert(sql, buffer)
            buffer, pending = io.StringIO(), 0
    if pending:
        buffer.seek(0)
        cursor.copy_expert(sql, buffer)
    return count


@contextlib.contextmanager
def _indexes_dropped(cursor: Any, tables: list[str]) -> Iterator[None]:
    """Drop the secondary indexes and unique constraints of ``tables`` while bulk loading, then rebuild them.

    Building an index once over a loaded table is several times faster than maintaining it row by row.
    """
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = ANY(%s::regclass[]) AND contype = 'u'",
        [tables],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        [tables],
    )
    indexes = cursor.fetchall()
    for relation, name, _definition in constraints:
        cursor.execute(f'ALTER TABLE {relation} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    yield
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for relation, name, definition in constraints:
        cursor.execute(f'ALTER TABLE {relation} ADD CONSTRAINT "{name}" {definition}')
    for _name, definition in indexes:
        cursor.execute(definition)


def _csv(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def generate(orgs: int, questions: int, seed: int = 2026) -> dict[str, Any]:
    """Load the round and its answers into the configured (migrated, empty) database. Returns counts and timings."""
    from django.db import connection, transaction

    from accounts.models import Organisation
    from responses.models import Response
    from surveys.models import Question, Survey
    from surveys.services import survey_load_text

    timings: dict[str, float] = {}
    started = time.perf_counter()
    slug = f"bench-{questions}"
    survey = survey_load_text(text=definition_text(questions, slug)).survey
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.CLOSED)
    loaded = list(
        Question.objects.filter(survey=survey)
        .select_related("survey", "option_set")
        .prefetch_related("option_set__options")
        .order_by("section__area__position", "section__position", "position")
    )
    timings["definition"] = time.perf_counter() - started

    rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible  # nosec B311
    states = list(Organisation.objects.filter(kind="state").order_by("code").values_list("id", "code"))
    n_states = min(len(states), max(1, orgs // 10))
    states = states[:n_states]
    n_ngos = max(0, orgs - n_states)
    now = dt.datetime(2024, 7, 1, 12, 0, tzinfo=dt.UTC)
    stamp = now.isoformat()

    t = time.perf_counter()
    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg2 cursor, for copy_expert
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL session_replication_role = replica")  # no FK triggers while loading
        _copy(
            cursor,
            "responses_organisation",
            ["created_at", "updated_at", "kind", "code", "name", "aliases", "names", "region_codes", "country_id"],
            (
                f"{stamp},{stamp},ngo,ngo-bench-{n:06d},Bench NGO {n:06d},[],{{}},[],{states[n % n_states][0]}\n"
                for n in range(1, n_ngos + 1)
            ),
        )
        ngos = list(
            Organisation.objects.filter(kind="ngo", code__startswith="ngo-bench-").order_by("code").values_list("id")
        )
        respondents = [(pk, "state") for pk, _code in states] + [(pk, "ngo") for (pk,) in ngos]
        statuses = [rng.choice(STATUSES) for _ in respondents]
        _copy(
            cursor,
            "responses_response",
            [
                "created_at",
                "updated_at",
                "status",
                "submitted_at",
                "accepted_at",
                "staff_comment",
                "last_activity_at",
                "organisation_id",
                "survey_id",
                "progress",
            ],
            (
                f'{stamp},{stamp},{status},{stamp},{stamp if status == "accepted" else ""},"",{stamp},{org},{survey.pk},{{}}\n'
                for (org, _kind), status in zip(respondents, statuses, strict=True)
            ),
        )
        responses = dict(Response.objects.filter(survey=survey).values_list("organisation_id", "id"))
        timings["organisations_and_responses"] = time.perf_counter() - t

        # Answer each asked question with probability p, so that the total is about orgs × questions cells.
        asked_cells = {
            kind: sum(len(_cells(q)) for q in loaded if q.audience in (kind, "both")) for kind in ("state", "ngo")
        }
        expected = n_states * asked_cells["state"] + len(ngos) * asked_cells["ngo"]
        p = min(1.0, orgs * questions / expected) if expected else 1.0
        plans = [(q.pk, q.audience, q.type, _cells(q), [o.code for o in q.options_list()]) for q in loaded]

        t = time.perf_counter()
        history: list[str] = []
        base = dt.datetime(2024, 2, 1, tzinfo=dt.UTC).timestamp()

        def answer_lines() -> Iterator[str]:
            random_ = rng.random
            choice = rng.choice
            for org, kind in respondents:
                response = responses[org]
                for qid, audience, qtype, cells, options in plans:
                    if audience not in (kind, "both") or random_() >= p:
                        continue
                    weights = WEIGHTS.get(_set_of(options))
                    for row, column, cell_kind in cells:
                        text = number = choices = ""
                        if cell_kind == "choice":
                            text = rng.choices(options, weights)[0] if weights else choice(options)
                            canonical = text
                        elif cell_kind == "choices":
                            picked = sorted(rng.sample(range(len(options) - 1), rng.randint(1, 3)))
                            values = [options[i] for i in picked]
                            choices = _csv(json.dumps(values))
                            canonical = ";".join(values)
                        elif cell_kind == "text":
                            words = " ".join(choice(WORDS) for _ in range(40 if qtype == "long_text" else 6))
                            text = _csv(words[0].upper() + words[1:] + ".")
                            canonical = text
                        elif cell_kind == "decimal":
                            number = f"{rng.randint(0, 100_000) / 100:.2f}"
                            canonical = number
                        else:
                            number = str(int(rng.expovariate(1 / 40)))
                            canonical = number
                        version = 1 if random_() < 0.9 else rng.randint(2, 3)
                        changed = dt.datetime.fromtimestamp(base + random_() * 120 * 86400, dt.UTC).isoformat()
                        source = "web" if random_() < 0.8 else "import"
                        yield (
                            f"{changed},{changed},{_csv(row)},{_csv(column)},{text},{number},{choices},"
                            f"{version},{source},f,{qid},{response}\n"
                        )
                        new, old = canonical, '""'
                        for v in range(1, version + 1):
                            history.append(
                                f"{_csv(row)},{_csv(column)},{old},{new},{v},{changed},{source},{qid},{response}\n"
                            )
                            old = new

        dropped = _indexes_dropped(cursor, ["responses_answer", "responses_answerchange"])
        dropped.__enter__()
        answers = _copy(
            cursor,
            "responses_answer",
            [
                "created_at",
                "updated_at",
                '"row"',
                '"column"',
                "value_text",
                "value_number",
                "value_choices",
                "version",
                "source",
                "needs_review",
                "question_id",
                "response_id",
            ],
            answer_lines(),
        )
        timings["answers"] = time.perf_counter() - t
        t = time.perf_counter()
        changes = _copy(
            cursor,
            "responses_answerchange",
            [
                '"row"',
                '"column"',
                "old_value",
                "new_value",
                "version",
                "changed_at",
                "source",
                "question_id",
                "response_id",
            ],
            iter(history),
        )
        history.clear()
        timings["history"] = time.perf_counter() - t
        t = time.perf_counter()
        dropped.__exit__(None, None, None)
        timings["indexes"] = time.perf_counter() - t
    t = time.perf_counter()
    with connection.cursor() as cursor:
        for table in ("responses_organisation", "responses_response", "responses_answer", "responses_answerchange"):
            cursor.execute(f"ANALYZE {table}")
    timings["analyze"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - started
    return {
        "survey": slug,
        "organisations": len(respondents),
        "states": n_states,
        "ngos": len(ngos),
        "questions": len(loaded),
        "answers": answers,
        "answer_changes": changes,
        "answer_probability": round(p, 4),
        "timings": {k: round(v, 2) for k, v in timings.items()},
    }


def _set_of(options: list[str]) -> str:
    for code, values in OPTION_SETS.items():
        if values == options:
            return code
    return ""


# --- reuse ---------------------------------------------------------------------------------------------------


def _params(orgs: int, questions: int) -> dict[str, Any]:
    return {"generator": GENERATOR_VERSION, "orgs": orgs, "questions": questions}


def existing_round(database: str) -> dict[str, Any] | None:
    """What the marker of ``database`` says it holds (parameters and counts), or None."""
    import psycopg2

    try:
        conn = psycopg2.connect(pg_url(database))
    except psycopg2.OperationalError:
        return None
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT to_regclass('bench_synth')")
            if cursor.fetchone()[0] is None:
                return None
            cursor.execute("SELECT params, info FROM bench_synth")
            row = cursor.fetchone()
            return None if row is None else {"params": row[0], "info": row[1]}
    finally:
        conn.close()


def ensure_round(database: str, orgs: int, questions: int, force: bool = False) -> str:
    """The URL of a scratch database holding the synthetic round with these parameters; generated if needed.

    Reuses ``database`` when its marker says it was generated with the same parameters (and generator version).
    Configures Django in this process for that database (``bench.common.django_setup``) when it generates.
    """
    marker = None if force else existing_round(database)
    if marker is not None and marker["params"] == _params(orgs, questions):
        return pg_url(database)
    url = pg_recreate(database)
    django_setup(url)
    from django.core.management import call_command
    from django.db import connection

    with stage(f"migrate {database}"):
        call_command("migrate", verbosity=0)
    with stage(f"generate {orgs} organisations × {questions} questions"):
        info = generate(orgs, questions)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_synth (params jsonb NOT NULL, info jsonb NOT NULL)")
        cursor.execute(
            "INSERT INTO bench_synth VALUES (%s, %s)", [json.dumps(_params(orgs, questions)), json.dumps(info)]
        )
    connection.close()
    print(f"[bench] {json.dumps(info)}", file=sys.stderr, flush=True)
    return url


def round_info(database: str) -> dict[str, Any]:
    """The counts and generation timings recorded when ``database`` was generated."""
    marker = existing_round(database)
    if marker is None:
        raise RuntimeError(f"{database} holds no synthetic round (run python -m bench.synth)")
    return dict(marker["info"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", help="1m (default) or 5m; sets --orgs")
    parser.add_argument("--orgs", type=int)
    parser.add_argument("--questions", type=int, default=DEFAULT_QUESTIONS)
    parser.add_argument("--database")
    parser.add_argument("--force", action="store_true", help="regenerate even if the database is up to date")
    args = parser.parse_args(argv)
    orgs = args.orgs or scale_orgs(args.scale)
    database = args.database or database_name(orgs, args.questions)
    started = time.perf_counter()
    ensure_round(database, orgs, args.questions, force=args.force)
    info = round_info(database)
    print(json.dumps({"database": database, "seconds": round(time.perf_counter() - started, 2), **info}))
    if args.database is None:
        write_synth_section(database, info)


def write_synth_section(database: str, info: dict[str, Any]) -> None:
    """var/bench/synth.md: what the benchmarks run on and how long generating it took (when it was generated)."""
    timings = info["timings"]
    per_million = timings["total"] / (info["answers"] / 1e6) if info["answers"] else 0.0
    markdown = "\n".join(
        [
            "## Synthetic round",
            "",
            f"Database `{database}` (reused while its parameters are unchanged): round `{info['survey']}` with "
            f"{info['questions']} questions over the areas PRV, PRO, PRT and PAR; {info['organisations']:,} "
            f"responding organisations ({info['states']} States, {info['ngos']:,} NGOs), all submitted, resubmitted "
            f"or accepted; **{info['answers']:,} answer cells** and {info['answer_changes']:,} history rows.",
            "",
            table(
                ["step", "seconds"],
                [[step, f"{seconds:.1f}"] for step, seconds in timings.items()],
            ),
        ]
    )
    write_section(
        "synth",
        markdown,
        {
            "name": "synth",
            "database": database,
            "info": info,
            "targets": [
                target(
                    "generate the synthetic round",
                    "≤ 120 s per 1M answers",
                    f"{per_million:.0f} s per 1M answers",
                    per_million <= 120,
                    f"{info['answers']:,} answers + history, COPY, indexes rebuilt after loading",
                )
            ],
        },
    )


if __name__ == "__main__":
    main()
