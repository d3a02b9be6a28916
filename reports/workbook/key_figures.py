"""The "Key figures" sheet: the round's chains of figures (victims identified → assisted → compensated;
investigations → prosecutions → convictions), per reference year, as tables and one sentence per chain and year.

Read from the report data's `key_figures` (docs/report-data.md): per step, the States reporting it, their total and
median, and from the second step on the share of the previous step over the States that reported both. Each
sentence is a whole sentence of the catalogue (with plural forms); the step's words come from the definition's
labels in the workbook's language (the question's short label or text in that language where a label lacks it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from surveys.i18n import pick

from ..key_figure_sentences import chain_sentence, step_name
from .base import WriterBase
from .styles import HEADING, KEY_FIGURES, NOTE, PERCENT, Sheet


class KeyFigureSheet(WriterBase):
    def key_figures_sheet(self) -> None:
        sheet = Sheet(self.workbook, self.sheet_title(KEY_FIGURES), [10, 34, 14, 12, 12, 14, 14, 14], "A4")
        sheet.title_rows(
            _("Key figures: chains of figures reported by participating States, per reference year"),
            self.basis(),
            self.provisional,
        )
        chains = self.report.get("key_figures", [])
        if not chains:
            sheet.text_row(
                [], _("This round defines no key figures (key_figures in its definition)."), last_column=8, font=NOTE
            )
            return
        sheet.text_row(
            [],
            _(
                "A State reports a step in a year when it gave at least one figure for that year. The share of "
                "the previous step counts only the States that reported both steps."
            ),
            last_column=8,
            font=NOTE,
        )
        for chain in chains:
            self._chain(sheet, chain)

    def _chain(self, sheet: Sheet, chain: Mapping[str, Any]) -> None:
        sheet.append()
        sheet.text_row([], pick(chain.get("title")) or chain["code"], last_column=8, font=HEADING)
        sheet.header(
            [
                _("Year"),
                _("Step"),
                _("Question"),
                _("States reporting"),
                _("Total"),
                _("Median per State"),
                _("Share of the previous step"),
                _("States reporting both steps"),
            ],
            wrap=True,
        )
        for year in chain.get("years", []):
            for index, figures in enumerate(year["steps"]):
                sheet.append(
                    [
                        year["year"],
                        step_name(chain, index, self.labels.questions),
                        figures["question"],
                        figures["states"],
                        figures["total"],
                        figures["median"],
                        sheet.cell(figures.get("ratio"), number_format=PERCENT) if index else None,
                        figures.get("both") if index else None,
                    ]
                )
        sheet.append()
        for year in chain.get("years", []):
            sheet.text_row([year["year"]], chain_sentence(chain, year, self.labels.questions), last_column=8)
