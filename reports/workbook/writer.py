"""`write_summary`: the whole workbook, its sheets in order, into a path or a stream."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from os import PathLike
from typing import IO, Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from surveys.i18n import pick

from .areas import AreaSheets
from .changes import ChangeSheet
from .codebook import CodebookSheet
from .commitments import CommitmentSheet
from .key_figures import KeyFigureSheet
from .raw import RawSheet
from .styles import Progress, header_footer
from .summary import SummarySheet
from .tables import TableSheets


def write_summary(
    path_or_stream: str | PathLike[str] | IO[bytes],
    *,
    report_data: Mapping[str, Any],
    raw_rows: Iterable[tuple[Any, ...]],
    language: str,
    regions: Mapping[str, Mapping[str, Any]],
    progress: Progress | None = None,
    raw_count: int | None = None,
    state_names: Mapping[str, str] | None = None,
    previous_title: str | None = None,
) -> None:
    """Write the Excel summary of a report (docs/report-data.md) and its raw answer rows.

    `raw_rows` yields (organisation, kind, country, question, row, column, value, status, last changed), grouped by
    organisation (as `reports.exports.raw_rows` does); it is read once. `raw_count`, when known, lets the progress
    advance through the raw data. `regions` are the OSCE regions (`reports.selectors.regions`) for the region names.
    `progress(percent, message)` is called now and then with 0..100. `state_names` (code -> name, from the
    directory) name the States where the report holds codes; `previous_title` names the previous round (its slug
    otherwise).
    """
    step = progress or (lambda _percent, _message: None)
    with translation.override(language):
        _Writer(report_data, language, step, regions, state_names, previous_title).write(
            path_or_stream, raw_rows, raw_count
        )


class _Writer(
    SummarySheet, AreaSheets, CommitmentSheet, TableSheets, KeyFigureSheet, ChangeSheet, CodebookSheet, RawSheet
):
    """All the sheets, written in their order into one streamed workbook."""

    # --- the workbook ---------------------------------------------------------------------------------------

    def write(
        self, target: str | PathLike[str] | IO[bytes], raw_rows: Iterable[tuple[Any, ...]], raw_count: int | None
    ) -> None:
        # Sheets appear in the order they are created; each streams to its own temporary file, so the Country
        # matrix and the Raw data can be filled side by side from one pass over the answers.
        self.progress(2, gettext_noop("summary"))
        self.summary_sheet()
        areas = self.report.get("areas", [])
        for index, area in enumerate(areas):
            self.progress(5 + 30 * index // max(1, len(areas)), gettext_noop("area sheets"))
            self.area_sheet(area, self.used_names)
        self.commitments_sheet()
        matrix = self.country_matrix_start()
        self.progress(38, gettext_noop("scores"))
        self.scores_sheet()
        self.progress(42, gettext_noop("State vs NGO"))
        self.state_vs_ngo_sheet()
        self.progress(43, gettext_noop("key figures"))
        self.key_figures_sheet()
        self.change_sheet()
        self.progress(44, gettext_noop("codebook"))
        self.codebook_sheet()
        self.progress(45, gettext_noop("raw data"))
        self.raw_data_sheet(raw_rows, raw_count, matrix)
        self.print_headers()
        self.progress(96, gettext_noop("saving the workbook"))
        self.workbook.save(target)
        self.progress(100, gettext_noop("written"))

    def print_headers(self) -> None:
        """Every printed page says which round it shows, which sheet and which page of how many."""
        survey = self.report.get("survey", {})
        title = pick(survey.get("title"), self.language) or survey.get("slug", "")
        # Translators: the footer of every printed page of the Excel summary; keep &P (this page's number) and &N
        # (the number of pages) as they are.
        footer = _("Page &P of &N")
        for ws in self.workbook.worksheets:
            header_footer(ws, f"{title} ({survey.get('slug', '')})", footer)
