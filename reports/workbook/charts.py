"""The workbook's native Excel charts: how they are titled, labelled, sized and placed beside their tables.

Every chart is drawn from the cells of the table it sits beside (a `Reference`), so that a reader who changes a
figure sees the chart follow. Titles name the question by its short label in the workbook's language (`short` in
the definition, docs/survey-definitions.md; without one, the question's text cut at a word), the code first, as
everywhere in the workbook. Bars carry their values; a chart with one series has no legend. Charts are anchored in
the columns right of the tables (`CHART_COLUMN` …), which the sheet's print area includes, and a block is at
least as tall as its chart (`chart_rows`), so that charts never cover the next table and print on the page of
their table.

Pure layout: no queries, no translations of its own (the callers pass titles and series names).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.layout import Layout, ManualLayout
from openpyxl.chart.legend import Legend
from openpyxl.chart.text import RichText, Text
from openpyxl.chart.title import Title
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties, RegularTextRun
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from surveys.i18n import pick

from .styles import ROW_PT, SCORE

SHORT_MAX = 60  # as the definition loader allows for `short`
TABLE_COLUMNS = 7  # an area sheet's tables use A..G
GAP_WIDTH = 2.0  # column H: a narrow gap between a table and its chart
CHART_COLUMN = TABLE_COLUMNS + 2  # charts start in column I
CHART_SPAN = 8  # … and cover I..P
CHART_COLUMN_WIDTH = 10.0
CHART_WIDTHS = [GAP_WIDTH] + [CHART_COLUMN_WIDTH] * CHART_SPAN
PRINT_COLUMNS = TABLE_COLUMNS + len(CHART_WIDTHS)  # an area sheet prints A..P
CHART_WIDTH_CM = 15.5  # a little less than I..P (8 × 75 px ≈ 15.9 cm)
ROW_CM = ROW_PT / 72 * 2.54
MIN_HEIGHT_CM = 5.5
MAX_CATEGORIES = 20  # more options than this (the State a response covers: 57) make no readable chart
LABEL_CHARS = 28  # characters per line of a category label as Excel and LibreOffice wrap them
LABEL_LINE_CM = 0.45
TITLE_CHARS = 60  # characters of an 11 pt bold title per line across the chart
TITLE_LINE_CM = 0.5
LEGEND_LINE_CM = 0.5
AIR_CM = 0.3
BAR_CM = 0.65  # a category's band with one series
SERIES_CM = 0.35  # … and for each further series


def short_label(question: Mapping[str, Any], language: str) -> str:
    """The question's short label in `language` (English when missing), else its text cut at a word with "…"."""
    short = pick(question.get("short") or {}, language)
    if short:
        return str(short)
    return cut(str(pick(question.get("text") or {}, language) or ""), SHORT_MAX)


def cut(text: str, limit: int) -> str:
    """`text` on one line, at most `limit` characters: cut at the last word that fits, with "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:.-–—(") + "…"


def chart_title(code: str, label: str, detail: str = "") -> str:
    """A chart's title: the code as a reference, the short label, and what part (a matrix row) it shows."""
    title = f"{code} {label}".strip()
    if detail:
        title += f": {cut(detail, SHORT_MAX)}"
    return title


def bands_cm(categories: int, series: int, label_lines: Sequence[int] = ()) -> float:
    """The bars' part of a horizontal bar chart: a band per category tall enough for its bars and its label's lines
    (`label_lines`, one per category; a line each when not given). LibreOffice leaves out the labels of a crowded
    axis, so the bands are generous."""
    lines = list(label_lines) or [1] * categories
    bars = BAR_CM + SERIES_CM * max(0, series - 1)
    return sum(max(bars, count * LABEL_LINE_CM) for count in lines)


def height_cm(
    categories: int, series: int, label_lines: Sequence[int] = (), title: str = "", legend_lines: int = 1
) -> float:
    """A horizontal bar chart's height: its title and value axis, its bars, and its legend when it has one
    (`legend_lines` tall: one per series when their names are long)."""
    bottom = _bottom_cm(series, legend_lines)
    return max(MIN_HEIGHT_CM, _top_cm(title) + bottom + bands_cm(categories, series, label_lines))


def _bottom_cm(series: int, legend_lines: int) -> float:
    return AIR_CM + LEGEND_LINE_CM * legend_lines if series > 1 else AIR_CM


def _top_cm(title: str) -> float:
    """The title's lines (11 pt bold) and the value axis's labels above the bars."""
    return 0.3 + TITLE_LINE_CM * max(1, math.ceil(len(title) / TITLE_CHARS)) + 0.55


def label_lines(labels: Sequence[str]) -> list[int]:
    """Lines each category label takes once wrapped."""
    return [max(1, math.ceil(len(str(label)) / LABEL_CHARS)) for label in labels]


def chart_rows(height: float) -> int:
    """Rows a chart of `height` cm covers, plus one row of air."""
    return math.ceil(height / ROW_CM) + 1


def anchor(row: int, column: int = CHART_COLUMN) -> str:
    return f"{get_column_letter(column)}{row}"


def bar_chart(
    ws: WriteOnlyWorksheet,
    *,
    title: str,
    header_row: int,
    last_row: int,
    value_columns: Sequence[int],
    category_column: int = 1,
    horizontal: bool = True,
    number_format: str = SCORE,
    share: bool = True,
    labels: Sequence[str] = (),
    legend_lines: int = 1,
) -> BarChart:
    """A clustered bar chart of the table's `value_columns` (series titled by the header row) over the labels in
    `category_column`, rows `header_row + 1` to `last_row`, in the table's order. `labels`, the categories' texts
    when known, make the chart tall enough for them; `legend_lines`, the legend's lines below the bars."""
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.style = 10
    chart.grouping = "clustered"
    chart.gapWidth = 60
    chart.title = _title(title)
    for column in value_columns:
        chart.add_data(Reference(ws, min_col=column, min_row=header_row, max_row=last_row), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=category_column, min_row=header_row + 1, max_row=last_row))
    if horizontal:
        chart.x_axis.scaling.orientation = "maxMin"  # categories top to bottom, as in the table
    chart.y_axis.number_format = number_format
    chart.y_axis.majorGridlines = None
    chart.y_axis.scaling.min = 0  # bars start at zero, or their lengths mislead
    if share:
        chart.y_axis.scaling.max = 1
    chart.x_axis.tickLblSkip = 1  # every category labelled (LibreOffice otherwise skips some when crowded)
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.x_axis.txPr = _font(800)
    chart.y_axis.txPr = _font(800)
    chart.dataLabels = _value_labels(number_format)
    chart.legend = Legend(legendPos="b") if len(value_columns) > 1 else None
    categories = max(1, last_row - header_row)
    if horizontal:
        lines = label_lines(labels) if labels else []
        top = _top_cm(title)
        bottom = _bottom_cm(len(value_columns), legend_lines)
        chart.height = max(MIN_HEIGHT_CM, top + bottom + bands_cm(categories, len(value_columns), lines))
        # The category labels (options, regions, questions) get the left 40% of the chart, where Excel and
        # LibreOffice wrap them: long labels are wrapped, never cut. The bars start under the title and the axis.
        chart.layout = Layout(
            manualLayout=ManualLayout(
                layoutTarget="inner",
                xMode="edge",
                yMode="edge",
                x=0.4,
                y=round(top / chart.height, 3),
                w=0.54,
                h=round((chart.height - top - bottom) / chart.height, 3),
            )
        )
    else:
        chart.height = max(MIN_HEIGHT_CM, 7.0)
    chart.width = CHART_WIDTH_CM
    return chart


def _value_labels(number_format: str) -> DataLabelList:
    labels = DataLabelList()
    labels.showVal = True
    labels.showSerName = False
    labels.showCatName = False
    labels.showLegendKey = False
    labels.showPercent = False
    labels.numFmt = number_format
    labels.txPr = _font(800)
    return labels


def _font(size: int, bold: bool = False) -> RichText:
    properties = CharacterProperties(sz=size, b=bold)
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=properties), endParaRPr=properties)])


def _title(text: str) -> Title:
    """A title in 11 pt bold (Excel's default 14 pt leaves little room for a long label)."""
    properties = CharacterProperties(sz=1100, b=True)
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    paragraph = Paragraph(pPr=ParagraphProperties(defRPr=properties), r=[RegularTextRun(rPr=properties, t=text)])
    return Title(tx=Text(rich=RichText(p=[paragraph])), overlay=False)


def title_text(chart: BarChart) -> str:
    """The plain text of a chart's title (for tests and checks)."""
    if chart.title is None or chart.title.tx is None or chart.title.tx.rich is None:
        return ""
    return "".join(run.t for paragraph in chart.title.tx.rich.p for run in (paragraph.r or []))
