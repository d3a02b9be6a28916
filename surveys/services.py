"""Writing survey definitions to the database: load a definition file, clone a round (export: `definition_export`)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import answer_types as at
from .definition_export import survey_export_definition
from .definition_export import survey_export_text as survey_export_text  # its old home: callers import it here
from .definitions import DefinitionError, Problem, dump_definition, parse_definition
from .models import REFERENCE_PERIOD, Area, Option, OptionSet, Question, Section, Survey
from .signals import round_status_changed
from .structure import structure_changed, structure_changes


@dataclass
class LoadResult:
    survey: Survey
    created: bool
    changed: bool
    counts: dict[str, int] = field(default_factory=dict)


def survey_load_text(*, text: str) -> LoadResult:
    """Check a whole definition file, then create or update its round in one transaction.

    Raises DefinitionError with every problem (nothing is written). Loading the same text twice changes nothing.
    A change that would lose answers (removing an answered question, changing its type, dropping an option, row
    or cell that answers use) is refused.
    """
    return survey_load_definition(definition=parse_definition(text))


def survey_load_definition(*, definition: dict[str, Any]) -> LoadResult:
    slug = definition["survey"]["slug"]
    with transaction.atomic():
        survey = Survey.objects.select_for_update().filter(slug=slug).first()
        previous = _previous_round(definition)
        counts = _counts(definition)
        if survey is not None:
            current = survey_export_definition(survey=survey)
            if current == definition:
                return LoadResult(survey, created=False, changed=False, counts=counts)
            _refuse_answer_loss(survey, current, definition)
        created = survey is None
        with structure_changes():  # one bump of the round's structure version for the whole load
            survey = _apply(survey, definition, previous)
            structure_changed(survey.pk)
        survey.refresh_from_db(fields=["structure_version"])
    return LoadResult(survey, created=created, changed=True, counts=counts)


def _counts(definition: dict[str, Any]) -> dict[str, int]:
    sections = [s for a in definition["areas"] for s in a["sections"]]
    return {
        "areas": len(definition["areas"]),
        "sections": len(sections),
        "questions": sum(len(s["items"]) for s in sections),
    }


def _previous_round(definition: dict[str, Any]) -> Survey | None:
    slug = definition["survey"]["previous"]
    if not slug:
        return None
    previous = Survey.objects.filter(slug=slug).first()
    if previous is None:
        raise DefinitionError(
            [Problem("survey.previous", _("no round %(slug)s is loaded; load it first") % {"slug": repr(slug)})]
        )
    if slug == definition["survey"]["slug"]:
        raise DefinitionError([Problem("survey.previous", _("a round cannot be its own previous round"))])
    return previous


# --- protection of answers -------------------------------------------------------------------------------------


def answered_question_codes(survey: Survey) -> set[str]:
    """Codes of the round's questions that hold answers or files, found through every model that points at Question.

    The surveys app knows nothing of the apps built on it; it only asks the relations that protect questions.
    """
    codes: set[str] = set()
    for relation in Question._meta.related_objects:
        model = relation.related_model
        if model._meta.app_label == Question._meta.app_label:
            continue
        name = relation.field.name
        codes.update(
            model._default_manager.filter(**{f"{name}__survey": survey})
            .values_list(f"{name}__code", flat=True)
            .distinct()
        )
    return codes


def _signature(
    question: dict[str, Any], option_sets: dict[str, Any], years: tuple[int, ...]
) -> tuple[str, set[str], set[tuple[str, str]]]:
    """A question's type, option codes and cell keys: what answers depend on."""
    shape = _shape_from_definition(question, option_sets, years)
    answer_type = at.get_type(question["type"])
    cells = {spec.key for spec in answer_type.cells(shape)}
    choices = {c.code for c in shape.choices} | {c.code for _f, _k, opts in shape.fields for c in opts}
    return question["type"], choices, cells


def _refuse_answer_loss(survey: Survey, current: dict[str, Any], new: dict[str, Any]) -> None:
    answered = answered_question_codes(survey)
    if not answered:
        return
    old_years = survey.years
    new_period = new["survey"]["reference_period"]
    new_years = tuple(range(new_period["start"], new_period["end"] + 1))
    old_questions = _questions_by_code(current)
    new_questions = _questions_by_code(new)
    problems = []
    for code in sorted(answered):
        old = old_questions.get(code)
        if old is None:
            continue
        removed_place = _("question %(code)s") % {"code": code}
        path = new_questions.get(code, (None, removed_place))[1]
        if code not in new_questions:
            problems.append(Problem(removed_place, _("has answers and cannot be removed from the round")))
            continue
        old_type, old_choices, old_cells = _signature(old[0], current["option_sets"], old_years)
        new_type, new_choices, new_cells = _signature(new_questions[code][0], new["option_sets"], new_years)
        if old_type != new_type:
            problems.append(
                Problem(
                    f"{path}.type",
                    _("%(code)s has answers; its type cannot change from %(old)s to %(new)s")
                    % {"code": code, "old": old_type, "new": new_type},
                )
            )
            continue
        if lost := old_choices - new_choices:
            problems.append(
                Problem(
                    f"{path}.options",
                    _("%(code)s has answers; options %(options)s cannot be removed")
                    % {"code": code, "options": sorted(lost)},
                )
            )
        if lost_cells := old_cells - new_cells:
            shown = ", ".join(at.describe_cell(k) for k in sorted(lost_cells)[:5])
            problems.append(
                Problem(
                    path,
                    _("%(code)s has answers; its cells %(cells)s cannot be removed") % {"code": code, "cells": shown},
                )
            )
    if problems:
        problems.append(
            Problem(
                "survey",
                _(
                    "round %(slug)s already has answers: fix the file, or clone the round into a new one "
                    "(python manage.py clone_survey) and change the clone"
                )
                % {"slug": survey.slug},
            )
        )
        raise DefinitionError(problems)


def _questions_by_code(definition: dict[str, Any]) -> dict[str, tuple[dict[str, Any], str]]:
    found = {}
    for a_index, area in enumerate(definition["areas"]):
        for s_index, section in enumerate(area["sections"]):
            for q_index, question in enumerate(section["items"]):
                found[question["code"]] = (question, f"areas[{a_index}].sections[{s_index}].items[{q_index}]")
    return found


def _choices(ref: Any, option_sets: dict[str, Any]) -> list[dict[str, Any]]:
    if isinstance(ref, str):
        return list(option_sets.get(ref, {}).get("options", []))
    return list(ref or [])


def _shape_from_definition(
    question: dict[str, Any], option_sets: dict[str, Any], years: tuple[int, ...]
) -> at.QuestionShape:
    def choices(items: list[dict[str, Any]]) -> tuple[at.Choice, ...]:
        return tuple(at.Choice(o["code"], o.get("label", {})) for o in items)

    dimensions = []
    for d in question.get("dimensions", []):
        if d["values"] == REFERENCE_PERIOD:
            dimensions.append((d["code"], tuple(at.Choice(str(y), {}) for y in years)))
        else:
            dimensions.append((d["code"], choices(_choices(d["values"], option_sets))))
    return at.QuestionShape(
        code=question["code"],
        type=question["type"],
        choices=choices(_choices(question.get("options"), option_sets)),
        rows=choices(question.get("rows", [])),
        dimensions=tuple(dimensions),
        fields=tuple(
            (f["code"], f["kind"], choices(_choices(f.get("options"), option_sets))) for f in question.get("fields", [])
        ),
        validation=question.get("validation", {}),
        exclusive=tuple(question.get("exclusive", [])),
        years=years,
    )


# --- writing --------------------------------------------------------------------------------------------------


def _apply(survey: Survey | None, definition: dict[str, Any], previous: Survey | None) -> Survey:
    meta = definition["survey"]
    values = {
        "title": meta["title"],
        "description": meta["description"],
        "reference_start": meta["reference_period"]["start"],
        "reference_end": meta["reference_period"]["end"],
        "opens_on": meta["opens_on"],
        "closes_on": meta["closes_on"],
        "for_states": "state" in meta["respondent_kinds"],
        "for_ngos": "ngo" in meta["respondent_kinds"],
        "previous": previous,
        "documents": definition["documents"],
        "commitments": definition["commitments"],
        "key_figures": definition.get("key_figures", []),
    }
    if survey is None:
        survey = Survey.objects.create(slug=meta["slug"], **values)
    else:
        for name, value in values.items():
            setattr(survey, name, value)
        survey.save()
        survey.refresh_from_db()

    option_sets = _write_option_sets(survey, definition)
    kept_questions: list[int] = []
    kept_sections: list[int] = []
    kept_areas: list[int] = []
    for a_pos, area_def in enumerate(definition["areas"]):
        area, _ = Area.objects.update_or_create(
            survey=survey,
            code=area_def["code"],
            defaults={
                "title": area_def["title"],
                "description": area_def["description"],
                "position": a_pos,
            },
        )
        kept_areas.append(area.pk)
        for s_pos, section_def in enumerate(area_def["sections"]):
            section, _ = Section.objects.update_or_create(
                survey=survey,
                code=section_def["code"],
                defaults={
                    "area": area,
                    "title": section_def["title"],
                    "description": section_def["description"],
                    "position": s_pos,
                },
            )
            kept_sections.append(section.pk)
            for q_pos, q_def in enumerate(section_def["items"]):
                question = _write_question(survey, section, q_def, q_pos, option_sets, definition["option_sets"])
                kept_questions.append(question.pk)
    # Removed content; answered questions were refused before anything was written.
    Question.objects.filter(survey=survey).exclude(pk__in=kept_questions).delete()
    Section.objects.filter(survey=survey).exclude(pk__in=kept_sections).delete()
    Area.objects.filter(survey=survey).exclude(pk__in=kept_areas).delete()
    OptionSet.objects.filter(survey=survey).exclude(pk__in=[s.pk for s in option_sets.values()]).delete()
    return survey


def _write_options(option_set: OptionSet, options: list[dict[str, Any]]) -> None:
    existing = {o.code: o for o in option_set.options.all()}
    for position, option_def in enumerate(options):
        option = existing.pop(option_def["code"], None)
        if option is None:
            Option.objects.create(
                option_set=option_set, code=option_def["code"], label=option_def["label"], position=position
            )
        elif option.label != option_def["label"] or option.position != position:
            option.label, option.position = option_def["label"], position
            option.save(update_fields=["label", "position", "updated_at"])
    Option.objects.filter(pk__in=[o.pk for o in existing.values()]).delete()


def _write_option_sets(survey: Survey, definition: dict[str, Any]) -> dict[str, OptionSet]:
    sets: dict[str, OptionSet] = {}
    wanted: dict[str, tuple[list[dict[str, Any]], bool]] = {
        code: (entry["options"], False) for code, entry in definition["option_sets"].items()
    }
    for area in definition["areas"]:
        for section in area["sections"]:
            for question in section["items"]:
                if isinstance(question.get("options"), list):
                    wanted[question["code"]] = (question["options"], True)
    for position, (code, (options, inline)) in enumerate(wanted.items()):
        option_set, _ = OptionSet.objects.update_or_create(
            survey=survey, code=code, defaults={"inline": inline, "position": position}
        )
        _write_options(option_set, options)
        sets[code] = option_set
    return sets


def _write_question(
    survey: Survey,
    section: Section,
    q_def: dict[str, Any],
    position: int,
    option_sets: dict[str, OptionSet],
    option_set_defs: dict[str, Any],
) -> Question:
    options = q_def.get("options")
    option_set = None
    if isinstance(options, str):
        option_set = option_sets[options]
    elif isinstance(options, list):
        option_set = option_sets[q_def["code"]]
    dimensions = [
        {
            "code": d["code"],
            "label": d["label"],
            "source": d["values"] if isinstance(d["values"], str) else None,
            "values": [] if d["values"] == REFERENCE_PERIOD else _choices(d["values"], option_set_defs),
        }
        for d in q_def.get("dimensions", [])
    ]
    fields = [
        {
            "code": f["code"],
            "label": f["label"],
            "kind": f["kind"],
            "source": f["options"] if isinstance(f.get("options"), str) else None,
            "options": _choices(f.get("options"), option_set_defs),
        }
        for f in q_def.get("fields", [])
    ]
    question, _ = Question.objects.update_or_create(
        survey=survey,
        code=q_def["code"],
        defaults={
            "section": section,
            "type": q_def["type"],
            "audience": q_def["audience"],
            "required": q_def["required"],
            "scored": q_def["scored"],
            "about_respondent": q_def.get("about_respondent", False),
            "text": q_def["text"],
            "short": q_def["short"],
            "help_text": q_def["help"],
            "headline": q_def["headline"],
            "option_set": option_set,
            "exclusive": q_def.get("exclusive", []),
            "rows": q_def.get("rows", []),
            "dimensions": dimensions,
            "fields": fields,
            "validation": q_def["validation"],
            "number_label": q_def.get("number_label", {}),
            "show_if": q_def["show_if"],
            "commitments": q_def["commitments"],
            "position": position,
        },
    )
    return question


def survey_clone(*, source: Survey, slug: str, title: dict[str, str] | None = None) -> Survey:
    """A new draft round with the same areas, sections, questions and codes, whose previous round is `source`."""
    definition = copy.deepcopy(survey_export_definition(survey=source))
    definition["survey"].update({"slug": slug, "previous": source.slug, "opens_on": None, "closes_on": None})
    if title:
        definition["survey"]["title"] = title
    # Re-check the result as if it came from a file: the slug must be valid and free.
    definition = parse_definition(dump_definition(definition))
    if Survey.objects.filter(slug=slug).exists():
        raise DefinitionError([Problem("slug", _("a round %(slug)s exists already") % {"slug": repr(slug)})])
    return survey_load_definition(definition=definition).survey


def survey_set_status(*, survey: Survey, status: str) -> Survey:
    previous = survey.status
    survey.status = status
    if status == Survey.Status.CLOSED and previous != status:
        survey.closed_at = timezone.now()
    with transaction.atomic():  # the status and the structure version it bumps (surveys/structure.py) together
        survey.save(update_fields=["status", "closed_at", "updated_at"])
    if previous != status:
        round_status_changed.send(sender=Survey, survey=survey, previous_status=previous)
    return survey
