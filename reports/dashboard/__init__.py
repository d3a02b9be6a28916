"""Staff dashboards: the stored report document (docs/report-data.md) turned into page rows and chart data.

Display modules, one per page (`board`: the round overview's live status board; `area`, `question`, `country`,
`commitments`),
with what they share in `common` (labels, numbers, the bar chart), `document` (lookups over one stored report) and
`breakdown` (breakdown tables grouped and totalled). They do no queries and read no files: each takes its rows from
`reports.selectors`, which reads every page's data in a fixed number of queries (a page's query count does not grow
with the number of organisations, questions or answers). Report numbers come from `Report.data`; nothing is
recounted here. Only the round overview's status board is live (it reads the Response rows), and the question and
country pages list the individual answers behind the numbers, each in one query.

The names below are what the views use: the pages, and the selectors they need, under the names they have always
had here.
"""

from __future__ import annotations

from surveys.models import Survey

from ..selectors import (
    answers_for_question,
    country_answers,
    first_area_code,
    question_model,
    report_document,
    status_board_data,
)
from ..selectors import report_run_latest as latest_run
from .area import area_page
from .board import StatusBoard, region_choices, regions_of, status_board_page
from .breakdown import breakdown, breakdown_summary, stored_value
from .commitments import commitments_page
from .common import (
    KIND_ORDER,
    KINDS,
    STATUSES,
    bar_chart,
    kind_label,
    kind_singular,
    language,
    number_text,
    percent,
    score_percent,
    status_label,
)
from .country import country_page
from .document import ReportDoc
from .question import question_page

__all__ = [
    "KINDS",
    "KIND_ORDER",
    "STATUSES",
    "ReportDoc",
    "StatusBoard",
    "answers_for_question",
    "area_page",
    "bar_chart",
    "breakdown",
    "breakdown_summary",
    "commitments_page",
    "country_answers",
    "country_page",
    "first_area_code",
    "kind_label",
    "kind_singular",
    "language",
    "latest_run",
    "number_text",
    "percent",
    "question_model",
    "question_page",
    "region_choices",
    "regions_of",
    "report_doc",
    "score_percent",
    "status_board",
    "status_board_page",
    "status_label",
    "stored_value",
]


def report_doc(survey: Survey, provisional: bool) -> ReportDoc | None:
    """The round's stored report of one basis with its lookups; None when it was never built."""
    report = report_document(survey=survey, include_in_progress=provisional)
    return ReportDoc(report) if report is not None else None


def status_board(survey: Survey, *, status: str = "", region: str = "") -> StatusBoard:
    """The round overview's status board, filtered by response status and region."""
    return status_board_page(status_board_data(survey=survey), status=status, region=region)
