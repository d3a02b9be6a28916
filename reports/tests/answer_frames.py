"""Hand-made answer frames in the form the build reads them (reports.selectors.answers_frame)."""

from __future__ import annotations

import pandas as pd

# The columns answers_frame gives as categoricals with sorted categories.
CATEGORICAL_COLUMNS = ["organisation", "kind", "country", "question", "row", "column", "cell_kind", "text"]


def as_read(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its code and text columns categorical, categories sorted, as answers_frame reads them."""
    return frame.astype(
        {
            column: pd.CategoricalDtype(pd.Index(sorted(frame[column].dropna().unique()), dtype="str"))
            for column in CATEGORICAL_COLUMNS
        }
    )
