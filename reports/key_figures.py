"""Key figures: the round's chains of number questions (docs/survey-definitions.md, `key_figures`) worked out per
reference year. Pure pandas, no ORM and no I/O, like `reports.aggregation`.

For each chain, year and step: how many participating States reported a figure (`states`: a State reports a step
for a year when it gave at least one cell of that year), the total over those States (`total`) and the median per
State (`median`). From the second step on, `ratio` is the step's total over its previous step's total, both summed
over the States that reported both steps for that year only (`both` of them): a State that gave only one of the two
figures would make the share meaningless. NGOs' figures are left out (they count their own clients, not the State's).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from .categoricals import plain


def key_figures(
    answers: pd.DataFrame,
    chains: Sequence[Mapping[str, Any]],
    cell_years: Mapping[str, Mapping[str, int]],
    years: Sequence[int],
) -> list[dict[str, Any]]:
    """The chains with their figures: [{code, title, steps: [{question, label}], years: [{year, steps: [...]}]}].

    `cell_years` gives, per question, the year of each of its cells ("row|column" -> year); cells without a year
    are not counted."""
    per_state = _per_state(answers, cell_years, {s["question"] for c in chains for s in c["steps"]})
    result = []
    for chain in chains:
        codes = [step["question"] for step in chain["steps"]]
        by_year = []
        for year in years:
            steps: list[dict[str, Any]] = []
            previous: pd.Series | None = None
            for code in codes:
                figures = per_state.get((code, year), pd.Series(dtype="float64"))
                step: dict[str, Any] = {
                    "question": code,
                    "states": len(figures),
                    "total": _number(figures.sum()) if len(figures) else None,
                    "median": _number(figures.median()) if len(figures) else None,
                }
                if previous is not None:
                    both = figures.index.intersection(previous.index)
                    base = float(previous[both].sum())
                    step["both"] = len(both)
                    step["ratio"] = round(float(figures[both].sum()) / base, 6) if len(both) and base else None
                steps.append(step)
                previous = figures
            by_year.append({"year": int(year), "steps": steps})
        result.append(
            {
                "code": chain["code"],
                "title": dict(chain.get("title", {})),
                "steps": [{"question": s["question"], "label": dict(s.get("label") or {})} for s in chain["steps"]],
                "years": by_year,
            }
        )
    return result


def _per_state(
    answers: pd.DataFrame, cell_years: Mapping[str, Mapping[str, int]], codes: set[str]
) -> dict[tuple[str, int], pd.Series]:
    """{(question, year): the figure of each State (index: organisation)}, each a sum of that year's cells."""
    mine = answers.loc[
        (answers["kind"] == "state") & answers["question"].isin(codes) & answers["number"].notna(),
        ["organisation", "question", "row", "column", "number"],
    ]
    mine = plain(mine)  # a small part of the answers; categorical codes would make a categorical index below
    year_rows = [
        {"question": code, "key": key, "year": year}
        for code, cells in cell_years.items()
        if code in codes
        for key, year in cells.items()
    ]
    if mine.empty or not year_rows:
        return {}
    mine = mine.assign(key=mine["row"].astype(str) + "|" + mine["column"].astype(str))
    dated = mine.merge(pd.DataFrame(year_rows), on=["question", "key"])
    sums = dated.groupby(["question", "year", "organisation"])["number"].sum()
    return {
        (str(code), int(year)): group.droplevel([0, 1]).astype("float64")
        for (code, year), group in sums.groupby(level=[0, 1])
    }


def _number(value: Any) -> int | float:
    number = float(value)
    return int(number) if number.is_integer() else round(number, 4)
