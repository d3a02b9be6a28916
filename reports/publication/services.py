"""Publishing a round's results, publishing them again and withdrawing them; each leaves a line in the audit trail.

Publishing takes a snapshot (`snapshot.public_snapshot`) of the round's final report, so that rebuilding the report
changes nothing public until staff publish again. It is refused, with a message that says why, unless the round is
closed and a final report (not the provisional one, which counts answers still in progress) has been built.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.models import Survey

from ..models import Publication, PublicationEvent
from ..selectors import report_stored
from .selectors import state_answers_for
from .snapshot import public_snapshot, publishable_by_state


class PublicationRefused(Exception):
    """Why the results cannot be published or withdrawn, in words for the person who asked."""


def publication_check(*, survey: Survey) -> None:
    """Raise PublicationRefused when the round's results may not be published now."""
    if survey.status != Survey.Status.CLOSED:
        if survey.status == Survey.Status.OPEN:
            message = _("Results can be published only after the round is closed; “%(title)s” is still open.")
        else:
            message = _("Results can be published only after the round is closed; “%(title)s” is still a draft.")
        raise PublicationRefused(message % {"title": survey.title_text})


@transaction.atomic
def publication_publish(*, survey: Survey, user: Any, public_questions: Sequence[str] = ()) -> Publication:
    """Publish (or publish again) the round's final report as it is now, with the States' answers to
    `public_questions` shown State by State."""
    publication_check(survey=survey)
    report = report_stored(survey=survey, include_in_progress=False)
    if report is None or report.data.get("basis", {}).get("provisional"):
        raise PublicationRefused(
            _(
                "No final report has been built for this round: build the report (without answers still in "
                "progress) on the round's dashboard first."
            )
        )
    allowed = {q["code"] for q in publishable_by_state(report.data.get("questions", []))}
    unknown = [code for code in public_questions if code not in allowed]
    if unknown:
        raise PublicationRefused(
            _("%(codes)s cannot be shown by State: only choice questions asked of participating States can.")
            % {"codes": ", ".join(unknown)}
        )
    codes = list(dict.fromkeys(public_questions))
    statuses = report.data.get("basis", {}).get("statuses", [])
    answers = state_answers_for(survey=survey, codes=codes, statuses=statuses)
    now = timezone.now()
    values = {
        "data": public_snapshot(report.data, answers, codes),
        "report_built_at": report.built_at,
        "public_questions": codes,
        "published_at": now,
        "published_by": user,
        "withdrawn_at": None,
        "withdrawn_by": None,
    }
    publication, created = Publication.objects.select_for_update().update_or_create(survey=survey, defaults=values)
    action = PublicationEvent.Action.PUBLISHED if created else PublicationEvent.Action.REPUBLISHED
    PublicationEvent.objects.create(
        publication=publication, action=action, by=user, report_built_at=report.built_at, public_questions=codes
    )
    return publication


@transaction.atomic
def publication_withdraw(*, survey: Survey, user: Any) -> Publication:
    """Take the round's results off the public pages (they answer 404 from now on)."""
    publication = Publication.objects.select_for_update().filter(survey=survey, withdrawn_at__isnull=True).first()
    if publication is None:
        raise PublicationRefused(_("The results of this round are not published, so there is nothing to withdraw."))
    publication.withdrawn_at = timezone.now()
    publication.withdrawn_by = user
    publication.save(update_fields=["withdrawn_at", "withdrawn_by", "updated_at"])
    PublicationEvent.objects.create(
        publication=publication,
        action=PublicationEvent.Action.WITHDRAWN,
        by=user,
        report_built_at=publication.report_built_at,
        public_questions=publication.public_questions,
    )
    return publication
