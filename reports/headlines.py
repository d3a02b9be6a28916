"""The Office's sentences: "15 of 52 responding participating States reported …; 11 more reported it in process."

Sentences are built from the stored numbers in the reader's language, so a report is translated when shown. Each
combination of figures (yes only; with some in process; with some in part; with both) is one whole sentence in the
catalogue, so that a translator writes each sentence with its own grammar instead of joining fragments.
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
        total = row["eligible"]
        figures = {
            "yes": row["yes"],
            "total": total,
            "what": what,
            "in_process": row.get("in_process") or 0,
            "partly": row.get("partially") or 0,
        }
        return _pattern(total, bool(figures["in_process"]), bool(figures["partly"])) % figures


def _pattern(total: int, in_process: bool, partly: bool) -> str:
    """The whole sentence for one combination of figures, in the active language (plural on the total)."""
    if in_process and partly:
        # Translators: a headline sentence of a report. %(what)s is the question's headline phrase from the survey
        # definition, already in this language (e.g. "a national anti-trafficking action plan"); %(yes)d States
        # said yes, %(in_process)d more that it is in process and %(partly)d more that it is partly in place, of
        # %(total)d States that responded. The plural follows %(total)d.
        return ngettext(
            "%(yes)d of %(total)d responding participating State reported %(what)s; %(in_process)d more reported "
            "it in process; %(partly)d more reported it in part.",
            "%(yes)d of %(total)d responding participating States reported %(what)s; %(in_process)d more reported "
            "it in process; %(partly)d more reported it in part.",
            total,
        )
    if in_process:
        # Translators: a headline sentence of a report. %(what)s is the question's headline phrase from the survey
        # definition, already in this language (e.g. "a national anti-trafficking action plan"); %(yes)d States
        # said yes and %(in_process)d more that it is in process, of %(total)d States that responded. The plural
        # follows %(total)d.
        return ngettext(
            "%(yes)d of %(total)d responding participating State reported %(what)s; %(in_process)d more reported "
            "it in process.",
            "%(yes)d of %(total)d responding participating States reported %(what)s; %(in_process)d more reported "
            "it in process.",
            total,
        )
    if partly:
        # Translators: a headline sentence of a report. %(what)s is the question's headline phrase from the survey
        # definition, already in this language (e.g. "a national anti-trafficking action plan"); %(yes)d States
        # said yes and %(partly)d more that it is partly in place, of %(total)d States that responded. The plural
        # follows %(total)d.
        return ngettext(
            "%(yes)d of %(total)d responding participating State reported %(what)s; %(partly)d more reported it "
            "in part.",
            "%(yes)d of %(total)d responding participating States reported %(what)s; %(partly)d more reported it "
            "in part.",
            total,
        )
    # Translators: a headline sentence of a report. %(what)s is the question's headline phrase from the survey
    # definition, already in this language (e.g. "a national anti-trafficking action plan"); %(yes)d of %(total)d
    # States that responded said yes. The plural follows %(total)d.
    return ngettext(
        "%(yes)d of %(total)d responding participating State reported %(what)s.",
        "%(yes)d of %(total)d responding participating States reported %(what)s.",
        total,
    )
