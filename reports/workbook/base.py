"""The workbook writer's shared state and texts (which responses are counted, when the report was built), and
the choice counts indexed by question, row and kind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook

from responses.models import Response

from .labels import Labels
from .styles import Progress, english_name, fixed_sheet_names


class WriterBase:
    """What every sheet of the workbook reads: the report, its labels, the counts indexed, the common texts."""

    def __init__(
        self,
        report: Mapping[str, Any],
        language: str,
        progress: Progress,
        regions: Mapping[str, Mapping[str, Any]],
        state_names: Mapping[str, str] | None = None,
        previous_title: str | None = None,
    ) -> None:
        self.report = report
        # The directory's name of each participating State by code, and the previous round's title (in the
        # workbook's language): the caller reads them (reports.exports); the code stands in when one is missing.
        self.state_names = dict(state_names or {})
        self.previous_title = previous_title or report.get("survey", {}).get("previous") or ""
        self.language = language
        self.progress = progress
        self.labels = Labels(report, language, regions)
        self.provisional = bool(report.get("basis", {}).get("provisional"))
        self.exported_at = timezone.localtime().replace(tzinfo=None, microsecond=0)
        self.counts = choice_index(report.get("choice_counts", []))
        self.numbers: dict[str, list[Mapping[str, Any]]] = {}
        for row in report.get("number_summaries", []):
            self.numbers.setdefault(row["question"], []).append(row)
        self.workbook = Workbook(write_only=True)
        # Sheet names taken so far (casefolded): the fixed sheets' names in this language are reserved first, so
        # that an area sheet never takes one of them.
        self.used_names: set[str] = set()
        self.fixed_names = fixed_sheet_names(self.used_names)

    def sheet_title(self, sheet: Promise) -> str:
        """The name of a fixed sheet (styles.SUMMARY, …) in the workbook's language."""
        return self.fixed_names[english_name(sheet)]

    # --- common texts ---------------------------------------------------------------------------------------

    def basis(self) -> str:
        """Row 2 of every sheet: the PROVISIONAL warning, or which responses are counted."""
        if self.provisional:
            return _(
                "PROVISIONAL: these figures include answers that are still in progress or returned for changes; "
                "they will change."
            )
        return self.counted_text()

    def counted_text(self) -> str:
        labels = []
        for status in self.report.get("basis", {}).get("statuses", []):
            try:
                labels.append(str(Response.Status(status).label).lower())
            except ValueError:
                labels.append(str(status))
        return _("Responses counted: %(statuses)s.") % {"statuses": ", ".join(labels)}

    def built_at(self) -> dt.datetime | None:
        value = self.report.get("built_at")
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        if isinstance(value, dt.datetime):
            return timezone.localtime(value).replace(tzinfo=None) if value.tzinfo else value
        return None

    def state_name(self, code: str) -> str:
        """In the workbook's language where the round names its States (see `Labels.state`), else the directory's."""
        return self.labels.state(code) or self.state_names.get(code) or code

    def kind_label(self, kind: str) -> str:
        return {"state": _("States"), "ngo": _("NGOs"), "partner": _("Partners")}.get(kind, kind)


def share(part: Any, whole: Any) -> float | None:
    return round(part / whole, 6) if whole else None


def choice_index(rows: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, dict[str, dict[str, Any]]]]:
    """choice_counts as {question: {row: {kind: {"options": {option: count}, "answered", "eligible"}}}}."""
    index: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}
    for row in rows:
        entry = (
            index.setdefault(row["question"], {})
            .setdefault(row["row"], {})
            .setdefault(row["kind"], {"options": {}, "answered": 0, "eligible": 0})
        )
        entry["options"][row["option"]] = row["count"]
        entry["answered"] = max(entry["answered"], row["answered"])
        entry["eligible"] = max(entry["eligible"], row["eligible"])
    return index
