"""The draft report's "Findings by commitment" part: per commitment a heading (code and title), its source document
and paragraph, and its findings as the Office writes them ("Commitment AP2003.IV: 15 of 52 …"). No queries.

The grouping is `reports.commitments.commitment_findings`, shared with the dashboard and the workbook."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from docx.document import Document as DocumentObject

from ..commitments import commitment_findings


def add_commitments(doc: DocumentObject, report: Mapping[str, Any], language: str, note: Callable[[str], None]) -> None:
    """Append the part to `doc` (in the active language); nothing when the report holds no commitments."""
    commitments = commitment_findings(report, language)
    if not commitments:
        return
    doc.add_heading(_("Findings by commitment"), level=1)
    for commitment in commitments:
        doc.add_heading(f"{commitment['code']} {commitment['title']}", level=2)
        if commitment["paragraph"]:
            note(
                _("%(document)s, %(paragraph)s")
                % {"document": commitment["document_title"], "paragraph": commitment["paragraph"]}
            )
        else:
            note(commitment["document_title"])
        for finding in commitment["findings"]:
            doc.add_paragraph(finding["line"], style="List Bullet")
        if not commitment["findings"]:
            note(_("No scored question asks about this commitment."))
        codes = ", ".join(q["code"] for q in commitment["questions"])
        if codes:
            note(_("Questions: %(codes)s") % {"codes": codes})
