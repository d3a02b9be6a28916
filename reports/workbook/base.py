"""The workbook writer's shared state and texts (which responses are counted, when the report was built), and
the choice counts indexed by question, row and kind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from responses.models import Response

from .labels import Labels
from .styles import Progress, english_name, fixed_sheet_names, free_sheet_name


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

    @cached_property
    def change_sheet_title(self) -> str:
        """The name of the "Change since <previous round>" sheet, taken (reserved) the first time it is asked for:
        the area sheets' change blocks name it before the sheet itself is written."""
        previous = self.report.get("survey", {}).get("previous")
        if previous:
            # Translators: a sheet name (at most 31 characters); %(round)s is the previous round's slug, "thb-2016".
            name = pgettext("sheet name", "Change since %(round)s") % {"round": previous}
            return free_sheet_name(name, f"Change since {previous}", self.used_names)
        return free_sheet_name(pgettext("sheet name", "Change since previous round"), "Change", self.used_names)

    def compared_changes(self, area: str | None = None) -> list[Mapping[str, Any]]:
        """The rows of the report's `changes` (of one area, or all) that the "Change since" sheet and the area
        sheets' change blocks both show, so that the two agree: questions that offer a "yes" option (a share of
        "yes" means nothing for the others) and that participating States answered in both rounds; never a question
        about the respondent (the report leaves those out of `changes`; older reports are held to it here too)."""
        questions = {q["code"]: q for q in self.report.get("questions", [])}
        rows = []
        for row in self.report.get("changes", []):
            question = questions.get(row["question"])
            if question is None or question.get("about_respondent") or (area and question["area"] != area):
                continue
            if any(o["code"] == "yes" for o in question.get("options", [])) and (
                row.get("previous_answered") and row.get("current_answered")
            ):
                rows.append(row)
        return rows

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
