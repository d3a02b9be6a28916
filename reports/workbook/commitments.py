"""The Commitments sheet: one block per commitment of the round (its title, source document and paragraph, area),
then its questions with the finding sentence ("Commitment AP2003.IV: 15 of 52 …") and the figures behind it.

The grouping is `reports.commitments.commitment_findings`, shared with the dashboard and the draft report."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from ..commitments import commitment_findings
from .base import WriterBase
from .styles import BOLD, HEADING, NOTE, TOP, Sheet, _fit, _unique

# Translators: the name of the Excel summary's sheet of findings by commitment (at most 31 characters, none of
# []:*?/\ ).
COMMITMENTS = pgettext_lazy("sheet name", "Commitments")


class CommitmentSheet(WriterBase):
    """The Commitments sheet (after the area sheets)."""

    def commitments_sheet(self) -> None:
        name = _unique(_fit(str(COMMITMENTS), keep=0) or "Commitments", self.used_names)
        sheet = Sheet(self.workbook, name, [14, 100, 12, 14, 12, 14], freeze="A3")
        sheet.title_rows(_("Findings by commitment"), self.basis(), self.provisional)
        commitments = commitment_findings(self.report, self.language)
        if not commitments:
            # As the dashboard page says it: a report built before commitments were stored lacks the key (building
            # it again adds them); a round whose definition lists none has an empty list.
            if "commitments" in self.report:
                note = _("This round's definition lists no commitments.")
            else:
                note = _(
                    "This report was built before commitments were stored in reports. Build it again to see its "
                    "findings by commitment."
                )
            sheet.append()
            sheet.text_row([], note, last_column=6, font=NOTE)
            return
        for commitment in commitments:
            sheet.append()
            sheet.text_row([], f"{commitment['code']} {commitment['title']}", last_column=6, font=HEADING)
            source = commitment["document_title"]
            if commitment["paragraph"]:
                source = _("%(document)s, %(paragraph)s") % {
                    "document": commitment["document_title"],
                    "paragraph": commitment["paragraph"],
                }
            sheet.append(
                [sheet.cell(_("Source"), font=BOLD), sheet.cell(source, wrap=True)],
                height=sheet.text_height(source, 2, 2),
            )
            sheet.append(
                [
                    sheet.cell(_("Area"), font=BOLD),
                    f"{commitment['area']} {self.labels.areas.get(commitment['area'], '')}".strip(),
                ]
            )
            sheet.header(
                [
                    _("Question"),
                    _("Finding"),
                    _("States: yes"),
                    _("States: in process"),
                    _("States: in part"),
                    _("States responding"),
                ],
                wrap=True,
            )
            findings = {f["question"]: f for f in commitment["findings"]}
            for question in commitment["questions"]:
                finding = findings.get(question["code"])
                if finding is None:
                    sheet.append(
                        [_top(sheet.cell(question["code"])), sheet.cell(question["text"], font=NOTE, wrap=True)],
                        height=sheet.text_height(question["text"], 2, 2),
                    )
                    continue
                sheet.append(
                    [
                        _top(sheet.cell(question["code"])),
                        sheet.cell(finding["line"], wrap=True),
                        *(_top(sheet.cell(finding[key])) for key in ("yes", "in_process", "partially", "eligible")),
                    ],
                    height=sheet.text_height(finding["line"], 2, 2),
                )


def _top(cell: Any) -> Any:
    """A cell level with the first line of the tall, wrapped finding beside it."""
    cell.alignment = TOP
    return cell
