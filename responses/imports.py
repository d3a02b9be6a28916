"""Importing answers from a long-format CSV or Excel file: one row per answer cell (docs/answer-import-format.md).

The whole file is checked first, against in-memory tables of the round's questions and of the organisations (no
query per row): every problem is reported as `row N: reason` (the header is row 1) and nothing is written. Only a
file without problems is written, in one transaction, through `answers_save` (one call per organisation and
question, source "import"), so versions and history are kept exactly as for the web form. Importing the same file
again changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from surveys import answer_types as at
from surveys.models import Audience, Question, Survey

from . import values
from .models import Answer, Organisation, Response, Source
from .selectors import organisation_lookup_table, response_progress, survey_structure
from .services import WorkflowError, answers_save, response_get_or_create, response_submit

Key = tuple[str, str]

MAX_FILE_BYTES = 50 * 1024 * 1024  # a CSV file, or an Excel workbook once unpacked
MAX_ROWS = 200_000
COLUMNS = ("organisation", "question", "row", "column", "value")
REQUIRED_COLUMNS = ("organisation", "question", "value")
# Other spellings accepted in the header row (case is ignored).
COLUMN_ALIASES = {"organization": "organisation", "org": "organisation", "col": "column"}
CSV_DELIMITERS = (",", ";", "\t")
SHOWN_CODES = 6  # how many valid rows/columns or missing questions a message names before "…"


class ImportRejected(Exception):
    """The file cannot be imported; `problems` lists every reason (`row N: reason`). Nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems[0] if len(problems) == 1 else f"{len(problems)} problems")
        self.problems = problems


# --- reading a table -------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A spreadsheet cell as text: a whole float as an integer, a date as YYYY-MM-DD, nothing as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _read_bytes(source: str | Path | IO[bytes], limit: int) -> bytes:
    if isinstance(source, (str, Path)):
        with open(source, "rb") as handle:
            data = handle.read(limit + 1)
    else:
        source.seek(0)
        data = source.read(limit + 1)
    if len(data) > limit:
        raise ImportRejected(
            [_("The file is larger than %(mb)d MB; split it into smaller files.") % {"mb": limit // 2**20}]
        )
    return data


def _read_csv(source: str | Path | IO[bytes]) -> tuple[list[str], list[list[Any]]]:
    data = _read_bytes(source, MAX_FILE_BYTES)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRejected(
            [_("The file is saved as UTF-16 (“Unicode text”). Save it as “CSV UTF-8 (comma delimited)” instead.")]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected(
            [
                _(
                    "The file is not UTF-8 text (byte %(byte)d is not valid UTF-8). In Excel choose “Save as” → "
                    "“CSV UTF-8 (comma delimited)”; in a text editor save it with the UTF-8 encoding."
                )
                % {"byte": exc.start + 1}
            ]
        ) from exc
    first_line = text.split("\n", 1)[0]
    # Excel writes ";" or tabs instead of commas in many locales: the header row tells which one the file uses.
    delimiter = max(CSV_DELIMITERS, key=lambda d: (first_line.count(d), d == ","))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[Any]] = []
    try:
        for record in reader:
            rows.append(list(record))
            if len(rows) > MAX_ROWS + 1:
                raise ImportRejected([_("The file has more than %(n)d rows; split it.") % {"n": MAX_ROWS}])
    except csv.Error as exc:
        raise ImportRejected(
            [_("row %(row)d: the CSV cannot be read (%(error)s).") % {"row": len(rows) + 1, "error": exc}]
        ) from exc
    if not rows:
        return [], []
    return [_text(v) for v in rows[0]], rows[1:]


def _read_xlsx(source: str | Path | IO[bytes]) -> tuple[list[str], list[list[Any]]]:
    import openpyxl  # imported here: only Excel imports need it
    from openpyxl.utils import get_column_letter

    if not isinstance(source, (str, Path)):
        source.seek(0)
    if not zipfile.is_zipfile(source):
        raise ImportRejected(
            [_("The file is not an Excel .xlsx workbook (it is not a zip archive). Save it as .xlsx or as CSV UTF-8.")]
        )
    if not isinstance(source, (str, Path)):
        source.seek(0)
    try:
        with zipfile.ZipFile(source) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportRejected([_("The workbook cannot be opened: %(error)s") % {"error": exc}]) from exc
    if unpacked > MAX_FILE_BYTES:
        raise ImportRejected(
            [
                _("The workbook unpacks to %(size)d MB; at most %(mb)d MB are accepted. Split it into smaller files.")
                % {"size": unpacked // 2**20, "mb": MAX_FILE_BYTES // 2**20}
            ]
        )
    if not isinstance(source, (str, Path)):
        source.seek(0)
    problems: list[str] = []
    rows: list[list[Any]] = []
    with warnings.catch_warnings():
        # openpyxl warns about workbook features it ignores (data validation, styles); they do not matter here.
        warnings.simplefilter("ignore", UserWarning)
        try:
            workbook = openpyxl.load_workbook(source, read_only=True, data_only=False)
        except Exception as exc:  # openpyxl raises many kinds of error for a damaged or foreign file
            raise ImportRejected([_("The workbook cannot be opened: %(error)s") % {"error": exc}]) from exc
        try:
            if not workbook.worksheets:
                return [], []
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()  # the stored size may be wrong; read every row there is
            for number, cells in enumerate(sheet.iter_rows(), start=1):
                if number > MAX_ROWS + 1:
                    raise ImportRejected([_("The file has more than %(n)d rows; split it.") % {"n": MAX_ROWS}])
                row: list[Any] = []
                for index, cell in enumerate(cells, start=1):
                    value = cell.value
                    if getattr(cell, "data_type", None) == "f" or (isinstance(value, str) and value.startswith("=")):
                        problems.append(
                            _("row %(row)d: cell %(cell)s holds a formula (%(formula)s); paste the values instead.")
                            % {"row": number, "cell": f"{get_column_letter(index)}{number}", "formula": str(value)[:40]}
                        )
                        value = None
                    row.append(value)
                rows.append(row)
        finally:
            workbook.close()
    if problems:
        raise ImportRejected(problems)
    if not rows:
        return [], []
    return [_text(v) for v in rows[0]], rows[1:]


def read_rows(path_or_file: str | Path | IO[bytes], filename: str) -> tuple[list[str], list[list[Any]]]:
    """The header (texts) and the data rows (raw cell values) of a CSV (UTF-8) or Excel .xlsx file.

    The format is chosen by the file name's extension. Row i of the result is row i + 2 of the file (the header is
    row 1); blank rows are kept so that numbers match what a spreadsheet shows. ImportRejected when unreadable.
    """
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        return _read_csv(path_or_file)
    if suffix == ".xlsx":
        return _read_xlsx(path_or_file)
    if suffix == ".xls":
        raise ImportRejected([_("Old Excel .xls files are not accepted; save the file as .xlsx or as CSV UTF-8.")])
    raise ImportRejected(
        [_("“%(name)s” is neither a .csv nor an .xlsx file.") % {"name": Path(filename).name[:100] or "?"}]
    )


# --- checking --------------------------------------------------------------------------------------------------


@dataclass
class CellGroup:
    """The cells of one question for one organisation, as given in the file."""

    organisation: Organisation
    question: Question
    raw: dict[Key, Any] = field(default_factory=dict)
    cleaned: dict[Key, Any] = field(default_factory=dict)
    rows: list[int] = field(default_factory=list)


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


def answers_import_check(*, survey: Survey, header: list[str], rows: list[list[Any]]) -> ImportPlan:
    """Check every row of an answer file; ImportRejected with every problem, or the plan of what to write."""
    if not header or not any(h.strip() for h in header):
        raise ImportRejected(
            [_("row 1: the file is empty; it needs a header row (%(columns)s).") % {"columns": ", ".join(COLUMNS)}]
        )
    index = _header_index(header)
    organisations = organisation_lookup_table()
    questions = _round_questions(survey)
    specs_of: dict[int, dict[Key, at.CellSpec]] = {}
    groups: dict[tuple[int, int], CellGroup] = {}
    seen: dict[tuple[int, int, str, str], int] = {}
    problems: list[tuple[int, str]] = []
    kinds = survey.respondent_kinds

    def cell(values_: list[Any], name: str) -> Any:
        position = index.get(name)
        return values_[position] if position is not None and position < len(values_) else None

    data_rows = 0
    for offset, record in enumerate(rows):
        number = offset + 2
        if all(_text(v) == "" for v in record):
            continue
        data_rows += 1
        reasons = []
        org_text, code = _text(cell(record, "organisation")), _text(cell(record, "question")).upper()
        row_key, column_key = _text(cell(record, "row")), _text(cell(record, "column"))
        raw = cell(record, "value")
        organisation = organisations.get(org_text.casefold()) if org_text else None
        question = questions.get(code) if code else None
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
        if organisation is not None and organisation.respondent_kind not in kinds:
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
        if question is not None and organisation is not None and not reasons:
            if question.pk not in specs_of:
                specs_of[question.pk] = at.cell_index(question.cells())
            specs = specs_of[question.pk]
            key = (row_key, column_key)
            spec = specs.get(key)
            if not specs:
                reasons.append(
                    _("%(code)s takes uploaded documents, which cannot be imported") % {"code": question.code}
                )
            elif spec is None:
                reasons.append(_unknown_cell(question, specs, row_key, column_key))
            else:
                where = (organisation.pk, question.pk, row_key, column_key)
                first = seen.setdefault(where, number)
                if first != number:
                    reasons.append(
                        _("the same cell as row %(first)d (%(org)s, %(label)s)")
                        % {"first": first, "org": organisation.code, "label": _cell_label(question, key)}
                    )
                try:
                    cleaned = at.clean_cell(spec, raw)
                except at.AnswerError as exc:
                    reasons.append(_("%(label)s: %(error)s") % {"label": _cell_label(question, key), "error": exc})
                else:
                    if first == number:
                        group = groups.setdefault(
                            (organisation.pk, question.pk), CellGroup(organisation=organisation, question=question)
                        )
                        group.raw[key] = raw
                        group.cleaned[key] = cleaned
                        group.rows.append(number)
        if reasons:
            problems.append((number, "; ".join(reasons)))

    if data_rows == 0 and not problems:
        problems.append((2, _("the file has no answers below the header row")))
    problems.extend(_check_together(survey, list(groups.values())))
    if problems:
        problems.sort(key=lambda p: p[0])
        raise ImportRejected([_("row %(row)d: %(reason)s") % {"row": n, "reason": reason} for n, reason in problems])
    ordered = sorted(groups.values(), key=lambda g: g.rows[0])
    organisations_in_file = list({g.organisation.pk: g.organisation for g in ordered}.values())
    return ImportPlan(survey=survey, groups=ordered, organisations=organisations_in_file)


def _check_together(survey: Survey, groups: list[CellGroup]) -> list[tuple[int, str]]:
    """Rules across the cells of a question (a range's start before its end), with what is stored already."""
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


# --- writing ---------------------------------------------------------------------------------------------------


def _missing_warning(organisation: Organisation, missing: list[str]) -> str:
    return _("WARNING: %(name)s (%(code)s): %(n)d required answer(s) missing: %(codes)s") % {
        "name": organisation.name,
        "code": organisation.code,
        "n": len(missing),
        "codes": _some(missing),
    }


def answers_import_write(*, plan: ImportPlan, user: Any, submit: bool = False) -> ImportResult:
    """Write a checked plan in one transaction; with `submit`, record each response as submitted as received."""
    survey = plan.survey
    result = ImportResult(survey=survey, organisations=len(plan.organisations))
    if submit and survey.status != Survey.Status.OPEN and not getattr(user, "is_staff", False):
        raise ImportRejected(
            [
                _("Round %(slug)s is not open: only a staff user can record responses as submitted.")
                % {"slug": survey.slug}
            ]
        )
    with transaction.atomic():
        responses: dict[int, Response] = {}
        for organisation in plan.organisations:
            response = response_get_or_create(survey=survey, organisation=organisation)
            response.survey, response.organisation = survey, organisation
            responses[organisation.pk] = response
        for group in plan.groups:
            outcome = answers_save(
                response=responses[group.organisation.pk],
                question=group.question,
                raw=group.raw,
                base_versions=None,
                user=user,
                source=Source.IMPORT,
            )
            if outcome.error:  # the answers changed since the check; roll the whole file back
                raise ImportRejected(
                    [
                        _("row %(row)d: %(code)s (%(org)s): %(error)s")
                        % {
                            "row": group.rows[0],
                            "code": group.question.code,
                            "org": group.organisation.code,
                            "error": outcome.error,
                        }
                    ]
                )
            result.written += len(outcome.changed)
            result.unchanged += len(group.raw) - len(outcome.changed)
        if submit:
            structures: dict[str, list] = {}
            for organisation in plan.organisations:
                response = responses[organisation.pk]
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
    return result


def answers_import(
    *, survey: Survey, source: str | Path | IO[bytes], filename: str, user: Any, submit: bool = False
) -> ImportResult:
    """Read, check and write an answer file: the one call the command and the upload page make.

    ImportRejected lists every problem; then nothing was written.
    """
    header, rows = read_rows(source, filename)
    plan = answers_import_check(survey=survey, header=header, rows=rows)
    return answers_import_write(plan=plan, user=user, submit=submit)
