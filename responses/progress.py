"""Progress kept per response and section, so the pages read it with the response row instead of every answer.

`Response.progress` holds, for the round's structure version it was computed for, each section's required
questions (asked of this respondent, required, shown under their show-if rule) and those of them not complete:
`{"version": 3, "rules": 2, "sections": {"<section id>": {"required": [question ids], "missing": [question ids]}}}`
("rules": `selectors.PROGRESS_RULES`, the rule of completeness it was computed under).

Contract:
- Written only under the response's row lock, in the transaction of the write it follows: `progress_after_save`
  (one question saved: that question and the questions whose show-if rule reads it, one query), and
  `progress_store` (everything again, a fixed number of queries for any number of responses: evidence, imports,
  prefill, the `progress_rebuild` command, and any save that finds the stored progress out of date).
- Read by `selectors.progress_stored`: the Progress of `selectors.progress_of` from the stored lists, or None when the
  stored progress is for another structure version (the caller computes it in full; a read never writes).
- The rule is `selectors.progress_of`'s: `selectors.question_counts` is the one definition of "required and shown" and
  "complete" that both use. A test compares the two after many saves (responses/tests/test_progress_kept.py).
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any, cast

from django.db import connection
from django.db.models import Count, QuerySet

from surveys.models import Area, Question, Survey
from surveys.show_if import depends_on
from surveys.structure import questions_by_code, show_if_dependents

from .answer_columns import VALUE_FIELDS, StoredValue
from .models import Answer, Evidence, Response
from .selectors import (
    PROGRESS_RULES,
    AnswerMap,
    ProgressPlan,
    progress_is_current,
    question_counts,
    survey_structure,
)


def progress_computed(
    areas: list[Area], answers: AnswerMap, evidence: dict[int, int], version: int, plan: ProgressPlan | None = None
) -> dict:
    """The stored form of a response's progress, computed from all its answers (no queries). `plan`: the structure
    flattened once for many responses of it (`ProgressPlan.of(areas)`), so that each question's type is asked once."""
    plan = plan if plan is not None else ProgressPlan.of(areas)
    sections: dict[str, dict[str, list[int]]] = {}
    for _area, area_sections in plan.areas:
        for section, questions in area_sections:  # the required questions, in order
            entry: dict[str, list[int]] = {"required": [], "missing": []}
            for question in questions:
                required, complete = question_counts(question, plan.by_code, answers, evidence, plan)
                if required:
                    entry["required"].append(question.pk)
                    if not complete:
                        entry["missing"].append(question.pk)
            sections[str(section.pk)] = entry
    return {"version": version, "rules": PROGRESS_RULES, "sections": sections}


def progress_store(responses: list[Response]) -> None:
    """Compute and store the progress of these responses from all their answers (call under their row locks, or
    where nothing else writes them: a command). A fixed number of queries: one structure per round and kind, one
    query for the answers, one for the documents, one UPDATE per 200 responses."""
    responses = [r for r in responses if r.pk is not None]
    if not responses:
        return
    answers: dict[int, AnswerMap] = defaultdict(lambda: defaultdict(dict))
    # The value columns only, as StoredValue (what the rule reads of an answer), not Answer instances.
    stored = Answer.objects.filter(response__in=responses).values_list(
        "response_id", "question_id", "row", "column", *VALUE_FIELDS
    )
    for response_id, question_id, row, column, *value in stored.iterator(chunk_size=5000):
        answers[response_id][question_id][(row, column)] = cast(Answer, StoredValue(*value))
    evidence: dict[int, dict[int, int]] = defaultdict(dict)
    rows = Evidence.objects.filter(response__in=responses).values("response_id", "question_id").annotate(n=Count("id"))
    for row in rows:
        evidence[row["response_id"]][row["question_id"]] = row["n"]
    surveys = {s.pk: s for s in Survey.objects.filter(pk__in={r.survey_id for r in responses})}
    structures: dict[tuple[int, str], tuple[list[Area], ProgressPlan]] = {}
    for response in responses:
        survey, kind = surveys[response.survey_id], response.organisation.respondent_kind
        if (survey.pk, kind) not in structures:
            areas = survey_structure(survey, kind)
            structures[survey.pk, kind] = (areas, ProgressPlan.of(areas))
        areas, plan = structures[survey.pk, kind]
        response.progress = progress_computed(
            areas, answers[response.pk], evidence[response.pk], survey.structure_version, plan
        )
    _progress_write(responses)


def _progress_write(responses: list[Response]) -> None:
    """One UPDATE for them all (an import of a whole round's paper returns touches thousands). PostgreSQL: from two
    arrays (ids, progress), not bulk_update's CASE WHEN per response, which Django builds at some cost per row."""
    if connection.vendor != "postgresql":
        Response.objects.bulk_update(responses, ["progress"], batch_size=200)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Response._meta.db_table} r SET progress = v.progress "  # noqa: S608  # nosec B608 - our table
            "FROM unnest(%s::bigint[], %s::jsonb[]) AS v(id, progress) WHERE r.id = v.id",
            [[r.pk for r in responses], [json.dumps(r.progress) for r in responses]],
        )


def progress_after_save(
    *,
    response: Response,
    question: Question,
    survey: Survey,
    known: AnswerMap | None = None,
    areas: list[Area] | None = None,
) -> None:
    """Bring the stored progress up to date after `question` was saved (under the response's row lock, in the
    save's transaction): that question and those whose show-if rule reads it, from their answers (one query, none
    when `known` holds them all: the saved question's answers as the save left them) and the question's documents
    (one query, file questions only); everything again when the stored progress is for another structure version.
    Sets `response.progress`; the caller writes it with the response row."""
    stored = response.progress or {}
    kind = response.organisation.respondent_kind
    if not progress_is_current(stored, survey.structure_version):
        progress_store([response])
        return
    areas = areas if areas is not None else survey_structure(survey, kind)
    by_code = questions_by_code(areas)
    # The saved question as the structure has it, and those whose show-if rule reads it.
    affected = [by_code[question.code]] if question.code in by_code else []
    affected += show_if_dependents(areas, question.code)
    targets = {by_code[code].pk for q in affected if (code := (depends_on(q.show_if) or ("",))[0]) in by_code}
    answers: AnswerMap = defaultdict(dict)
    wanted = {q.pk for q in affected} | targets
    for question_id in wanted & set(known or {}):
        answers[question_id] = dict((known or {})[question_id])
    unknown = wanted - set(known or {})
    if unknown:
        for answer in Answer.objects.filter(response_id=response.pk, question_id__in=unknown):
            answers[answer.question_id][(answer.row, answer.column)] = answer
    evidence: dict[int, int] = {}
    files = [q.pk for q in affected if q.answer_type.stores_files]
    if files:
        rows = Evidence.objects.filter(response_id=response.pk, question_id__in=files).values("question_id")
        for row in rows.annotate(n=Count("id")):
            evidence[row["question_id"]] = row["n"]
    sections = {
        key: {"required": list(v["required"]), "missing": list(v["missing"])} for key, v in stored["sections"].items()
    }
    for item in affected:
        entry = sections.setdefault(str(item.section_id), {"required": [], "missing": []})
        entry["required"] = [pk for pk in entry["required"] if pk != item.pk]
        entry["missing"] = [pk for pk in entry["missing"] if pk != item.pk]
        required, complete = question_counts(item, by_code, answers, evidence)
        if required:
            entry["required"].append(item.pk)
            if not complete:
                entry["missing"].append(item.pk)
    response.progress = {"version": stored["version"], "rules": PROGRESS_RULES, "sections": sections}


def progress_store_all(
    responses: QuerySet[Response], *, batch: int = 200, kept: dict[int, dict[str, Any]] | None = None
) -> int:
    """`progress_store` for every response of a queryset, `batch` responses at a time (an import of a whole round
    or the rebuild command: memory stays that of one batch's answers). Returns how many were stored; `kept`, when
    given, receives each stored progress by response id (an import with `--submit` reads it from there)."""
    count = 0
    pks = list(responses.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), batch):
        chunk = list(
            Response.objects.filter(pk__in=pks[start : start + batch]).select_related("organisation").defer("progress")
        )
        progress_store(chunk)
        if kept is not None:
            kept.update({r.pk: r.progress for r in chunk})
        count += len(chunk)
    return count
