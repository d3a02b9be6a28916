"""Commitments become a list the Office reports findings by; the documents they come from move to Survey.documents.

Rounds already in a database had `Survey.commitments` = {key: {title}} (the source documents) and free-text
references on areas and questions ("AP2003 ch. IV (data collection)"). Nothing is lost and nothing is guessed:
- the documents mapping moves to `Survey.documents` unchanged;
- every distinct free-text reference of a round becomes one commitment whose English title is that text as
  written, in the area where it first appears (questionnaire order); its document is the document key the text
  starts with (a new document named by the text's first word when none matches), its paragraph the rest of the
  text after that key; its code is the text in capitals with dots ("AP2003.CH.IV.DATA.COLLECTION");
- questions then refer to those codes, in the order they listed the texts.
The new `load_survey` refuses the earlier file shape with a message; re-loading a rewritten file replaces these
commitments with the hand-written ones. `Area.commitments` is removed in the next migration.

Backward, each commitment code becomes its English title again on the questions that list it and on its area, so
forward -> backward -> forward keeps every text (an area then also lists the texts first met on its questions,
which forward puts in that area all the same).
"""

from __future__ import annotations

import re
from typing import Any

from django.db import migrations, models

CODE_MAX = 60


def reference_code(text: str, taken: set[str]) -> str:
    """A commitment code for a free-text reference, unique among `taken`."""
    code = re.sub(r"[^A-Z0-9]+", ".", text.upper()).strip(".")[:CODE_MAX].strip(".") or "REF"
    if not code[0].isalpha():
        code = f"REF.{code}"[:CODE_MAX].strip(".")
    candidate, number = code, 2
    while candidate in taken:
        suffix = f".{number}"
        candidate = code[: CODE_MAX - len(suffix)].strip(".") + suffix
        number += 1
    taken.add(candidate)
    return candidate


def convert_round(
    old_documents: Any, areas: list[tuple[str, list[str]]], questions: list[tuple[str, str, list[str]]]
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, list[str]]]:
    """(documents, commitments, {question code: commitment codes}) of one round in the earlier shape.

    `areas` is [(area code, references)] and `questions` [(question code, area code, references)], both in
    questionnaire order. Pure, so it is tested without a database."""
    documents = {str(k): {"title": dict(v.get("title") or {})} for k, v in (old_documents or {}).items()}
    commitments: list[dict[str, Any]] = []
    by_text: dict[str, str] = {}
    taken: set[str] = set()

    def commitment_for(text: str, area: str) -> str:
        if text in by_text:
            return by_text[text]
        keys = sorted((k for k in documents if text == k or text.startswith(k + " ")), key=len, reverse=True)
        if keys:
            document = keys[0]
        else:
            document = text.split()[0]
            documents.setdefault(document, {"title": {"en": document}})
        code = reference_code(text, taken)
        commitments.append(
            {
                "code": code,
                "title": {"en": text},
                "document": document,
                "paragraph": text[len(document) :].strip(),
                "area": area,
            }
        )
        by_text[text] = code
        return code

    area_refs = dict(areas)
    references: dict[str, list[str]] = {}
    done_areas: set[str] = set()
    for code, area, texts in questions:
        if area not in done_areas:  # an area's own references come before its questions'
            done_areas.add(area)
            for text in area_refs.get(area, []):
                commitment_for(text, area)
        codes = []
        for text in texts:
            ref = commitment_for(text, area)
            if ref not in codes:
                codes.append(ref)
        references[code] = codes
    for area, texts in areas:  # areas without questions
        for text in texts:
            commitment_for(text, area)
    return documents, commitments, references


def forward(apps: Any, schema_editor: Any) -> None:
    Survey = apps.get_model("surveys", "Survey")
    Area = apps.get_model("surveys", "Area")
    Question = apps.get_model("surveys", "Question")
    for survey in Survey.objects.all():
        if isinstance(survey.commitments, list):
            continue  # already the new shape
        areas = [(a.code, list(a.commitments or [])) for a in Area.objects.filter(survey=survey).order_by("position")]
        rows = list(
            Question.objects.filter(survey=survey)
            .order_by("section__area__position", "section__position", "position")
            .values_list("pk", "code", "section__area__code", "commitments")
        )
        documents, commitments, references = convert_round(
            survey.commitments, areas, [(code, area, list(refs or [])) for _pk, code, area, refs in rows]
        )
        survey.documents = documents
        survey.commitments = commitments
        survey.save(update_fields=["documents", "commitments"])
        for pk, code, _area, refs in rows:
            if list(refs or []) != references[code]:
                Question.objects.filter(pk=pk).update(commitments=references[code])


def restore_round(
    commitments: Any, questions: list[tuple[str, list[str]]]
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """({area code: free-text references}, {question code: free-text references}) of one round in the new shape.

    The inverse of `convert_round`: each commitment code goes back to its English title (the text as it was
    written); each area gets the texts of the commitments naming it, in their order. A code without a commitment
    (or a commitment without an English title) stays as it is. Pure, so it is tested without a database."""
    if not isinstance(commitments, list):
        return {}, {code: list(refs) for code, refs in questions}
    text = {c["code"]: (c.get("title") or {}).get("en") or c["code"] for c in commitments if c.get("code")}
    areas: dict[str, list[str]] = {}
    for commitment in commitments:
        if commitment.get("area") and commitment.get("code"):
            areas.setdefault(commitment["area"], []).append(text[commitment["code"]])
    return areas, {code: [text.get(ref, ref) for ref in refs] for code, refs in questions}


def backward(apps: Any, schema_editor: Any) -> None:
    """Back to the earlier shape: the documents go back to `commitments`; areas and questions get the free texts
    again (each commitment's English title, which `forward` made the text as written), so that forward -> backward
    -> forward gives the same commitments. `Area.commitments` is there again: 0006's reverse re-added it."""
    Survey = apps.get_model("surveys", "Survey")
    Area = apps.get_model("surveys", "Area")
    Question = apps.get_model("surveys", "Question")
    for survey in Survey.objects.all():
        rows = list(Question.objects.filter(survey=survey).values_list("pk", "code", "commitments"))
        areas, references = restore_round(survey.commitments, [(code, list(refs or [])) for _pk, code, refs in rows])
        for area in Area.objects.filter(survey=survey):
            area.commitments = areas.get(area.code, [])
            area.save(update_fields=["commitments"])
        for pk, code, refs in rows:
            if list(refs or []) != references[code]:
                Question.objects.filter(pk=pk).update(commitments=references[code])
        survey.commitments = survey.documents or {}
        survey.save(update_fields=["commitments"])


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0004_verbose_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="survey",
            name="documents",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Source documents of the commitments, by key",
                verbose_name="documents",
            ),
        ),
        migrations.AlterField(
            model_name="survey",
            name="commitments",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Commitments findings are reported by: code, title, document, paragraph, area",
                verbose_name="commitments",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
