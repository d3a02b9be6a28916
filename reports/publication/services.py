"""Publishing a round's results, publishing them again and withdrawing them; each leaves a line in the audit trail.

Publishing takes a snapshot (`snapshot.public_snapshot`) of the round's final report, so that rebuilding the report
changes nothing public until staff publish again. It is refused, with a message that says why, unless the round is
closed and a final report (not the provisional one, which counts answers still in progress) has been built after
the round closed, with no response changed since: the States' answers shown by State are read when publishing, so
they must be what the report counted. Publishing again when the NGO figures of a question moved by 1 or 2 needs an
explicit confirmation (`snapshot.ngo_changes`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from surveys.models import Survey

from ..models import Publication, PublicationEvent, Report
from ..selectors import report_freshness, report_stored
from .selectors import state_answers_for
from .snapshot import ngo_changes, public_snapshot, publishable_by_state


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


class ReportOutOfDate(PublicationRefused):
    """The final report does not count what the round holds now: it must be built again first."""


class NgoChangesUnconfirmed(PublicationRefused):
    """Publishing again would change NGO figures by 1 or 2 and staff have not confirmed it."""


def _when(moment: Any) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def publication_report_check(*, survey: Survey, report: Report | None) -> Report:
    """`report`, or PublicationRefused unless it is a final report built after the round closed, with no response
    changed since (ReportOutOfDate for those two). One query (how many responses changed)."""
    if report is None or report.data.get("basis", {}).get("provisional"):
        raise PublicationRefused(
            _(
                "No final report has been built for this round: build the report (without answers still in "
                "progress) on the round's dashboard first."
            )
        )
    if survey.closed_at is not None and report.built_at < survey.closed_at:
        raise ReportOutOfDate(
            _(
                "The final report was built on %(built)s, before the round closed on %(closed)s, so it does not "
                "count late submissions: build it again first."
            )
            % {"built": _when(report.built_at), "closed": _when(survey.closed_at)}
        )
    changed = report_freshness(survey=survey, built={False: report.built_at})[False].changed_since
    if changed:
        raise ReportOutOfDate(
            ngettext(
                "%(count)s response has changed since the final report was built on %(built)s: build it again first.",
                "%(count)s responses have changed since the final report was built on %(built)s: build it again first.",
                changed,
            )
            % {"count": changed, "built": _when(report.built_at)}
        )
    return report


def publication_ngo_changes(*, report: Report | None, publication: Publication | None) -> list[str]:
    """The questions whose NGO figures would change by 1 or 2 against the round's publication (live or withdrawn:
    a withdrawn page may have been kept by a reader) if `report` were published now. No query."""
    if report is None or publication is None:
        return []
    return ngo_changes(publication.data, public_snapshot(report.data, [], []))


@transaction.atomic
def publication_publish(
    *,
    survey: Survey,
    user: Any,
    public_questions: Sequence[str] = (),
    ngo_changes_accepted: bool = False,
) -> Publication:
    """Publish (or publish again) the round's final report as it is now, with the States' answers to
    `public_questions` shown State by State. Publishing again when NGO figures moved by 1 or 2 is refused unless
    `ngo_changes_accepted`."""
    publication_check(survey=survey)
    report = publication_report_check(survey=survey, report=report_stored(survey=survey, include_in_progress=False))
    allowed = {q["code"] for q in publishable_by_state(report.data.get("questions", []))}
    unknown = [code for code in public_questions if code not in allowed]
    if unknown:
        raise PublicationRefused(
            _(
                "%(codes)s cannot be shown by State: only choice questions asked of participating States, without a "
                "show-if rule and not about who answers, can."
            )
            % {"codes": ", ".join(unknown)}
        )
    codes = list(dict.fromkeys(public_questions))
    statuses = report.data.get("basis", {}).get("statuses", [])
    answers = state_answers_for(survey=survey, codes=codes, statuses=statuses)
    snapshot = public_snapshot(report.data, answers, codes)
    previous = Publication.objects.select_for_update().filter(survey=survey).only("pk", "data").first()
    changed = ngo_changes(previous.data, snapshot) if previous is not None else []
    if changed and not ngo_changes_accepted:
        raise NgoChangesUnconfirmed(
            _(
                "Since the last publication, the NGO figures of %(codes)s changed by 1 or 2: someone comparing the "
                "two pages could infer a single NGO's answer. Check them, then tick the confirmation to publish "
                "anyway."
            )
            % {"codes": ", ".join(changed)}
        )
    now = timezone.now()
    values = {
        "data": snapshot,
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
