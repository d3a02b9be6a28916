"""Checking an answer file row by row against in-memory tables of the round's questions and the organisations.

No query per row: every problem is kept as `row N: reason` (the header is row 1) with every reason of the row, in
the order people read a row. A cell given twice, a cell the question does not have, a value its type refuses and a
question not asked of the organisation are problems; rules across a question's cells (a range's start before its
end) are checked together with what is stored (`check_together`).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Organisation
from accounts.tables import cell_text
from surveys import answer_types as at
from surveys.models import Question, Survey

from .. import values
from ..models import Answer
from ..selectors import organisation_lookup_table
from .reading import COLUMN_ALIASES, COLUMNS, REQUIRED_COLUMNS, ImportRejected, Key
from .wording import _audience_label, _cell_label, _kind_label, _unknown_cell


@dataclass
class CellGroup:
    """The cells of one question for one organisation, as given in the file."""

    organisation: Organisation
    question: Question
    raw: dict[Key, Any] = field(default_factory=dict)
    cleaned: dict[Key, Any] = field(default_factory=dict)
    rows: list[int] = field(default_factory=list)
    cells: list[Any] = field(default_factory=list)  # the checked cells, to write


def _round_questions(survey: Survey) -> dict[str, Question]:
    questions = (
        Question.objects.of_round(survey)
        .select_related("option_set")
        .prefetch_related("option_set__options")
        .order_by("position")
    )
    return {question.code: question for question in questions}


def _header_index(header: list[str]) -> dict[str, int]:
    index: dict[str, int] = {}
    problems = []
    for position, name in enumerate(header):
        key = name.strip().lower()
        key = COLUMN_ALIASES.get(key, key)
        if key not in COLUMNS:
            continue  # other columns (labels, comments) are ignored
        if key in index:
            problems.append(_("row 1: the column “%(name)s” appears twice.") % {"name": key})
        index[key] = position
    missing = [name for name in REQUIRED_COLUMNS if name not in index]
    if missing:
        problems.append(
            ngettext(
                "row 1: missing column %(missing)s; the header row must name the columns %(columns)s.",
                "row 1: missing columns %(missing)s; the header row must name the columns %(columns)s.",
                len(missing),
            )
            % {"missing": ", ".join(missing), "columns": ", ".join(COLUMNS)}
        )
    if problems:
        raise ImportRejected(problems)
    return index


# Fast paths of at.clean_cell for the values most files are made of; anything else goes through clean_cell itself.
_FAST_NONE, _FAST_CHOICE, _FAST_INTEGER = 0, 1, 2


class _Spec:
    """One cell of a question, prepared for checking a million rows: its index, kind and fast-path bounds."""

    __slots__ = ("codes", "fast", "high", "index", "key", "kind", "low", "spec")

    def __init__(self, spec: at.CellSpec, index: int) -> None:
        self.spec, self.key, self.kind, self.index = spec, spec.key, spec.kind, index
        self.codes = frozenset(spec.choice_codes())
        self.fast, self.low, self.high = _FAST_NONE, None, None
        if spec.kind == at.CHOICE:
            self.fast = _FAST_CHOICE
        elif spec.kind in (at.INTEGER, at.YEAR):
            bounds = {"min": at.YEAR_MIN, "max": at.YEAR_MAX} if spec.kind == at.YEAR else {}
            bounds.update({k: v for k, v in spec.validation.items() if k in ("min", "max")})
            self.fast, self.low, self.high = _FAST_INTEGER, bounds.get("min"), bounds.get("max")

    def clean(self, raw: Any) -> Any:
        """at.clean_cell(spec, raw), faster for an option code or a plain whole number given as text."""
        if type(raw) is str:
            if self.fast == _FAST_CHOICE:
                if raw in self.codes:
                    return raw
            elif self.fast == _FAST_INTEGER and raw.isascii() and raw.isdigit() and len(raw) < 16:
                value = int(raw)
                if (self.low is None or value >= self.low) and (self.high is None or value <= self.high):
                    return value
        return at.clean_cell(self.spec, raw)


class _Question:
    __slots__ = ("code", "kinds", "pk", "question", "specs", "together")

    def __init__(self, question: Question, first_index: int) -> None:
        self.question, self.pk, self.code = question, question.pk, question.code
        self.kinds = {k for k in ("state", "ngo") if question.for_kind(k)}
        self.specs = {spec.key: _Spec(spec, first_index + i) for i, spec in enumerate(question.cells())}
        # Rules across the cells of a question (a range's start before its end) need them all, and what is stored.
        answer_type = type(question.answer_type)
        self.together = answer_type.check_together is not at.AnswerType.check_together


# A checked cell: organisation, question, cell spec, raw value, cleaned value, canonical text, row number.
Cell = tuple[Organisation, _Question, _Spec, Any, Any, str, int]


class _Checker:
    """Checks rows one at a time; keeps the problems, the cells seen (to find repeats) and the cells to hold back."""

    def __init__(self, survey: Survey, header: list[str], *, hold_all: bool = False) -> None:
        if not header or not any(h.strip() for h in header):
            raise ImportRejected(
                [_("row 1: the file is empty; it needs a header row (%(columns)s).") % {"columns": ", ".join(COLUMNS)}]
            )
        self.survey, self.hold_all = survey, hold_all
        index = _header_index(header)
        self.positions = tuple(index.get(name, -1) for name in COLUMNS)
        self.lookup = organisation_lookup_table()
        self.questions: dict[str, _Question] = {}
        cells = 0
        for code, question in _round_questions(survey).items():
            prepared = _Question(question, cells)
            cells += len(prepared.specs)
            self.questions[code] = prepared
        self.cell_count = cells
        self.kinds = survey.respondent_kinds
        self.seen: dict[int, array] = {}  # organisation pk -> first row number of each cell (0: not seen)
        self.held: dict[tuple[int, int], CellGroup] = {}  # cells checked together, or all of them (hold_all)
        self.organisations: dict[int, Organisation] = {}  # in the order of their first valid row
        self.problems: list[tuple[int, str]] = []
        self.data_rows = 0
        self._orgs: dict[str, Organisation | None] = {}
        self._codes: dict[str, tuple[str, _Question | None]] = {}

    def _organisation(self, text: str) -> Organisation | None:
        try:
            return self._orgs[text]
        except KeyError:
            found = self._orgs[text] = self.lookup.get(text.casefold()) if text else None
            return found

    def _question(self, value: Any) -> tuple[str, _Question | None]:
        text = value if type(value) is str else cell_text(value)
        try:
            return self._codes[text]
        except KeyError:
            code = text.strip().upper()
            found = self._codes[text] = (code, self.questions.get(code) if code else None)
            return found

    def row(self, number: int, record: list[Any]) -> Cell | None:
        """Check one row; the checked cell, or None for a blank row or a row with problems (kept in `problems`)."""
        width = len(record)
        p_org, p_code, p_row, p_column, p_value = self.positions
        value = record[p_org] if 0 <= p_org < width else None
        org_text = value.strip() if type(value) is str else cell_text(value)
        value = record[p_code] if 0 <= p_code < width else None
        code, prepared = self._question(value) if value is not None else ("", None)
        if not org_text and not code and all(cell_text(v) == "" for v in record):
            return None
        self.data_rows += 1
        value = record[p_row] if 0 <= p_row < width else None
        row_key = value.strip() if type(value) is str else cell_text(value)
        value = record[p_column] if 0 <= p_column < width else None
        column_key = value.strip() if type(value) is str else cell_text(value)
        raw = record[p_value] if 0 <= p_value < width else None
        organisation = self._organisation(org_text) if org_text else None
        if organisation is not None and prepared is not None:
            kind = organisation.respondent_kind
            if kind in self.kinds and kind in prepared.kinds:
                spec = prepared.specs.get((row_key, column_key))
                if spec is not None:
                    seen = self.seen.get(organisation.pk)
                    if seen is None:
                        seen = self.seen[organisation.pk] = array("I", bytes(4 * self.cell_count))
                    if not seen[spec.index]:
                        try:
                            cleaned = spec.clean(raw)
                        except at.AnswerError:
                            pass  # reported below, with every other reason of the row
                        else:
                            seen[spec.index] = number
                            text = at.to_text(spec.kind, cleaned)
                            return self._keep((organisation, prepared, spec, raw, cleaned, text, number))
        self._problem(number, organisation, org_text, code, prepared, row_key, column_key, raw)
        return None

    def _keep(self, cell: Cell) -> Cell | None:
        organisation, prepared = cell[0], cell[1]
        if organisation.pk not in self.organisations:
            self.organisations[organisation.pk] = organisation
        if not (self.hold_all or prepared.together):
            return cell
        group = self.held.get((organisation.pk, prepared.pk))
        if group is None:
            group = CellGroup(organisation=organisation, question=prepared.question)
            self.held[(organisation.pk, prepared.pk)] = group
        spec = cell[2]
        group.raw[spec.key], group.cleaned[spec.key] = cell[3], cell[4]
        group.rows.append(cell[6])
        group.cells.append(cell)
        return None

    def _problem(
        self,
        number: int,
        organisation: Organisation | None,
        org_text: str,
        code: str,
        prepared: _Question | None,
        row_key: str,
        column_key: str,
        raw: Any,
    ) -> None:
        """Every reason a row is refused, in the order people read a row."""
        survey = self.survey
        reasons = []
        question = prepared.question if prepared is not None else None
        if not org_text:
            reasons.append(_("no organisation given"))
        elif organisation is None:
            reasons.append(_("unknown organisation “%(name)s”") % {"name": org_text[:100]})
        if not code:
            reasons.append(_("no question given"))
        elif question is None:
            reasons.append(
                _("unknown question “%(code)s” (not in round %(slug)s)") % {"code": code[:40], "slug": survey.slug}
            )
        if organisation is not None and organisation.respondent_kind not in self.kinds:
            reasons.append(
                _("round %(slug)s does not ask %(kind)s such as %(name)s")
                % {
                    "slug": survey.slug,
                    "kind": _("NGOs") if organisation.kind == "ngo" else _("States"),
                    "name": organisation.name,
                }
            )
        elif organisation is not None and question is not None and not question.for_kind(organisation.respondent_kind):
            reasons.append(
                _("%(code)s is not asked of %(name)s (%(kind)s): it is for %(audience)s")
                % {
                    "code": question.code,
                    "name": organisation.name,
                    "kind": _kind_label(organisation),
                    "audience": _audience_label(question),
                }
            )
        if prepared is not None and question is not None and organisation is not None and not reasons:
            specs = {key: spec.spec for key, spec in prepared.specs.items()}
            key = (row_key, column_key)
            spec = prepared.specs.get(key)
            if not specs:
                reasons.append(
                    _("%(code)s takes uploaded documents, which cannot be imported") % {"code": question.code}
                )
            elif spec is None:
                reasons.append(_unknown_cell(question, specs, row_key, column_key))
            else:
                first = self.seen[organisation.pk][spec.index] if organisation.pk in self.seen else 0
                if first:
                    reasons.append(
                        _("the same cell as row %(first)d (%(org)s, %(label)s)")
                        % {"first": first, "org": organisation.code, "label": _cell_label(question, key)}
                    )
                else:
                    self.seen.setdefault(organisation.pk, array("I", bytes(4 * self.cell_count)))[spec.index] = number
                try:
                    spec.clean(raw)
                except at.AnswerError as exc:
                    reasons.append(_("%(label)s: %(error)s") % {"label": _cell_label(question, key), "error": exc})
        if reasons:
            self.problems.append((number, "; ".join(reasons)))

    def finish(self, reader_problems: Iterable[tuple[int, str]] = ()) -> list[str]:
        """Every problem, in row order: the rows', the reader's (formulas, as (row, reason)) and the rules across
        cells."""
        problems = list(self.problems)
        problems.extend(reader_problems)
        if self.data_rows == 0 and not problems:
            problems.append((2, _("the file has no answers below the header row")))
        problems.extend(_check_together(self.survey, list(self.held.values())))
        problems.sort(key=lambda p: p[0])
        return [_("row %(row)d: %(reason)s") % {"row": n, "reason": reason} if n else reason for n, reason in problems]

    def held_cells(self) -> list[Cell]:
        groups = sorted(self.held.values(), key=lambda g: g.rows[0])
        return [cell for group in groups for cell in group.cells]


def _check_together(survey: Survey, groups: list[CellGroup]) -> list[tuple[int, str]]:
    """Rules across the cells of a question (a range's start before its end), with what is stored already."""
    groups = [g for g in groups if type(g.question.answer_type).check_together is not at.AnswerType.check_together]
    if not groups:
        return []
    stored: dict[tuple[int, int], dict[Key, Answer]] = {}
    answers = Answer.objects.filter(
        response__survey=survey,
        response__organisation_id__in={g.organisation.pk for g in groups},
        question_id__in={g.question.pk for g in groups},
    ).select_related("response")
    for answer in answers:
        stored.setdefault((answer.response.organisation_id, answer.question_id), {})[(answer.row, answer.column)] = (
            answer
        )
    problems = []
    for group in groups:
        kinds = {spec.key: spec.kind for spec in group.question.cells()}
        existing = stored.get((group.organisation.pk, group.question.pk), {})
        merged = {key: values.read(answer, kinds[key]) for key, answer in existing.items() if key in kinds}
        merged.update(group.cleaned)
        try:
            group.question.answer_type.check_together(group.question.shape, merged)
        except at.AnswerError as exc:
            problems.append(
                (
                    group.rows[0],
                    _("%(code)s (%(org)s): %(error)s")
                    % {"code": group.question.code, "org": group.organisation.code, "error": exc},
                )
            )
    return problems
