"""The "Change since <previous round>" sheet: per question with a "yes" option that participating States answered in
both rounds, their "yes" answers then and now (counts, shares, the difference) with the States that answered it in
both rounds; then each State's changed answers (previous → current, as labels). A round without a previous round
gets one sentence.

Read from the report data's `changes` and `state_changes` (docs/report-data.md); the questions are those of
`WriterBase.compared_changes`, the same as the area sheets' change blocks chart (`ChartBlocks.change_block`). The
sheet's name (`WriterBase.change_sheet_title`) is built per language from the previous round's slug (pgettext "sheet
name"), made a valid, unique sheet name.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from .base import WriterBase, share
from .styles import BOLD, HEADING, NOTE, PERCENT, TABLE_HEADER_ROW, Sheet

POINTS = '+0.0" pp";-0.0" pp";0.0" pp"'  # a difference of shares in percentage points


class ChangeSheet(WriterBase):
    def change_sheet(self) -> None:
        sheet = Sheet(self.workbook, self.change_sheet_title, [14, 48, 11, 11, 11, 11, 11, 11, 12, 11, 60], "C4")
        previous = self.report.get("survey", {}).get("previous")
        if not previous:
            sheet.title_rows(_("Change since the previous round"), self.basis(), self.provisional)
            sheet.append([sheet.cell(_("This round has no previous round, so there is no change to show."), font=NOTE)])
            return
        sheet.title_rows(
            _("Change since the previous round (%(round)s): “yes” answers of participating States")
            % {"round": self.previous_title},
            self.basis(),
            self.provisional,
        )
        sheet.header(
            [
                _("Question"),
                _("Question text"),
                _("Previous “yes”"),
                _("Previous answered"),
                _("Previous share"),
                _("Current “yes”"),
                _("Current answered"),
                _("Current share"),
                _("Change in share"),
                _("States in both rounds"),
                _("States that answered in both rounds"),
            ]
        )
        changes = self.compared_changes()
        for row in changes:
            code = row["question"]
            before = share(row["previous_yes"], row["previous_answered"])
            now = share(row["current_yes"], row["current_answered"])
            both = row.get("both_states")
            sheet.append(
                [
                    code,
                    self.labels.text(code),
                    row["previous_yes"],
                    row["previous_answered"],
                    sheet.cell(before, number_format=PERCENT),
                    row["current_yes"],
                    row["current_answered"],
                    sheet.cell(now, number_format=PERCENT),
                    sheet.cell(
                        round((now - before) * 100, 4) if now is not None and before is not None else None,
                        number_format=POINTS,
                    ),
                    len(both) if both is not None else None,
                    "; ".join(sorted(self.state_name(c) for c in both)) if both is not None else None,
                ]
            )
        if not changes:
            sheet.append(
                [
                    sheet.cell(
                        _(
                            "No question with a “yes” option was answered by participating States in both this round "
                            "and the previous one."
                        )
                    )
                ]
            )
        sheet.auto_filter(TABLE_HEADER_ROW, sheet.row, 11)
        self._state_changes(sheet)

    def _state_changes(self, sheet: Sheet) -> None:
        sheet.append()
        sheet.append([sheet.cell(_("Changed answers of each participating State"), font=HEADING)])
        sheet.append([sheet.cell(_("States whose answer differs from their answer in the previous round."), font=NOTE)])
        sheet.append(
            [
                sheet.cell(_("State"), font=BOLD),
                sheet.cell(_("Code"), font=BOLD),
                sheet.cell(_("Question"), font=BOLD),
                sheet.cell(_("Question text"), font=BOLD),
                sheet.cell(_("Previous answer"), font=BOLD),
                sheet.cell(_("Current answer"), font=BOLD),
            ]
        )
        rows = sorted(
            self.report.get("state_changes", []),
            key=lambda r: (self.state_name(r["organisation"]), r["question"]),
        )
        for row in rows:
            code = row["question"]
            sheet.append(
                [
                    self.state_name(row["organisation"]),
                    row["organisation"],
                    code,
                    self.labels.text(code),
                    self.labels.option(code, row["previous"]),
                    self.labels.option(code, row["current"]),
                ]
            )
        if not rows:
            sheet.append([sheet.cell(_("No participating State changed an answer."), font=NOTE)])
