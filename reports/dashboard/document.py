"""One stored report (docs/report-data.md) with lookups for the pages: built once per request, no queries.

The document comes from `reports.selectors.report_document`, decoded once per process and build and shared by the
process's threads: nothing here (or in the pages built from it) may change it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from oscethb.url_format import url_format
from surveys.i18n import pick

from ..selectors import StoredReport
from .common import status_label


@dataclass
class ReportDoc:
    """Lookups over one stored report, built once per request (pure Python, no queries)."""

    report: StoredReport
    data: Mapping[str, Any] = field(init=False)
    questions: dict[str, Mapping[str, Any]] = field(init=False)
    areas: dict[str, Mapping[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.data = self.report.data
        self.questions = {q["code"]: q for q in self.data.get("questions", [])}
        self.areas = {a["code"]: a for a in self.data.get("areas", [])}

    @property
    def provisional(self) -> bool:
        return bool(self.data.get("basis", {}).get("provisional"))

    @property
    def counted_statuses(self) -> list[str]:
        return list(self.data.get("basis", {}).get("statuses", []))

    @property
    def counted_labels(self) -> list[str]:
        return [status_label(s) for s in self.counted_statuses]

    def rows(self, key: str, **match: Any) -> list[dict[str, Any]]:
        return [row for row in self.data.get(key, []) if all(row.get(k) == v for k, v in match.items())]

    def question_text(self, code: str) -> str:
        return pick(self.questions.get(code, {}).get("text")) or code

    def area_title(self, code: str) -> str:
        return pick(self.areas.get(code, {}).get("title")) or code

    def option_labels(self, code: str) -> dict[str, str]:
        return {o["code"]: pick(o.get("label")) or o["code"] for o in self.questions.get(code, {}).get("options", [])}

    def row_labels(self, code: str) -> dict[str, str]:
        return {r["code"]: pick(r.get("label")) or r["code"] for r in self.questions.get(code, {}).get("rows", [])}

    def medians(self) -> dict[str, float]:
        return {row["area"]: row["median"] for row in self.data.get("area_medians", [])}

    def area_links(self, slug: str) -> list[dict[str, Any]]:
        """Areas with their questions and the addresses of their pages in round `slug`, for the overview's links."""
        area_url = url_format("reports:dashboard-area", slug)
        question_url = url_format("reports:dashboard-question", slug)
        by_area: dict[str, list[dict[str, str]]] = defaultdict(list)
        for q in self.data.get("questions", []):
            by_area[q["area"]].append({"code": q["code"], "text": pick(q.get("text")), "url": question_url(q["code"])})
        return [
            {
                "code": a["code"],
                "title": pick(a.get("title")),
                "url": area_url(a["code"]),
                "questions": by_area.get(a["code"], []),
            }
            for a in self.data.get("areas", [])
        ]
