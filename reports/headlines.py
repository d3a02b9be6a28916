"""The Office's sentences: "15 of 52 responding participating States reported …; 11 more reported it in process."

Sentences are built from the stored numbers in the reader's language, so a report is translated when shown. Each
combination of figures (yes only; with some in process; with some in part; with both) is one whole sentence in the
catalogue, so that a translator writes each sentence with its own grammar instead of joining fragments. A question
without a headline phrase in its definition gets sentences of their own ("… answered “yes” to PRO.LEG.01"), never a
phrase slotted into a frame made for another. The plural form follows the number of States that said yes (the verb's
subject: "1 … a signalé", "3 … ont signalé"); English reads the same either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import translation
from django.utils.translation import ngettext


def sentence(row: Mapping[str, Any], question: Mapping[str, Any], language: str = "en") -> str:
    with translation.override(language):
        # The phrase in this language only: an English phrase inside a French sentence is worse than naming the code.
        what = (question.get("headline") or {}).get(language, "")
        figures = {
            "yes": row["yes"],
            "total": row["eligible"],
            "what": what,
            "code": question["code"],
            "in_process": row.get("in_process") or 0,
            "partly": row.get("partially") or 0,
        }
        pattern = _with_headline if what else _without_headline
        return pattern(row["yes"], bool(figures["in_process"]), bool(figures["partly"])) % figures


# Translators: the headline sentences of a report. %(what)s is the question's headline phrase from the survey
# definition, already in this language (e.g. "a national anti-trafficking action plan"; see the "headline" texts
# in surveys/definitions/*.yaml); %(yes)d participating States said yes, of %(total)d that responded (nearly always
# more than one); %(in_process)d more said it is in process, %(partly)d more that it is partly in place. The plural
# form follows %(yes)d.


def _with_headline(yes: int, in_process: bool, partly: bool) -> str:
    """The whole sentence for one combination of figures, in the active language."""
    if in_process and partly:
        # Translators: see the note above _with_headline in reports/headlines.py.
        return ngettext(
            "%(yes)d of %(total)d responding participating States reported %(what)s; %(in_process)d more reported "
            "it in process; %(partly)d more reported it in part.",
            "%(yes)d of %(total)d responding participating States reported %(what)s; %(in_process)d more reported "
            "it in process; %(partly)d more reported it in part.",
            yes,
        )
    if in_process:
        # Translators: see the note above _with_headline in reports/headlines.py.
        return ngettext(
            "%(yes)d of %(total)d responding participating States reported %(what)s; %(in_process)d more reported "
            "it in process.",
            "%(yes)d of %(total)d responding participating States reported %(what)s; %(in_process)d more reported "
            "it in process.",
            yes,
        )
    if partly:
        # Translators: see the note above _with_headline in reports/headlines.py.
        return ngettext(
            "%(yes)d of %(total)d responding participating States reported %(what)s; %(partly)d more reported it "
            "in part.",
            "%(yes)d of %(total)d responding participating States reported %(what)s; %(partly)d more reported it "
            "in part.",
            yes,
        )
    # Translators: see the note above _with_headline in reports/headlines.py.
    return ngettext(
        "%(yes)d of %(total)d responding participating States reported %(what)s.",
        "%(yes)d of %(total)d responding participating States reported %(what)s.",
        yes,
    )


def _without_headline(yes: int, in_process: bool, partly: bool) -> str:
    """The sentence for a question whose definition has no headline phrase: it names the question by its code."""
    if in_process and partly:
        # Translators: a headline sentence for a question without a headline phrase; %(code)s is its code
        # (PRO.LEG.01). The plural form follows %(yes)d.
        return ngettext(
            "%(yes)d of %(total)d responding participating States answered “yes” to %(code)s; %(in_process)d more "
            "answered “in process”; %(partly)d more answered “in part”.",
            "%(yes)d of %(total)d responding participating States answered “yes” to %(code)s; %(in_process)d more "
            "answered “in process”; %(partly)d more answered “in part”.",
            yes,
        )
    if in_process:
        # Translators: as above, without the States that answered "in part".
        return ngettext(
            "%(yes)d of %(total)d responding participating States answered “yes” to %(code)s; %(in_process)d more "
            "answered “in process”.",
            "%(yes)d of %(total)d responding participating States answered “yes” to %(code)s; %(in_process)d more "
            "answered “in process”.",
            yes,
        )
    if partly:
        # Translators: as above, without the States that answered "in process".
        return ngettext(
            "%(yes)d of %(total)d responding participating States answered “yes” to %(code)s; %(partly)d more "
            "answered “in part”.",
            "%(yes)d of %(total)d responding participating States answered “yes” to %(code)s; %(partly)d more "
            "answered “in part”.",
            yes,
        )
    # Translators: as above, with the States that answered "yes" only.
    return ngettext(
        "%(yes)d of %(total)d responding participating States answered “yes” to %(code)s.",
        "%(yes)d of %(total)d responding participating States answered “yes” to %(code)s.",
        yes,
    )
