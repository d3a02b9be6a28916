"""Bulk reads for reports: every answer of a round in one streamed query, turned into pandas frames; and how fresh
a round's stored reports are (when built, how many responses changed since)."""

from __future__ import annotations

import datetime as dt
import functools
import json
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import yaml
from django.db import connection
from django.db.models import Case, Count, F, FilteredRelation, Prefetch, Q, QuerySet, TextField, Value, When
from django.utils.translation import get_language

from accounts.models import Organisation, organisation_name_in
from oscethb.prepared import PreparedQuery
from reports.aggregation import ANSWER_COLUMNS, RESPONDENT_COLUMNS, empty_answers
from reports.models import Report, ReportRun
from responses.deadlines import Deadline, response_deadlines
from responses.models import Answer, Response
from responses.reminders import coordinator_emails_of_kind
from responses.round_status import RoundStanding, round_standing
from surveys import answer_types as at
from surveys.i18n import pick
from surveys.models import Area, Question, Section, Survey

REGIONS_FILE = Path(__file__).resolve().parent / "data" / "regions.yaml"
COUNTED = list(Response.COUNTED_STATUSES)
CHUNK = 50_000
# Answer types whose texts are listed as written, never counted: the build does not read their texts.
FREE_TEXT_TYPES = [code for code, answer_type in at.ANSWER_TYPES.items() if answer_type.report_role == at.REPORT_TEXT]


def counted_statuses(include_in_progress: bool) -> list[str]:
    """Submitted and accepted responses count; in-progress and returned ones too when the report is provisional."""
    return [*COUNTED, "in_progress", "returned"] if include_in_progress else list(COUNTED)


def question_list(survey: Survey) -> list[dict[str, Any]]:
    """The round's questions in questionnaire order, as the report stores them."""
    questions = (
        Question.objects.of_round(survey)
        .select_related("option_set")
        .prefetch_related("option_set__options")
        .order_by("position")
    )
    sections = Section.objects.order_by("position").prefetch_related(Prefetch("questions", queryset=questions))
    areas = (
        Area.objects.filter(survey=survey)
        .order_by("position")
        .prefetch_related(Prefetch("sections", queryset=sections))
    )
    result = []
    for area in areas:
        for section in area.sections.all():
            for q in section.questions.all():
                rows = (
                    q.rows
                    if q.answer_type.has_rows
                    else [{"code": f["code"], "label": f.get("label", {})} for f in q.fields]
                )
                result.append(
                    {
                        "code": q.code,
                        "area": area.code,
                        "section": section.code,
                        "type": q.type,
                        "audience": q.audience,
                        "scored": q.scored,
                        "about_respondent": q.about_respondent,
                        "show_if": q.show_if,
                        "text": q.text,
                        "short": q.short,
                        "headline": q.headline,
                        "options": [{"code": o.code, "label": o.label} for o in q.options_list()],
                        "rows": [{"code": r["code"], "label": r.get("label", {})} for r in rows],
                        "dimensions": [
                            {
                                "code": dimension["code"],
                                "label": dimension.get("label", {}),
                                "values": [{"code": v.code, "label": dict(v.label)} for v in values],
                            }
                            for dimension, values in q.dimension_values()
                        ],
                        "number_label": q.number_label or {},
                        "fields": [  # composite fields with their kinds and options; [] otherwise
                            {
                                "code": f["code"],
                                "kind": f["kind"],
                                "options": [
                                    {"code": o["code"], "label": o.get("label", {})} for o in f.get("options", [])
                                ],
                            }
                            for f in q.fields
                        ],
                        # Working keys, dropped before the report is stored (report_compute).
                        "cells": {f"{spec.row}|{spec.column}": spec.kind for spec in q.cells()},
                        "commitments": list(q.commitments),
                        "cell_years": _cell_years(q),
                    }
                )
    return result


def _cell_years(question: Question) -> dict[str, int]:
    """{"row|column": year} of a number question's cells that are for one reference year (for the key figures)."""
    answer_type = question.answer_type
    if answer_type.report_role not in (at.REPORT_NUMBERS, at.REPORT_TABLE):
        return {}
    years = {}
    for spec in question.cells():
        year = answer_type.cell_year(question.shape, spec.key)
        if year is not None:
            years[f"{spec.row}|{spec.column}"] = year
    return years


def area_list(survey: Survey, questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "code": a.code,
            "title": a.title,
            "scored_questions": [q["code"] for q in questions if q["area"] == a.code and q["scored"]],
        }
        for a in Area.objects.filter(survey=survey).order_by("position")
    ]


def respondents_frame(survey: Survey, include_in_progress: bool) -> pd.DataFrame:
    """Every participating State and registered NGO (the denominators), with its response status in the round."""
    statuses = dict(Response.objects.filter(survey=survey).values_list("organisation_id", "status"))
    counted = set(counted_statuses(include_in_progress))
    kinds = survey.respondent_kinds
    rows = []
    organisations = (
        Organisation.objects.filter(kind__in=kinds)
        .order_by("kind", "code")
        .values_list("pk", "code", "name", "kind", "country__code")
    )
    for pk, code, name, kind, country in organisations:
        status = statuses.get(pk, "not_started")
        rows.append(
            {
                "organisation": code,
                "name": name,
                "kind": kind,
                "country": country or code,
                "status": status,
                "counted": status in counted,
            }
        )
    # Partners for Co-operation that answered are reported too (as their own kind).
    for org in Organisation.objects.filter(pk__in=list(statuses), kind=Organisation.Kind.PARTNER):
        status = statuses[org.pk]
        rows.append(
            {
                "organisation": org.code,
                "name": org.name,
                "kind": "partner",
                "country": org.code,
                "status": status,
                "counted": status in counted,
            }
        )
    return pd.DataFrame(rows, columns=RESPONDENT_COLUMNS)


def answers_frame(survey: Survey, include_in_progress: bool, questions: list[dict[str, Any]]) -> pd.DataFrame:
    """Every answer cell of the counted responses, read in one streamed query (never one per question).

    The codes (organisation, kind, country, question, row, column, cell kind) and the answer texts are categoricals
    whose categories are sorted, so that grouping and sorting on them give the order plain strings would (the texts
    of questions listed as written are not read: NaN, see FREE_TEXT_TYPES); a
    multiple-choice answer is a list of option codes (answers with the same choices share one list: read only).
    The answers are read as organisation and question ids, which a few small lookups turn into codes: less to
    transfer and parse than the codes themselves. On PostgreSQL the rows come out of the database with
    COPY … TO STDOUT (CSV) through a temporary file straight into typed pandas columns, without a Python object
    per row; elsewhere (SQLite in development and tests) through the ORM. Both give the same frame.
    """
    query = _answers_query(survey, include_in_progress)
    raw = _answers_raw_copy(query) if connection.vendor == "postgresql" else _answers_raw_orm(query)
    if raw.empty:
        return empty_answers()
    organisations = {
        pk: (code, kind, country or code)
        for pk, code, kind, country in Organisation.objects.filter(
            pk__in=Response.objects.filter(survey=survey).values("organisation_id")
        ).values_list("pk", "code", "kind", "country__code")
    }
    question_codes = dict(
        Question.objects.filter(pk__in=raw["question_id"].unique().tolist()).values_list("pk", "code")
    )
    org_ids = raw["organisation_id"].to_numpy()
    question_ids = raw["question_id"].to_numpy()
    question = _categorical(question_ids, question_codes)
    row, column = _sorted_categories(raw["row"]), _sorted_categories(raw["column"])
    # The cell kind, looked up once per distinct (question, row, column) rather than once per answer: each cell is
    # one number (question id, row code, column code), numbered by factorize.
    cell_kinds = {(q["code"], *key.split("|", 1)): kind for q in questions for key, kind in q["cells"].items()}
    rows, columns = len(row.categories) or 1, len(column.categories) or 1
    cell_ids, cells = pd.factorize((question_ids * rows + row.codes) * columns + column.codes)
    cell_kind = _categorical(
        cell_ids,
        {
            index: cell_kinds.get(
                (
                    question_codes[cell // (rows * columns)],
                    str(row.categories[cell // columns % rows]),
                    str(column.categories[cell % columns]),
                ),
                "unknown",
            )
            for index, cell in enumerate(cells.tolist())
        },
    )
    del cell_ids
    # Multiple choices: each distinct JSON text parsed once; the answers with the same choices share its list.
    choices = raw["choices"]
    if isinstance(choices.dtype, pd.CategoricalDtype):
        parsed = np.empty(len(choices.cat.categories) + 1, dtype=object)  # the last one, None, for code -1 (NULL)
        for index, text in enumerate(choices.cat.categories):
            parsed[index] = json.loads(text)  # one by one: numpy would broadcast a list of lists
        choices_values = parsed[choices.cat.codes.to_numpy()]
    else:
        choices_values = np.full(len(raw), None, dtype=object)
        choices_values[:] = choices.to_numpy()
    return pd.DataFrame(
        {
            "organisation": _categorical(org_ids, {pk: codes[0] for pk, codes in organisations.items()}),
            "kind": _categorical(org_ids, {pk: codes[1] for pk, codes in organisations.items()}),
            "country": _categorical(org_ids, {pk: codes[2] for pk, codes in organisations.items()}),
            "question": question,
            "row": row,
            "column": column,
            "cell_kind": cell_kind,
            "text": _sorted_categories(raw["text"]),
            "number": raw["number"].astype("float64").to_numpy(),
            "choices": choices_values,
        },
        columns=ANSWER_COLUMNS,
        copy=False,  # the arrays are this function's own: no second copy of a million answers
    )


def _categorical(keys: np.ndarray, names: Mapping[int, str]) -> pd.Categorical:
    """The name of each key as a categorical with sorted categories, without a Python object per row."""
    known = np.array(sorted(names), dtype=np.int64)
    categories = sorted(set(names.values()))
    position = {name: index for index, name in enumerate(categories)}
    code_of_key = np.array([position[names[int(key)]] for key in known], dtype=np.int32)
    codes = code_of_key[np.searchsorted(known, keys)] if len(known) else np.zeros(len(keys), dtype=np.int32)
    return pd.Categorical.from_codes(codes, categories=pd.Index(categories, dtype="str"))


def _sorted_categories(values: pd.Series) -> pd.Categorical:
    """A column of texts as a categorical with sorted categories (NaN stays missing)."""
    categorical = values if isinstance(values.dtype, pd.CategoricalDtype) else values.astype("category")
    categories = categorical.cat.categories
    if categories.is_monotonic_increasing:  # as read_csv gives them
        return categorical.array
    ordered = pd.Index(sorted(categories), dtype="str")
    return pd.Categorical(categorical.cat.reorder_categories(ordered)) if len(ordered) else categorical.array


def _answers_query(survey: Survey, include_in_progress: bool) -> QuerySet[Answer, tuple[Any, ...]]:
    return (
        Answer.objects.filter(response__survey=survey, response__status__in=counted_statuses(include_in_progress))
        # A cell whose answer was cleared keeps its row (and version) with no value: it is not an answer.
        .exclude(
            value_text__isnull=True,
            value_number__isnull=True,
            value_date__isnull=True,
            value_choices__isnull=True,
        )
        # Free texts are left in the database: no figure reads them (only option codes and numbers are counted),
        # and at a million answers they are a third of what COPY would send.
        .annotate(
            option_text=Case(
                When(question__type__in=FREE_TEXT_TYPES, then=Value(None)),
                default=F("value_text"),
                output_field=TextField(),
            )
        )
        .values_list(
            "response__organisation_id", "question_id", "row", "column", "option_text", "value_number", "value_choices"
        )
        .order_by()
    )


_RAW_COLUMNS = ["organisation_id", "question_id", "row", "column", "text", "number", "choices"]


def _answers_raw_orm(query: QuerySet[Answer, tuple[Any, ...]]) -> pd.DataFrame:
    records = [
        (org, question, row, column, text, None if number is None else float(number), choices)
        for org, question, row, column, text, number, choices in query.iterator(chunk_size=CHUNK)
    ]
    frame = pd.DataFrame.from_records(records, columns=_RAW_COLUMNS)
    frame["number"] = frame["number"].astype("float64")
    return frame


def _answers_raw_copy(query: QuerySet[Answer, tuple[Any, ...]]) -> pd.DataFrame:
    """The query's rows as CSV from COPY, parsed by pandas in C into ids, categoricals and floats.

    The CSV goes through a temporary file rather than memory: the file's pages are the kernel's cache, not this
    process's, so the text and the parsed frame are never both in the worker's memory. A NULL is an unquoted empty
    CSV field; an empty string is never stored in value_text (a cleared cell is NULL), and row and column are never
    NULL.
    """
    sql, params = query.query.sql_with_params()
    with tempfile.TemporaryFile() as buffer:
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg2's own cursor: COPY streams without a Python object per row
            raw.copy_expert(f"COPY ({raw.mogrify(sql, params).decode()}) TO STDOUT WITH (FORMAT csv)", buffer)
        buffer.seek(0)
        return pd.read_csv(
            buffer,
            names=_RAW_COLUMNS,
            dtype={
                "organisation_id": "int64",
                "question_id": "int64",
                **dict.fromkeys(["row", "column", "text", "choices"], "category"),
                "number": "float64",
            },
            keep_default_na=False,
            na_values={"text": [""], "number": [""], "choices": [""]},
        )


@functools.cache
def _regions_file() -> dict[str, Any]:
    """regions.yaml, parsed once per process (it ships with the code and changes only with a deploy)."""
    data: dict[str, Any] = yaml.safe_load(REGIONS_FILE.read_text(encoding="utf-8"))
    return data


@functools.cache
def regions() -> Mapping[str, Mapping[str, Any]]:
    """The OSCE regions by code: English name, names by language, member States (a tuple of codes). Made once per
    process and shared by every caller and thread, so read-only: a caller that needs to change it copies it."""
    return MappingProxyType(
        {
            code: MappingProxyType(
                {
                    "name": pick(entry["name"], "en"),
                    "names": MappingProxyType(dict(entry["name"])),
                    "states": tuple(entry["states"]),
                }
            )
            for code, entry in _regions_file()["regions"].items()
        }
    )


@functools.lru_cache(maxsize=16)
def region_names(language: str | None) -> Mapping[str, str]:
    """Region code -> its name in `language` (None: the active one), made once per language (read-only)."""
    return MappingProxyType({code: pick(r["names"], language) for code, r in regions().items()})


def report_stored(*, survey: Survey, include_in_progress: bool = False) -> Report | None:
    """The round's stored report of one basis (None: never built): the one reader of a stored report, for the
    dashboards, the Excel export and the commands."""
    return Report.objects.filter(survey=survey, include_in_progress=include_in_progress).first()


@dataclass(frozen=True)
class StoredReport:
    """A stored report's document as the dashboards read it: the row's id and build time, and `data` decoded once
    per process (`report_document`). Shared by the threads of a process: `data` is read-only."""

    pk: int
    built_at: dt.datetime
    data: Mapping[str, Any]
    updated_at: dt.datetime | None = None  # with pk and built_at, what tells one stored document from another


# Report id -> its document at the (built_at, updated_at) it was read at: one per stored report, replaced by a build.
_documents: dict[int, tuple[tuple[dt.datetime, dt.datetime], StoredReport]] = {}


def _report_stamp(survey_id: int, include_in_progress: bool) -> QuerySet[Report, tuple[int, dt.datetime, dt.datetime]]:
    return Report.objects.filter(survey_id=survey_id, include_in_progress=include_in_progress).values_list(
        "pk", "built_at", "updated_at"
    )[:1]


# Every dashboard page reads its report's stamp: compiled once per basis (oscethb/prepared.py).
REPORT_STAMP = {
    basis: PreparedQuery(functools.partial(_report_stamp, include_in_progress=basis), survey_id=int)
    for basis in (False, True)
}


def report_document(*, survey: Survey, include_in_progress: bool = False) -> StoredReport | None:
    """The round's stored report of one basis (None: never built) for the dashboards, without decoding its JSON
    (hundreds of KB) on every request: one query for the row's id and timestamps; the document is read and decoded
    once per process and build (a second query), then kept while the row's built_at and updated_at are unchanged.
    Every request compares them on the committed row, so every process sees a new build at its next request."""
    found = REPORT_STAMP[bool(include_in_progress)].rows(survey_id=survey.pk)
    row = found[0] if found else None
    if row is None:
        return None
    pk, built_at, updated_at = row
    stamp = (built_at, updated_at)
    cached = _documents.get(pk)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    data = Report.objects.filter(pk=pk, built_at=built_at, updated_at=updated_at).values_list("data", flat=True).first()
    if data is None:  # rebuilt or deleted in between: read the row again
        report = report_stored(survey=survey, include_in_progress=include_in_progress)
        return StoredReport(report.pk, report.built_at, report.data, report.updated_at) if report is not None else None
    document = StoredReport(pk, built_at, data, updated_at)
    _documents[pk] = (stamp, document)  # one assignment: the other threads see the old entry or this one
    return document


def report_documents_clear() -> None:
    """Forget every decoded report of this process (tests: a new test database reuses report ids)."""
    _documents.clear()


def report_built_at(*, survey: Survey, include_in_progress: bool = False) -> dt.datetime | None:
    """When the stored report of this basis was built (None: never), without reading its data."""
    return (
        Report.objects.filter(survey=survey, include_in_progress=include_in_progress)
        .values_list("built_at", flat=True)
        .first()
    )


@dataclass(frozen=True)
class ReportFreshness:
    """The stored report of one basis: when it was built (None: never) and how many responses changed since."""

    provisional: bool
    built_at: dt.datetime | None
    changed_since: int


def report_freshness(
    *, survey: Survey, built: Mapping[bool, dt.datetime | None] | None = None
) -> dict[bool, ReportFreshness]:
    """Per basis (False: submitted and accepted answers; True: provisional), when the round's report was built and
    how many responses have changed since (their answers or status). `built` gives the build times to check (an
    export's own); otherwise the stored reports' are read. Two queries at most, however many responses."""
    if built is None:
        stored = Report.objects.filter(survey=survey).values_list("include_in_progress", "built_at")
        built = {False: None, True: None, **dict(stored)}
    moments = {f"basis{int(basis)}": at for basis, at in built.items() if at is not None}
    counts = (
        Response.objects.filter(survey=survey).aggregate(
            **{key: Count("id", filter=Q(updated_at__gt=at)) for key, at in moments.items()}
        )
        if moments
        else {}
    )
    return {basis: ReportFreshness(basis, at, counts.get(f"basis{int(basis)}") or 0) for basis, at in built.items()}


# --- what the dashboards show: each page's rows in a fixed number of queries ---------------------------------------


@dataclass(frozen=True, slots=True)
class BoardState:
    """A State as the status board lists it: read as a row, without a model instance (57 of them a request)."""

    id: int
    kind: str
    code: str
    name: str
    names: Mapping[str, str] | None

    @property
    def display_name(self) -> str:
        """As `Organisation.display_name`: the name in the active language."""
        return organisation_name_in(self.names, self.name, get_language() or "")


@dataclass(frozen=True)
class StatusBoardData:
    """What the round overview's status board shows (reports.dashboard.board), read in a fixed number of queries."""

    survey: Survey
    states: list[BoardState]
    responses: dict[int, tuple[str, Any, int]]  # organisation id -> (status, last activity, reminders sent)
    coordinators: dict[int, tuple[str, ...]]
    deadlines: Mapping[int, Deadline]
    standing: RoundStanding


def _states_with_response(survey_id: int) -> QuerySet[Organisation, tuple[Any, ...]]:
    """The States with their response to the round (if any) and its reminders: one row each, (id, kind, code, name,
    names, response status, last activity, reminders sent)."""
    return (
        Organisation.objects.filter(kind=Organisation.Kind.STATE)
        .order_by("name")
        .annotate(
            answer=FilteredRelation("responses", condition=Q(responses__survey_id=survey_id)),
            response_status=F("answer__status"),
            response_activity=F("answer__last_activity_at"),
            reminders_sent=Count("answer__reminders"),
        )
        .values_list("id", "kind", "code", "name", "names", "response_status", "response_activity", "reminders_sent")
    )


# The status board's reads, on every request of the round overview: compiled once (oscethb/prepared.py).
STATES_WITH_RESPONSE = PreparedQuery(_states_with_response, survey_id=int)


def _latest_run(survey_id: int, include_in_progress: bool) -> QuerySet[ReportRun]:
    return ReportRun.objects.filter(survey_id=survey_id, include_in_progress=include_in_progress).order_by(
        "-created_at", "-pk"
    )[:1]


LATEST_RUN = {
    basis: PreparedQuery(functools.partial(_latest_run, include_in_progress=basis), survey_id=int)
    for basis in (False, True)
}


def status_board_data(*, survey: Survey) -> StatusBoardData:
    """Every participating State the round asks, its response's status and reminders, its coordinators' addresses
    and deadline, and the round's standing per kind and status."""
    states: list[BoardState] = []
    responses: dict[int, tuple[str, Any, int]] = {}
    if survey.asks(Organisation.Kind.STATE):
        for pk, kind, code, name, names, status, activity, reminders in STATES_WITH_RESPONSE.rows(survey_id=survey.pk):
            states.append(BoardState(pk, kind, code, name, names))
            if status is not None:
                responses[pk] = (status, activity, reminders)
    # Who a reminder would go to (active coordinators with an address) and each State's deadline: what the reminder
    # rule needs to decide where the "Send reminder" button is offered.
    coordinators = coordinator_emails_of_kind(Organisation.Kind.STATE.value) if states else {}
    deadlines = response_deadlines(survey=survey, organisation_ids=[o.id for o in states])
    return StatusBoardData(
        survey=survey,
        states=states,
        responses=responses,
        coordinators=coordinators,
        deadlines=deadlines,
        standing=round_standing(survey=survey),
    )


def report_run_latest(survey: Survey, include_in_progress: bool = False) -> ReportRun | None:
    """The round's latest build of one basis: the dashboard of the final report speaks of final builds only."""
    return LATEST_RUN[bool(include_in_progress)].first(survey_id=survey.pk)


def first_area_code(survey: Survey) -> str | None:
    """The first area with scored questions: where a finished build sends the reader."""
    area = Area.objects.filter(survey=survey, sections__questions__scored=True).order_by("position").distinct().first()
    if area is None:
        area = Area.objects.filter(survey=survey).order_by("position").first()
    return area.code if area else None


def question_model(survey: Survey, code: str) -> Question | None:
    """The round's question with its options, for the kind of each answer cell (at most two queries)."""
    question = (
        Question.objects.of_round(survey)
        .filter(code=code)
        .select_related("option_set")
        .prefetch_related("option_set__options")
        .first()
    )
    return question


def answers_for_question(survey: Survey, code: str, statuses: Sequence[str]) -> list[Answer]:
    """Every answer cell to one question of the responses the report counts, in one query."""
    return list(
        Answer.objects.filter(response__survey=survey, question__code=code, response__status__in=list(statuses))
        .select_related("response__organisation")
        .order_by("response__organisation__kind", "response__organisation__name", "row", "column")
    )


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
