"""Writing a stored round back to its definition: the inverse of `surveys.definitions.parse_definition`.

`survey_export_definition` gives the canonical definition (what `parse_definition` returns for the exported file);
each answer type writes its own keys of a question (`AnswerType.export_definition`). Export -> load -> export gives
identical text.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from .definitions import LANGUAGES, dump_definition
from .models import Area, OptionSet, Question, Section, Survey


def _texts(value: dict[str, str] | None) -> dict[str, str]:
    value = value or {}
    return {lang: value[lang] for lang in LANGUAGES if lang in value}


def _choice_defs(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"code": o["code"], "label": _texts(o.get("label"))} for o in items]


class _Writer:
    """What an answer type may ask while it writes its own keys (`answer_types.DefinitionWriter`)."""

    def __init__(self, option_sets: dict[int, OptionSet]) -> None:
        self.option_sets = option_sets

    def options(self, question: Question) -> Any:
        """A named option set by its code, an inline one as its list of options."""
        option_set = self.option_sets.get(question.option_set_id) if question.option_set_id else None
        if option_set is None:
            return None
        if option_set.inline:
            return [{"code": o.code, "label": _texts(o.label)} for o in option_set.options.all()]
        return option_set.code

    def texts(self, value: dict[str, str] | None) -> dict[str, str]:
        return _texts(value)

    def choice_defs(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return _choice_defs(items)


_VALIDATION_ORDER = ("min", "max", "min_length", "max_length", "decimal_places")


def survey_export_definition(*, survey: Survey) -> dict[str, Any]:
    """The canonical definition of a round as stored: what `parse_definition` returns for its exported file."""
    survey = (
        Survey.objects.select_related("previous")
        .prefetch_related(
            Prefetch("option_sets", queryset=OptionSet.objects.prefetch_related("options")),
            Prefetch("areas", queryset=Area.objects.order_by("position")),
            Prefetch("sections", queryset=Section.objects.order_by("position")),
            Prefetch("questions", queryset=Question.objects.select_related("option_set").order_by("position")),
        )
        .get(pk=survey.pk)
    )
    option_sets = {s.pk: s for s in survey.option_sets.all()}
    named = {
        s.code: {"options": [{"code": o.code, "label": _texts(o.label)} for o in s.options.all()]}
        for s in sorted(option_sets.values(), key=lambda s: s.position)
        if not s.inline
    }
    writer = _Writer(option_sets)
    questions_by_section: dict[int, list[Question]] = {}
    for question in survey.questions.all():
        questions_by_section.setdefault(question.section_id, []).append(question)
    sections_by_area: dict[int, list[Section]] = {}
    for section in survey.sections.all():
        sections_by_area.setdefault(section.area_id, []).append(section)

    def question_def(q: Question) -> dict[str, Any]:
        d: dict[str, Any] = {
            "code": q.code,
            "type": q.type,
            "audience": q.audience,
            "required": q.required,
            "scored": q.scored,
            "about_respondent": q.about_respondent,
            "text": _texts(q.text),
            "short": _texts(q.short),
            "help": _texts(q.help_text),
            "headline": _texts(q.headline),
        }
        d.update(q.answer_type.export_definition(q, writer))
        d["validation"] = {k: q.validation[k] for k in _VALIDATION_ORDER if k in (q.validation or {})}
        show_if = None
        if q.show_if:
            show_if = {"question": q.show_if["question"], "in": list(q.show_if["in"])}
            if "row" in q.show_if:
                show_if["row"] = q.show_if["row"]
        d["show_if"] = show_if
        d["commitments"] = list(q.commitments)
        return d

    return {
        "survey": {
            "slug": survey.slug,
            "title": _texts(survey.title),
            "description": _texts(survey.description),
            "reference_period": {"start": survey.reference_start, "end": survey.reference_end},
            "opens_on": survey.opens_on.isoformat() if survey.opens_on else None,
            "closes_on": survey.closes_on.isoformat() if survey.closes_on else None,
            "respondent_kinds": survey.respondent_kinds,
            "previous": survey.previous.slug if survey.previous else None,
        },
        # Sorted: PostgreSQL's jsonb does not keep key order, and an export must read the same from any database.
        "documents": {key: {"title": _texts(v.get("title"))} for key, v in sorted((survey.documents or {}).items())},
        "commitments": [
            {
                "code": k["code"],
                "title": _texts(k.get("title")),
                "document": k.get("document", ""),
                "paragraph": _texts(k["paragraph"]) if isinstance(k.get("paragraph"), dict) else k.get("paragraph", ""),
                "area": k.get("area", ""),
            }
            for k in survey.commitments or []
        ],
        "option_sets": named,
        "areas": [
            {
                "code": area.code,
                "title": _texts(area.title),
                "description": _texts(area.description),
                "sections": [
                    {
                        "code": section.code,
                        "title": _texts(section.title),
                        "description": _texts(section.description),
                        "items": [question_def(q) for q in questions_by_section.get(section.pk, [])],
                    }
                    for section in sections_by_area.get(area.pk, [])
                ],
            }
            for area in survey.areas.all()
        ],
        "key_figures": [
            {
                "code": chain["code"],
                "title": _texts(chain.get("title")),
                "steps": [{"question": s["question"], "label": _texts(s.get("label"))} for s in chain["steps"]],
            }
            for chain in survey.key_figures or []
        ],
    }


def survey_export_text(*, survey: Survey) -> str:
    header = (
        f"# Survey definition of round {survey.slug}, exported by oscethb.\n"
        "# Format: docs/survey-definitions.md. Codes are contracts: never rename an answered question's code.\n"
    )
    return header + dump_definition(survey_export_definition(survey=survey))
