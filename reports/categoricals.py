"""Categorical answer columns back to plain strings, for the report steps that work on a small part of the answers."""

from __future__ import annotations

import pandas as pd


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its categorical columns as plain strings (NaN stays missing).

    `answers_frame` reads codes and texts as categoricals (sorted categories: grouping and sorting on them give the
    order strings would), which keeps a million answers small. The steps that work on a small part of the answers
    take it as plain strings, where a categorical would change a result: `.map` keeps a one-to-one mapping
    categorical (and then `mean` refuses it), and two categoricals with different categories cannot be compared.
    """
    categorical = [c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)]
    if not categorical:
        return frame
    return frame.astype(dict.fromkeys(categorical, "str"))
