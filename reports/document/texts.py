"""The draft report's own sentences, each a whole sentence in the catalogue (per language, with plural forms).

Every function returns text in the active language: the writer calls them inside `translation.override`.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, npgettext, pgettext


def response_count(states: int, ngos: int, asks_ngos: bool) -> str:
    """ "Responses were received from 52 participating States and 90 NGOs." (States only when the round asks no
    NGOs.) The plural form follows the number of States; the NGOs are a phrase of their own (with its own plural
    form), written for this sentence only, so that a translator can put it in the case the sentence needs."""
    if not asks_ngos:
        # Translators: the first sentence of the draft report, for a round that asks no NGOs.
        return ngettext(
            "Responses were received from %(states)d participating State.",
            "Responses were received from %(states)d participating States.",
            states,
        ) % {"states": states}
    # Translators: the NGOs in "Responses were received from 52 participating States and 90 NGOs." Write it in the
    # form (case) that the sentence needs after "and".
    phrase = npgettext("responses were received from … and", "%(count)d NGO", "%(count)d NGOs", ngos) % {"count": ngos}
    # Translators: the first sentence of the draft report. %(ngos)s is the phrase "90 NGOs" (translated with the
    # context "responses were received from … and"). The plural form follows %(states)d.
    return ngettext(
        "Responses were received from %(states)d participating State and %(ngos)s.",
        "Responses were received from %(states)d participating States and %(ngos)s.",
        states,
    ) % {"states": states, "ngos": phrase}


def provisional_note() -> str:
    return _(
        "PROVISIONAL: these figures include answers that are still in progress or returned for changes; "
        "they will change."
    )


def built_on(date: str) -> str:
    # Translators: under the title of the draft report; %(date)s is a date (e.g. 28 November 2026).
    return _(
        "A draft built from the report of %(date)s: the figures, tables and charts of the published chapter, for its "
        "author to write the narrative around."
    ) % {"date": date}


def previous_yes(round_title: str, yes: int, total: int) -> str:
    """The previous round's figure of a question asked in both rounds. The plural form follows `yes`."""
    # Translators: %(round)s is the previous round's title; the plural form follows %(yes)d.
    return ngettext(
        "In the previous round (%(round)s), %(yes)d of %(total)d responding participating States answered “yes”.",
        "In the previous round (%(round)s), %(yes)d of %(total)d responding participating States answered “yes”.",
        yes,
    ) % {"round": round_title, "yes": yes, "total": total}


def current_yes(yes: int, total: int) -> str:
    """This round's figure, after `previous_yes`. The plural form follows `yes`."""
    # Translators: follows "In the previous round (…), 15 of 52 responding participating States answered “yes”."
    return ngettext(
        "In this round, %(yes)d of %(total)d responding participating States answered “yes”.",
        "In this round, %(yes)d of %(total)d responding participating States answered “yes”.",
        yes,
    ) % {"yes": yes, "total": total}


def changed_answers(count: int) -> str:
    # Translators: above the list of participating States whose answer differs from the previous round's.
    return ngettext(
        "%(count)d participating State changed its answer since the previous round:",
        "%(count)d participating States changed their answer since the previous round:",
        count,
    ) % {"count": count}


def change_of_answer(state: str, previous: str, current: str) -> str:
    # Translators: one State in the list of changed answers, e.g. "Austria: No → Yes".
    return _("%(state)s: %(previous)s → %(current)s") % {"state": state, "previous": previous, "current": current}


def percent(value: float | None) -> str:
    """A share as a whole percentage in the language's way ("67%", "67 %"); "–" when there is nothing to share."""
    if value is None:
        return "–"
    # Translators: a percentage, e.g. "67%" (French: "67 %").
    return pgettext("percentage", "%(percent)d%%") % {"percent": round(value * 100)}


def several_choices() -> str:
    return _("Several options could be chosen: the shares add up to more than 100%.")


def chart_description(question: str) -> str:
    # Translators: the alternative text of a chart in the draft report; %(question)s is the question's text.
    return _("Bar chart of the shares of States and NGOs choosing each option: %(question)s") % {"question": question}
