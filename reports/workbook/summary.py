"""The Summary sheet."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from responses.models import Response
from surveys.i18n import pick

from ..headlines import sentence
from .base import WriterBase, share
from .styles import BOLD, DATETIME, HEADING, NOTE, PERCENT, ROW_PT, SUMMARY, TITLE, WARNING, Sheet, text_lines

WIDTHS = (34, 18, 18, 90)
LAST = len(WIDTHS)  # sentences run from column B to the last column, wrapped
SENTENCE_WIDTH = sum(WIDTHS[1:])


class SummarySheet(WriterBase):
    """The Summary sheet: the round, the basis, response rates and headlines."""

    def summary_sheet(self) -> None:
        # Column A holds labels and codes; B and C the States and NGOs figures; sentences run on from B.
        sheet = Sheet(self.workbook, self.sheet_title(SUMMARY), WIDTHS, freeze="A2")
        sheet.paginated = True  # blocks kept on one page (Sheet.keep)
        survey = self.report.get("survey", {})
        title = pick(survey.get("title"), self.language) or survey.get("slug", "")
        sheet.text_row([], title, last_column=LAST, font=TITLE, line=19)
        sheet.append([sheet.cell(_("Round"), font=BOLD), survey.get("slug", "")])
        sheet.append([sheet.cell(_("Report built at"), font=BOLD), sheet.cell(self.built_at(), number_format=DATETIME)])
        sheet.append([sheet.cell(_("Exported at"), font=BOLD), sheet.cell(self.exported_at, number_format=DATETIME)])
        sheet.text_row([sheet.cell(_("Basis"), font=BOLD)], self.counted_text(), last_column=LAST)
        if self.provisional:
            sheet.text_row([sheet.cell(_("PROVISIONAL"), font=WARNING)], self.basis(), last_column=LAST, font=WARNING)
        sheet.text_row(
            [sheet.cell(_("Note"), font=BOLD)],
            _(
                "Counts, scores and headlines come from the report built at the time above; the Country "
                "matrix and Raw data sheets show the answers as they were when this file was exported."
            ),
            last_column=LAST,
            font=NOTE,
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
            sentences = [
                (row["question"], sentence(row, question, self.language))
                for row in rows
                for question in [self.labels.questions.get(row["question"], {"code": row["question"]})]
            ]
            # An area's heading never ends a page: it goes with its first two sentences.
            sheet.keep(ROW_PT + sum(text_lines(text, SENTENCE_WIDTH) * ROW_PT + 3 for _code, text in sentences[:2]))
            sheet.append([sheet.cell(f"{area['code']} {self.labels.areas.get(area['code'], '')}", font=BOLD)])
            for code, text in sentences:
                sheet.text_row([code], text, last_column=LAST)
        if not by_area:
            sheet.append([sheet.cell(_("This round has no scored questions."), font=NOTE)])

    def _rates(self, sheet: Sheet) -> None:

        rates = self.report.get("response_rates", {})
        states, ngos = rates.get("states", {}), rates.get("ngos", {})
        sheet.header([_("Response rates"), _("States"), _("NGOs")])
        sheet.append([_("Eligible"), states.get("eligible", 0), ngos.get("eligible", 0)])
        sheet.append([_("Counted in this summary"), states.get("counted", 0), ngos.get("counted", 0)])
        sheet.append(
            [
                _("Share counted"),
                sheet.cell(share(states.get("counted", 0), states.get("eligible", 0)), number_format=PERCENT),
                sheet.cell(share(ngos.get("counted", 0), ngos.get("eligible", 0)), number_format=PERCENT),
            ]
        )
        for status, label in Response.Status.choices:
            sheet.append(
                [str(label), states.get("by_status", {}).get(status, 0), ngos.get("by_status", {}).get(status, 0)]
            )
