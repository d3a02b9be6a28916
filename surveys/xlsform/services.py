"""The two XLSForm services: write a round as an XLSForm, and import an XLSForm as a new draft round.

An import is all-or-nothing: pyxform reads and checks the form first (a form pyxform refuses is refused with its
words, which name the sheet and row), then the mapped data goes through every check of the definition loader
(`check_definition_data`), whose problems are reported at the sheet and row they came from, and only then is the
round created, as a draft, by the same service as `load_survey`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.utils.translation import gettext as _
from pyxform.errors import PyXFormError
from pyxform.xls2json_backends import get_xlsform
from pyxform.xls2xform import convert

from ..definition_export import survey_export_definition
from ..definitions import DefinitionError, check_definition_data
from ..models import Survey
from ..services import LoadResult, survey_load_definition
from .mapping import Unmapped, map_xlsform
from .writing import definition_to_xlsform

FILE_TYPES = (".xlsx", ".xls", ".csv", ".md")


class XlsformError(Exception):
    """Why a form was not imported, as whole sentences naming the sheet and row; nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class XlsformImport:
    result: LoadResult
    definition: dict[str, Any]
    unmapped: list[Unmapped]
    renamed: list[tuple[int, str, str]]  # (survey sheet row, XLSForm name, question code)


def xlsform_export(*, survey: Survey) -> bytes:
    """The XLSForm (.xlsx) of a round."""
    return definition_to_xlsform(survey_export_definition(survey=survey))


def _place(places: dict[str, tuple[str, int]], path: str) -> tuple[str, int] | None:
    probe = path
    while probe:
        if probe in places:
            return places[probe]
        shorter = probe.rsplit(".", 1)[0] if "." in probe else ""
        bracket = probe.rfind("[")
        probe = max(shorter, probe[:bracket] if bracket > 0 else "", key=len)
    return None


def xlsform_import(*, content: bytes, filename: str, slug: str, years: tuple[int, int] | None = None) -> XlsformImport:
    """A new draft round `slug` from an XLSForm; raises XlsformError (nothing written) when it cannot be."""
    suffix = PurePath(filename).suffix.lower()
    if suffix not in FILE_TYPES:
        raise XlsformError(
            [_("%(file)s: not an XLSForm file (use %(types)s)") % {"file": filename, "types": ", ".join(FILE_TYPES)}]
        )
    if Survey.objects.filter(slug=slug).exists():
        raise XlsformError([_("a round %(slug)s already exists; choose another --slug") % {"slug": repr(slug)}])
    try:
        convert(content, file_type=suffix, warnings=[])
        book: Any = get_xlsform(xlsform=content, file_type=suffix)
    except PyXFormError as exc:
        raise XlsformError(
            [_("%(file)s: pyxform refuses the form: %(reason)s") % {"file": filename, "reason": exc}]
        ) from exc
    except Exception as exc:
        raise XlsformError(
            [_("%(file)s: not a readable XLSForm (%(reason)s)") % {"file": filename, "reason": exc}]
        ) from exc
    mapped = map_xlsform(book, slug=slug, years=years)
    try:
        definition = check_definition_data(mapped.data)
        result = survey_load_definition(definition=definition)
    except DefinitionError as exc:
        problems = []
        for problem in exc.problems:
            place = _place(mapped.places, problem.path)
            if place is None:
                problems.append(str(problem))
            else:
                problems.append(
                    _("%(sheet)s sheet, row %(row)d: %(message)s (%(path)s)")
                    % {"sheet": place[0], "row": place[1], "message": problem.message, "path": problem.path}
                )
        raise XlsformError(problems) from exc
    return XlsformImport(result, definition, mapped.unmapped, mapped.renamed)
