"""The draft chapter as a python-docx Document, from a stored report and the names it needs. No queries."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table

from surveys import answer_types as at
from surveys.i18n import pick

from ..headlines import sentence
from ..workbook.base import choice_index, share
from ..workbook.labels import Labels
from . import texts
from .charts import Series, bar_chart
from .commitments import add_commitments
from .key_figures import add_key_figures

KINDS = ("state", "ngo")
WARNING = RGBColor(0xB0, 0x1C, 0x1C)
NOTE = RGBColor(0x55, 0x5B, 0x61)


def write_draft(
    target: str | Path | IO[bytes],
    *,
    report: Mapping[str, Any],
    language: str,
    state_names: Mapping[str, str],
    previous_title: str | None = None,
) -> None:
    """Write the draft chapter of `report` (the stored document, docs/report-data.md, with its `built_at`) in
    `language` to `target`. `state_names`: the directory's name of each State by code (for the changed answers);
    `previous_title`: the previous round's title in this language, if the report has a previous round."""
    with translation.override(language):
        document = DraftWriter(report, language, state_names, previous_title).document()
    document.save(str(target) if isinstance(target, Path) else target)


class DraftWriter:
    def __init__(
        self,
        report: Mapping[str, Any],
        language: str,
        state_names: Mapping[str, str],
        previous_title: str | None,
    ) -> None:
        self.report = report
        self.language = language
        self.state_names = state_names
        self.labels = Labels(report, language, {})
        self.counts = choice_index(report.get("choice_counts", []))
        survey = report.get("survey", {})
        self.previous_title = previous_title or survey.get("previous") or ""
        self.changes = {row["question"]: row for row in report.get("changes", [])}
        self.state_changes: dict[str, list[Mapping[str, Any]]] = {}
        for row in report.get("state_changes", []):
            self.state_changes.setdefault(row["question"], []).append(row)
        self.headlines: dict[str, list[Mapping[str, Any]]] = {}
        for row in report.get("headlines", []):
            self.headlines.setdefault(row["area"], []).append(row)
        self.doc: DocumentObject = Document()

    def document(self) -> DocumentObject:
        self._setup()
        self._first_page()
        for area in self.report.get("areas", []):
            self._area(area)
        add_key_figures(self.doc, self.report, self._table, self._note)
        add_commitments(self.doc, self.report, self.language, self._note)
        return self.doc

    # --- the parts -----------------------------------------------------------------------------------------------

    def _setup(self) -> None:
        survey = self.report.get("survey", {})
        properties = self.doc.core_properties
        properties.title = pick(survey.get("title"), self.language) or survey.get("slug", "")
        properties.language = self.language
        properties.subject = survey.get("slug", "")
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Cm(2.2))
        self.doc.styles["Normal"].font.size = Pt(11)

    def _first_page(self) -> None:
        survey = self.report.get("survey", {})
        self.doc.add_heading(pick(survey.get("title"), self.language) or survey.get("slug", ""), level=0)
        if self.report.get("basis", {}).get("provisional"):
            run = self.doc.add_paragraph().add_run(texts.provisional_note())
            run.bold = True
            run.font.color.rgb = WARNING
        self._note(texts.built_on(self._built_on()))
        rates = self.report.get("response_rates", {})
        states, ngos = rates.get("states", {}), rates.get("ngos", {})
        self.doc.add_paragraph(
            texts.response_count(states.get("counted", 0), ngos.get("counted", 0), bool(ngos.get("eligible")))
        )

    def _area(self, area: Mapping[str, Any]) -> None:
        code = area["code"]
        # A question about the respondent (which State, which language) describes who answered, not a finding.
        questions = [
            q
            for q in self.report.get("questions", [])
            if q["area"] == code and not q.get("about_respondent") and self._choice_rows(q)
        ]
        headlines = self.headlines.get(code, [])
        if not questions and not headlines:
            return
        self.doc.add_heading(self.labels.areas.get(code) or code, level=1)
        for row in headlines:
            question = self.labels.questions.get(row["question"], {"code": row["question"]})
            self.doc.add_paragraph(sentence(row, question, self.language), style="List Bullet")
        for question in questions:
            self._question(question)

    def _question(self, question: Mapping[str, Any]) -> None:
        code = question["code"]
        text = self.labels.text(code) or code
        self.doc.add_heading(text, level=2)
        self._note(code)
        if at.get_type(question["type"]).several_choices:
            self._note(texts.several_choices())
        for row in self._choice_rows(question):
            self._choice_table(question, row, text)
        self._change(question)

    def _choice_table(self, question: Mapping[str, Any], row: str, text: str) -> None:
        code = question["code"]
        by_kind = self.counts.get(code, {}).get(row, {})
        kinds = [kind for kind in KINDS if kind in by_kind]
        if not kinds:
            return
        if row:
            self.doc.add_heading(self.labels.row(code, row), level=3)
        composite = at.get_type(question["type"]).report_role == at.REPORT_FIELDS
        options = [] if composite else [o["code"] for o in question.get("options", [])]
        for counts in by_kind.values():
            options += [o for o in counts["options"] if o not in options]
        header = [_("Option")]
        for kind in kinds:
            header += [_("States n"), _("States %")] if kind == "state" else [_("NGOs n"), _("NGOs %")]
        rows: list[list[str]] = []
        shares: dict[str, list[float | None]] = {kind: [] for kind in kinds}
        for option in options:
            cells = [self.labels.option(code, option)]
            for kind in kinds:
                count = by_kind[kind]["options"].get(option, 0)
                part = share(count, by_kind[kind]["answered"])
                shares[kind].append(part)
                cells += [str(count), texts.percent(part)]
            rows.append(cells)
        answered = [_("Answered / eligible")]
        for kind in kinds:
            answered += [f"{by_kind[kind]['answered']} / {by_kind[kind]['eligible']}", ""]
        self._table(header, [*rows, answered])
        series = [
            Series(
                name=_("States") if kind == "state" else _("NGOs"),
                shares=shares[kind],
                labels=[texts.percent(s) for s in shares[kind]],
            )
            for kind in kinds
        ]
        title = text + (f" — {self.labels.row(code, row)}" if row else "")
        picture = bar_chart(title, [self.labels.option(code, o) for o in options], series)
        self.doc.add_picture(io.BytesIO(picture), width=Cm(16))
        # The chart's alternative text, for screen readers (python-docx leaves it empty).
        inline = self.doc.inline_shapes[-1]._inline
        inline.docPr.set("descr", texts.chart_description(title))
        inline.docPr.set("title", code)

    def _change(self, question: Mapping[str, Any]) -> None:
        code = question["code"]
        change = self.changes.get(code)
        if change is None:
            return
        paragraph = self.doc.add_paragraph(
            texts.previous_yes(self.previous_title, change["previous_yes"], change["previous_answered"])
        )
        paragraph.add_run(" " + texts.current_yes(change["current_yes"], change["current_answered"]))
        changed = sorted(
            self.state_changes.get(code, []),
            key=lambda r: self.state_names.get(r["organisation"], r["organisation"]),
        )
        if changed:
            self.doc.add_paragraph(texts.changed_answers(len(changed)))
            for row in changed:
                self.doc.add_paragraph(
                    texts.change_of_answer(
                        self.state_names.get(row["organisation"], row["organisation"]),
                        self.labels.option(code, row["previous"]),
                        self.labels.option(code, row["current"]),
                    ),
                    style="List Bullet",
                )

    # --- helpers -------------------------------------------------------------------------------------------------

    def _choice_rows(self, question: Mapping[str, Any]) -> list[str]:
        """The rows that get a table: a matrix's rows; "" for one choice; a composite's fields with counts (as in
        the workbook's area sheets)."""
        present = list(self.counts.get(question["code"], {}))
        answer_type = at.get_type(question["type"])
        if answer_type.has_rows and answer_type.has_choices:
            rows = [r["code"] for r in question.get("rows", [])]
        elif question.get("options"):
            rows = [""]
        else:
            rows = [r["code"] for r in question.get("rows", []) if r["code"] in present]
        return [r for r in rows + [r for r in present if r not in rows] if r in present]

    def _table(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Table:
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            cell.text = text
            for run in cell.paragraphs[0].runs:
                run.bold = True
        for values in rows:
            cells = table.add_row().cells
            for cell, text in zip(cells, values, strict=True):
                cell.text = text
        self.doc.add_paragraph()
        return table

    def _note(self, text: str) -> None:
        run = self.doc.add_paragraph().add_run(text)
        run.italic = True
        run.font.color.rgb = NOTE

    def _built_on(self) -> str:
        value = self.report.get("built_at")
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        if not isinstance(value, dt.datetime):
            return "—"
        if value.tzinfo is not None:
            value = timezone.localtime(value)
        return formats.date_format(value.date(), "DATE_FORMAT")
