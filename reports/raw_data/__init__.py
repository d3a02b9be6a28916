"""The raw answers of a round in every shape: long and wide form, CSV and xlsx (docs/raw-data.md).

`rows.py` reads the answers in bulk and turns them into rows; `files.py` writes the rows to a file, streamed.
The job that runs them is `reports/data_exports.py`.
"""
