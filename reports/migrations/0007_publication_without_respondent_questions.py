"""Publications taken before questions about the respondent were kept out of the public snapshot lose them now.

GEN.R.01 ("Which participating State does this response cover?") counted among NGOs reads "NGOs: Belarus 1 of 4" on
the public page, which says where a few NGOs work. A snapshot is otherwise never changed after publishing; this
privacy fix is the exception. Only those questions' entries go: every other figure stays as published.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.db import migrations

LISTS = ("questions", "choice_counts", "headlines", "state_answers")
KEYS = {"questions": "code", "choice_counts": "question", "headlines": "question", "state_answers": "question"}


def strip_questions(data: Mapping[str, Any], codes: Collection[str]) -> dict[str, Any]:
    """`data` without any entry of the questions `codes` (pure)."""
    result = dict(data)
    for key in LISTS:
        if key in result:
            result[key] = [row for row in result[key] if row.get(KEYS[key]) not in codes]
    for key in ("ngo_withheld", "public_questions"):
        if key in result:
            result[key] = [code for code in result[key] if code not in codes]
    return result


def forwards(apps: Any, schema_editor: Any) -> None:
    Publication = apps.get_model("reports", "Publication")
    Question = apps.get_model("surveys", "Question")
    for publication in Publication.objects.all():
        codes = set(
            Question.objects.filter(survey_id=publication.survey_id, about_respondent=True).values_list(
                "code", flat=True
            )
        )
        if codes:
            publication.data = strip_questions(publication.data, codes)
            publication.public_questions = [c for c in publication.public_questions if c not in codes]
            publication.save(update_fields=["data", "public_questions", "updated_at"])  # a new ETag


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0006_publication"),
        ("surveys", "0007_key_figures_and_about_respondent"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
