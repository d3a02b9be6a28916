"""Evidence documents: stored as files, not as cells."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy

from .base import REPORT_DOCUMENTS, Key, QuestionShape
from .cells import CellSpec
from .numeric import _Plain


class FileAnswer(_Plain):
    """Evidence documents; they are stored as files, not as cells."""

    code, label = "file", gettext_lazy("Uploaded documents")
    stores_files = True
    default_required = False
    report_role = REPORT_DOCUMENTS
    xls_type = "file"

    def cells(self, q: QuestionShape) -> list[CellSpec]:
        return []

    def is_complete(self, q: QuestionShape, values: Mapping[Key, Any], evidence_count: int = 0) -> bool:
        return evidence_count > 0

    def demo_cells(self, cells: list[CellSpec], rng: random.Random) -> list[CellSpec]:
        return []  # demo data uploads no documents
