"""The one writer of answers: typed columns from one mapping, versions, and one history row per written cell."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from responses import answer_columns, values
from responses.answer_writer import AnswerWriter, ChangedCell, NewCell
from responses.models import Answer, AnswerChange, Source
from surveys import answer_types as at

from .conftest import question


@pytest.mark.parametrize(
    ("kind", "value", "field"),
    [
        (at.TEXT, "some text", "value_text"),
        (at.CHOICE, "yes", "value_text"),
        (at.CHOICES, ["a", "b"], "value_choices"),
        (at.INTEGER, 12, "value_number"),
        (at.YEAR, 2014, "value_number"),
        (at.DECIMAL, Decimal("12.5"), "value_number"),
        (at.DATE, dt.date(2013, 5, 31), "value_date"),
    ],
)
def test_each_kind_has_one_typed_column_and_reads_back_as_it_was_written(kind: str, value: Any, field: str) -> None:
    stored = dict(zip(answer_columns.VALUE_FIELDS, answer_columns.columns(kind, value), strict=True))
    assert [name for name, column in stored.items() if column is not None] == [field]
    assert answer_columns.value(kind, *stored.values()) == value
    copied = answer_columns.copy_columns(kind, value).split("\t")
    assert [name for name, text in zip(answer_columns.VALUE_FIELDS, copied, strict=True) if text != "\\N"] == [field]


def test_no_value_leaves_every_column_empty() -> None:
    assert answer_columns.columns(at.INTEGER, None) == (None, None, None, None)
    assert answer_columns.copy_columns(at.TEXT, None) == "\\N\t\\N\t\\N\t\\N"


@pytest.mark.parametrize("copy", [False, True])
def test_the_writer_inserts_updates_and_records_history(response_at, people, copy: bool) -> None:
    q = question(response_at.survey, "PRV.SUP.01")
    now = timezone.now()
    writer = AnswerWriter(user_id=people.coordinator.pk, source=Source.IMPORT, now=now, copy=copy)
    writer.write([NewCell(response_at.pk, q.pk, "", "", at.CHOICE, "yes", "yes")])
    writer.finish()
    answer = Answer.objects.get(response=response_at, question=q)
    assert (values.read(answer, at.CHOICE), answer.version, answer.updated_by_id) == ("yes", 1, people.coordinator.pk)

    writer.write([], [ChangedCell(answer.pk, 2, response_at.pk, q.pk, "", "", at.CHOICE, "no", "no", "yes")])
    writer.finish()
    answer.refresh_from_db()
    assert (answer.value_text, answer.version, answer.source) == ("no", 2, Source.IMPORT)
    history = list(AnswerChange.objects.filter(response=response_at, question=q).order_by("version"))
    assert [(c.old_value, c.new_value, c.version, c.source) for c in history] == [
        ("", "yes", 1, Source.IMPORT),
        ("yes", "no", 2, Source.IMPORT),
    ]
