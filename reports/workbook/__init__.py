"""The Excel summary of a round: a streamed openpyxl workbook written from a stored report and the raw answers.

A display package: it does no queries and reads no files; its caller (`reports.exports`) hands it the report
document, the raw rows and the regions from `reports.selectors`. Modules: `styles` (sheet names, formats, safe
cells, `Sheet` with its print setup and page breaks), `labels`, `base` (shared state and texts), `charts` (how a
chart is titled, labelled, sized and placed), `chart_blocks` (the tables written for a chart: totals per year,
change since the previous round, regions), one per kind of sheet (`summary`, `areas`, `tables`, `raw` with `xml_rows`) and
`writer` (`write_summary`, the sheets in order, headers and footers).

Printing: every sheet is landscape A4 fitted to the width, with the rows above its frozen pane repeated on each
page; sheets made of blocks (Summary, areas, Scores) end a page before a block that would not fit on it
(`Sheet.keep`), long tables (Country matrix, State vs NGO, Raw data) keep Excel's own page breaks.

`write_summary` writes with `openpyxl.Workbook(write_only=True)`: every sheet streams its rows to a temporary file
as they are appended, so memory stays flat however many answers a round has. The report document
(docs/report-data.md) gives the summary, area, score and State-vs-NGO sheets; the raw answer rows (an iterator,
see `reports.exports.raw_rows`) are written once, row by row, into "Raw data" and, at the same time, into the
"Country matrix" (one row per State, built from that State's rows while they pass). "Raw data", the one sheet whose
rows grow with the answers, writes each row as ready-made XML into the same stream (`xml_rows`: the cells openpyxl
would write, without an openpyxl cell per value, which cost about nine times the CSV export of the same rows).

Sheets: Summary, one per area, Commitments, Country matrix, Scores, State vs NGO, Key figures, Change since <previous
round>, Codebook, Raw data (modules `breakdowns` for the area sheets' figures, `commitments`, `key_figures`,
`changes`, `codebook`). Everything a person reads is in the
chosen language, the sheet names too: the fixed sheets' names are translated per language (`styles.SUMMARY`, …,
pgettext "sheet name"; `styles.fixed_sheet_names` keeps a translation valid and short). The English workbook
(`--lang en`, the default) keeps "Summary", "Country matrix", "Scores", "State vs NGO" and "Raw data": a script
should open the English export by those names, or any language's by position (Summary first, then one sheet per
area in the report's order, then Commitments, Country matrix, Scores, State vs NGO, Key figures, Change since …, Codebook, Raw
data last). "Key figures" and "Codebook" are fixed names too; the change sheet's name holds the previous round's
slug ("Change since thb-2016"; "Change since previous round" when there is none). The Raw data header keeps
the answer-import column codes (`RAW_HEADER`) in every language: it is a machine-readable contract. Tabular
sheets have their title in row 1, the basis of the figures in row 2 and the column headers in row 3 (frozen, with
an auto filter), data from row 4.

Every text cell is written as text: a value that Excel could read as a formula (starting with =, +, -, @, a tab or
a carriage return) gets a leading apostrophe, and error-like values ("#N/A") are kept as strings too.
"""

from __future__ import annotations

from .labels import Labels
from .styles import (
    CODEBOOK,
    COUNTRY_MATRIX,
    FIXED_SHEETS,
    KEY_FIGURES,
    RAW_DATA,
    RAW_HEADER,
    SCORES,
    STATE_VS_NGO,
    SUMMARY,
    TABLE_HEADER_ROW,
    Progress,
    Sheet,
    excel_value,
    neutralise,
    sheet_name,
)
from .writer import write_summary

__all__ = [
    "CODEBOOK",
    "COUNTRY_MATRIX",
    "FIXED_SHEETS",
    "KEY_FIGURES",
    "RAW_DATA",
    "RAW_HEADER",
    "SCORES",
    "STATE_VS_NGO",
    "SUMMARY",
    "TABLE_HEADER_ROW",
    "Labels",
    "Progress",
    "Sheet",
    "excel_value",
    "neutralise",
    "sheet_name",
    "write_summary",
]
