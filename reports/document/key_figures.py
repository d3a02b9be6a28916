"""The draft report's "Key figures" part: per chain of figures (victims identified → assisted → compensated, …) a
heading, a table per reference year (States reporting, total, median per State, share of the previous step over
the States that reported both), then one whole sentence per year, the same as the workbook's Key figures sheet.
No queries: the figures are the report data's `key_figures`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _
from docx.document import Document as DocumentObject

from surveys.i18n import pick

from ..key_figure_sentences import chain_sentence, number_text, percent_text, step_name

Table = Callable[[Sequence[str], Sequence[Sequence[str]]], Any]


def add_key_figures(doc: DocumentObject, report: Mapping[str, Any], table: Table, note: Callable[[str], None]) -> None:
    """Append the part to `doc` (in the active language); nothing when the round defines no key figures."""
    chains = report.get("key_figures") or []
    if not chains:
        return
    doc.add_heading(_("Key figures"), level=1)
    note(
        _(
            "A State reports a step in a year when it gave at least one figure for that year. The share of the "
            "previous step counts only the States that reported both steps."
        )
    )
    questions = {q["code"]: q for q in report.get("questions", [])}
    for chain in chains:
        doc.add_heading(pick(chain.get("title")) or chain["code"], level=2)
        header = [
            _("Year"),
            _("Step"),
            _("States reporting"),
            _("Total"),
            _("Median per State"),
            _("Share of the previous step"),
        ]
        rows = [
            [
                str(year["year"]),
                step_name(chain, index, questions),
                str(figures["states"]),
                number_text(figures["total"]),
                number_text(figures["median"]),
                percent_text(figures["ratio"]) if index and figures.get("ratio") is not None else "–",
            ]
            for year in chain.get("years", [])
            for index, figures in enumerate(year["steps"])
        ]
        table(header, rows)
        for year in chain.get("years", []):
            doc.add_paragraph(chain_sentence(chain, year, questions), style="List Bullet")
