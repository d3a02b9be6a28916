"""Bulk reads for reports: every answer of a round in one streamed query, turned into pandas frames."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from django.db.models import Prefetch

from reports.aggregation import ANSWER_COLUMNS, RESPONDENT_COLUMNS
from responses.models import Answer, Organisation, Response
from surveys.i18n import pick
from surveys.models import Area, Question, Section, Survey

REGIONS_FILE = Path(__file__).resolve().parent / "data" / "regions.yaml"
COUNTED = ["submitted", "resubmitted", "accepted"]
CHUNK = 50_000


def counted_statuses(include_in_progress: bool) -> list[str]:
    """Submitted and accepted responses count; in-progress and returned ones too when the report is provisional."""
    return [*COUNTED, "in_progress", "returned"] if include_in_progress else list(COUNTED)


def question_list(survey: Survey) -> list[dict[str, Any]]:
    """The round's questions in questionnaire order, as the report stores them."""
    questions = (
        Question.objects.select_related("option_set").prefetch_related("option_set__options").order_by("position")
    )
    sections = Section.objects.order_by("position").prefetch_related(Prefetch("questions", queryset=questions))
    areas = (
        Area.objects.filter(survey=survey)
        .order_by("position")
        .prefetch_related(Prefetch("sections", queryset=sections))
    )
    result = []
    for area in areas:
        for section in area.sections.all():
            for q in section.questions.all():
                q.survey = survey
                rows = (
                    q.rows
                    if q.type in ("matrix", "likert_matrix")
                    else [{"code": f["code"], "label": f.get("label", {})} for f in q.fields]
                )
                result.append(
                    {
                        "code": q.code,
                        "area": area.code,
                        "section": section.code,
                        "type": q.type,
                        "audience": q.audience,
                        "scored": q.scored,
                        "show_if": q.show_if,
                        "text": q.text,
                        "headline": q.headline,
                        "options": [{"code": o.code, "label": o.label} for o in q.options_list()],
                        "rows": [{"code": r["code"], "label": r.get("label", {})} for r in rows],
                        "cells": {f"{spec.row}|{spec.column}": spec.kind for spec in q.cells()},
                    }
                )
    return result


def area_list(survey: Survey, questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "code": a.code,
            "title": a.title,
            "scored_questions": [q["code"] for q in questions if q["area"] == a.code and q["scored"]],
        }
        for a in Area.objects.filter(survey=survey).order_by("position")
    ]


def respondents_frame(survey: Survey, include_in_progress: bool) -> pd.DataFrame:
    """Every participating State and registered NGO (the denominators), with its response status in the round."""
    statuses = dict(Response.objects.filter(survey=survey).values_list("organisation_id", "status"))
    counted = set(counted_statuses(include_in_progress))
    kinds = [k for k, on in (("state", survey.for_states), ("ngo", survey.for_ngos)) if on]
    rows = []
    organisations = Organisation.objects.filter(kind__in=kinds).select_related("country").order_by("kind", "code")
    for org in organisations:
        status = statuses.get(org.pk, "not_started")
        rows.append(
            {
                "organisation": org.code,
                "name": org.name,
                "kind": org.kind,
                "country": org.country.code if org.country else org.code,
                "status": status,
                "counted": status in counted,
            }
        )
    # Partners for Co-operation that answered are reported too (as their own kind).
    for org in Organisation.objects.filter(pk__in=list(statuses), kind=Organisation.Kind.PARTNER):
        status = statuses[org.pk]
        rows.append(
            {
                "organisation": org.code,
                "name": org.name,
                "kind": "partner",
                "country": org.code,
                "status": status,
                "counted": status in counted,
            }
        )
    return pd.DataFrame(rows, columns=RESPONDENT_COLUMNS)


def answers_frame(survey: Survey, include_in_progress: bool, questions: list[dict[str, Any]]) -> pd.DataFrame:
    """Every answer cell of the counted responses, read in one streamed query (never one per question)."""
    cell_kinds = {(q["code"], *key.split("|", 1)): kind for q in questions for key, kind in q["cells"].items()}
    query = (
        Answer.objects.filter(response__survey=survey, response__status__in=counted_statuses(include_in_progress))
        # A cell whose answer was cleared keeps its row (and version) with no value: it is not an answer.
        .exclude(
            value_text__isnull=True,
            value_number__isnull=True,
            value_date__isnull=True,
            value_choices__isnull=True,
        )
        .values_list(
            "response__organisation__code",
            "response__organisation__kind",
            "response__organisation__country__code",
            "question__code",
            "row",
            "column",
            "value_text",
            "value_number",
            "value_choices",
        )
        .order_by()
    )
    records = []
    for org, kind, country, code, row, column, text, number, choices in query.iterator(chunk_size=CHUNK):
        records.append(
            (
                org,
                kind,
                country or org,
                code,
                row,
                column,
                cell_kinds.get((code, row, column), "unknown"),
                text,
                None if number is None else float(number),
                choices,
            )
        )
    frame = pd.DataFrame.from_records(records, columns=ANSWER_COLUMNS)
    frame["number"] = frame["number"].astype("float64")
    return frame


def regions() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(REGIONS_FILE.read_text(encoding="utf-8"))
    return {
        code: {"name": pick(entry["name"], "en"), "names": entry["name"], "states": entry["states"]}
        for code, entry in data["regions"].items()
    }
