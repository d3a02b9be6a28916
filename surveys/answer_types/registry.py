"""The registry of answer types: every type by its code, in the order the definition format lists them.

A new type is one class in a family module, registered here; the checklist test then asks it every hook.
"""

from __future__ import annotations

from .base import AnswerType
from .cells import CHOICE, DATE, DECIMAL, INTEGER, TEXT, YEAR
from .choice import MultiSelect, SingleSelect, YesNoPlusInteger
from .composite import Composite
from .file import FileAnswer
from .matrix import LikertMatrix, Matrix
from .numeric import DecimalNumber, Integer, IntegerMatrix, IntegerPerYear
from .text import DateAnswer, LongText, ShortText, YearRange

ANSWER_TYPES: dict[str, AnswerType] = {
    t.code: t
    for t in (
        SingleSelect(),
        MultiSelect(),
        Matrix(),
        LikertMatrix(),
        Integer(),
        DecimalNumber(),
        IntegerPerYear(),
        IntegerMatrix(),
        YearRange(),
        ShortText(),
        LongText(),
        DateAnswer(),
        FileAnswer(),
        Composite(),
        YesNoPlusInteger(),
    )
}
TYPE_CHOICES = [(code, t.label) for code, t in ANSWER_TYPES.items()]
COMPOSITE_FIELD_KINDS = (CHOICE, INTEGER, DECIMAL, TEXT, YEAR, DATE)


def get_type(code: str) -> AnswerType:
    return ANSWER_TYPES[code]
