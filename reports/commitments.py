"""Findings grouped by commitment: what the Office reports to the Permanent Council ("Commitment AP2003.IV: 15 of
52 responding participating States reported …").

Pure functions over a stored report (docs/report-data.md: `documents`, `commitments`, `questions[].commitments`,
`headlines`); no queries, no files. The dashboard page, the workbook's Commitments sheet and the draft report's
"Findings by commitment" part all read `commitment_findings`, so the three say the same thing. A report built before
commitments were stored has none: the list is empty and each reader says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import translation
from django.utils.translation import gettext

from surveys.i18n import pick, pick_text

from .headlines import sentence


def commitment_sentence(code: str, headline: str, language: str) -> str:
    """ "Commitment AP2003.IV: <headline sentence>" as one whole sentence of the catalogue, in `language`."""
    with translation.override(language):
        # Translators: one finding of a report grouped by commitment. %(code)s is the commitment's code (AP2003.IV,
        # ADD2013.PREV: a reference, not translated), %(sentence)s a whole headline sentence already in this
        # language ("15 of 52 responding participating States reported …").
        return gettext("Commitment %(code)s: %(sentence)s") % {"code": code, "sentence": headline}


def commitment_findings(report: Mapping[str, Any], language: str) -> list[dict[str, Any]]:
    """Each commitment of the report in file order, with its texts in `language`, its questions and findings.

    A finding is a scored question's headline (the numbers of States that said yes, in process or in part, of those
    that answered); the other questions of a commitment are listed without figures."""
    questions = report.get("questions", [])
    by_code = {q["code"]: q for q in questions}
    headlines = {row["question"]: row for row in report.get("headlines", [])}
    documents = report.get("documents", {})
    areas = {a["code"]: a for a in report.get("areas", [])}
    result = []
    for commitment in report.get("commitments", []):
        code = commitment["code"]
        codes = [q["code"] for q in questions if code in q.get("commitments", [])]
        findings = []
        for question in codes:
            row = headlines.get(question)
            if row is None:
                continue
            text = sentence(row, by_code[question], language)
            findings.append(
                {
                    "question": question,
                    "sentence": text,
                    "line": commitment_sentence(code, text, language),
                    "yes": row["yes"],
                    "in_process": row.get("in_process") or 0,
                    "partially": row.get("partially") or 0,
                    "eligible": row["eligible"],
                }
            )
        document = commitment.get("document", "")
        result.append(
            {
                "code": code,
                "title": pick(commitment.get("title"), language),
                "document": document,
                "document_title": pick((documents.get(document) or {}).get("title"), language) or document,
                "paragraph": pick_text(commitment.get("paragraph"), language),
                "area": commitment.get("area", ""),
                "area_title": pick((areas.get(commitment.get("area", "")) or {}).get("title"), language),
                "questions": [{"code": q, "text": pick(by_code[q].get("text"), language)} for q in codes],
                "findings": findings,
            }
        )
    return result
