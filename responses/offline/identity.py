"""Which round and organisation a workbook is for, and the signed map of its answer cells.

The hidden sheet `IDENTITY_SHEET` holds a marker, the round's slug, the organisation's code, the language and a
`django.core.signing` token (split over cells: a cell holds at most 32,767 characters) over the payload:
`{"survey", "org", "language", "fingerprint", "cells": {"Sheet!D12": [question, row, column, part, version, text]},
"tags": {"Sheet": {"12": tag}}, "columns": {"Sheet": n}}`. `tags` are the hidden first column of each answer row:
rows inserted, deleted or moved no longer match them; likewise the hidden first row tags the sheet's first n columns
(`column_tag`), so inserted or deleted columns are seen. The fingerprint is the structure of the questionnaire the organisation is asked (codes,
types, cells and options): a workbook of a questionnaire that changed since cannot be read back cell by cell.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.core import signing

from surveys.models import Question

IDENTITY_SHEET = "_oscethb"
MARKER = "oscethb offline questionnaire v1"
SALT = "responses.offline.workbook"
CHUNK = 30_000


def column_tag(column: int) -> str:
    """What the hidden first row of an area's sheet holds in its column `column` (1-based)."""
    return f"#{column}"


class WorkbookRejected(Exception):
    """The file cannot be read back as this organisation's workbook; the message says why, in words."""


def structure_fingerprint(questions: Iterable[Question]) -> str:
    """A short hash of what the workbook's cells stand for: any change to a code, a type, a cell or an option
    changes it."""
    parts: list[Any] = []
    for question in questions:
        grid = question.answer_type.sheet_grid(question.shape)
        slots = [[list(s.key), s.part] for _label, row in grid.rows for s in row if s is not None]
        options = [[spec.row, spec.column, spec.kind, spec.choice_codes()] for spec in question.cells()]
        parts.append([question.code, question.type, slots, options])
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:32]


def sign(payload: dict[str, Any]) -> list[str]:
    token = signing.dumps(payload, salt=SALT, compress=True)
    return [token[i : i + CHUNK] for i in range(0, len(token), CHUNK)]


def unsign(chunks: list[str]) -> dict[str, Any]:
    """The payload; BadSignature when the hidden sheet was edited."""
    payload = signing.loads("".join(chunks), salt=SALT)
    if not isinstance(payload, dict):
        raise signing.BadSignature("not a payload")
    return payload
