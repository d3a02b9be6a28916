"""The Office's sentences: "15 of 52 responding participating States reported …; 11 more reported it in process."

Sentences are built from the stored numbers in the reader's language, so a report is translated when shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import translation
from django.utils.translation import gettext, ngettext

from surveys.i18n import pick


def sentence(row: Mapping[str, Any], question: Mapping[str, Any], language: str = "en") -> str:
    with translation.override(language):
        what = pick(question.get("headline"), language) or gettext("“yes” to %(code)s") % {"code": question["code"]}
        text = ngettext(
            "%(yes)d of %(total)d responding participating State reported %(what)s",
            "%(yes)d of %(total)d responding participating States reported %(what)s",
            row["eligible"],
        ) % {"yes": row["yes"], "total": row["eligible"], "what": what}
        if row.get("in_process"):
            text += "; " + ngettext(
                "%(n)d more reported it in process", "%(n)d more reported it in process", row["in_process"]
            ) % {"n": row["in_process"]}
        if row.get("partially"):
            text += "; " + ngettext(
                "%(n)d more reported it in part", "%(n)d more reported it in part", row["partially"]
            ) % {"n": row["partially"]}
        return text + "."
