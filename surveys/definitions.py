"""Reading and checking survey definition files (docs/survey-definitions.md), with no database access.

`parse_definition` checks a whole file and returns either a canonical definition (plain dicts and lists, exactly
what `export_survey` writes back) or every problem found, each with its place in the file
(`areas[2].sections[0].items[3].options: unknown option set 'YNX'`) and its line. The round, its areas and sections
are read here; a question in `definition_questions`; the reader's helpers are in `definition_reader`.
"""

from __future__ import annotations

from typing import Any

import yaml
from django.utils.translation import gettext as _

from . import answer_types as at
from .definition_commitments import (
    check_references,
    read_commitments,
    read_documents,
    refuse_area_commitments,
    written_codes,
)
from .definition_key_figures import key_figures_def
from .definition_questions import question_def
from .definition_reader import (
    _LOADER,
    AREA_RE,
    CODE_RE,
    LANGUAGES,
    QUESTION_RE,
    SECTION_RE,
    SLUG_RE,
    YAML_BOOL_WORDS,
    DefinitionError,
    Problem,
    _Checker,
    _line_map,
    choice_list,
    read_date,
)
from .models import Audience, RespondentKind

__all__ = [
    "AREA_RE",
    "CODE_RE",
    "LANGUAGES",
    "QUESTION_RE",
    "SECTION_RE",
    "SLUG_RE",
    "YAML_BOOL_WORDS",
    "DefinitionError",
    "Problem",
    "check_definition_data",
    "dump_definition",
    "parse_definition",
]

SURVEY_KEYS = {
    "slug",
    "title",
    "description",
    "reference_period",
    "opens_on",
    "closes_on",
    "respondent_kinds",
    "previous",
}
AREA_KEYS = {"code", "title", "description", "sections"}
SECTION_KEYS = {"code", "title", "description", "items"}


def parse_definition(text: str) -> dict[str, Any]:
    """The canonical definition of a round; raises DefinitionError listing every problem."""
    try:
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader (C or Python)  # nosec B506
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        # PyYAML's own words for the problem stay English.
        reason = getattr(exc, "problem", exc)
        raise DefinitionError(
            [Problem(_("(file)"), _("not valid YAML: %(reason)s") % {"reason": reason}, line)]
        ) from exc
    duplicates: list[Problem] = []
    checker = _Checker(_line_map(text, duplicates))
    checker.problems.extend(duplicates)
    return _check(checker, data)


def check_definition_data(data: Any) -> dict[str, Any]:
    """The canonical definition of a round given as the data a definition file holds (built from an XLSForm, say):
    every check of `parse_definition` applies; problems carry their path and no line. Raises DefinitionError."""
    return _check(_Checker({}), data)


def _check(checker: _Checker, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise DefinitionError([Problem(_("(file)"), _("expected a mapping with survey, option_sets and areas"))])
    checker.unknown_keys(data, {"survey", "documents", "commitments", "option_sets", "areas", "key_figures"}, "")
    documents = read_documents(checker, data.get("documents"))
    commitments = read_commitments(checker, data.get("commitments"), documents)
    result: dict[str, Any] = {
        "survey": _survey(checker, data.get("survey")),
        "documents": documents,
        "commitments": commitments or [],
        "option_sets": _option_sets(checker, data.get("option_sets")),
    }
    result["areas"] = _areas(checker, data.get("areas"), result["option_sets"], result["survey"])
    check_references(checker, commitments, result["areas"], written_codes(data.get("commitments")))
    period = result["survey"]["reference_period"]
    years = tuple(range(period["start"], period["end"] + 1)) if period["start"] and period["end"] else ()
    result["key_figures"] = key_figures_def(
        checker, data.get("key_figures"), result["areas"], result["option_sets"], years
    )
    if checker.problems:
        raise DefinitionError(checker.problems)
    return result


def _survey(c: _Checker, raw: Any) -> dict[str, Any]:
    data = c.mapping(raw, "survey")
    c.unknown_keys(data, SURVEY_KEYS, "survey")
    period = c.mapping(data.get("reference_period"), "survey.reference_period")
    start = c.integer(period.get("start"), "survey.reference_period.start") if period else None
    end = c.integer(period.get("end"), "survey.reference_period.end") if period else None
    if start is not None and end is not None:
        if start > end:
            c.add(
                "survey.reference_period",
                _("start (%(start)s) must not be after end (%(end)s)") % {"start": start, "end": end},
            )
        elif not (start >= at.YEAR_MIN and end <= at.YEAR_MAX):
            c.add(
                "survey.reference_period",
                _("years must be between %(first)d and %(last)d") % {"first": at.YEAR_MIN, "last": at.YEAR_MAX},
            )
        elif end - start > 20:
            c.add("survey.reference_period", _("a reference period of more than 20 years is not supported"))
    kinds = c.sequence(data.get("respondent_kinds"), "survey.respondent_kinds")
    for index, kind in enumerate(kinds):
        if kind not in RespondentKind.values:
            c.add(
                f"survey.respondent_kinds[{index}]",
                _("unknown respondent kind %(kind)s (use state or ngo)") % {"kind": repr(kind)},
            )
    previous = data.get("previous")
    if previous is not None:
        previous = c.code(previous, "survey.previous", SLUG_RE, "round slug")
    survey: dict[str, Any] = {
        "slug": c.code(data.get("slug"), "survey.slug", SLUG_RE, "slug"),
        "title": c.texts(data.get("title"), "survey.title"),
        "description": c.texts(data.get("description"), "survey.description", required=False),
        "reference_period": {"start": start, "end": end},
        "opens_on": read_date(c, data.get("opens_on"), "survey.opens_on"),
        "closes_on": read_date(c, data.get("closes_on"), "survey.closes_on"),
        "respondent_kinds": [k for k in RespondentKind.values if k in kinds],
        "previous": previous or None,
    }
    if survey["opens_on"] and survey["closes_on"] and survey["opens_on"] > survey["closes_on"]:
        c.add("survey.closes_on", _("the round closes before it opens"))
    return survey


def _option_sets(c: _Checker, raw: Any) -> dict[str, Any]:
    data = c.mapping(raw, "option_sets", required=False)
    result = {}
    for key, value in data.items():
        path = f"option_sets.{key}"
        code = c.code(key, path, what="option set code")
        entry = c.mapping(value, path)
        c.unknown_keys(entry, {"options"}, path)
        result[code] = {"options": choice_list(c, entry.get("options"), f"{path}.options")}
    return result


def _areas(c: _Checker, raw: Any, option_sets: dict[str, Any], survey: dict[str, Any]) -> list[dict[str, Any]]:
    areas = c.sequence(raw, "areas")
    seen_areas: set[str] = set()
    seen_sections: set[str] = set()
    questions: dict[str, dict[str, Any]] = {}  # code -> canonical question, in file order
    result = []
    for a_index, raw_area in enumerate(areas):
        a_path = f"areas[{a_index}]"
        area = c.mapping(raw_area, a_path)
        refuse_area_commitments(c, area, a_path)
        c.unknown_keys(area, AREA_KEYS | {"commitments"}, a_path)
        a_code = c.code(area.get("code"), f"{a_path}.code", AREA_RE, "area code")
        if a_code and a_code in seen_areas:
            c.add(f"{a_path}.code", _("duplicate area code %(code)s") % {"code": repr(a_code)})
        seen_areas.add(a_code)
        sections = []
        for s_index, raw_section in enumerate(c.sequence(area.get("sections"), f"{a_path}.sections")):
            s_path = f"{a_path}.sections[{s_index}]"
            section = c.mapping(raw_section, s_path)
            c.unknown_keys(section, SECTION_KEYS, s_path)
            s_code = c.code(section.get("code"), f"{s_path}.code", SECTION_RE, "section code")
            if s_code and a_code and not s_code.startswith(a_code + "."):
                c.add(
                    f"{s_path}.code",
                    _("section code %(code)s must start with its area code %(area)s.")
                    % {"code": repr(s_code), "area": a_code},
                )
            if s_code and s_code in seen_sections:
                c.add(f"{s_path}.code", _("duplicate section code %(code)s") % {"code": repr(s_code)})
            seen_sections.add(s_code)
            items = []
            for q_index, raw_q in enumerate(c.sequence(section.get("items"), f"{s_path}.items")):
                q_path = f"{s_path}.items[{q_index}]"
                question = question_def(c, raw_q, q_path, option_sets, questions)
                if question["code"] and s_code and not question["code"].startswith(s_code + "."):
                    c.add(
                        f"{q_path}.code",
                        _("question code %(code)s must start with its section code %(section)s.")
                        % {"code": repr(question["code"]), "section": s_code},
                    )
                if question["code"] in questions:
                    c.add(f"{q_path}.code", _("duplicate question code %(code)s") % {"code": repr(question["code"])})
                elif question["code"]:
                    questions[question["code"]] = question
                items.append(question)
            sections.append(
                {
                    "code": s_code,
                    "title": c.texts(section.get("title"), f"{s_path}.title"),
                    "description": c.texts(section.get("description"), f"{s_path}.description", required=False),
                    "items": items,
                }
            )
        result.append(
            {
                "code": a_code,
                "title": c.texts(area.get("title"), f"{a_path}.title"),
                "description": c.texts(area.get("description"), f"{a_path}.description", required=False),
                "sections": sections,
            }
        )
    _check_audiences(c, result, survey)
    return result


def _check_audiences(c: _Checker, areas: list[dict[str, Any]], survey: dict[str, Any]) -> None:
    kinds = set(survey["respondent_kinds"])
    for a_index, area in enumerate(areas):
        for s_index, section in enumerate(area["sections"]):
            for q_index, question in enumerate(section["items"]):
                audience = question["audience"]
                wanted = {"state", "ngo"} if audience == Audience.BOTH else {audience}
                if kinds and not wanted & kinds:
                    c.add(
                        f"areas[{a_index}].sections[{s_index}].items[{q_index}].audience",
                        _("audience %(audience)s is not among the round's respondent_kinds %(kinds)s")
                        % {"audience": repr(audience), "kinds": sorted(kinds)},
                    )


def dump_definition(definition: dict[str, Any]) -> str:
    """The YAML text of a canonical definition: stable, so export -> load -> export gives identical text."""
    return yaml.safe_dump(_prune(definition), sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)


def _prune(value: Any) -> Any:
    """Drop empty optional keys so exported files stay as short as hand-written ones."""
    if isinstance(value, dict):
        keep = {"previous", "required", "in"}
        return {k: _prune(v) for k, v in value.items() if k in keep or not _is_blank(v)}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def _is_blank(value: Any) -> bool:
    return value is None or value is False or (isinstance(value, (dict, list, str)) and len(value) == 0)
