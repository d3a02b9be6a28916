"""A small valid definition file for the loader tests, and the surveys factories (whose one home is
tests/factories.py) under the names these tests import."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from surveys.models import Area, Option, OptionSet, Question, Section, Survey
from tests.factories import (
    AreaFactory,
    OptionFactory,
    OptionSetFactory,
    QuestionFactory,
    SectionFactory,
    SurveyFactory,
    YesNoOptionSetFactory,
)

__all__ = [
    "AreaFactory",
    "OptionFactory",
    "OptionSetFactory",
    "QuestionFactory",
    "SectionFactory",
    "SurveyFactory",
    "YesNoOptionSetFactory",
]

DEFINITIONS_DIR = Path(__file__).resolve().parent.parent / "definitions"
SHIPPED = {"thb-2016": DEFINITIONS_DIR / "thb-2016.yaml", "thb-2021": DEFINITIONS_DIR / "thb-2021.yaml"}


# --- a small valid definition file ------------------------------------------------------------------------------
# One area, one section and questions of several types; tests change one thing at a time and load the result.

MINIMAL_DEFINITION = """\
survey:
  slug: thb-2099
  title: {en: "Test round", fr: "Cycle d'essai"}
  reference_period: {start: 2012, end: 2014}
  respondent_kinds: [state, ngo]
  previous: null
documents:
  AP2003: {title: {en: "OSCE Action Plan to Combat Trafficking in Human Beings (2003)"}}
commitments:
  - code: AP2003.IV
    document: AP2003
    paragraph: "ch. IV"
    area: PRV
    title: {en: "Prevention of trafficking in human beings", fr: "Prévention de la traite des êtres humains"}
option_sets:
  YNP:
    options:
      - {code: "yes", label: {en: "Yes", fr: "Oui"}}
      - {code: "no", label: {en: "No", fr: "Non"}}
      - {code: in_process, label: {en: "In process", fr: "En cours"}}
areas:
  - code: PRV
    title: {en: "Prevention", fr: "Prévention"}
    sections:
      - code: PRV.SUP
        title: {en: "Supply chains", fr: "Chaînes d'approvisionnement"}
        items:
          - code: PRV.SUP.01
            type: single_select
            audience: state
            scored: true
            text: {en: "Is there a purchasing policy?", fr: "Existe-t-il une politique d'achats ?"}
            options: YNP
            commitments: [AP2003.IV]
          - code: PRV.SUP.02
            type: integer
            audience: state
            required: false
            text: {en: "How many suppliers were checked?"}
            validation: {min: 0, max: 1000}
            show_if: {question: PRV.SUP.01, in: ["yes", in_process]}
          - code: PRV.SUP.03
            type: matrix
            audience: both
            text: {en: "Which rules apply to suppliers?"}
            options: YNP
            rows:
              - {code: contracts, label: {en: "Contract clauses"}}
              - {code: audits, label: {en: "Supplier audits"}}
          - code: PRV.SUP.04
            type: multi_select
            audience: both
            text: {en: "What does the policy cover?"}
            options:
              - {code: goods, label: {en: "Goods"}}
              - {code: services, label: {en: "Services"}}
              - {code: none, label: {en: "Nothing"}}
            exclusive: [none]
          - code: PRV.SUP.05
            type: long_text
            audience: ngo
            required: false
            text: {en: "Please describe the policy."}
            validation: {max_length: 2000}
"""


def minimal_definition() -> dict[str, Any]:
    """The minimal definition as plain YAML data (not canonical), ready to be changed and dumped again."""
    return copy.deepcopy(yaml.safe_load(MINIMAL_DEFINITION))


def definition_text(data: dict[str, Any]) -> str:
    """YAML text of definition data; safe_dump quotes "yes" and "no" as the format asks."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """The 1-based number of the `nth` line of `text` containing `needle`."""
    found = [number for number, line in enumerate(text.splitlines(), start=1) if needle in line]
    if len(found) < nth:
        raise AssertionError(f"{needle!r} is not {nth} time(s) in the text")
    return found[nth - 1]


def row_counts() -> dict[str, int]:
    """How many rows each definition table holds: compared before and after a refused load."""
    return {model.__name__: model.objects.count() for model in (Survey, Area, Section, OptionSet, Option, Question)}
