"""The Summary sheet."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from responses.models import Response
from surveys.i18n import pick

from ..headlines import sentence
from .base import WriterBase, share
from .styles import BOLD, DATETIME, HEADING, NOTE, PERCENT, SUMMARY, TITLE, WARNING, Sheet


class SummarySheet(WriterBase):
    """The Summary sheet: the round, the basis, response rates and headlines."""

    def summary_sheet(self) -> None:
        # Column A holds labels and codes; B and C the States and NGOs figures; sentences run on from B.
        sheet = Sheet(self.workbook, self.sheet_title(SUMMARY), [34, 18, 18, 90], freeze="A2")
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
