"""The Excel summary of a round: a streamed openpyxl workbook written from a stored report and the raw answers.

`write_summary` writes with `openpyxl.Workbook(write_only=True)`: every sheet streams its rows to a temporary file
as they are appended, so memory stays flat however many answers a round has. The report document
(docs/report-data.md) gives the summary, area, score and State-vs-NGO sheets; the raw answer rows (an iterator,
see `reports.exports.raw_rows`) are written once, row by row, into "Raw data" and, at the same time, into the
"Country matrix" (one row per State, built from that State's rows while they pass).

Sheets: Summary, one per area, Country matrix, Scores, State vs NGO, Raw data. The sheet names of the fixed sheets
are a stable contract (scripts open them by name); titles, headers and labels are in the chosen language. Tabular
sheets have their title in row 1, the basis of the figures in row 2 and the column headers in row 3 (frozen, with
an auto filter), data from row 4.

Every text cell is written as text: a value that Excel could read as a formula (starting with =, +, -, @, a tab or
a carriage return) gets a leading apostrophe, and error-like values ("#N/A") are kept as strings too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from os import PathLike
from typing import IO, Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from surveys.i18n import pick

from .headlines import sentence
from .selectors import regions

Progress = Callable[[int, str], None]

SUMMARY, COUNTRY_MATRIX, SCORES, STATE_VS_NGO, RAW_DATA = (
    "Summary",
    "Country matrix",
    "Scores",
    "State vs NGO",
    "Raw data",
)
FIXED_SHEETS = (SUMMARY, COUNTRY_MATRIX, SCORES, STATE_VS_NGO, RAW_DATA)
RAW_HEADER = ("organisation", "kind", "country", "question", "row", "column", "value", "status", "last changed")
SHEET_NAME_MAX = 31
SHEET_NAME_INVALID = re.compile(r"[\[\]:*?/\\]")
# Excel reads a cell starting with one of these as a formula (or DDE) when it is edited or saved as CSV.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ERROR_VALUES = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})
MAX_CELL_TEXT = 32_767

PERCENT = "0.0%"
SCORE = "0%"
OF_ELIGIBLE = '"/ "0'  # shows 57 as "/ 57" next to the number answered
DATETIME = "yyyy-mm-dd hh:mm"
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEADING = Font(bold=True, size=12)
WARNING = Font(bold=True, color="C00000")
NOTE = Font(italic=True, color="595959")
WRAP = Alignment(wrap_text=True, vertical="top")

TABLE_HEADER_ROW = 3  # tabular sheets: title, basis, header
CHOICE_TYPES_WITH_ROWS = ("matrix", "likert_matrix")
NUMERIC_TYPES = ("integer", "decimal", "integer_per_year", "integer_matrix")
SINGLE_CHOICE_TYPES = ("single_select", "yes_no_plus_integer")  # a single choice in the cell of row ""
KINDS = ("state", "ngo")
RAW_PROGRESS_EVERY = 5_000
CHART_ROWS = 12  # a scored question's block is at least this tall, so that its chart does not cover the next one


def neutralise(text: str) -> str:
    """Text that Excel shows as it is: never a formula, never an illegal XML character, never too long."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return text[:MAX_CELL_TEXT]


def excel_value(value: Any) -> Any:
    """A value as a cell takes it: text neutralised, numbers as numbers, aware datetimes as naive local time."""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def sheet_name(code: str, title: str, used: set[str]) -> str:
    """A valid, unique sheet name from an area code and title: at most 31 characters, none of []:*?/\\ ."""
    short = re.split(r":| [-–—] |\(", title, maxsplit=1)[0]
    name = " ".join(SHEET_NAME_INVALID.sub(" ", f"{code} {short}").split()).strip("'")
    if len(name) > SHEET_NAME_MAX:
        cut = name[: SHEET_NAME_MAX + 1].rsplit(" ", 1)[0]
        name = (cut if len(cut) > len(code) else name[:SHEET_NAME_MAX]).rstrip(" ,;.-–—'")
    name = name or SHEET_NAME_INVALID.sub("", code)[:SHEET_NAME_MAX].strip("'") or "Area"
    candidate, number = name, 2
    while candidate.casefold() in used:
        suffix = f" ({number})"
        candidate = name[: SHEET_NAME_MAX - len(suffix)].rstrip() + suffix
        number += 1
    used.add(candidate.casefold())
    return candidate


class Sheet:
    """A write-only worksheet that counts its rows (charts and filters need the row numbers)."""

    def __init__(self, workbook: Workbook, title: str, widths: Sequence[float], freeze: str | None = None) -> None:
        self.ws: WriteOnlyWorksheet = workbook.create_sheet(title)
        for index, width in enumerate(widths, 1):  # before the first row: write-only sheets write columns first
            self.ws.column_dimensions[get_column_letter(index)].width = width
        if freeze:
            self.ws.freeze_panes = freeze
        self.row = 0

    @property
    def title(self) -> str:
        return str(self.ws.title)

    def cell(
        self, value: Any, *, font: Font | None = None, number_format: str | None = None, wrap: bool = False
    ) -> Cell:
        cell = WriteOnlyCell(self.ws, value=excel_value(value))
        if isinstance(value, str):
            cell.data_type = "s"  # text, whatever it looks like
        if font is not None:
            cell.font = font
        if number_format is not None:
            cell.number_format = number_format
        if wrap:
            cell.alignment = WRAP
        return cell

    def append(self, values: Iterable[Any] = ()) -> int:
        """Append one row; plain values are converted, cells made with `cell()` are written as they are."""
        row = []
        for value in values:
            if isinstance(value, Cell) or value is None:
                row.append(value)
            elif isinstance(value, str) and value in ERROR_VALUES:
                row.append(self.cell(value))
            else:
                row.append(excel_value(value))
        self.ws.append(row)
        self.row += 1
        return self.row

    def header(self, labels: Iterable[str]) -> int:
        return self.append([self.cell(label, font=BOLD) for label in labels])

    def title_rows(self, title: str, basis: str, provisional: bool) -> None:
        """Rows 1 and 2 of every sheet: what it shows, and on which answers (PROVISIONAL in red when so)."""
        self.append([self.cell(title, font=HEADING)])
        self.append([self.cell(basis, font=WARNING if provisional else NOTE)])

    def auto_filter(self, first_row: int, last_row: int, columns: int) -> None:
        if columns:
            self.ws.auto_filter.ref = f"A{first_row}:{get_column_letter(columns)}{max(first_row, last_row)}"


class Labels:
    """Texts of the report's questions, options and areas in one language (English where a text is missing)."""

    def __init__(self, report: Mapping[str, Any], language: str) -> None:
        self.language = language
        self.questions: dict[str, Mapping[str, Any]] = {q["code"]: q for q in report["questions"]}
        self.options = {
            q["code"]: {o["code"]: pick(o.get("label"), language) or o["code"] for o in q.get("options", [])}
            for q in report["questions"]
        }
        self.rows = {
            q["code"]: {r["code"]: pick(r.get("label"), language) or r["code"] for r in q.get("rows", [])}
            for q in report["questions"]
        }
        self.areas = {a["code"]: pick(a.get("title"), language) for a in report["areas"]}
        # Composite fields keep their options out of the report's question list: their codes get the label the same
        # code has elsewhere in the round (the fields use the round's option sets), else the code itself.
        self.any_option: dict[str, str] = {}
        for options in self.options.values():
            for code, label in options.items():
                self.any_option.setdefault(code, label)
        try:
            self.regions = {code: pick(r["names"], language) for code, r in regions().items()}
        except (OSError, KeyError, TypeError):  # pragma: no cover - the shipped file is checked by the report tests
            self.regions = {}

    def text(self, code: str) -> str:
        return pick(self.questions.get(code, {}).get("text"), self.language)

    def option(self, question: str, code: Any) -> str:
        if code is None:
            return ""
        code = str(code)
        return self.options.get(question, {}).get(code) or self.any_option.get(code, code)

    def row(self, question: str, code: str) -> str:
        return self.rows.get(question, {}).get(code, code)


def write_summary(
    path_or_stream: str | PathLike[str] | IO[bytes],
    *,
    report_data: Mapping[str, Any],
    raw_rows: Iterable[tuple[Any, ...]],
    language: str,
    progress: Progress | None = None,
    raw_count: int | None = None,
) -> None:
    """Write the Excel summary of a report (docs/report-data.md) and its raw answer rows.

    `raw_rows` yields (organisation, kind, country, question, row, column, value, status, last changed), grouped by
    organisation (as `reports.exports.raw_rows` does); it is read once. `raw_count`, when known, lets the progress
    advance through the raw data. `progress(percent, message)` is called now and then with 0..100.
    """
    step = progress or (lambda _percent, _message: None)
    with translation.override(language):
        _Writer(report_data, language, step).write(path_or_stream, raw_rows, raw_count)


class _Writer:
    def __init__(self, report: Mapping[str, Any], language: str, progress: Progress) -> None:
        self.report = report
        self.language = language
        self.progress = progress
        self.labels = Labels(report, language)
        self.provisional = bool(report.get("basis", {}).get("provisional"))
        self.exported_at = timezone.localtime().replace(tzinfo=None, microsecond=0)
        self.counts = _choice_index(report.get("choice_counts", []))
        self.numbers: dict[str, list[Mapping[str, Any]]] = {}
        for row in report.get("number_summaries", []):
            self.numbers.setdefault(row["question"], []).append(row)
        self.workbook = Workbook(write_only=True)

    # --- common texts ---------------------------------------------------------------------------------------

    def basis(self) -> str:
        """Row 2 of every sheet: the PROVISIONAL warning, or which responses are counted."""
        if self.provisional:
            return _(
                "PROVISIONAL: these figures include answers that are still in progress or returned for changes; "
                "they will change."
            )
        return self.counted_text()

    def counted_text(self) -> str:
        from responses.models import Response

        labels = []
        for status in self.report.get("basis", {}).get("statuses", []):
            try:
                labels.append(str(Response.Status(status).label).lower())
            except ValueError:
                labels.append(str(status))
        return _("Responses counted: %(statuses)s.") % {"statuses": ", ".join(labels)}

    def built_at(self) -> dt.datetime | None:
        value = self.report.get("built_at")
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        if isinstance(value, dt.datetime):
            return timezone.localtime(value).replace(tzinfo=None) if value.tzinfo else value
        return None

    def kind_label(self, kind: str) -> str:
        return {"state": _("States"), "ngo": _("NGOs"), "partner": _("Partners")}.get(kind, kind)

    # --- the workbook ---------------------------------------------------------------------------------------

    def write(
        self, target: str | PathLike[str] | IO[bytes], raw_rows: Iterable[tuple[Any, ...]], raw_count: int | None
    ) -> None:
        # Sheets appear in the order they are created; each streams to its own temporary file, so the Country
        # matrix and the Raw data can be filled side by side from one pass over the answers.
        self.progress(2, "summary")
        self.summary_sheet()
        used = {name.casefold() for name in FIXED_SHEETS}
        areas = self.report.get("areas", [])
        for index, area in enumerate(areas):
            self.progress(5 + 30 * index // max(1, len(areas)), f"area {area['code']}")
            self.area_sheet(area, used)
        matrix = self.country_matrix_start()
        self.progress(38, "scores")
        self.scores_sheet()
        self.progress(42, "State vs NGO")
        self.state_vs_ngo_sheet()
        self.progress(45, "raw data")
        self.raw_data_sheet(raw_rows, raw_count, matrix)
        self.progress(96, "saving the workbook")
        self.workbook.save(target)
        self.progress(100, "written")

    # --- Summary ----------------------------------------------------------------------------------------------

    def summary_sheet(self) -> None:
        # Column A holds labels and codes; B and C the States and NGOs figures; sentences run on from B.
        sheet = Sheet(self.workbook, SUMMARY, [34, 18, 18, 90], freeze="A2")
        survey = self.report.get("survey", {})
        sheet.append([sheet.cell(pick(survey.get("title"), self.language) or survey.get("slug", ""), font=TITLE)])
        sheet.append([sheet.cell(_("Round"), font=BOLD), survey.get("slug", "")])
        sheet.append([sheet.cell(_("Report built at"), font=BOLD), sheet.cell(self.built_at(), number_format=DATETIME)])
        sheet.append([sheet.cell(_("Exported at"), font=BOLD), sheet.cell(self.exported_at, number_format=DATETIME)])
        sheet.append([sheet.cell(_("Basis"), font=BOLD), self.counted_text()])
        if self.provisional:
            sheet.append([sheet.cell(_("PROVISIONAL"), font=WARNING), sheet.cell(self.basis(), font=WARNING)])
        sheet.append(
            [
                sheet.cell(_("Note"), font=BOLD),
                sheet.cell(
                    _(
                        "Counts, scores and headlines come from the report built at the time above; the Country "
                        "matrix and Raw data sheets show the answers as they were when this file was exported."
                    ),
                    font=NOTE,
                ),
            ]
        )
        sheet.append()
        self._rates(sheet)
        sheet.append()
        sheet.append([sheet.cell(_("Headlines"), font=HEADING)])
        by_area: dict[str, list[Mapping[str, Any]]] = {}
        for row in self.report.get("headlines", []):
            by_area.setdefault(row["area"], []).append(row)
        for area in self.report.get("areas", []):
            rows = by_area.get(area["code"], [])
            if not rows:
                continue
            sheet.append([sheet.cell(f"{area['code']} {self.labels.areas.get(area['code'], '')}", font=BOLD)])
            for row in rows:
                question = self.labels.questions.get(row["question"], {"code": row["question"]})
                sheet.append([row["question"], sentence(row, question, self.language)])
        if not by_area:
            sheet.append([sheet.cell(_("This round has no scored questions."), font=NOTE)])

    def _rates(self, sheet: Sheet) -> None:
        from responses.models import Response

        rates = self.report.get("response_rates", {})
        states, ngos = rates.get("states", {}), rates.get("ngos", {})
        sheet.header([_("Response rates"), _("States"), _("NGOs")])
        sheet.append([_("Eligible"), states.get("eligible", 0), ngos.get("eligible", 0)])
        sheet.append([_("Counted in this summary"), states.get("counted", 0), ngos.get("counted", 0)])
        sheet.append(
            [
                _("Share counted"),
                sheet.cell(_share(states.get("counted", 0), states.get("eligible", 0)), number_format=PERCENT),
                sheet.cell(_share(ngos.get("counted", 0), ngos.get("eligible", 0)), number_format=PERCENT),
            ]
        )
        for status, label in Response.Status.choices:
            sheet.append(
                [str(label), states.get("by_status", {}).get(status, 0), ngos.get("by_status", {}).get(status, 0)]
            )

    # --- one sheet per area -----------------------------------------------------------------------------------

    def area_sheet(self, area: Mapping[str, Any], used: set[str]) -> None:
        title = self.labels.areas.get(area["code"], "")
        sheet = Sheet(self.workbook, sheet_name(area["code"], title, used), [48, 11, 11, 11, 11, 11, 11], "A3")
        sheet.title_rows(f"{area['code']} {title}", self.basis(), self.provisional)
        scored = set(area.get("scored_questions", []))
        for question in self.report.get("questions", []):
            if question["area"] != area["code"]:
                continue
            code = question["code"]
            choice_rows = self._choice_rows(question)
            numbers = self.numbers.get(code, [])
            if not choice_rows and not numbers and question["type"] not in NUMERIC_TYPES:
                continue  # texts, dates, files: see the Raw data sheet
            sheet.append()
            sheet.append([sheet.cell(f"{code} {self.labels.text(code)}", font=BOLD)])
            if question["type"] == "multi_select":
                sheet.append(
                    [sheet.cell(_("Several options could be chosen: the shares add up to more than 100%."), font=NOTE)]
                )
            for row in choice_rows:
                self._choice_block(sheet, question, row, chart=code in scored and row == "")
            if numbers or question["type"] in NUMERIC_TYPES:
                self._number_block(sheet, question, numbers)

    def _choice_rows(self, question: Mapping[str, Any]) -> list[str]:
        """The rows that get an option table: a matrix's rows; "" for one choice; a composite's choice fields."""
        present = list(self.counts.get(question["code"], {}))
        if question["type"] in CHOICE_TYPES_WITH_ROWS:
            rows = [r["code"] for r in question.get("rows", [])]
        elif question.get("options"):
            rows = [""]
        else:  # composite fields have their own options; only those with counts are choice fields
            rows = [r["code"] for r in question.get("rows", []) if r["code"] in present]
        return rows + [r for r in present if r not in rows]

    def _choice_block(self, sheet: Sheet, question: Mapping[str, Any], row: str, chart: bool) -> None:
        code = question["code"]
        by_kind = self.counts.get(code, {}).get(row, {})
        start = sheet.row + 1
        if row:
            sheet.append([sheet.cell(self.labels.row(code, row), font=BOLD)])
        options = [o["code"] for o in question.get("options", [])] if question["type"] != "composite" else []
        for kind_counts in by_kind.values():
            options += [o for o in kind_counts["options"] if o not in options]
        header = sheet.header([_("Option"), _("States n"), _("States %"), _("NGOs n"), _("NGOs %")])
        for option in options:
            values: list[Any] = [self.labels.option(code, option)]
            for kind in KINDS:
                counts = by_kind.get(kind)
                if counts is None:
                    values += [None, None]
                    continue
                count = counts["options"].get(option, 0)
                values += [count, sheet.cell(_share(count, counts["answered"]), number_format=PERCENT)]
            sheet.append(values)
        last_option = sheet.row
        answered: list[Any] = [_("Answered / eligible")]
        for kind in KINDS:
            counts = by_kind.get(kind)
            if counts is None:
                answered += [None, None]
            else:
                answered += [counts["answered"], sheet.cell(counts["eligible"], number_format=OF_ELIGIBLE)]
        sheet.append(answered)
        if chart and options:
            self._chart(sheet, question, row, header, last_option, start, by_kind)
            while sheet.row - start + 1 < CHART_ROWS:
                sheet.append()

    def _chart(
        self,
        sheet: Sheet,
        question: Mapping[str, Any],
        row: str,
        header: int,
        last_option: int,
        start: int,
        by_kind: Mapping[str, Any],
    ) -> None:
        chart = BarChart()
        chart.type = "bar"
        chart.style = 10
        chart.title = question["code"] + (f" {self.labels.row(question['code'], row)}" if row else "")
        chart.y_axis.title = _("Share of those who answered")
        chart.y_axis.number_format = SCORE
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 1
        chart.x_axis.scaling.orientation = "maxMin"  # options top to bottom, as in the table
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        for column, kind in ((3, "state"), (5, "ngo")):
            if kind in by_kind:
                chart.add_data(
                    Reference(sheet.ws, min_col=column, min_row=header, max_row=last_option), titles_from_data=True
                )
        chart.set_categories(Reference(sheet.ws, min_col=1, min_row=header + 1, max_row=last_option))
        chart.height = 0.5 * CHART_ROWS
        chart.width = 16
        sheet.ws.add_chart(chart, f"H{start}")

    def _number_block(self, sheet: Sheet, question: Mapping[str, Any], numbers: list[Mapping[str, Any]]) -> None:
        code = question["code"]
        sheet.header([_("Figure"), _("Respondents"), _("Count"), _("Sum"), _("Median"), _("Min"), _("Max")])
        if not numbers:
            sheet.append([sheet.cell(_("No figures reported."), font=NOTE)])
            return
        order = {kind: index for index, kind in enumerate(("state", "ngo", "partner"))}
        for row in sorted(numbers, key=lambda r: (r["row"], r["column"], order.get(r["kind"], 9))):
            parts = [self.labels.row(code, row["row"]) if row["row"] else "", row["column"]]
            label = " · ".join(p for p in parts if p) or _("Value")
            sheet.append(
                [
                    label,
                    self.kind_label(row["kind"]),
                    row["count"],
                    row["sum"],
                    row["median"],
                    row["min"],
                    row["max"],
                ]
            )

    # --- Country matrix (filled while the raw data passes) ----------------------------------------------------

    def country_matrix_start(self) -> _CountryMatrix:
        questions = [
            q["code"]
            for q in self.report.get("questions", [])
            if q["type"] in SINGLE_CHOICE_TYPES and q.get("audience") in ("state", "both")
        ]
        sheet = Sheet(self.workbook, COUNTRY_MATRIX, [28, 8] + [14] * len(questions), freeze="C4")
        sheet.title_rows(
            _("Answers of each participating State to the single-choice questions"), self.basis(), self.provisional
        )
        sheet.header([_("State"), _("Code"), *questions])
        return _CountryMatrix(sheet, questions, self.labels)

    # --- Scores -----------------------------------------------------------------------------------------------

    def scores_sheet(self) -> None:
        areas = [a["code"] for a in self.report.get("areas", []) if a.get("scored_questions")]
        sheet = Sheet(self.workbook, SCORES, [32, 10] + [16] * len(areas), freeze="C4")
        sheet.title_rows(
            _("Implementation score by participating State and area (share of scored items in place)"),
            self.basis(),
            self.provisional,
        )
        sheet.append(
            [sheet.cell(_("State"), font=BOLD), sheet.cell(_("Code"), font=BOLD), *self._area_headers(sheet, areas)]
        )
        states: dict[str, dict[str, Any]] = {}
        for row in self.report.get("scores", []):
            entry = states.setdefault(row["organisation"], {"name": row.get("name") or row["organisation"]})
            entry[row["area"]] = row["score"]
        for organisation, entry in sorted(states.items(), key=lambda item: str(item[1]["name"])):
            sheet.append(
                [
                    entry["name"],
                    organisation,
                    *[sheet.cell(entry.get(a), number_format=SCORE) for a in areas],
                ]
            )
        sheet.auto_filter(TABLE_HEADER_ROW, sheet.row, 2 + len(areas))
        medians = {row["area"]: row["median"] for row in self.report.get("area_medians", [])}
        sheet.append(
            [
                sheet.cell(_("OSCE median"), font=BOLD),
                None,
                *[sheet.cell(medians.get(a), number_format=SCORE, font=BOLD) for a in areas],
            ]
        )
        sheet.append()
        sheet.append([sheet.cell(_("Regions (mean score of their States)"), font=HEADING)])
        sheet.append(
            [sheet.cell(_("Region"), font=BOLD), sheet.cell(_("States"), font=BOLD), *self._area_headers(sheet, areas)]
        )
        regions: dict[str, dict[str, Any]] = {}
        for row in self.report.get("region_scores", []):
            name = self.labels.regions.get(row["region"]) or row.get("name") or row["region"]
            entry = regions.setdefault(row["region"], {"name": name, "states": 0})
            entry[row["area"]] = row["score"]
            entry["states"] = max(entry["states"], int(row.get("states") or 0))
        for entry in regions.values():
            sheet.append(
                [entry["name"], entry["states"], *[sheet.cell(entry.get(a), number_format=SCORE) for a in areas]]
            )
        if not regions:
            sheet.append([sheet.cell(_("No scores yet."), font=NOTE)])

    def _area_headers(self, sheet: Sheet, areas: Sequence[str]) -> list[Cell]:
        return [sheet.cell(f"{a} {self.labels.areas.get(a, '')}", font=BOLD, wrap=True) for a in areas]

    # --- State vs NGO ----------------------------------------------------------------------------------------

    def state_vs_ngo_sheet(self) -> None:
        sheet = Sheet(self.workbook, STATE_VS_NGO, [10, 14, 18, 8, 26, 40, 12], freeze="C4")
        sheet.title_rows(
            _("Where a State and NGOs working there answered the same question: do they agree?"),
            self.basis(),
            self.provisional,
        )
        sheet.header(
            [
                _("Country"),
                _("Question"),
                _("Row"),
                _("Area"),
                _("State's answer"),
                _("NGOs' answers"),
                _("Share agreeing"),
            ]
        )
        for row in self.report.get("state_vs_ngo", []):
            code = row["question"]
            sheet.append(
                [
                    row["country"],
                    code,
                    self.labels.row(code, row.get("row") or "") if row.get("row") else None,
                    row.get("area"),
                    self.labels.option(code, row.get("state")),
                    "; ".join(self.labels.option(code, answer) for answer in row.get("ngo") or []),
                    sheet.cell(row.get("agree"), number_format=SCORE),
                ]
            )
        sheet.auto_filter(TABLE_HEADER_ROW, sheet.row, 7)
        sheet.append()
        sheet.append([sheet.cell(_("Agreement by area"), font=HEADING)])
        sheet.header([_("Area"), _("Pairs"), _("Agreement")])
        for row in self.report.get("agreement_by_area", []):
            sheet.append([row["area"], row["pairs"], sheet.cell(row["agreement"], number_format=SCORE)])

    # --- Raw data ---------------------------------------------------------------------------------------------

    def raw_data_sheet(
        self, raw_rows: Iterable[tuple[Any, ...]], raw_count: int | None, matrix: _CountryMatrix
    ) -> None:
        sheet = Sheet(self.workbook, RAW_DATA, [30, 8, 8, 14, 16, 10, 40, 12, 17], freeze="A4")
        sheet.title_rows(
            _("Every answer cell, one per row, as stored when this file was exported"), self.basis(), self.provisional
        )
        sheet.header(RAW_HEADER)  # the answer-import column names, untranslated
        cells = _RawCells(sheet)
        written = 0
        for written, raw in enumerate(raw_rows, 1):
            organisation, kind, country, question, row, column, value, status, changed = raw
            sheet.ws.append(
                [
                    cells.text(organisation),
                    cells.text(kind),
                    cells.text(country),
                    cells.text(question),
                    cells.text(row) if row else None,
                    cells.text(column) if column else None,
                    cells.value(value),
                    cells.text(status),
                    cells.changed(changed) if changed is not None else None,
                ]
            )
            matrix.add(organisation, kind, country, question, row, column, value)
            if written % RAW_PROGRESS_EVERY == 0:
                share = written / raw_count if raw_count else 1 - 1 / (1 + written / 50_000)
                self.progress(45 + int(50 * min(share, 1)), f"raw data: {written} rows")
        sheet.row += written  # rows appended to the worksheet directly, past Sheet.append's count
        matrix.close()
        sheet.auto_filter(TABLE_HEADER_ROW, sheet.row, 9)


class _RawCells:
    """The raw-data sheet's cells, made as cheaply as openpyxl allows: this loop runs once per answer cell.

    The same result as `Sheet.cell`/`Sheet.append` (text neutralised and kept as text, dates formatted), but the
    neutralised texts that repeat (names, codes, statuses, options) are remembered, and the styled cells (dates)
    are reused: a write-only sheet serialises a row as soon as it is appended, so one styled cell per use can be
    given a new value for every row. That cuts the export's time per answer by about a third.
    """

    CACHE_MAX = 50_000
    CACHE_TEXT_LENGTH = 80

    def __init__(self, sheet: Sheet) -> None:
        self.sheet = sheet
        self.texts: dict[str, str] = {}
        self.zone = timezone.get_current_timezone()
        self.changed_cell = self._styled(DATETIME)
        self.datetime_cell = self._styled(DATETIME)
        self.date_cell = self._styled("yyyy-mm-dd")

    def _styled(self, number_format: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet.ws)
        cell.number_format = number_format
        return cell

    def text(self, value: Any) -> Any:
        text = str(value)
        cached = self.texts.get(text)
        if cached is not None:
            return cached
        safe = neutralise(text)
        if safe in ERROR_VALUES:  # openpyxl would make "#N/A" an error value; keep it as text
            return self.sheet.cell(safe)
        if len(text) <= self.CACHE_TEXT_LENGTH:
            if len(self.texts) >= self.CACHE_MAX:
                self.texts.clear()
            self.texts[text] = safe
        return safe

    def changed(self, value: dt.datetime) -> Cell:
        self.changed_cell.value = self._naive(value)
        return self.changed_cell

    def value(self, value: Any) -> Any:
        if value is None or isinstance(value, bool | int | float):
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dt.datetime):
            self.datetime_cell.value = self._naive(value)
            return self.datetime_cell
        if isinstance(value, dt.date):
            self.date_cell.value = value
            return self.date_cell
        return excel_value(value)

    def _naive(self, value: dt.datetime) -> dt.datetime:
        return value.astimezone(self.zone).replace(tzinfo=None) if value.tzinfo is not None else value


class _CountryMatrix:
    """One row per participating State: the option label it chose in each single-choice question."""

    def __init__(self, sheet: Sheet, questions: Sequence[str], labels: Labels) -> None:
        self.sheet = sheet
        self.columns = {code: index for index, code in enumerate(questions)}
        self.labels = labels
        self.current: tuple[str, str] | None = None
        self.values: list[Any] = []

    def add(self, organisation: Any, kind: Any, country: Any, question: Any, row: Any, column: Any, value: Any) -> None:
        if kind != "state":
            return
        key = (str(organisation), str(country))
        if key != self.current:
            self._flush()
            self.current = key
            self.values = [None] * len(self.columns)
        index = self.columns.get(question)
        if index is not None and not row and not column and value is not None:
            self.values[index] = self.labels.option(question, value)

    def _flush(self) -> None:
        if self.current is not None:
            self.sheet.append([self.current[0], self.current[1], *self.values])

    def close(self) -> None:
        self._flush()
        self.current = None
        self.sheet.auto_filter(TABLE_HEADER_ROW, self.sheet.row, 2 + len(self.columns))


def _share(part: Any, whole: Any) -> float | None:
    return round(part / whole, 6) if whole else None


def _choice_index(rows: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, dict[str, dict[str, Any]]]]:
    """choice_counts as {question: {row: {kind: {"options": {option: count}, "answered", "eligible"}}}}."""
    index: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}
    for row in rows:
        entry = (
            index.setdefault(row["question"], {})
            .setdefault(row["row"], {})
            .setdefault(row["kind"], {"options": {}, "answered": 0, "eligible": 0})
        )
        entry["options"][row["option"]] = row["count"]
        entry["answered"] = max(entry["answered"], row["answered"])
        entry["eligible"] = max(entry["eligible"], row["eligible"])
    return index
