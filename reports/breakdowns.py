"""Totals of breakdown tables (integer_matrix questions such as PRT.DATA.01) by each dimension's value. Pure pandas,
no ORM and no I/O, like `reports.aggregation`.

A table's cell is keyed by its row (the values of every dimension but the last, joined with ".") and its column
(the last dimension's value). For each question, kind of respondent, dimension and value, the totals add up, per
respondent, every cell carrying that value, then give over respondents: how many gave any such cell
(`respondents`), the sum, the median, min and max of their totals. So "female" in 2014 and "female" in 2013 add
up to one "female" total per State.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from surveys import answer_types as at
from surveys.answer_types.cells import ROW_KEY_SEPARATOR

from .categoricals import plain

PLAIN_COLUMNS = ["organisation", "kind", "question", "row", "column", "number"]
COLUMNS = ["question", "kind", "dimension", "value", "respondents", "sum", "median", "min", "max"]


def breakdown_totals(answers: pd.DataFrame, questions: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per table question, kind, dimension and value (dimensions and values in the definition's order)."""
    tables = {
        q["code"]: [d["code"] for d in q.get("dimensions", [])]
        for q in questions
        if at.get_type(q["type"]).report_role == at.REPORT_TABLE and q.get("dimensions")
    }
    # Plain strings (see aggregation.plain): the table cells are a small part of the answers.
    numbers = plain(answers.loc[answers["question"].isin(tables) & answers["number"].notna(), PLAIN_COLUMNS])
    frames = []
    for code, group in numbers.groupby("question", sort=False):
        dimensions = tables[str(code)]
        # Each distinct row key is split once (a table has few), not once per answer.
        keys, distinct = pd.factorize(group["row"])
        split = [str(key).split(ROW_KEY_SEPARATOR) for key in distinct]
        # Cells stored under an older shape of the table (another number of row dimensions) are left to the raw data.
        fits = np.array([len(parts) == len(dimensions) - 1 for parts in split], dtype=bool)[keys]
        group, keys = group[fits], keys[fits]
        if group.empty:
            continue
        for index, dimension in enumerate(dimensions):
            if index == len(dimensions) - 1:
                values = group["column"].to_numpy()
            else:
                part = np.empty(len(split), dtype=object)
                part[:] = [parts[index] if len(parts) > index else None for parts in split]
                values = part[keys]
            per_respondent = (
                group.assign(value=values).groupby(["kind", "value", "organisation"])["number"].sum().reset_index()
            )
            stats = (
                per_respondent.groupby(["kind", "value"])["number"]
                .agg(respondents="count", sum="sum", median="median", min="min", max="max")
                .reset_index()
            )
            frames.append(stats.assign(question=code, dimension=dimension))
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    result = pd.concat(frames, ignore_index=True)
    order = _order(questions)
    result["_o"] = [
        order.get((q, d, v), (999, 999, 999))
        for q, d, v in zip(result["question"], result["dimension"], result["value"], strict=True)
    ]
    result = result.sort_values(["_o", "kind"]).drop(columns="_o")
    result["respondents"] = result["respondents"].astype(int)
    return result[COLUMNS].reset_index(drop=True)


def _order(questions: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str, str], tuple[int, int, int]]:
    order = {}
    for q_index, q in enumerate(questions):
        for d_index, dimension in enumerate(q.get("dimensions", [])):
            for v_index, value in enumerate(dimension.get("values", [])):
                order[(q["code"], dimension["code"], value["code"])] = (q_index, d_index, v_index)
    return order
