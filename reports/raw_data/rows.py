"""The raw answers of a round as rows: the long form (one row per answer cell) and the wide form (one row per
organisation, one column per cell). The column names and their order are a contract: docs/raw-data.md.

Reads in bulk and streams: the round's questions once (`Catalogue`), then three queries read as they go (the counted
responses, their answer cells, their documents), all in the same order, merged response by response. Only one
organisation's answers are held at a time, so memory and the number of queries do not grow with the round.

Show-if: an answer to a question that the organisation's own answers hide is left out, as the report leaves it out
(`surveys.show_if.is_shown`, the one rule; `reports.aggregation.drop_hidden` is its pandas form). The labels are
those of the active language: callers run these generators inside `translation.override(language)`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from accounts.models import Organisation
from responses.models import Answer, Evidence, Response
from surveys import answer_types as at
from surveys.i18n import pick
from surveys.models import Question, Survey
from surveys.show_if import NOT_ASKED, is_shown

from ..aggregation import KIND_ASKED
from ..selectors import counted_statuses

CHUNK = 5_000
# The organisation columns that open every row of both forms (docs/raw-data.md).
ORGANISATION_COLUMNS = (
    "organisation_code",
    "organisation_name",
    "kind",
    "kind_label",
    "country_code",
    "status",
    "status_label",
)
CELL_COLUMNS = (
    "question_code",
    "question_label",
    "row_code",
    "row_label",
    "column_code",
    "column_label",
    "value",
    "value_label",
)
LONG_COLUMNS = ORGANISATION_COLUMNS + CELL_COLUMNS
# Which kinds of organisation each choice of respondents takes (Partners for Co-operation answer as States).
KINDS = {
    "states": (Organisation.Kind.STATE.value, Organisation.Kind.PARTNER.value),
    "ngos": (Organisation.Kind.NGO.value,),
    "both": (Organisation.Kind.STATE.value, Organisation.Kind.PARTNER.value, Organisation.Kind.NGO.value),
}
Key = tuple[str, str]


def organisation_column_labels() -> list[str]:
    """The organisation columns in words, in the active language (the wide form's second header row)."""
    return [
        _("Organisation code"),
        _("Organisation"),
        _("Kind of organisation"),
        _("Kind of organisation (label)"),
        _("Country code"),
        _("Response status"),
        _("Response status (label)"),
    ]


@dataclass(frozen=True)
class Cell:
    """One stored value of a question (or, for a question of documents, the list of its documents)."""

    question: str
    row: str
    column: str
    kind: str
    row_label: str
    column_label: str
    documents: bool = False  # the column of a question of documents: the names of its files

    @property
    def key(self) -> Key:
        return (self.row, self.column)

    @property
    def column_key(self) -> str:
        """The wide form's column code: the question code alone for a single value, else `question|row|column`."""
        if not self.row and not self.column:
            return self.question
        return f"{self.question}|{self.row}|{self.column}"

    @property
    def label(self) -> str:
        return ", ".join(part for part in (self.row_label, self.column_label) if part)


@dataclass
class QuestionEntry:
    code: str
    label: str
    audience: str
    show_if: Any
    words: at.Words
    stores_files: bool
    cells: list[Cell] = field(default_factory=list)
    keys: set[Key] = field(default_factory=set)


def _cell_labels(parts: Sequence[str], row: str, column: str) -> tuple[str, str]:
    """The words of a cell split into its row's and its column's: the column is named last when there are both."""
    if row and column:
        return ", ".join(parts[:-1]), parts[-1] if parts else ""
    if row:
        return ", ".join(parts), ""
    if column:
        return "", ", ".join(parts)
    return "", ""


class Catalogue:
    """The round's questions in questionnaire order, with their cells and labels in the active language; read once."""

    def __init__(self, survey: Survey, kinds: Sequence[str]) -> None:
        questions = (
            Question.objects.of_round(survey)
            .select_related("option_set")
            .prefetch_related("option_set__options")
            .order_by("section__area__position", "section__position", "position")
        )
        asked = {audience for kind in kinds for audience in KIND_ASKED[kind]}
        self.questions: list[QuestionEntry] = []
        self.by_code: dict[str, QuestionEntry] = {}
        for question in questions:
            entry = QuestionEntry(
                code=question.code,
                label=pick(question.text),
                audience=question.audience,
                show_if=question.show_if,
                words=question.words,
                stores_files=question.answer_type.stores_files,
            )
            for spec in question.cells():
                row_label, column_label = _cell_labels(question.words.cell_parts(spec.key), *spec.key)
                entry.cells.append(Cell(question.code, spec.row, spec.column, spec.kind, row_label, column_label))
                entry.keys.add(spec.key)
            self.by_code[question.code] = entry
            if question.audience in asked:
                self.questions.append(entry)

    def columns(self) -> list[Cell]:
        """The wide form's cell columns: every cell of every question asked of the chosen kinds; one per question of
        documents (the names of its files)."""
        columns: list[Cell] = []
        for entry in self.questions:
            if entry.stores_files:
                columns.append(Cell(entry.code, "", "", at.TEXT, "", "", documents=True))
            columns.extend(entry.cells)
        return columns

    def hidden(self, kind: str, values: dict[tuple[str, str, str], Any]) -> set[str]:
        """The questions that this organisation's own answers hide (show-if)."""
        asked = KIND_ASKED.get(kind, ())

        def lookup(code: str, row: str) -> Any:
            target = self.by_code.get(code)
            if target is None or target.audience not in asked:
                return NOT_ASKED
            return values.get((code, row, ""))

        return {entry.code for entry in self.by_code.values() if not is_shown(entry.show_if, lookup)}


class Respondent(NamedTuple):
    response: int
    code: str
    name: str
    kind: str
    country: str
    status: str
    kind_label: str
    status_label: str

    def cells(self) -> list[Any]:
        return [self.code, self.name, self.kind, self.kind_label, self.country, self.status, self.status_label]


class _Stored(NamedTuple):
    """The typed columns of an Answer row, as the cell kind's codec reads them."""

    value_text: str | None
    value_number: Decimal | None
    value_date: dt.date | None
    value_choices: Any


@dataclass
class OrganisationAnswers:
    """One organisation's answers: {(question, row, column): typed value}, its documents, and what show-if hides."""

    organisation: Respondent
    values: dict[tuple[str, str, str], Any]
    documents: dict[str, list[str]]
    hidden: set[str]


def _kind_order(prefix: str) -> Case:
    return Case(
        When(**{f"{prefix}kind": Organisation.Kind.STATE}, then=Value(0)),
        When(**{f"{prefix}kind": Organisation.Kind.PARTNER}, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def _responses(survey: Survey, kinds: Sequence[str], include_in_progress: bool) -> QuerySet[Response]:
    return Response.objects.filter(
        survey=survey, status__in=counted_statuses(include_in_progress), organisation__kind__in=kinds
    )


def response_count(survey: Survey, kinds: Sequence[str], include_in_progress: bool) -> int:
    return _responses(survey, kinds, include_in_progress).count()


def organisation_answers(
    survey: Survey, catalogue: Catalogue, kinds: Sequence[str], include_in_progress: bool
) -> Iterator[OrganisationAnswers]:
    """Each counted response of the chosen kinds with its answers, one at a time (States first, then Partners, then
    NGOs; each by code). Three streamed queries in the same order, merged by response."""
    responses = _responses(survey, kinds, include_in_progress)
    order = ("kind_order", "organisation__code", "pk")
    rows = (
        responses.annotate(kind_order=_kind_order("organisation__"))
        .order_by(*order)
        .values_list(
            "pk",
            "organisation__code",
            "organisation__name",
            "organisation__kind",
            "organisation__country__code",
            "status",
        )
    )
    in_rounds = Q(response__in=responses)
    answer_order = ("kind_order", "response__organisation__code", "response_id")
    answers = (
        Answer.objects.filter(in_rounds)
        .exclude(
            value_text__isnull=True, value_number__isnull=True, value_date__isnull=True, value_choices__isnull=True
        )
        .annotate(kind_order=_kind_order("response__organisation__"))
        .order_by(*answer_order, "pk")
        .values_list(
            "response_id",
            "question__code",
            "row",
            "column",
            "value_text",
            "value_number",
            "value_date",
            "value_choices",
        )
        .iterator(chunk_size=CHUNK)
    )
    documents = (
        Evidence.objects.filter(in_rounds)
        .annotate(kind_order=_kind_order("response__organisation__"))
        .order_by(*answer_order, "created_at", "pk")
        .values_list("response_id", "question__code", "original_name")
        .iterator(chunk_size=CHUNK)
    )
    kind_labels = dict(Organisation.Kind.choices)
    status_labels = dict(Response.Status.choices)
    answer = next(answers, None)
    document = next(documents, None)
    for pk, code, name, kind, country, status in rows.iterator(chunk_size=CHUNK):
        values: dict[tuple[str, str, str], Any] = {}
        while answer is not None and answer[0] == pk:
            _response, question, row, column, text, number, date, choices = answer
            entry = catalogue.by_code.get(question)
            spec = entry.words.spec((row, column)) if entry is not None else None
            values[(question, row, column)] = _read(
                spec.kind if spec is not None else None, _Stored(text, number, date, choices)
            )
            answer = next(answers, None)
        files: dict[str, list[str]] = {}
        while document is not None and document[0] == pk:
            files.setdefault(document[1], []).append(document[2])
            document = next(documents, None)
        organisation = Respondent(
            pk,
            code,
            name,
            kind,
            country or code,
            status,
            str(kind_labels.get(kind, kind)),
            str(status_labels.get(status, status)),
        )
        yield OrganisationAnswers(organisation, values, files, catalogue.hidden(kind, values))


def _read(kind: str | None, stored: _Stored) -> Any:
    """The typed value of a stored cell; a cell the definition no longer has: whichever column holds a value."""
    if kind is None:
        if stored.value_choices is not None:
            kind = at.CHOICES
        elif stored.value_date is not None:
            kind = at.DATE
        elif stored.value_number is not None:
            kind = at.DECIMAL
        else:
            kind = at.TEXT
    return at.read_value(stored, kind)


def export_value(kind: str, value: Any) -> Any:
    """A typed value as the files hold it: numbers and dates as such, several choices as codes joined with ";"."""
    if value is None:
        return None
    if kind == at.CHOICES or isinstance(value, list):
        return at.MULTI_SEPARATOR.join(value)
    return value


def long_rows(answers: Iterator[OrganisationAnswers], catalogue: Catalogue) -> Iterator[list[Any]]:
    """The long form: one row per answer cell (and per document), in questionnaire order (LONG_COLUMNS)."""
    for found in answers:
        org = found.organisation.cells()
        values = found.values
        # Cells the definition no longer has, by question: listed by their codes, so that nothing stored is hidden.
        unknown: dict[str, list[Key]] = {}
        for code, row, column in values:
            entry = catalogue.by_code.get(code)
            if entry is not None and (row, column) not in entry.keys:
                unknown.setdefault(code, []).append((row, column))
        for entry in catalogue.by_code.values():
            if entry.code in found.hidden:
                continue
            for name in found.documents.get(entry.code, []):
                yield [*org, entry.code, entry.label, "", "", "", "", name, name]
            for cell in entry.cells:
                value = values.get((entry.code, cell.row, cell.column))
                if value is not None:
                    yield [
                        *org,
                        *_cell_row(entry, cell.row, cell.column, cell.kind, value, cell.row_label, cell.column_label),
                    ]
            for row, column in unknown.get(entry.code, []):
                labels = _cell_labels(entry.words.cell_parts((row, column)), row, column)
                yield [*org, *_cell_row(entry, row, column, at.TEXT, values[(entry.code, row, column)], *labels)]


def _cell_row(
    entry: QuestionEntry, row: str, column: str, kind: str, value: Any, row_label: str, column_label: str
) -> list[Any]:
    return [
        entry.code,
        entry.label,
        row,
        row_label,
        column,
        column_label,
        export_value(kind, value),
        entry.words.value((row, column), value),
    ]


def wide_header(columns: Sequence[Cell], catalogue: Catalogue) -> list[list[Any]]:
    """The wide form's three header rows: column codes, question labels, cell labels."""
    labels = catalogue.by_code
    return [
        [*ORGANISATION_COLUMNS, *(cell.column_key for cell in columns)],
        [*organisation_column_labels(), *(labels[cell.question].label for cell in columns)],
        [*([""] * len(ORGANISATION_COLUMNS)), *(cell.label for cell in columns)],
    ]


def wide_rows(answers: Iterator[OrganisationAnswers], columns: Sequence[Cell]) -> Iterator[list[Any]]:
    """The wide form: one row per organisation, one value per column (empty when unanswered or hidden)."""
    for found in answers:
        row: list[Any] = found.organisation.cells()
        for cell in columns:
            if cell.question in found.hidden:
                row.append(None)
            elif cell.documents:
                row.append("; ".join(found.documents.get(cell.question, [])) or None)
            else:
                row.append(export_value(cell.kind, found.values.get((cell.question, cell.row, cell.column))))
        yield row
