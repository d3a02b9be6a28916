"""The one writer of answers and their history: every path that stores answers (the web form's `answers_save`, the
import, the prefill through `answers_save`, the demo seeding) hands its decided cells to `AnswerWriter.write`.

The callers decide *what* changes (compare with what is stored, find conflicts, lock the response); the writer
decides *how* it is stored, the same way for all of them: a new cell becomes an Answer at version 1, a changed cell
gets the version it is given, both carry the user, the source, `needs_review` and the time, and every written cell
appends one AnswerChange (old and new canonical text, version, user, source). The typed columns come from
`responses.answer_columns`. Rows are written in bulk: PostgreSQL COPY when `copy` is set (the importer's path for
a million cells), bulk inserts and updates otherwise. It writes inside the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from django.db import connection

from .answer_columns import columns, copy_columns, copy_text
from .models import Answer, AnswerChange


class NewCell(NamedTuple):
    """A cell with no stored answer: it is inserted at version 1."""

    response_id: int
    question_id: int
    row: str
    column: str
    kind: str
    value: Any  # the cleaned value
    text: str  # its canonical text (history)


class ChangedCell(NamedTuple):
    """A stored answer given another value: updated in place to `version`."""

    answer_id: int
    version: int
    response_id: int
    question_id: int
    row: str
    column: str
    kind: str
    value: Any
    text: str
    old_text: str


_ANSWER_COLUMNS = (
    "created_at",
    "updated_at",
    "response",
    "question",
    "row",
    "column",
    "value_text",
    "value_number",
    "value_date",
    "value_choices",
    "version",
    "updated_by",
    "source",
    "needs_review",
)
_CHANGE_COLUMNS = (
    "response",
    "question",
    "row",
    "column",
    "old_value",
    "new_value",
    "version",
    "changed_by",
    "changed_at",
    "source",
)
_UPDATED_FIELDS = [
    "value_text",
    "value_number",
    "value_date",
    "value_choices",
    "version",
    "updated_by",
    "source",
    "needs_review",
    "updated_at",
]


class AnswerWriter:
    """Writes decided cells (new and changed) and their history rows in bulk, for one user, source and time.

    With `copy` (PostgreSQL), `write` only COPYs the cells into an unindexed temporary staging table, one line per
    cell holding both its answer and its history row; `finish` moves them into the real tables in three set-based
    statements (insert the new answers, update the changed ones, append the history), so the indexes and foreign
    keys are maintained once per statement rather than per COPY batch. Until `finish`, staged cells are not in the
    real tables. Without `copy`, `write` writes at once and `finish` does nothing.
    """

    _staged = 0  # staging tables made in this process: each writer gets its own name

    def __init__(
        self, *, user_id: int | None, source: str, now: dt.datetime, needs_review: bool = False, copy: bool = False
    ) -> None:
        self.user_id, self.source, self.now, self.needs_review = user_id, source, now, needs_review
        self.copy = copy and connection.vendor == "postgresql"
        self.stage = ""  # the staging table's name once made
        self.staged_new = self.staged_changed = 0

    def write(
        self, new: Sequence[NewCell], changed: Sequence[ChangedCell] = (), *, also: tuple[str, list[Any]] | None = None
    ) -> bool:
        """Insert `new`, update `changed`, and append one history row for each (staged until `finish` with `copy`).

        `also`: another data-modifying statement (SQL, parameters), such as the UPDATE of the response's row that
        the save makes anyway, sent in the same statement where one cell is written on PostgreSQL (an autosave): one
        round trip instead of two. Returns whether it was sent; if not, the caller runs it."""
        if len(new) + len(changed) == 1 and not self.copy and connection.vendor == "postgresql":
            self._write_one(new[0] if new else changed[0], also)
            return also is not None
        if self.copy:
            if new or changed:
                self._stage(new, changed)
            return False
        if new:
            self._insert(new)
        if changed:
            self._update(changed)
        if new or changed:
            self._history(new, changed)
        return False

    def _write_one(self, cell: NewCell | ChangedCell, also: tuple[str, list[Any]] | None = None) -> None:
        """PostgreSQL, one cell (an autosave): the answer and its history row in one statement, the history inserted
        from what the answer's INSERT or UPDATE returns; `also`, another data-modifying statement and its
        parameters, runs in the same statement (the response's row written with it)."""
        text, number, date, choices = columns(cell.kind, cell.value)
        values = [text, number, date, None if choices is None else json.dumps(choices)]
        user, now = self.user_id, self.now
        if isinstance(cell, ChangedCell):
            params = [*values, cell.version, user, self.source, self.needs_review, now, cell.answer_id]
            old, version = cell.old_text, cell.version
        else:
            params = [now, now, cell.response_id, cell.question_id, cell.row, cell.column, *values, 1, user]
            params += [self.source, self.needs_review]
            old, version = "", 1
        sql = _one_cell_sql(isinstance(cell, ChangedCell), also[0] if also is not None else "")
        if also is not None:
            params = [*also[1], *params]
        params += [cell.response_id, cell.question_id, cell.row, cell.column, old, cell.text, version, user, now]
        params += [self.source]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    def finish(self) -> None:
        """Move the staged cells into the answers and their history, then drop the staging table."""
        if not self.stage:
            return
        stage, self.stage = self.stage, ""
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {stage}")
            user, now, review = self.user_id, self.now, self.needs_review
            if self.staged_new:
                cursor.execute(
                    f"INSERT INTO {Answer._meta.db_table} ({_STAGE_ANSWER_INTO}) "  # noqa: S608  # nosec B608 - the names are ours
                    f"SELECT %s, %s, {_STAGE_CELL}, {_STAGE_VALUES}, 1, %s, %s, %s FROM {stage} "
                    "WHERE answer_id IS NULL",
                    [now, now, user, self.source, review],
                )
            if self.staged_changed:
                cursor.execute(
                    f"UPDATE {Answer._meta.db_table} a SET value_text = s.value_text, value_number = s.value_number, "  # noqa: S608  # nosec B608
                    "value_date = s.value_date, value_choices = s.value_choices, version = s.version, "
                    "updated_by_id = %s, source = %s, needs_review = %s, updated_at = %s "
                    f"FROM {stage} s WHERE s.answer_id IS NOT NULL AND a.id = s.answer_id",
                    [user, self.source, review, now],
                )
            cursor.execute(
                f"INSERT INTO {AnswerChange._meta.db_table} ({_STAGE_CHANGE_INTO}) "  # noqa: S608  # nosec B608
                f"SELECT {_STAGE_CELL}, old_value, new_value, version, %s, %s, %s FROM {stage}",
                [user, now, self.source],
            )
            cursor.execute(f"DROP TABLE {stage}")
        self.staged_new = self.staged_changed = 0

    def _stage(self, new: Sequence[NewCell], changed: Sequence[ChangedCell]) -> None:
        if not self.stage:
            AnswerWriter._staged += 1
            self.stage = f"answer_stage_{AnswerWriter._staged}"
            with connection.cursor() as cursor:
                cursor.execute(stage_table_sql(self.stage))
        texts: dict[str, str] = {}  # rows and columns repeat: quote each once
        # Values repeat too (choices, small numbers): a cell's canonical text determines its columns for its kind.
        typed: dict[tuple[str, str], tuple[str, str]] = {}

        def quoted(text: str) -> str:
            found = texts.get(text)
            if found is None:
                found = texts[text] = copy_text(text)
            return found

        def value(cell: NewCell | ChangedCell) -> tuple[str, str]:
            """The four value columns and the canonical text, as COPY text."""
            key = (cell.kind, cell.text)
            found = typed.get(key)
            if found is None:
                found = typed[key] = (copy_columns(cell.kind, cell.value), copy_text(cell.text))
            return found

        lines = []
        for c in new:
            columns_, text = value(c)
            lines.append(
                f"\\N\t1\t{c.response_id}\t{c.question_id}\t{quoted(c.row)}\t{quoted(c.column)}\t{columns_}\t\t{text}\n"
            )
        for d in changed:
            columns_, text = value(d)
            lines.append(
                f"{d.answer_id}\t{d.version}\t{d.response_id}\t{d.question_id}\t{quoted(d.row)}\t{quoted(d.column)}\t"
                f"{columns_}\t{copy_text(d.old_text)}\t{text}\n"
            )
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f"COPY {self.stage} ({STAGE_COLUMNS}) FROM STDIN", io.StringIO("".join(lines)))
        self.staged_new += len(new)
        self.staged_changed += len(changed)

    def _insert(self, new: Sequence[NewCell]) -> None:
        user = self.user_id
        answers = []
        for cell in new:
            text, number, date, choices = columns(cell.kind, cell.value)
            answers.append(
                Answer(
                    response_id=cell.response_id,
                    question_id=cell.question_id,
                    row=cell.row,
                    column=cell.column,
                    value_text=text,
                    value_number=number,
                    value_date=date,
                    value_choices=choices,
                    version=1,
                    updated_by_id=user,
                    source=self.source,
                    needs_review=self.needs_review,
                )
            )
        Answer.objects.bulk_create(answers, batch_size=2000)

    def _update(self, changed: Sequence[ChangedCell]) -> None:
        answers = []
        for cell in changed:
            text, number, date, choices = columns(cell.kind, cell.value)
            answers.append(
                Answer(
                    pk=cell.answer_id,
                    value_text=text,
                    value_number=number,
                    value_date=date,
                    value_choices=choices,
                    version=cell.version,
                    updated_by_id=self.user_id,
                    source=self.source,
                    needs_review=self.needs_review,
                    updated_at=self.now,
                )
            )
        Answer.objects.bulk_update(answers, _UPDATED_FIELDS, batch_size=1000)

    def _history(self, new: Sequence[NewCell], changed: Sequence[ChangedCell]) -> None:
        rows: list[tuple[Any, str, int]] = [(cell, "", 1) for cell in new]
        rows += [(cell, cell.old_text, cell.version) for cell in changed]
        AnswerChange.objects.bulk_create(
            [
                AnswerChange(
                    response_id=c.response_id,
                    question_id=c.question_id,
                    row=c.row,
                    column=c.column,
                    old_value=old,
                    new_value=c.text,
                    version=version,
                    changed_by_id=self.user_id,
                    changed_at=self.now,
                    source=self.source,
                )
                for c, old, version in rows
            ],
            batch_size=2000,
        )


@lru_cache(maxsize=16)
def _one_cell_sql(changed: bool, also: str) -> str:
    """The one-cell write (`AnswerWriter._write_one`), made once per process: an UPDATE of a stored answer (`changed`)
    or the INSERT of a new one, and the history row from what it returns; `also`, a data-modifying statement run
    first, in its own WITH item (its parameters come first)."""
    quote = connection.ops.quote_name
    answer, change = quote(Answer._meta.db_table), quote(AnswerChange._meta.db_table)

    def names(model: Any, fields: tuple[str, ...]) -> list[str]:
        return [quote(model._meta.get_field(name).column) for name in fields]

    if changed:
        assignments = ", ".join(
            f"{column} = %s{'::jsonb' if name == 'value_choices' else ''}"
            for name, column in zip(_UPDATED_FIELDS, names(Answer, tuple(_UPDATED_FIELDS)), strict=True)
        )
        written = f"UPDATE {answer} SET {assignments} WHERE id = %s RETURNING id"  # noqa: S608  # nosec B608
    else:
        columns_ = ", ".join(names(Answer, _ANSWER_COLUMNS))
        marks = ", ".join("%s::jsonb" if name == "value_choices" else "%s" for name in _ANSWER_COLUMNS)
        written = f"INSERT INTO {answer} ({columns_}) VALUES ({marks}) RETURNING id"  # noqa: S608  # nosec B608
    history = ", ".join(names(AnswerChange, _CHANGE_COLUMNS))
    first = f"also_written AS ({also}), " if also else ""
    return (
        f"WITH {first}written AS ({written}) INSERT INTO {change} ({history}) "  # noqa: S608  # nosec B608
        f"SELECT {', '.join(['%s'] * len(_CHANGE_COLUMNS))} FROM written"
    )


STAGE_COLUMNS = (
    'answer_id, version, response_id, question_id, "row", "column", value_text, value_number, value_date, '
    "value_choices, old_value, new_value"
)
_STAGE_CELL = 'response_id, question_id, "row", "column"'
_STAGE_VALUES = "value_text, value_number, value_date, value_choices"
_STAGE_ANSWER_INTO = (
    'created_at, updated_at, response_id, question_id, "row", "column", value_text, value_number, value_date, '
    "value_choices, version, updated_by_id, source, needs_review"
)
_STAGE_CHANGE_INTO = (
    'response_id, question_id, "row", "column", old_value, new_value, version, changed_by_id, changed_at, source'
)


def stage_table_sql(name: str) -> str:
    """The staging table of written cells: temporary, no index, no constraint but NOT NULL (`answer_id` is NULL for
    a new answer). One line per cell: what its Answer and its AnswerChange need."""
    return (
        f"CREATE TEMPORARY TABLE {name} (answer_id bigint, version integer NOT NULL, response_id bigint NOT NULL, "
        'question_id bigint NOT NULL, "row" text NOT NULL, "column" text NOT NULL, value_text text, '
        "value_number numeric, value_date date, value_choices jsonb, old_value text NOT NULL, "
        "new_value text NOT NULL)"
    )
