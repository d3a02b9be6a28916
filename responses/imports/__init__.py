"""Importing answers from a long-format CSV or Excel file: one row per answer cell (docs/answer-import-format.md).

The file is read as a stream (accounts.tables) and every row is checked against in-memory tables of the round's
questions and of the organisations (no query per row): every problem is reported as `row N: reason` (the header is
row 1) and nothing is written. Checking and writing share one pass and one transaction: valid rows are written in
batches of BATCH cells while the file is read (PostgreSQL: COPY into an unindexed staging table, moved into the
answers and their history in three set-based statements at the end; other databases: bulk inserts) and the first
problem stops the writing; any problem, found in the file or at its end, rolls the whole transaction back, so a
file is imported completely or not at all. Memory stays flat whatever the file's length: a batch, a table of the
cells seen (to find a cell given twice) and the few questions whose cells are checked together (a range's start
before its end), which are written at the end.

Writing keeps what `answers_save` (the web form) keeps, through the same writer (responses.answer_writer): a cell
whose canonical value equals the stored one is left alone ("unchanged", so importing a file again changes nothing);
every other cell gets version + 1, the importing user and source "import" on the answer, and one AnswerChange row
(old and new canonical text, version, user) in the history; each organisation's response is created when missing
and locked (SELECT … FOR UPDATE) while it is written, and a response with changes is marked in progress with its
last activity. An answer to a question that the organisation's own answers hide (show-if) is kept, not counted,
as `answers_save` keeps it (surveys.show_if states the decision).

The package's rooms: `reading` (limits, the refusal, reading a table), `wording` (the messages that name cells),
`checking` (row by row), `planning` (a plan of rows held in memory, the result), `writing` (the one pass and the
write). The file format and its messages are a contract.
"""

from __future__ import annotations

from .checking import CellGroup
from .planning import ImportPlan, ImportResult, answers_import_check, survey_for_import
from .reading import (
    BATCH,
    COLUMN_ALIASES,
    COLUMNS,
    MAX_CSV_BYTES,
    MAX_FILE_BYTES,
    MAX_ROWS,
    REQUIRED_COLUMNS,
    ImportRejected,
    read_rows,
    table_options,
)
from .writing import answers_import, answers_import_write

__all__ = [
    "BATCH",
    "COLUMNS",
    "COLUMN_ALIASES",
    "MAX_CSV_BYTES",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "REQUIRED_COLUMNS",
    "CellGroup",
    "ImportPlan",
    "ImportRejected",
    "ImportResult",
    "answers_import",
    "answers_import_check",
    "answers_import_write",
    "read_rows",
    "survey_for_import",
    "table_options",
]
