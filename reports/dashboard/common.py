"""What every dashboard page shares: the order and labels of statuses and kinds, how numbers are shown, and the
grouped bar chart's data. Pure functions: no queries, no files."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext as _

from responses.models import Response
from surveys import answer_types as at
from surveys.i18n import pick

STATUSES = [value for value, _label in Response.Status.choices]
KINDS = ("state", "ngo")


def language() -> str:
    return (translation.get_language() or "en").split("-")[0]


def kind_label(kind: str) -> str:
    return {"state": _("Participating States"), "ngo": _("NGOs"), "partner": _("Partners for Co-operation")}.get(
        kind, kind
    )


def kind_singular(kind: str) -> str:
    return {"state": _("Participating State"), "ngo": _("NGO"), "partner": _("Partner for Co-operation")}.get(
        kind, kind
    )


KIND_ORDER = {"state": 0, "partner": 1, "ngo": 2}


def status_label(status: str) -> str:
    return str(Response.Status(status).label) if status in STATUSES else status


def percent(part: float | int | None, whole: float | int | None) -> int | None:
    """A share as a whole percentage; None when there is nothing to divide by."""
    if part is None or not whole:
        return None
    return round(100 * part / whole)


def score_percent(score: float | None) -> int | None:
    return None if score is None else round(100 * score)


def number_text(value: Any) -> str:
    """A stored number as people write it: 12, 2.5 (localised), never 12.0000 (see `answer_types.number_words`)."""
    return at.number_words(value)


GROUP_FROM = 10_000  # 2019 and 1234 stay as they are (years, and the style guides of the six languages); 17 245 groups


def figure_text(value: Any) -> str:
    """A total or a count of the dashboards as the reader's language writes it: "17 245" in Russian and French,
    "17.245" in German, "17,245" in English; numbers under 10 000 (years among them) ungrouped, like `number_text`."""
    if value is None or value == "":
        return number_text(value)
    number = Decimal(str(value))
    if abs(number) < GROUP_FROM:
        return number_text(value)
    number = number.normalize()
    places = max(0, -int(number.as_tuple().exponent))
    return formats.number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)


def bar_chart(
    question: Mapping[str, Any],
    counts: Iterable[Mapping[str, Any]],
    row: str = "",
    kinds: Sequence[str] = KINDS,
    words: at.Words | None = None,
) -> dict[str, Any]:
    """Grouped bars of one choice question (one cell row): options on the axis, one dataset per respondent kind.

    `words` names options the report does not list (a field's own options in a question with several fields)."""
    counts = list(counts)
    options = [o["code"] for o in question.get("options", [])]
    labels = {o["code"]: pick(o.get("label")) or o["code"] for o in question.get("options", [])}
    if words is not None:
        labels = {o: labels.get(o) or words.option(o, (row, "")) for o in {*labels, *(c["option"] for c in counts)}}
    by_kind: dict[str, dict[str, int]] = defaultdict(dict)
    for c in counts:
        if c["row"] == row and c["kind"] in kinds:
            by_kind[c["kind"]][c["option"]] = c["count"]
            if c["option"] not in options:
                options.append(c["option"])
    return {
        "type": "bar",
        "codes": options,
        "labels": [labels.get(o, o) for o in options],
        "datasets": [
            {"kind": kind, "label": kind_label(kind), "data": [by_kind[kind].get(o, 0) for o in options]}
            for kind in kinds
            if kind in by_kind
        ],
    }
