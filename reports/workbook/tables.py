"""The tabular sheets: Country matrix (its header; its rows come with the raw data), Scores, State vs NGO."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from surveys import answer_types as at
from surveys.models import Question

from .chart_blocks import ChartBlocks
from .charts import CHART_WIDTHS, chart_rows, height_cm
from .raw import CountryMatrix
from .styles import (
    BOLD,
    COUNTRY_MATRIX,
    HEADING,
    NOTE,
    ROW_PT,
    SCORE,
    SCORES,
    STATE_VS_NGO,
    TABLE_HEADER_ROW,
    Sheet,
)


class TableSheets(ChartBlocks):
    """The Country matrix (started here, filled by the raw data), Scores and State vs NGO sheets."""

    # --- Country matrix (filled while the raw data passes) ----------------------------------------------------

    def country_matrix_start(self) -> CountryMatrix:
        questions = [
            q["code"]
            for q in self.report.get("questions", [])
            if at.get_type(q["type"]).is_choice and q.get("audience") in Question.audiences_for("state")
        ]
        sheet = Sheet(self.workbook, self.sheet_title(COUNTRY_MATRIX), [28, 8] + [14] * len(questions), freeze="C4")
        sheet.title_rows(
            _("Answers of each participating State to the single-choice questions"), self.basis(), self.provisional
        )
        sheet.header([_("State"), _("Code"), *questions])
        return CountryMatrix(sheet, questions, self.labels)

    # --- Scores -----------------------------------------------------------------------------------------------

    def scores_sheet(self) -> None:
        areas = [a["code"] for a in self.report.get("areas", []) if a.get("scored_questions")]
        sheet = Sheet(self.workbook, self.sheet_title(SCORES), [32, 10] + [16] * len(areas) + CHART_WIDTHS, freeze="C4")
        sheet.paginated = True  # blocks kept on one page (Sheet.keep)
        sheet.title_rows(
            _("Implementation score by participating State and area (share of scored items in place)"),
            self.basis(),
            self.provisional,
        )
        sheet.header([_("State"), _("Code"), *self._area_titles(areas)], wrap=True)
        states: dict[str, dict[str, Any]] = {}
        for row in self.report.get("scores", []):
            name = self.labels.state(row["organisation"]) or row.get("name") or row["organisation"]
            entry = states.setdefault(row["organisation"], {"name": name})
            entry[row["area"]] = row["score"]
        for organisation, entry in sorted(states.items(), key=lambda item: str(item[1]["name"])):
            sheet.append(
                [
                    entry["name"],
                    organisation,
                    *[sheet.cell(entry.get(a), number_format=SCORE) for a in areas],
                ]
            )
        sheet.auto_filter(TABLE_HEADER_ROW, sheet.row, 2 + len(areas))
        medians = {row["area"]: row["median"] for row in self.report.get("area_medians", [])}
        sheet.append(
            [
                sheet.cell(_("OSCE median"), font=BOLD),
                None,
                *[sheet.cell(medians.get(a), number_format=SCORE, font=BOLD) for a in areas],
            ]
        )
        regions: dict[str, dict[str, Any]] = {}
        for row in self.report.get("region_scores", []):
            name = self.labels.regions.get(row["region"]) or row.get("name") or row["region"]
            entry = regions.setdefault(row["region"], {"name": name, "states": 0})
            entry[row["area"]] = row["score"]
            entry["states"] = max(entry["states"], int(row.get("states") or 0))
        # The regions' table and its chart print on one page.
        sheet.keep(
            ROW_PT * (4 + max(len(regions), chart_rows(height_cm(len(regions), len(areas), legend_lines=len(areas)))))
        )
        sheet.append()
        sheet.append([sheet.cell(_("Regions (mean score of their States)"), font=HEADING)])
        region_header = sheet.header([_("Region"), _("States"), *self._area_titles(areas)], wrap=True)
        for entry in regions.values():
            sheet.append(
                [entry["name"], entry["states"], *[sheet.cell(entry.get(a), number_format=SCORE) for a in areas]]
            )
        if not regions:
            sheet.append([sheet.cell(_("No scores yet."), font=NOTE)])
        self.region_chart(sheet, region_header, region_header + len(regions), len(areas))
        sheet.print_columns(2 + len(areas) + len(CHART_WIDTHS))

    def _area_titles(self, areas: Sequence[str]) -> list[str]:
        return [f"{a} {self.labels.areas.get(a, '')}" for a in areas]

    # --- State vs NGO ----------------------------------------------------------------------------------------

    def state_vs_ngo_sheet(self) -> None:
        sheet = Sheet(self.workbook, self.sheet_title(STATE_VS_NGO), [24, 8, 14, 48, 18, 8, 26, 40, 12], freeze="C4")
        sheet.title_rows(
            _("Where a State and NGOs working there answered the same question: do they agree?"),
            self.basis(),
            self.provisional,
        )
        sheet.header(
            [
                _("State"),
                _("Code"),
                _("Question"),
                _("Question text"),
                _("Row"),
                _("Area"),
                _("State's answer"),
                _("NGOs' answers"),
                _("Share agreeing"),
            ]
        )
        for row in self.report.get("state_vs_ngo", []):
            code = row["question"]
            sheet.append(
                [
                    self.state_name(row["country"]),
                    row["country"],
                    code,
                    self.labels.text(code),
                    self.labels.row(code, row.get("row") or "") if row.get("row") else None,
                    row.get("area"),
                    self.labels.option(code, row.get("state")),
                    "; ".join(self.labels.option(code, answer) for answer in row.get("ngo") or []),
                    sheet.cell(row.get("agree"), number_format=SCORE),
                ]
            )
        sheet.auto_filter(TABLE_HEADER_ROW, sheet.row, 9)
        sheet.append()
        sheet.append([sheet.cell(_("Agreement by area"), font=HEADING)])
        sheet.header([_("Area"), _("Pairs"), _("Agreement"), _("Area title")])
        for row in self.report.get("agreement_by_area", []):
            sheet.append(
                [
                    row["area"],
                    row["pairs"],
                    sheet.cell(row["agreement"], number_format=SCORE),
                    self.labels.areas.get(row["area"], ""),
                ]
            )
        sheet.append()
        sheet.append(
            [
                sheet.cell(
                    _(
                        "Questions about the respondent (which State, the language of answering) are not compared: "
                        "they describe who answers."
                    ),
                    font=NOTE,
                )
            ]
        )
