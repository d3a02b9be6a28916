"""Staff dashboards: the stored report document (docs/report-data.md) turned into page rows and chart data.

Every function here reads a fixed number of queries (or none): a page's query count does not grow with the number
of organisations, questions or answers. Report numbers come from `Report.data`; nothing is recounted here. Only the
round overview's status board is live (it reads the Response rows), and the question and country pages list the
individual answers behind the numbers, each in one query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Organisation
from responses.deadlines import response_deadlines
from responses.models import Answer, Response
from responses.reminders import coordinator_emails, manual_reminder_refusal
from responses.round_status import KindStanding, round_standing
from surveys import answer_types as at
from surveys.i18n import pick
from surveys.models import Area, Question, Survey

from .headlines import sentence
from .models import Report, ReportRun
from .selectors import regions

STATUSES = [value for value, _label in Response.Status.choices]
CHOICE_TYPES = ("single_select", "multi_select", "matrix", "likert_matrix", "yes_no_plus_integer")
KINDS = ("state", "ngo")


def language() -> str:
    return (translation.get_language() or "en").split("-")[0]


def kind_label(kind: str) -> str:
    return {"state": _("Participating States"), "ngo": _("NGOs"), "partner": _("Partners for Co-operation")}.get(
        kind, kind
    )


def kind_singular(kind: str) -> str:
    return {"state": _("Participating State"), "ngo": _("NGO"), "partner": _("Partner for Co-operation")}.get(
        kind, kind
    )


KIND_ORDER = {"state": 0, "partner": 1, "ngo": 2}


def status_label(status: str) -> str:
    return str(Response.Status(status).label) if status in STATUSES else status


def percent(part: float | int | None, whole: float | int | None) -> int | None:
    """A share as a whole percentage; None when there is nothing to divide by."""
    if part is None or not whole:
        return None
    return round(100 * part / whole)


def score_percent(score: float | None) -> int | None:
    return None if score is None else round(100 * score)


def number_text(value: Any) -> str:
    """A stored number as people write it: 12, 2.5 (localised), never 12.0000 (see `answer_types.number_words`)."""
    return at.number_words(value)


# --- the report document ------------------------------------------------------------------------------------------


@dataclass
class ReportDoc:
    """Lookups over one stored report, built once per request (pure Python, no queries)."""

    report: Report
    data: Mapping[str, Any] = field(init=False)
    questions: dict[str, Mapping[str, Any]] = field(init=False)
    areas: dict[str, Mapping[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.data = self.report.data
        self.questions = {q["code"]: q for q in self.data.get("questions", [])}
        self.areas = {a["code"]: a for a in self.data.get("areas", [])}

    @property
    def provisional(self) -> bool:
        return bool(self.data.get("basis", {}).get("provisional"))

    @property
    def counted_statuses(self) -> list[str]:
        return list(self.data.get("basis", {}).get("statuses", []))

    @property
    def counted_labels(self) -> list[str]:
        return [status_label(s) for s in self.counted_statuses]

    def rows(self, key: str, **match: Any) -> list[dict[str, Any]]:
        return [row for row in self.data.get(key, []) if all(row.get(k) == v for k, v in match.items())]

    def question_text(self, code: str) -> str:
        return pick(self.questions.get(code, {}).get("text")) or code

    def area_title(self, code: str) -> str:
        return pick(self.areas.get(code, {}).get("title")) or code

    def option_labels(self, code: str) -> dict[str, str]:
        return {o["code"]: pick(o.get("label")) or o["code"] for o in self.questions.get(code, {}).get("options", [])}

    def row_labels(self, code: str) -> dict[str, str]:
        return {r["code"]: pick(r.get("label")) or r["code"] for r in self.questions.get(code, {}).get("rows", [])}

    def medians(self) -> dict[str, float]:
        return {row["area"]: row["median"] for row in self.data.get("area_medians", [])}

    def area_links(self) -> list[dict[str, Any]]:
        """Areas with their questions, for the overview's links."""
        by_area: dict[str, list[dict[str, str]]] = defaultdict(list)
        for q in self.data.get("questions", []):
            by_area[q["area"]].append({"code": q["code"], "text": pick(q.get("text"))})
        return [
            {"code": a["code"], "title": pick(a.get("title")), "questions": by_area.get(a["code"], [])}
            for a in self.data.get("areas", [])
        ]


def report_doc(survey: Survey, provisional: bool) -> ReportDoc | None:
    report = Report.objects.filter(survey=survey, include_in_progress=provisional).first()
    return ReportDoc(report) if report is not None else None


def bar_chart(
    question: Mapping[str, Any],
    counts: Iterable[Mapping[str, Any]],
    row: str = "",
    kinds: Sequence[str] = KINDS,
    words: at.Words | None = None,
) -> dict[str, Any]:
    """Grouped bars of one choice question (one cell row): options on the axis, one dataset per respondent kind.

    `words` names options the report does not list (a field's own options in a question with several fields)."""
    counts = list(counts)
    options = [o["code"] for o in question.get("options", [])]
    labels = {o["code"]: pick(o.get("label")) or o["code"] for o in question.get("options", [])}
    if words is not None:
        labels = {o: labels.get(o) or words.option(o, (row, "")) for o in {*labels, *(c["option"] for c in counts)}}
    by_kind: dict[str, dict[str, int]] = defaultdict(dict)
    for c in counts:
        if c["row"] == row and c["kind"] in kinds:
            by_kind[c["kind"]][c["option"]] = c["count"]
            if c["option"] not in options:
                options.append(c["option"])
    return {
        "type": "bar",
        "codes": options,
        "labels": [labels.get(o, o) for o in options],
        "datasets": [
            {"kind": kind, "label": kind_label(kind), "data": [by_kind[kind].get(o, 0) for o in options]}
            for kind in kinds
            if kind in by_kind
        ],
    }


# --- round overview: the live status board ------------------------------------------------------------------------


@dataclass
class StatusBoard:
    rows: list[dict[str, Any]]
    states_by_status: list[dict[str, Any]]
    ngos_by_status: list[dict[str, Any]]
    states_total: int
    ngos_total: int
    chart: dict[str, Any]
    # Per kind the round asks (States, Partners when its data has any, NGOs), as the staff home counts them.
    kinds: list[dict[str, Any]] = field(default_factory=list)
    totals: list[dict[str, Any]] = field(default_factory=list)  # per status: its label and a count per kind


def status_board(survey: Survey, *, status: str = "", region: str = "") -> StatusBoard:
    """Every participating State the round asks with its live response status, coordinators and reminders, and the
    totals per kind and status as `responses.round_status` counts them (a fixed number of queries)."""
    states = (
        list(Organisation.objects.filter(kind=Organisation.Kind.STATE).order_by("name")) if survey.for_states else []
    )
    responses: dict[int, tuple[str, Any, int]] = {
        org_id: (state, last_activity, reminders)
        for org_id, state, last_activity, reminders in Response.objects.filter(
            survey=survey, organisation__kind=Organisation.Kind.STATE
        )
        .annotate(reminders_sent=Count("reminders"))
        .values_list("organisation_id", "status", "last_activity_at", "reminders_sent")
    }
    # Who a reminder would go to (active coordinators with an address) and each State's deadline: what the reminder
    # rule needs to decide where the "Send reminder" button is offered.
    coordinators = coordinator_emails(o.pk for o in states)
    deadlines = response_deadlines(survey=survey, organisation_ids=[o.pk for o in states])
    today = timezone.localdate()
    region_map = regions()
    region_names = {code: pick(r["names"]) for code, r in region_map.items()}

    rows = []
    for org in states:
        state, last_activity, reminders = responses.get(org.pk, (Response.Status.NOT_STARTED.value, None, 0))
        member_of = [code for code, r in region_map.items() if org.code in r["states"]]
        refusal = manual_reminder_refusal(
            survey=survey,
            organisation=org,
            status=state,
            has_coordinator=bool(coordinators.get(org.pk)),
            deadline=deadlines[org.pk],
            today=today,
        )
        rows.append(
            {
                "code": org.code,
                "name": org.name,
                "status": state,
                "status_label": status_label(state),
                "last_activity": last_activity,
                "coordinators": list(coordinators.get(org.pk, ())),
                "reminders": reminders,
                # Offered only where a reminder can go (the rule the action enforces).
                "reminder_url": None if refusal else reverse("reminder-send", args=[survey.slug, org.code]),
                "regions": [region_names[code] for code in member_of],
                "region_codes": member_of,
            }
        )
    standing = round_standing(survey=survey)
    state_kind = standing.kind(Organisation.Kind.STATE)
    ngo_kind = standing.kind(Organisation.Kind.NGO)

    def by_status(kind: KindStanding | None) -> list[dict[str, Any]]:
        return [
            {"status": s, "label": status_label(s), "count": kind.by_status.get(s, 0) if kind else 0} for s in STATUSES
        ]

    shown = [
        row for row in rows if (not status or row["status"] == status) and (not region or region in row["region_codes"])
    ]
    chart = {
        "type": "bar",
        "codes": STATUSES,
        "labels": [status_label(s) for s in STATUSES],
        "datasets": [
            {"kind": k.kind, "label": kind_label(k.kind), "data": [k.by_status.get(s, 0) for s in STATUSES]}
            for k in standing.kinds
        ],
    }
    return StatusBoard(
        rows=shown,
        states_by_status=by_status(state_kind),
        ngos_by_status=by_status(ngo_kind),
        states_total=state_kind.asked if state_kind else 0,
        ngos_total=ngo_kind.asked if ngo_kind else 0,
        chart=chart,
        kinds=[{"kind": k.kind, "label": kind_label(k.kind), "asked": k.asked} for k in standing.kinds],
        totals=[
            {
                "status": s,
                "label": status_label(s),
                "counts": [{"kind": k.kind, "count": k.by_status.get(s, 0)} for k in standing.kinds],
            }
            for s in STATUSES
        ],
    )


def region_choices() -> list[tuple[str, str]]:
    return [(code, pick(r["names"])) for code, r in regions().items()]


def regions_of(code: str) -> list[str]:
    """The names of the regions a State belongs to, in the active language."""
    return [pick(r["names"]) for r in regions().values() if code in r["states"]]


def latest_run(survey: Survey) -> ReportRun | None:
    return ReportRun.objects.filter(survey=survey).order_by("-created_at", "-pk").first()


def first_area_code(survey: Survey) -> str | None:
    """The first area with scored questions: where a finished build sends the reader."""
    area = Area.objects.filter(survey=survey, sections__questions__scored=True).order_by("position").distinct().first()
    if area is None:
        area = Area.objects.filter(survey=survey).order_by("position").first()
    return area.code if area else None


# --- per area -----------------------------------------------------------------------------------------------------


def area_page(doc: ReportDoc, area_code: str) -> dict[str, Any]:
    area = doc.areas[area_code]
    lang = language()
    codes = [q["code"] for q in doc.data["questions"] if q["area"] == area_code]
    counts: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in doc.data.get("choice_counts", []):
        if row["question"] in doc.questions and doc.questions[row["question"]]["area"] == area_code:
            counts[row["question"]].append(row)

    headlines = [
        {
            "question": row["question"],
            "text": doc.question_text(row["question"]),
            "sentence": sentence(row, doc.questions[row["question"]], lang),
        }
        for row in doc.rows("headlines", area=area_code)
        if row["question"] in doc.questions
    ]
    charts = []
    for code in area.get("scored_questions", []):
        question = doc.questions.get(code)
        if question is None or not question.get("options"):
            continue
        charts.append(
            {
                "question": code,
                "text": doc.question_text(code),
                "script_id": f"chart-data-{code}",
                "data": bar_chart(question, counts.get(code, [])),
            }
        )

    median = doc.medians().get(area_code)
    scores = sorted(doc.rows("scores", area=area_code), key=lambda r: (-r["score"], r["name"] or ""))
    score_rows = [
        {
            "organisation": r["organisation"],
            "name": r["name"] or r["organisation"],
            "score": score_percent(r["score"]),
            "items": r["items"],
            "above_median": median is not None and r["score"] >= median,
        }
        for r in scores
    ]
    region_names = {code: pick(r["names"]) for code, r in regions().items()}
    region_rows = [
        {
            "region": r["region"],
            "name": region_names.get(r["region"], r["name"]),
            "score": score_percent(r["score"]),
            "states": r["states"],
        }
        for r in sorted(doc.rows("region_scores", area=area_code), key=lambda r: -r["score"])
    ]
    agreement = next(iter(doc.rows("agreement_by_area", area=area_code)), None)
    changes = [
        {
            "question": r["question"],
            "text": doc.question_text(r["question"]),
            "previous_yes": r["previous_yes"],
            "current_yes": r["current_yes"],
            "previous_answered": r["previous_answered"],
            "current_answered": r["current_answered"],
            "delta": r["current_yes"] - r["previous_yes"],
        }
        for r in doc.data.get("changes", [])
        if r["question"] in codes
    ]
    return {
        "area": {"code": area_code, "title": doc.area_title(area_code)},
        "questions": [{"code": c, "text": doc.question_text(c)} for c in codes],
        "headlines": headlines,
        "charts": charts,
        "scores": score_rows,
        "median": score_percent(median),
        "regions": region_rows,
        "agreement": (
            {"pairs": agreement["pairs"], "agreement": score_percent(agreement["agreement"])} if agreement else None
        ),
        "changes": changes,
        "previous_round": doc.data.get("survey", {}).get("previous"),
    }


# --- per question -------------------------------------------------------------------------------------------------


def question_model(survey: Survey, code: str) -> Question | None:
    """The round's question with its options, for the kind of each answer cell (at most two queries)."""
    question = (
        Question.objects.filter(survey=survey, code=code)
        .select_related("option_set")
        .prefetch_related("option_set__options")
        .first()
    )
    if question is not None:
        question.survey = survey
    return question


def answers_for_question(survey: Survey, code: str, statuses: Sequence[str]) -> list[Answer]:
    """Every answer cell to one question of the responses the report counts, in one query."""
    return list(
        Answer.objects.filter(response__survey=survey, question__code=code, response__status__in=list(statuses))
        .select_related("response__organisation")
        .order_by("response__organisation__kind", "response__organisation__name", "row", "column")
    )


def stored_value(text: str | None, number: Any, date: Any, choices: list[str] | None) -> Any:
    """The value of an answer row's typed columns, whichever holds it (what `Words.value` reads)."""
    if choices is not None:
        return choices
    if text is not None:
        return text
    if number is not None:
        return Decimal(number)
    return date


# --- breakdown tables (integer_matrix): grouped and totalled, never one line per cell ----------------------------------


def breakdown(question: Question, figures: Iterable[tuple[str, str, Any]]) -> dict[str, Any] | None:
    """A breakdown table's figures summed by its first dimension (the columns, normally the years), with one group of
    lines per other dimension (sex, age group, form of exploitation, citizenship …), each value's subtotal, and the
    total. Every group adds up to the same total. `figures` are (row key, column key, number); None when the
    question has no dimensions. Pure Python: the caller has the figures already."""
    q = question.shape
    answer_type = question.answer_type
    if not isinstance(answer_type, at.IntegerMatrix) or not q.dimensions:
        return None
    dims = q.dimensions
    first_codes = [v.code for v in dims[0][1]]
    # (dimension index, value code, first-dimension code) -> sum; None where nobody gave a figure.
    sums: dict[tuple[int, str, str], Decimal] = defaultdict(Decimal)
    column_totals: dict[str, Decimal] = defaultdict(Decimal)
    seen = False
    for row, column, number in figures:
        if number is None:
            continue
        parts = answer_type.row_parts(q, row)
        if parts is None:
            continue  # a cell the definition does not have (any more): not part of this table
        coordinates = [*parts, column] if len(dims) > 1 else [column]
        value = Decimal(str(number))
        head = coordinates[0]
        for index, code in enumerate(coordinates[1:], start=1):
            sums[(index, code, head)] += value
        column_totals[head] += value
        seen = True
    if not seen:
        return None

    def cell(value: Decimal | None) -> str:
        return number_text(value) if value is not None else "—"

    groups = []
    for index, (code, values) in enumerate(dims[1:], start=1):
        lines = []
        for v in values:
            per_column = [sums.get((index, v.code, c)) for c in first_codes]
            given = [x for x in per_column if x is not None]
            lines.append(
                {
                    "code": v.code,
                    "label": at.IntegerMatrix.value_label(values, v.code),
                    "cells": [cell(x) for x in per_column],
                    "total": cell(sum(given, Decimal(0)) if given else None),
                }
            )
        groups.append({"code": code, "title": pick(q.dimension_labels.get(code)) or code, "lines": lines})
    totals = [column_totals.get(c) for c in first_codes]
    return {
        "first_title": pick(q.dimension_labels.get(dims[0][0])) or dims[0][0],
        "columns": [at.IntegerMatrix.value_label(dims[0][1], c) for c in first_codes],
        "groups": groups,
        "totals": [cell(x) for x in totals],
        "total": cell(sum((x for x in totals if x is not None), Decimal(0))),
    }


def breakdown_summary(question: Question, figures: Iterable[tuple[str, str, Any]]) -> list[dict[str, str]]:
    """One organisation's breakdown table in a few words: its total and its total per first-dimension value."""
    table = breakdown(question, figures)
    if table is None:
        return []
    parts = [{"where": _("Total"), "value": table["total"]}]
    parts += [
        {"where": label, "value": value}
        for label, value in zip(table["columns"], table["totals"], strict=True)
        if value != "—"
    ]
    return parts


def question_page(doc: ReportDoc, question: Question, answers: Sequence[Answer], survey: Survey) -> dict[str, Any]:
    code = question.code
    meta = doc.questions[code]
    options = doc.option_labels(code)
    row_labels = doc.row_labels(code)
    words = question.words
    specs = words.specs
    counts = doc.rows("choice_counts", question=code)
    is_table = isinstance(question.answer_type, at.IntegerMatrix)

    # The counts table: per cell row, one line per option with States and NGOs, as shares of those who answered.
    tables = []
    row_codes = list(dict.fromkeys(c["row"] for c in counts))
    for row in row_codes:
        mine = [c for c in counts if c["row"] == row]
        # Partners for Co-operation only when one of them answered (they are rarely invited).
        kinds = [
            k
            for k in (*KINDS, "partner")
            if any(c["kind"] == k for c in mine)
            and (k != "partner" or any(c["answered"] for c in mine if c["kind"] == k))
        ]
        answered = {k: max((c["answered"] for c in mine if c["kind"] == k), default=0) for k in kinds}
        eligible = {k: max((c["eligible"] for c in mine if c["kind"] == k), default=0) for k in kinds}
        option_codes = list(dict.fromkeys(c["option"] for c in mine))
        lines = []
        for option in option_codes:
            cells = []
            for kind in kinds:
                count = next((c["count"] for c in mine if c["kind"] == kind and c["option"] == option), 0)
                cells.append({"kind": kind, "count": count, "percent": percent(count, answered[kind])})
            lines.append(
                {"option": option, "label": options.get(option) or words.option(option, (row, "")), "cells": cells}
            )
        tables.append(
            {
                "row": row,
                "label": row_labels.get(row, row),
                "kinds": [
                    {"kind": k, "label": kind_label(k), "answered": answered[k], "eligible": eligible[k]} for k in kinds
                ],
                "lines": lines,
                "script_id": f"chart-data-{code}-{row or 'all'}",
                "chart": bar_chart(meta, mine, row=row, kinds=[k for k in kinds if k in KINDS], words=words),
            }
        )

    summaries = doc.rows("number_summaries", question=code)
    breakdowns = []
    if is_table:
        # A breakdown table is read grouped and totalled (by year, sex, age …), one table per kind of respondent.
        for kind in sorted({n["kind"] for n in summaries}, key=lambda k: KIND_ORDER.get(k, 9)):
            table = breakdown(question, ((n["row"], n["column"], n["sum"]) for n in summaries if n["kind"] == kind))
            if table is not None:
                breakdowns.append({"kind": kind, "label": kind_label(kind), "table": table})
    numbers = [
        {
            "where": words.cell((n["row"], n["column"])),
            "kind": kind_label(n["kind"]),
            "count": n["count"],
            "sum": number_text(n["sum"]),
            "median": number_text(n["median"]),
            "min": number_text(n["min"]),
            "max": number_text(n["max"]),
        }
        for n in sorted(summaries, key=lambda n: (n["row"], n["column"], KIND_ORDER.get(n["kind"], 9)))
        if not is_table
    ]

    # Who answered what: choice cells grouped by option, every other cell listed with its organisation.
    by_option: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    listed: dict[str, dict[str, Any]] = {}  # organisation code -> its other cells, one line per organisation
    table_figures: dict[str, list[tuple[str, str, Any]]] = defaultdict(list)  # organisation code -> its table
    answers = sorted(
        answers, key=lambda a: (KIND_ORDER.get(a.response.organisation.kind, 9), a.response.organisation.name)
    )
    for answer in answers:
        org = answer.response.organisation
        spec = specs.get((answer.row, answer.column))
        kind = spec.kind if spec else (at.CHOICES if answer.value_choices is not None else at.TEXT)
        who = {
            "code": org.code,
            "name": org.name,
            "kind": org.kind,
            "kind_label": kind_singular(org.kind),
            "url": reverse("response-home", args=[survey.slug, org.code]),
        }
        if kind == at.CHOICE and question.type in CHOICE_TYPES:
            by_option[(answer.row, answer.value_text or "")].append(who)
        elif kind == at.CHOICES:
            for choice in answer.value_choices or []:
                by_option[(answer.row, choice)].append(who)
        elif is_table:
            listed.setdefault(org.code, {**who, "cells": []})
            table_figures[org.code].append((answer.row, answer.column, answer.value_number))
        else:
            key = (answer.row, answer.column)
            text = words.value(
                key, stored_value(answer.value_text, answer.value_number, answer.value_date, answer.value_choices)
            )
            if text:
                where = words.cell(key)
                listed.setdefault(org.code, {**who, "cells": []})["cells"].append({"where": where, "value": text})
    for org_code, figures in table_figures.items():
        listed[org_code]["cells"] = breakdown_summary(question, figures)
    groups = []
    for row in dict.fromkeys([*row_codes, *(r for r, _o in by_option)]):
        known = [o for o in options if (row, o) in by_option]
        extra = [o for (r, o) in by_option if r == row and o not in options]
        entries = [
            {"option": o, "label": options.get(o) or words.option(o, (row, "")), "organisations": by_option[(row, o)]}
            for o in dict.fromkeys([*known, *extra])
        ]
        if entries:
            groups.append({"row": row, "label": row_labels.get(row, row), "options": entries})
    return {
        "question": {
            "code": code,
            "text": doc.question_text(code),
            "area": meta["area"],
            "area_title": doc.area_title(meta["area"]),
            "type": meta["type"],
            "audience": meta["audience"],
            "scored": meta.get("scored", False),
        },
        "tables": tables,
        "numbers": numbers,
        "breakdowns": breakdowns,
        "groups": groups,
        "listed": list(listed.values()),
        "answer_count": len({a.response_id for a in answers}),
    }


# --- country profile ----------------------------------------------------------------------------------------------


def country_answers(survey: Survey, state: Organisation, statuses: Sequence[str]) -> list[tuple[Any, ...]]:
    """The State's answers and those of the NGOs working there, of the responses the report counts: one query."""
    return list(
        Answer.objects.filter(
            Q(response__organisation=state) | Q(response__organisation__country=state),
            response__survey=survey,
            response__status__in=list(statuses),
        )
        .values_list(
            "response__organisation__code",
            "response__organisation__name",
            "response__organisation__kind",
            "question__code",
            "row",
            "column",
            "value_text",
            "value_number",
            "value_date",
            "value_choices",
        )
        .order_by("response__organisation__name", "question__code", "row", "column")
    )


def country_page(
    doc: ReportDoc,
    state: Organisation,
    answers: Sequence[tuple[Any, ...]],
    models: Mapping[Any, Question],
) -> dict[str, Any]:
    """`models`: the round's questions by code with their options (`surveys.selectors.questions_with_words`)."""
    iso = state.code
    # (question) -> organisation -> ["row label: value", ...]
    state_cells: dict[str, list[str]] = defaultdict(list)
    ngo_cells: dict[str, dict[tuple[str, str], list[str]]] = defaultdict(lambda: defaultdict(list))
    # Breakdown tables are shown grouped and totalled: (question, organisation) -> its figures.
    figures: dict[tuple[str, str], list[tuple[str, str, Any]]] = defaultdict(list)
    ngos: dict[str, str] = {}
    for org_code, org_name, kind, code, row, column, text, number, date, choices in answers:
        question = models.get(code)
        if code not in doc.questions or question is None:
            continue
        if org_code != iso and kind != Organisation.Kind.NGO:
            continue
        if kind == Organisation.Kind.NGO:
            ngos[org_code] = org_name
        if isinstance(question.answer_type, at.IntegerMatrix):
            figures[(code, org_code)].append((row, column, number))
            if org_code != iso:
                ngo_cells[code].setdefault((org_code, org_name), [])
            continue
        shown = question.words.where_and_what((row, column), stored_value(text, number, date, choices))
        if not shown:
            continue
        if org_code == iso:
            state_cells[code].append(shown)
        else:
            ngo_cells[code][(org_code, org_name)].append(shown)
    tables: dict[str, dict[str, Any]] = {}
    for (code, org_code), cells in figures.items():
        if org_code == iso:
            table = breakdown(models[code], cells)
            if table is not None:
                tables[code] = table
        else:
            ngo_cells[code][(org_code, ngos[org_code])] = [
                _("%(where)s: %(what)s") % {"where": part["where"], "what": part["value"]}
                for part in breakdown_summary(models[code], cells)
            ]

    agreement: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in doc.rows("state_vs_ngo", country=iso):
        agreement[row["question"]].append(
            {"row": doc.row_labels(row["question"]).get(row["row"], row["row"]), "agree": score_percent(row["agree"])}
        )
    changes = {}
    for row in doc.rows("state_changes", organisation=iso):
        labels = doc.option_labels(row["question"])
        changes[row["question"]] = {
            "previous": labels.get(row["previous"], row["previous"]),
            "current": labels.get(row["current"], row["current"]),
        }

    areas = []
    for area in doc.data.get("areas", []):
        questions = []
        for q in doc.data["questions"]:
            code = q["code"]
            if q["area"] != area["code"] or q["type"] == "file":
                continue
            if code not in state_cells and code not in ngo_cells and code not in tables:
                continue
            questions.append(
                {
                    "code": code,
                    "text": pick(q.get("text")),
                    "state": state_cells.get(code, []),
                    "table": tables.get(code),
                    "ngos": [
                        {"code": org[0], "name": org[1], "answers": cells}
                        for org, cells in sorted(ngo_cells.get(code, {}).items(), key=lambda i: i[0][1])
                    ],
                    "agreement": agreement.get(code, []),
                    "change": changes.get(code),
                }
            )
        if questions:
            areas.append({"code": area["code"], "title": pick(area.get("title")), "questions": questions})

    medians = doc.medians()
    scores = {row["area"]: row for row in doc.rows("scores", organisation=iso)}
    score_rows = [
        {
            "area": a["code"],
            "title": pick(a.get("title")),
            "score": score_percent(scores[a["code"]]["score"]) if a["code"] in scores else None,
            "items": scores[a["code"]]["items"] if a["code"] in scores else 0,
            "median": score_percent(medians.get(a["code"])),
        }
        for a in doc.data.get("areas", [])
        if a["code"] in scores or a["code"] in medians
    ]
    chart = {
        "type": "bar",
        "codes": [r["area"] for r in score_rows],
        "labels": [r["title"] for r in score_rows],
        "percent": True,
        "datasets": [
            {"kind": "state", "label": state.name, "data": [r["score"] for r in score_rows]},
            {"kind": "median", "label": _("OSCE median"), "data": [r["median"] for r in score_rows]},
        ],
    }
    change_rows = [
        {"question": q["code"], "text": pick(q.get("text")), **changes[q["code"]]}
        for q in doc.data["questions"]
        if q["code"] in changes
    ]
    return {
        "areas": areas,
        "scores": score_rows,
        "chart": chart,
        "changes": change_rows,
        "ngo_count": len(ngos),
        "previous_round": doc.data.get("survey", {}).get("previous"),
    }
