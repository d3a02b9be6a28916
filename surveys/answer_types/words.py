"""The words people read for a question's cells and stored values (`Words`, or `question.words`).

`words.cell(key)` → "2017, Female, Adults (18 and over), Domestic servitude, Foreign nationals", `words.value(key,
value)` → "In process (being prepared or adopted)", `words.text(key, canonical_text)` for what history and exports
store. Each type names its own cells (`AnswerType.cell_parts`), each kind's codec words its own values. It runs no
query: load questions with their options once per page and ask as often as needed.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from .base import Key, QuestionShape
from .cells import CHOICES, TEXT, CellSpec, option_word
from .kinds import cell_index, from_text, value_words
from .registry import get_type


class Words:
    """The words for one question's cells and stored values, in the language active when asked.

    Built from a `QuestionShape` (no database); `Question.words` gives the one of a loaded question. Cheap to ask
    many times: cell specs are indexed once, cell names are remembered per language.

    - `cell(key)` / `cell_parts(key)`: the name of a cell, "" / [] for a question with one value.
    - `values(key, value)` / `value(key, value)`: a typed value as a list of labels / one text ("; " between options).
    - `text(key, text)` / `texts(key, text)`: the same for a canonical text as history and exports store it.
    - `option(code, key)`: one option's label.
    - `where_and_what(key, value)`: "cell: value", or the value alone for a single-value question.
    """

    SEPARATOR = "; "

    def __init__(self, q: QuestionShape) -> None:
        self.q = q
        self.type = get_type(q.type)
        self.specs = cell_index(self.type.cells(q))
        self._names: dict[tuple[str, Key], list[str]] = {}

    def spec(self, key: Key) -> CellSpec | None:
        return self.specs.get(key)

    def kind(self, key: Key) -> str:
        spec = self.specs.get(key)
        return spec.kind if spec is not None else TEXT

    def cell_parts(self, key: Key) -> list[str]:
        memo = (translation.get_language() or "", key)
        if memo not in self._names:
            self._names[memo] = self.type.cell_parts(self.q, key)
        return self._names[memo]

    def cell(self, key: Key) -> str:
        return ", ".join(self.cell_parts(key))

    def values(self, key: Key, value: Any) -> list[str]:
        spec = self.specs.get(key)
        if spec is None:  # a cell the definition no longer has: its value as stored
            return value_words(CHOICES if isinstance(value, list) else TEXT, value)
        return value_words(spec.kind, value, spec.choices)

    def value(self, key: Key, value: Any) -> str:
        return self.SEPARATOR.join(self.values(key, value))

    def texts(self, key: Key, text: str) -> list[str]:
        return self.values(key, from_text(self.kind(key), text))

    def text(self, key: Key, text: str) -> str:
        return self.SEPARATOR.join(self.texts(key, text))

    def option(self, code: str, key: Key = ("", "")) -> str:
        spec = self.specs.get(key)
        return option_word(spec.choices if spec is not None else self.q.choices, code)

    def where_and_what(self, key: Key, value: Any) -> str:
        what = self.value(key, value)
        where = self.cell(key)
        return _("%(where)s: %(what)s") % {"where": where, "what": what} if where and what else what
