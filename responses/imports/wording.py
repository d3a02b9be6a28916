"""The wording of the import's messages that name questions, cells and organisations (part of the file contract).

These texts are what a person fixing a file reads: they are a contract, kept as they are.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Organisation
from surveys import answer_types as at
from surveys.models import Audience, Question

from .reading import SHOWN_CODES, Key


def _some(codes: Iterable[str]) -> str:
    codes = list(dict.fromkeys(codes))
    shown = ", ".join(c or "''" for c in codes[:SHOWN_CODES])
    if len(codes) > SHOWN_CODES:
        shown += _(", … (%(n)d in all)") % {"n": len(codes)}
    return shown


def _unknown_cell(question: Question, specs: dict[Key, at.CellSpec], row: str, column: str) -> str:
    rows = [spec.row for spec in specs.values()]
    columns = [spec.column for spec in specs.values() if spec.row == row] or [spec.column for spec in specs.values()]
    if row not in rows:
        if rows == [""] * len(rows):
            return _("%(code)s takes no row: leave the row empty (it has “%(row)s”).") % {
                "code": question.code,
                "row": row[:60],
            }
        if row == "":
            return _("%(code)s needs a row: one of %(rows)s.") % {"code": question.code, "rows": _some(rows)}
        return _("%(code)s has no row “%(row)s”; its rows are %(rows)s.") % {
            "code": question.code,
            "row": row[:60],
            "rows": _some(rows),
        }
    if columns == [""] * len(columns):
        return _("%(code)s takes no column: leave the column empty (it has “%(column)s”).") % {
            "code": question.code,
            "column": column[:60],
        }
    if column == "":
        return _("%(code)s needs a column: one of %(columns)s.") % {"code": question.code, "columns": _some(columns)}
    return _("%(code)s has no column “%(column)s”; its columns are %(columns)s.") % {
        "code": question.code,
        "column": column[:60],
        "columns": _some(columns),
    }


def _cell_label(question: Question, key: Key) -> str:
    return question.code if key == ("", "") else f"{question.code} {at.describe_cell(key)}"


def _kind_label(organisation: Organisation) -> str:
    return _("an NGO") if organisation.respondent_kind == "ngo" else _("a State")


def _audience_label(question: Question) -> str:
    labels: dict[str, str] = {Audience.STATE.value: _("States only"), Audience.NGO.value: _("NGOs only")}
    return labels.get(question.audience, _("everyone"))


def _missing_warning(organisation: Organisation, missing: list[str]) -> str:
    return ngettext(
        "WARNING: %(name)s (%(code)s): %(n)d required answer missing: %(codes)s",
        "WARNING: %(name)s (%(code)s): %(n)d required answers missing: %(codes)s",
        len(missing),
    ) % {
        "name": organisation.name,
        "code": organisation.code,
        "n": len(missing),
        "codes": _some(missing),
    }
