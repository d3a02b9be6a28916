"""The key figures' words: one whole sentence of the catalogue per chain and year (with plural forms), the figures
written as people read them in the active language. Shared by the workbook's Key figures sheet and the draft report;
the figures are the report data's `key_figures` (docs/report-data.md, computed by `reports.key_figures`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from surveys.i18n import FALLBACK_LANGUAGE, pick


def number_text(value: float | int | None) -> str:
    """A figure as people read it in the active language: 5,000 / 5 000 / 5.000; 2.5 / 2,5."""
    if value is None:
        return "–"
    places = 0 if float(value).is_integer() else 1
    return formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def percent_text(value: float) -> str:
    """A share with one decimal in the language's way: "2.4%", "2,4 %"."""
    # Translators: a percentage with one decimal, e.g. "2.4%" (French: "2,4 %").
    return pgettext("percentage", "%(percent)s%%") % {"percent": number_text(round(value * 100, 1) + 0.0)}


Questions = Mapping[str, Mapping[str, Any]]  # the report's questions by code (docs/report-data.md `questions`)


def step_name(chain: Mapping[str, Any], index: int, questions: Questions | None = None) -> str:
    """The words naming a step inside a sentence of the active language, never another language's words there.

    The step's label in that language; where the label (English required, the others optional, like every text of a
    definition) lacks it, the question's short label or text in that language; English only when neither has it
    either. A step without a label is named by its question code (docs/survey-definitions.md, `key_figures`)."""
    step = chain["steps"][index]
    label = step.get("label") or {}
    if not label:
        return step["question"]
    language = (translation.get_language() or FALLBACK_LANGUAGE).split("-")[0]
    question = (questions or {}).get(step["question"], {})
    for texts in (label, question.get("short"), question.get("text")):
        if texts and texts.get(language):
            return texts[language]
    return pick(label)


def first_sentence(year: int, step: str, figures: Mapping[str, Any]) -> str:
    if not figures["states"]:
        return _("In %(year)s, no participating State reported figures on %(step)s.") % {"year": year, "step": step}
    return ngettext(
        "In %(year)s, %(states)d participating State reported figures on %(step)s: %(total)s in all.",
        "In %(year)s, %(states)d participating States reported figures on %(step)s: %(total)s in all.",
        figures["states"],
    ) % {"year": year, "states": figures["states"], "step": step, "total": number_text(figures["total"])}


def next_sentence(step: str, figures: Mapping[str, Any]) -> str:
    if not figures["states"]:
        return _("No participating State reported figures on %(step)s.") % {"step": step}
    if figures.get("ratio") is None:
        return ngettext(
            "Figures on %(step)s: %(total)s from %(states)d participating State; none can be set against the "
            "previous step.",
            "Figures on %(step)s: %(total)s from %(states)d participating States; none can be set against the "
            "previous step.",
            figures["states"],
        ) % {"step": step, "total": number_text(figures["total"]), "states": figures["states"]}
    return ngettext(
        "Figures on %(step)s: %(total)s in all; in the one participating State that reported this step and the "
        "previous one, they are %(ratio)s of the previous step.",
        "Figures on %(step)s: %(total)s in all; in the %(both)d participating States that reported this step and the "
        "previous one, they are %(ratio)s of the previous step.",
        figures["both"],
    ) % {
        "step": step,
        "total": number_text(figures["total"]),
        "both": figures["both"],
        "ratio": percent_text(figures["ratio"]),
    }


def chain_sentence(
    chain: Mapping[str, Any], year_figures: Mapping[str, Any], questions: Questions | None = None
) -> str:
    """One chain in one year, as whole sentences: the first step, then each next step against the one before."""
    steps = year_figures["steps"]
    sentences = [first_sentence(year_figures["year"], step_name(chain, 0, questions), steps[0])]
    sentences += [next_sentence(step_name(chain, index, questions), steps[index]) for index in range(1, len(steps))]
    return " ".join(sentences)
