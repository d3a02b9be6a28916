"""The "Findings by commitment" page: each commitment of the round with its document, paragraph, questions and
headline findings, from the stored report (`reports.commitments`). No queries."""

from __future__ import annotations

from typing import Any

from ..commitments import commitment_findings
from .common import language
from .document import ReportDoc


def commitments_page(doc: ReportDoc) -> dict[str, Any]:
    commitments = commitment_findings(doc.data, language())
    return {
        "commitments": commitments,
        # A report built before commitments were stored has none; rebuilding it adds them.
        "stored": "commitments" in doc.data,
        "findings": sum(len(c["findings"]) for c in commitments),
    }
