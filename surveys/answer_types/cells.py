"""Cells and their values: the kinds of cell, a cell's spec, the parsers the codecs (`kinds.py`) share.

See `kinds.py`: a codec owns everything about one kind of value: how raw input (a form string, a CSV field, an Excel cell, a JSON
value) is cleaned (`clean`, raising `AnswerError` with a message for the person who typed it), which typed column of
an Answer row keeps it (`column`, `store`, `read`), its canonical text for history and exports (`to_text`,
`from_text`), its words for people (`words`) and an example value (`example`). Types (see `base.AnswerType`) are
made of cells, and each cell asks the codec of its kind; nothing else branches on a kind.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils import formats
from django.utils.translation import gettext as _

from ..i18n import pick

if TYPE_CHECKING:
    from .kinds import Codec

# Kinds of cell value.
CHOICE = "choice"
CHOICES = "choices"
INTEGER = "integer"
DECIMAL = "decimal"
TEXT = "text"
DATE = "date"
YEAR = "year"
CELL_KINDS = (CHOICE, CHOICES, INTEGER, DECIMAL, TEXT, DATE, YEAR)

# Absolute bounds, whatever a definition says: they keep every value inside what the database column holds.
INTEGER_LIMIT = 10**15
DECIMAL_MAX_DIGITS = 20
DECIMAL_MAX_PLACES = 4
DEFAULT_SHORT_TEXT = 500
DEFAULT_LONG_TEXT = 20_000
YEAR_MIN, YEAR_MAX = 1900, 2100
MULTI_SEPARATOR = ";"
ROW_KEY_SEPARATOR = "."

# The typed columns of an Answer row; a codec names the one it keeps its value in.
VALUE_FIELDS = ("value_text", "value_number", "value_date", "value_choices")

# Every date answer lies in these years (web form, autosave and import all parse dates here): a date from year 1 is
# a typing slip, and Excel cannot show dates before 1900 (it writes #####).
DATE_MIN, DATE_MAX = dt.date(1900, 1, 1), dt.date(2100, 12, 31)

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class AnswerError(ValueError):
    """A value a respondent gave that cannot be stored; the message says why in plain words."""


@dataclass(frozen=True)
class Choice:
    code: str
    label: Mapping[str, str]


@dataclass(frozen=True)
class CellSpec:
    """One stored value of a question: where it goes (row, column) and how it is checked."""

    row: str
    column: str
    kind: str
    choices: tuple[Choice, ...] = ()
    validation: Mapping[str, Any] = field(default_factory=dict)
    exclusive: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return (self.row, self.column)

    def choice_codes(self) -> list[str]:
        return [c.code for c in self.choices]

    @property
    def codec(self) -> Codec:
        from .kinds import CODECS  # the codecs are built from the specs' module: imported when first asked

        return CODECS[self.kind]


# --- small parsers shared by the codecs ------------------------------------------------------------------------------


def _is_empty(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return raw.strip() == ""
    if isinstance(raw, (list, tuple)):
        return len(raw) == 0
    return False


def _check_text(raw: str) -> str:
    if "\x00" in raw or _CONTROL_CHARS.search(raw):
        raise AnswerError(
            _("The text contains an invisible control character; please delete it and type the text again.")
        )
    return raw


def _as_text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, bool):
        raise AnswerError(_("Expected a value, not true/false."))
    return _check_text(str(raw)).strip()


def _bounds(value: Any, validation: Mapping[str, Any], fmt: Any = str) -> None:
    low, high = validation.get("min"), validation.get("max")
    if low is not None and value < low:
        raise AnswerError(_("The value must be %(min)s or more.") % {"min": fmt(low)})
    if high is not None and value > high:
        raise AnswerError(_("The value must be %(max)s or less.") % {"max": fmt(high)})


def _clean_integer(raw: Any) -> int:
    if isinstance(raw, bool):
        raise AnswerError(_("Enter a whole number, for example 12."))
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    else:
        text = _as_text(raw).replace("\u00a0", "").replace(" ", "")
        # Thousands separators that people type: 1,234 / 1.234 / 1'234 — only in groups of three.
        if re.fullmatch(r"[+-]?\d{1,3}([,.']\d{3})+", text):
            text = re.sub(r"[,.']", "", text)
        if not re.fullmatch(r"[+-]?\d{1,19}", text):
            raise AnswerError(_("Enter a whole number, for example 12 (digits only, no words or decimals)."))
        value = int(text)
    if abs(value) >= INTEGER_LIMIT:
        raise AnswerError(_("This number is too large."))
    return value


def _clean_decimal(raw: Any, validation: Mapping[str, Any]) -> Decimal:
    if isinstance(raw, bool):
        raise AnswerError(_("Enter a number, for example 12.5."))
    if isinstance(raw, (int, Decimal)):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(repr(raw))
    else:
        text = _as_text(raw).replace("\u00a0", "").replace(" ", "")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")  # a decimal comma, as most of the OSCE region writes it
        if not re.fullmatch(r"[+-]?(\d{1,20}(\.\d*)?|\.\d+)", text):
            raise AnswerError(_("Enter a number, for example 12.5."))
        try:
            value = Decimal(text)
        except InvalidOperation as exc:  # pragma: no cover - the pattern above admits only valid decimals
            raise AnswerError(_("Enter a number, for example 12.5.")) from exc
    if value.is_zero():
        value = abs(value)  # "-0" is 0: the database keeps no sign on zero, and the history must say what it keeps
    if not value.is_finite() or abs(value) >= Decimal(10) ** (DECIMAL_MAX_DIGITS - DECIMAL_MAX_PLACES):
        raise AnswerError(_("This number is too large."))
    places = int(validation.get("decimal_places", DECIMAL_MAX_PLACES))
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise AnswerError(_("Use at most %(places)d digits after the decimal point.") % {"places": places})
    return value


def _clean_date(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        value = raw.date()
    elif isinstance(raw, dt.date):
        value = raw
    else:
        text = _as_text(raw)
        for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
            try:
                value = dt.datetime.strptime(text, pattern).date()
                break
            except ValueError:
                continue
        else:
            raise AnswerError(_("Enter a date as YYYY-MM-DD, for example 2015-06-30."))
    if not DATE_MIN <= value <= DATE_MAX:
        raise AnswerError(
            _("Enter a date between %(first)d and %(last)d.") % {"first": DATE_MIN.year, "last": DATE_MAX.year}
        )
    return value


def _split_choices(raw: Any) -> list[str]:
    if isinstance(raw, str):
        return [part.strip() for part in raw.split(MULTI_SEPARATOR) if part.strip()]
    if isinstance(raw, Iterable):
        return [_as_text(part) for part in raw if not _is_empty(part)]
    return [_as_text(raw)]


def number_words(value: Any) -> str:
    """A number as people write it in the active language: 12, 2.5 (or 2,5), never 12.0000."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return formats.number_format(int(number))
    return formats.number_format(number.normalize())


def option_word(choices: Sequence[Choice], code: str) -> str:
    found = next((c for c in choices if c.code == code), None)
    return (pick(found.label) or code) if found is not None else code
