"""Reads for the publication pages, each in a fixed number of queries however large the round."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from accounts.models import Organisation
from responses.models import Answer
from surveys.models import Survey

from ..models import Publication, PublicationEvent


def publication_of(*, survey: Survey) -> Publication | None:
    """The round's publication, live or withdrawn (None: never published), for the staff page."""
    return Publication.objects.filter(survey=survey).select_related("published_by", "withdrawn_by").first()


def publication_events(*, publication: Publication | None, limit: int = 20) -> list[PublicationEvent]:
    if publication is None:
        return []
    return list(publication.events.select_related("by")[:limit])


def publication_live(*, slug: str) -> Publication | None:
    """The live publication of the round `slug` with its snapshot (None: unknown, never published or withdrawn)."""
    return (
        Publication.objects.filter(survey__slug=slug, withdrawn_at__isnull=True)
        .select_related("survey")
        .only("pk", "data", "published_at", "report_built_at", "survey__slug", "survey__title")
        .first()
    )


def publication_live_stamp(*, slug: str) -> tuple[int, dt.datetime] | None:
    """(pk, last change) of the live publication of the round `slug`, without its snapshot: what the page's ETag
    needs (None: nothing live). The last change is `updated_at`: publishing again sets it, and so does a migration
    that corrects a stored snapshot."""
    row = (
        Publication.objects.filter(survey__slug=slug, withdrawn_at__isnull=True).values_list("pk", "updated_at").first()
    )
    return (row[0], row[1]) if row is not None else None


def publications_live() -> list[dict[str, Any]]:
    """The live publications for the public list, newest first, without their snapshots."""
    return [
        dict(row)
        for row in Publication.objects.filter(withdrawn_at__isnull=True)
        .order_by("-published_at")
        .values(
            "published_at",
            "survey__slug",
            "survey__title",
            "survey__reference_start",
            "survey__reference_end",
        )
    ]


def any_publication_live() -> bool:
    return Publication.objects.filter(withdrawn_at__isnull=True).exists()


def state_answers_for(*, survey: Survey, codes: Sequence[str], statuses: Sequence[str]) -> list[tuple[Any, ...]]:
    """(State code, State name, question code, chosen option(s)) of the States' answers to `codes` in the responses
    the report counted: one query. NGOs' answers are never read here."""
    if not codes:
        return []
    rows = Answer.objects.filter(
        response__survey=survey,
        response__organisation__kind=Organisation.Kind.STATE,
        response__status__in=list(statuses),
        question__code__in=list(codes),
        row="",
        column="",
    ).values_list(
        "response__organisation__code",
        "response__organisation__name",
        "question__code",
        "value_text",
        "value_choices",
    )
    return [(org, name, code, choices if choices is not None else text) for org, name, code, text, choices in rows]
