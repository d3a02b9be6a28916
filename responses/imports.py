"""Importing answers from a long-format CSV or Excel file: one row per answer cell (docs/answer-import-format.md).

The file is read as a stream (accounts.tables) and every row is checked against in-memory tables of the round's
questions and of the organisations (no query per row): every problem is reported as `row N: reason` (the header is
row 1) and nothing is written. Checking and writing share one pass and one transaction: valid rows are written in
batches of BATCH cells while the file is read (PostgreSQL: COPY; other databases: bulk inserts) and the first
problem stops the writing; any problem, found in the file or at its end, rolls the whole transaction back, so a
file is imported completely or not at all. Memory stays flat whatever the file's length: a batch, a table of the
cells seen (to find a cell given twice) and the few questions whose cells are checked together (a range's start
before its end), which are written at the end.

Writing keeps what `answers_save` (the web form) keeps: a cell whose canonical value equals the stored one is left
alone ("unchanged", so importing a file again changes nothing); every other cell gets version + 1, the importing
user and source "import" on the answer, and one AnswerChange row (old and new canonical text, version, user) in the
history; each organisation's response is created when missing and locked (SELECT … FOR UPDATE) while it is written,
and a response with changes is marked in progress with its last activity.
"""

from __future__ import annotations

import io
import json
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from accounts.tables import TableError, TableOptions, cell_text, open_table, read_all
from surveys import answer_types as at
from surveys.models import Audience, Question, Survey

from .models import Answer, AnswerChange, Response, Source
from .selectors import organisation_lookup_table, response_progress, survey_structure
from .services import WorkflowError, response_submit

Key = tuple[str, str]

MAX_FILE_BYTES = 50 * 1024 * 1024  # an Excel workbook once unpacked (the upload page accepts less)
MAX_CSV_BYTES = 2 * 1024**3  # a CSV file: it is streamed, never held in memory
MAX_ROWS = 5_000_000
BATCH = 20_000  # cells written per batch
COLUMNS = ("organisation", "question", "row", "column", "value")
REQUIRED_COLUMNS = ("organisation", "question", "value")
# Other spellings accepted in the header row (case is ignored).
COLUMN_ALIASES = {"organization": "organisation", "org": "organisation", "col": "column"}
SHOWN_CODES = 6  # how many valid rows/columns or missing questions a message names before "…"


class ImportRejected(Exception):
    """The file cannot be imported; `problems` lists every reason (`row N: reason`). Nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems[0] if len(problems) == 1 else f"{len(problems)} problems")
        self.problems = problems


# --- reading a table -------------------------------------------------------------------------------------------


def table_options() -> TableOptions:
    """How answer files are read: Excel values stay typed (the answer types check numbers and dates)."""
    return TableOptions(typed=True, max_bytes=MAX_CSV_BYTES, max_unpacked=MAX_FILE_BYTES, max_rows=MAX_ROWS)


def read_rows(path_or_file: str | Path | IO[bytes], filename: str) -> tuple[list[str], list[list[Any]]]:
    """The header (texts) and the data rows (raw cell values) of a CSV (UTF-8) or Excel .xlsx file, in memory.

    The format is chosen by the file name's extension. Row i of the result is row i + 2 of the file (the header is
    row 1); blank rows are kept so that numbers match what a spreadsheet shows. ImportRejected when unreadable.
    `answers_import` streams instead.
    """
    try:
        return read_all(path_or_file, filename, table_options())
    except TableError as exc:
        raise ImportRejected(exc.problems) from exc


# --- checking --------------------------------------------------------------------------------------------------


@dataclass
class CellGroup:
    """The cells of one question for one organisation, as given in the file."""

    organisation: Organisation
    question: Question
    raw: dict[Key, Any] = field(default_factory=dict)
    cleaned: dict[Key, Any] = field(default_factory=dict)
    rows: list[int] = field(default_factory=list)
    cells: list[Any] = field(default_factory=list)  # the checked cells, to write


@dataclass
class ImportPlan:
    survey: Survey
    groups: list[CellGroup]
    organisations: list[Organisation]

    @property
    def cell_count(self) -> int:
        return sum(len(g.raw) for g in self.groups)


@dataclass
class ImportResult:
    survey: Survey
    organisations: int = 0
    written: int = 0
    unchanged: int = 0
    submitted: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        text = _("%(slug)s: %(orgs)d organisation(s), %(written)d answer(s) written, %(unchanged)d unchanged") % {
            "slug": self.survey.slug,
            "orgs": self.organisations,
            "written": self.written,
            "unchanged": self.unchanged,
        }
        if self.submitted:
            text += _(", %(n)d recorded as submitted") % {"n": self.submitted}
        return text + "."


def survey_for_import(slug: str) -> Survey:
    """The round with this slug; ImportRejected naming the rounds there are when it does not exist."""
    survey = Survey.objects.filter(slug=slug).first()
    if survey is None:
        slugs = ", ".join(Survey.objects.order_by("slug").values_list("slug", flat=True)) or _("none")
        raise ImportRejected([_("There is no round “%(slug)s”. Rounds: %(slugs)s.") % {"slug": slug, "slugs": slugs}])
    return survey


def _round_questions(survey: Survey) -> dict[str, Question]:
    questions = (
        Question.objects.filter(survey=survey)
        .select_related("option_set")
        .prefetch_related("option_set__options")
        .order_by("position")
    )
    table = {}
    for question in questions:
        question.survey = survey
        table[question.code] = question
    return table


def _some(codes: Iterable[str]) -> str:
    codes = list(dict.fromkeys(codes))
    shown = ", ".join(c or "''" for c in codes[:SHOWN_CODES])
    if len(codes) > SHOWN_CODES:
        shown += _(", … (%(n)d in all)") % {"n": len(codes)}
    return shown


def _unknown_cell(question: Question, specs: dict[Key, at.CellSpec], row: str, column: str) -> str:
    rows = [spec.row for spec in specs.values()]
    columns = [spec.column for spec in specs.values() if spec.row == row] or [spec.column for spec in specs.values()]
    if row not in rows:
        if rows == [""] * len(rows):
            return _("%(code)s takes no row: leave the row empty (it has “%(row)s”).") % {
                "code": question.code,
                "row": row[:60],
            }
        if row == "":
            return _("%(code)s needs a row: one of %(rows)s.") % {"code": question.code, "rows": _some(rows)}
        return _("%(code)s has no row “%(row)s”; its rows are %(rows)s.") % {
            "code": question.code,
            "row": row[:60],
            "rows": _some(rows),
        }
    if columns == [""] * len(columns):
        return _("%(code)s takes no column: leave the column empty (it has “%(column)s”).") % {
            "code": question.code,
            "column": column[:60],
        }
    if column == "":
        return _("%(code)s needs a column: one of %(columns)s.") % {"code": question.code, "columns": _some(columns)}
    return _("%(code)s has no column “%(column)s”; its columns are %(columns)s.") % {
        "code": question.code,
        "column": column[:60],
        "columns": _some(columns),
    }


def _cell_label(question: Question, key: Key) -> str:
    return question.code if key == ("", "") else f"{question.code} {at.describe_cell(key)}"


def _kind_label(organisation: Organisation) -> str:
    return _("an NGO") if organisation.respondent_kind == "ngo" else _("a State")


def _audience_label(question: Question) -> str:
    labels: dict[str, str] = {Audience.STATE.value: _("States only"), Audience.NGO.value: _("NGOs only")}
    return labels.get(question.audience, _("everyone"))


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
            _("row 1: missing column(s) %(missing)s; the header row must name the columns %(columns)s.")
            % {"missing": ", ".join(missing), "columns": ", ".join(COLUMNS)}
        )
    if problems:
        raise ImportRejected(problems)
    return index


# Fast paths of at.clean_cell for the values most files are made of; anything else goes through clean_cell itself.
_FAST_NONE, _FAST_CHOICE, _FAST_INTEGER = 0, 1, 2


class _Spec:
    """One cell of a question, prepared for checking a million rows: its index, kind and fast-path bounds."""

    __slots__ = ("codes", "column_copy", "fast", "high", "index", "key", "kind", "low", "row_copy", "spec")

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
        self.row_copy, self.column_copy = _copy_text(spec.row), _copy_text(spec.column)

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

    def finish(self, reader_problems: Iterable[str] = ()) -> list[str]:
        """Every problem, in row order: the rows', the reader's (formulas) and the rules across cells."""
        problems = list(self.problems)
        for text in reader_problems:
            number = int(text.split(":", 1)[0].split()[-1]) if text.startswith("row ") else 0
            problems.append((number, text.split(": ", 1)[1] if text.startswith("row ") else text))
        if self.data_rows == 0 and not problems:
            problems.append((2, _("the file has no answers below the header row")))
        problems.extend(_check_together(self.survey, list(self.held.values())))
        problems.sort(key=lambda p: p[0])
        return [_("row %(row)d: %(reason)s") % {"row": n, "reason": reason} if n else reason for n, reason in problems]

    def held_cells(self) -> list[Cell]:
        groups = sorted(self.held.values(), key=lambda g: g.rows[0])
        return [cell for group in groups for cell in group.cells]


def _missing_warning(organisation: Organisation, missing: list[str]) -> str:
    return _("WARNING: %(name)s (%(code)s): %(n)d required answer(s) missing: %(codes)s") % {
        "name": organisation.name,
        "code": organisation.code,
        "n": len(missing),
        "codes": _some(missing),
    }


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
        merged = {
            key: _stored_value(kinds[key], *_answer_values(answer)) for key, answer in existing.items() if key in kinds
        }
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


def answers_import_check(*, survey: Survey, header: list[str], rows: list[list[Any]]) -> ImportPlan:
    """Check every row of an answer file held in memory; ImportRejected with every problem, or the plan to write.

    `answers_import` does the same while streaming the file; this is for callers that have the rows already.
    """
    checker = _Checker(survey, header, hold_all=True)
    for offset, record in enumerate(rows):
        checker.row(offset + 2, record)
    problems = checker.finish()
    if problems:
        raise ImportRejected(problems)
    groups = sorted(checker.held.values(), key=lambda g: g.rows[0])
    return ImportPlan(survey=survey, groups=groups, organisations=list(checker.organisations.values()))


# --- writing ---------------------------------------------------------------------------------------------------


def _copy_text(value: str) -> str:
    """A text field in PostgreSQL's COPY text format."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def _answer_values(answer: Answer) -> tuple[Any, Any, Any, Any]:
    return answer.value_text, answer.value_number, answer.value_date, answer.value_choices


def _stored_value(kind: str, text: Any, number: Any, date: Any, choices: Any) -> Any:
    """values.read() on the typed columns of a stored answer."""
    if kind in (at.CHOICE, at.TEXT):
        return text
    if kind == at.CHOICES:
        return list(choices or []) or None
    if kind in (at.INTEGER, at.YEAR):
        return None if number is None else int(number)
    if kind == at.DECIMAL:
        return None if number is None else number.normalize()
    if kind == at.DATE:
        return date
    return None


def _columns(kind: str, value: Any) -> tuple[Any, Any, Any, Any]:
    """values.store(): the typed columns (text, number, date, choices) of a cleaned value."""
    if value is None:
        return None, None, None, None
    if kind in (at.CHOICE, at.TEXT):
        return value, None, None, None
    if kind == at.CHOICES:
        return None, None, None, list(value)
    if kind == at.DATE:
        return None, None, value, None
    return None, value, None, None  # integer, year, decimal


def _copy_columns(kind: str, value: Any) -> str:
    r"""_columns() as COPY text: four tab-separated fields, \N for NULL."""
    if value is None:
        return "\\N\t\\N\t\\N\t\\N"
    if kind in (at.CHOICE, at.TEXT):
        return _copy_text(value) + "\t\\N\t\\N\t\\N"
    if kind == at.CHOICES:
        return "\\N\t\\N\t\\N\t" + _copy_text(json.dumps(list(value)))
    if kind == at.DATE:
        return "\\N\t\\N\t" + value.isoformat() + "\t\\N"
    return "\\N\t" + str(value) + "\t\\N\t\\N"


class _Writer:
    """Writes checked cells in batches inside the caller's transaction, as answers_save would one by one."""

    def __init__(self, survey: Survey, user: Any) -> None:
        self.survey, self.user = survey, user
        self.user_id = getattr(user, "pk", None)
        self.now = timezone.now()
        self.copy = connection.vendor == "postgresql"
        self.responses: dict[int, int] = {}  # organisation pk -> response pk
        self.answered: dict[int, set[int]] = {}  # response pk -> questions with stored answers before the import
        self.changed: set[int] = set()  # responses with a change
        self.buffer: list[Cell] = []
        self.written = self.unchanged = 0

    def add(self, cell: Cell) -> None:
        self.buffer.append(cell)
        if len(self.buffer) >= BATCH:
            self.flush()

    def flush(self) -> None:
        cells, self.buffer = self.buffer, []
        if not cells:
            return
        self._resolve({cell[0].pk for cell in cells} - self.responses.keys())
        responses, answered = self.responses, self.answered
        new: list[tuple[int, Cell]] = []
        stored: list[tuple[int, Cell]] = []
        for cell in cells:
            response = responses[cell[0].pk]
            if cell[1].pk in answered[response]:
                stored.append((response, cell))
            elif cell[5] == "":
                self.unchanged += 1  # no answer, and none given: nothing to write (as answers_save)
            else:
                new.append((response, cell))
        updates: list[tuple[int, int, int, Cell, str]] = []  # answer pk, version, response, cell, old text
        if stored:
            self._compare(stored, new, updates)
        if new:
            self._insert(new)
        if updates:
            self._update(updates)
        self._history(new, updates)
        self.written += len(new) + len(updates)

    def _resolve(self, organisations: set[int]) -> None:
        """Get or create the responses of these organisations, locked, and which questions they have answers to."""
        if not organisations:
            return
        survey = self.survey

        def locked(pks: set[int]) -> dict[int, int]:
            rows = Response.objects.select_for_update().filter(survey=survey, organisation_id__in=pks)
            return dict(rows.values_list("organisation_id", "pk"))

        found = locked(organisations)
        missing = organisations - found.keys()
        if missing:
            Response.objects.bulk_create(
                [Response(survey=survey, organisation_id=pk) for pk in sorted(missing)], ignore_conflicts=True
            )
            found.update(locked(missing))
        self.responses.update(found)
        for pk in found.values():
            self.answered[pk] = set()
        existing = found.keys() - missing
        if existing:
            pairs = (
                Answer.objects.filter(response_id__in=[found[o] for o in existing])
                .values_list("response_id", "question_id")
                .distinct()
            )
            for response, question in pairs:
                self.answered[response].add(question)

    def _compare(
        self,
        stored: list[tuple[int, Cell]],
        new: list[tuple[int, Cell]],
        updates: list[tuple[int, int, int, Cell, str]],
    ) -> None:
        current: dict[tuple[int, int, str, str], tuple[Any, ...]] = {}
        rows = Answer.objects.filter(
            response_id__in={response for response, _cell in stored},
            question_id__in={cell[1].pk for _response, cell in stored},
        ).values_list(
            "response_id",
            "question_id",
            "row",
            "column",
            "pk",
            "version",
            "value_text",
            "value_number",
            "value_date",
            "value_choices",
        )
        for row in rows.iterator(chunk_size=5000):
            current[row[:4]] = row[4:]
        for response, cell in stored:
            spec = cell[2]
            found = current.get((response, cell[1].pk, spec.key[0], spec.key[1]))
            old = at.to_text(spec.kind, _stored_value(spec.kind, *found[2:])) if found else ""
            if old == cell[5]:
                self.unchanged += 1
            elif found is None:
                new.append((response, cell))
            else:
                updates.append((found[0], found[1] + 1, response, cell, old))

    def _insert(self, new: list[tuple[int, Cell]]) -> None:
        user, now = self.user_id, self.now
        self.changed.update(response for response, _cell in new)
        if self.copy:
            stamp = now.isoformat()
            head = f"{stamp}\t{stamp}\t"
            tail = f"\t1\t{user if user is not None else chr(92) + 'N'}\t{Source.IMPORT.value}\tf\n"
            lines = [
                f"{head}{response}\t{cell[1].pk}\t{cell[2].row_copy}\t{cell[2].column_copy}\t"
                f"{_copy_columns(cell[2].kind, cell[4])}{tail}"
                for response, cell in new
            ]
            self._copy(Answer, _ANSWER_COLUMNS, lines)
            return
        answers = []
        for response, cell in new:
            text, number, date, choices = _columns(cell[2].kind, cell[4])
            answers.append(
                Answer(
                    response_id=response,
                    question_id=cell[1].pk,
                    row=cell[2].key[0],
                    column=cell[2].key[1],
                    value_text=text,
                    value_number=number,
                    value_date=date,
                    value_choices=choices,
                    version=1,
                    updated_by_id=user,
                    source=Source.IMPORT,
                    needs_review=False,
                )
            )
        Answer.objects.bulk_create(answers, batch_size=2000)

    def _update(self, updates: list[tuple[int, int, int, Cell, str]]) -> None:
        self.changed.update(response for _pk, _version, response, _cell, _old in updates)
        answers = []
        for pk, version, _response, cell, _old in updates:
            text, number, date, choices = _columns(cell[2].kind, cell[4])
            answers.append(
                Answer(
                    pk=pk,
                    value_text=text,
                    value_number=number,
                    value_date=date,
                    value_choices=choices,
                    version=version,
                    updated_by_id=self.user_id,
                    source=Source.IMPORT,
                    needs_review=False,
                    updated_at=self.now,
                )
            )
        fields = ["value_text", "value_number", "value_date", "value_choices", "version", "updated_by", "source"]
        Answer.objects.bulk_update(answers, [*fields, "needs_review", "updated_at"], batch_size=1000)

    def _history(self, new: list[tuple[int, Cell]], updates: list[tuple[int, int, int, Cell, str]]) -> None:
        changes = [(response, cell, "", 1) for response, cell in new]
        changes += [(response, cell, old, version) for _pk, version, response, cell, old in updates]
        if not changes:
            return
        if self.copy:
            user = self.user_id if self.user_id is not None else "\\N"
            tail = f"\t{user}\t{self.now.isoformat()}\t{Source.IMPORT.value}\n"
            lines = [
                f"{response}\t{cell[1].pk}\t{cell[2].row_copy}\t{cell[2].column_copy}\t{_copy_text(old)}\t"
                f"{_copy_text(cell[5])}\t{version}{tail}"
                for response, cell, old, version in changes
            ]
            self._copy(AnswerChange, _CHANGE_COLUMNS, lines)
            return
        AnswerChange.objects.bulk_create(
            [
                AnswerChange(
                    response_id=response,
                    question_id=cell[1].pk,
                    row=cell[2].key[0],
                    column=cell[2].key[1],
                    old_value=old,
                    new_value=cell[5],
                    version=version,
                    changed_by_id=self.user_id,
                    changed_at=self.now,
                    source=Source.IMPORT,
                )
                for response, cell, old, version in changes
            ],
            batch_size=2000,
        )

    @staticmethod
    def _copy(model: Any, columns: tuple[str, ...], lines: list[str]) -> None:
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(model._meta.get_field(name).column) for name in columns)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", io.StringIO("".join(lines)))

    def finish(self) -> None:
        """Mark the responses with changes as in progress, with their last activity (as answers_save does)."""
        self.flush()
        if self.changed:
            changed = Response.objects.filter(pk__in=self.changed)
            changed.filter(status=Response.Status.NOT_STARTED).update(status=Response.Status.IN_PROGRESS)
            changed.update(last_activity_at=self.now, updated_at=self.now)


_ANSWER_COLUMNS = (
    "created_at",
    "updated_at",
    "response",
    "question",
    "row",
    "column",
    "value_text",
    "value_number",
    "value_date",
    "value_choices",
    "version",
    "updated_by",
    "source",
    "needs_review",
)
_CHANGE_COLUMNS = (
    "response",
    "question",
    "row",
    "column",
    "old_value",
    "new_value",
    "version",
    "changed_by",
    "changed_at",
    "source",
)


def _submit(*, survey: Survey, organisations: list[Organisation], user: Any, result: ImportResult) -> None:
    """Record each organisation's response as submitted, as received, warning about missing required answers."""
    responses = {
        r.organisation_id: r
        for r in Response.objects.filter(survey=survey, organisation__in=organisations).select_related("organisation")
    }
    structures: dict[str, list] = {}
    for organisation in organisations:
        response = responses[organisation.pk]
        response.survey, response.organisation = survey, organisation
        kind = organisation.respondent_kind
        if kind not in structures:
            structures[kind] = survey_structure(survey, kind)
        progress = response_progress(response, areas=structures[kind])
        if not progress.complete:
            result.warnings.append(_missing_warning(organisation, [q.code for _s, q in progress.missing]))
        before = response.status
        try:
            submitted = response_submit(response=response, user=user, require_complete=False)
        except WorkflowError as exc:
            raise ImportRejected([f"{organisation.code}: {exc}"]) from exc
        if submitted.status != before:
            result.submitted += 1


def _check_submit(survey: Survey, user: Any, submit: bool) -> None:
    if submit and survey.status != Survey.Status.OPEN and not getattr(user, "is_staff", False):
        raise ImportRejected(
            [
                _("Round %(slug)s is not open: only a staff user can record responses as submitted.")
                % {"slug": survey.slug}
            ]
        )


def answers_import_write(*, plan: ImportPlan, user: Any, submit: bool = False) -> ImportResult:
    """Write a checked plan in one transaction; with `submit`, record each response as submitted as received."""
    survey = plan.survey
    _check_submit(survey, user, submit)
    result = ImportResult(survey=survey, organisations=len(plan.organisations))
    with transaction.atomic():
        writer = _Writer(survey, user)
        writer._resolve({o.pk for o in plan.organisations})
        problems = _check_together(survey, plan.groups)  # the answers may have changed since the check
        if problems:
            raise ImportRejected([_("row %(row)d: %(reason)s") % {"row": n, "reason": r} for n, r in problems])
        for group in plan.groups:
            for cell in group.cells:
                writer.add(cell)
        writer.finish()
        result.written, result.unchanged = writer.written, writer.unchanged
        if submit:
            _submit(survey=survey, organisations=plan.organisations, user=user, result=result)
    return result


def answers_import(
    *, survey: Survey, source: str | Path | IO[bytes], filename: str, user: Any, submit: bool = False
) -> ImportResult:
    """Read, check and write an answer file in one pass: the one call the command and the upload page make.

    ImportRejected lists every problem; then nothing was written (the transaction is rolled back).
    """
    _check_submit(survey, user, submit)
    try:
        with open_table(source, filename, table_options()) as reader, transaction.atomic():
            checker = _Checker(survey, reader.header)
            writer: _Writer | None = _Writer(survey, user)
            for number, record in reader:
                cell = checker.row(number, record)
                if cell is not None and writer is not None:
                    if checker.problems or reader.problems:
                        writer = None  # the file will be refused: check the rest, write nothing more
                    else:
                        writer.add(cell)
            problems = checker.finish(reader.problems)
            if problems or writer is None:
                raise ImportRejected(problems)
            writer._resolve(set(checker.organisations) - writer.responses.keys())
            for cell in checker.held_cells():
                writer.add(cell)
            writer.finish()
            organisations = list(checker.organisations.values())
            result = ImportResult(
                survey=survey, organisations=len(organisations), written=writer.written, unchanged=writer.unchanged
            )
            if submit:
                _submit(survey=survey, organisations=organisations, user=user, result=result)
    except TableError as exc:
        raise ImportRejected(exc.problems) from exc
    return result
