"""Planning an import: the round to import into, the checked plan of a file held in memory, and the result.

`answers_import_check` checks rows already read (`read_rows`) and gives the plan that `answers_import_write`
writes; `answers_import` streams instead (responses.imports.writing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, npgettext

from accounts.models import Organisation
from surveys.models import Survey

from .checking import CellGroup, _Checker
from .reading import ImportRejected


@dataclass
class ImportPlan:
    survey: Survey
    groups: list[CellGroup]
    organisations: list[Organisation]

    @property
    def cell_count(self) -> int:
        return sum(len(g.raw) for g in self.groups)


@dataclass
class ImportResult:
    survey: Survey
    organisations: int = 0
    written: int = 0
    unchanged: int = 0
    submitted: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return _("%(slug)s: %(figures)s.") % {"slug": self.survey.slug, "figures": self.figures}

    @property
    def figures(self) -> str:
        """ "5 organisations, 15 answers written, 0 unchanged, 5 recorded as submitted", each count in its form."""
        parts = [
            ngettext("%(n)d organisation", "%(n)d organisations", self.organisations) % {"n": self.organisations},
            ngettext("%(n)d answer written", "%(n)d answers written", self.written) % {"n": self.written},
            npgettext("answers", "%(n)d unchanged", "%(n)d unchanged", self.unchanged) % {"n": self.unchanged},
        ]
        if self.submitted:
            parts.append(
                npgettext("organisations", "%(n)d recorded as submitted", "%(n)d recorded as submitted", self.submitted)
                % {"n": self.submitted}
            )
        return ", ".join(parts)


def survey_for_import(slug: str) -> Survey:
    """The round with this slug; ImportRejected naming the rounds there are when it does not exist."""
    survey = Survey.objects.filter(slug=slug).first()
    if survey is None:
        slugs = ", ".join(Survey.objects.order_by("slug").values_list("slug", flat=True)) or _("none")
        raise ImportRejected([_("There is no round “%(slug)s”. Rounds: %(slugs)s.") % {"slug": slug, "slugs": slugs}])
    return survey


def answers_import_check(*, survey: Survey, header: list[str], rows: list[list[Any]]) -> ImportPlan:
    """Check every row of an answer file held in memory; ImportRejected with every problem, or the plan to write.

    `answers_import` does the same while streaming the file; this is for callers that have the rows already.
    """
    checker = _Checker(survey, header, hold_all=True)
    for offset, record in enumerate(rows):
        checker.row(offset + 2, record)
    problems = checker.finish()
    if problems:
        raise ImportRejected(problems)
    groups = sorted(checker.held.values(), key=lambda g: g.rows[0])
    return ImportPlan(survey=survey, groups=groups, organisations=list(checker.organisations.values()))
