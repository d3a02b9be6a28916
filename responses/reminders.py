"""Deadline reminders: e-mail to the coordinators of organisations that have not submitted an open round.

Schedule (the daily task `reports.send_reminders` calls `reminders_send(today=...)`): for every open round with a
closing date, every organisation the round asks (participating States and Partners when it asks States, NGOs when it
asks NGOs) that has at least one active coordinator and whose response is not submitted, resubmitted or accepted (no
response at all counts as not started) is reminded on the days when its days left (responses/deadlines.py: the
closing day itself counts 1, and an organisation's extension moves its deadline) equal one of
`settings.REMINDER_DAYS` (default 14, 7 and 2). Each coordinator gets the plain-text e-mail in their own language
(one message per language): the round, the last day, the days left and the link to the round home (from `SITE_URL`),
with the Office as reply-to.

Catch-up: a run finds the reminder whose day came most recently (the smallest configured count that is at least the
days left). If that reminder was not sent yet (the scheduler was down on its day), it goes out now, saying how many
days are really left; reminders whose day has passed and that a later one replaced are never sent, and none once the
deadline has passed. A reminder is recorded as a `Reminder` row (response, days_before: the configured count,
recipients) and never sent twice for the same (response, days_before): the row is written in the same transaction as
the e-mail goes out, a check skips what was sent, and the database's conditional unique constraint stops a second
scheduler racing the first. An organisation gets at most one reminder a day (a reminder sent by hand that day
included). Organisations the round asks that have no coordinator are skipped (States among them are logged).

Staff send one by hand with `reminder_send_manual` (recorded with days_before -1; any number of them), where
`manual_reminder_refusal` allows it; the status board asks the same function before it offers the button.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from responses.access import AccessPolicy
from responses.deadlines import Deadline, long_date, response_deadline, response_deadlines
from responses.models import Response
from responses.notifications import (
    Recipient,
    absolute_url,
    by_language,
    coordinator_addresses,
    coordinator_addresses_of_kind,
    coordinator_recipients,
    render_mail,
)
from responses.notifications import site_url as site_url
from responses.services import response_get_or_create
from surveys.i18n import pick
from surveys.models import Survey

from .models import Reminder

logger = logging.getLogger(__name__)

MANUAL = -1  # days_before of a reminder sent by hand
# Responses that need no reminder: the State has sent its answers.
DONE_STATUSES = Response.COUNTED_STATUSES


class ReminderError(Exception):
    """A reminder that cannot be sent by hand; the message says why."""


@dataclass(frozen=True)
class DueReminder:
    """A reminder to send: to whom, for which round and State, and which configured day count it stands for."""

    survey: Survey
    organisation: Organisation
    response: Response | None  # None: the organisation has not opened the round yet (created when it is sent)
    days_before: int  # the configured day count (settings.REMINDER_DAYS) this reminder is for
    days_left: int  # days left today, the closing day counting 1 (smaller than days_before when catching up)
    recipients: tuple[str, ...]
    people: tuple[Recipient, ...] = ()  # the recipients with their languages
    deadline: Deadline | None = None

    @property
    def status(self) -> str:
        return self.response.status if self.response is not None else Response.Status.NOT_STARTED


def round_home_url(survey: Survey, organisation: Organisation) -> str:
    return absolute_url(reverse("responses:response-home", args=[survey.slug, organisation.code]))


def reminder_days() -> list[int]:
    """The configured day counts, smallest first (negative ones would clash with reminders sent by hand)."""
    return sorted({int(d) for d in settings.REMINDER_DAYS if int(d) >= 0})


def reminder_stage(days_left: int, days: Iterable[int]) -> int | None:
    """The configured day count whose day came most recently, or None before the first one.

    `days_left` counts the closing day as 1 (0: passed). On schedule that is `days_left` itself; after missed days it is the next larger count (the reminder that should
    have gone out last). Larger counts are replaced by it: a missed 14-day reminder is not sent when 7 days are
    reached.
    """
    if days_left < 1:  # the deadline has passed
        return None
    due = [d for d in days if d >= days_left]
    return min(due) if due else None


def coordinator_emails(organisation_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """organisation id -> the e-mail addresses of its active coordinators (sorted, without duplicates)."""
    return {pk: tuple(emails) for pk, emails in coordinator_addresses(organisation_ids).items()}


def coordinator_emails_of_kind(kind: str) -> dict[int, tuple[str, ...]]:
    """`coordinator_emails` of every organisation of one kind (the status board's States), in one prepared read."""
    return {pk: tuple(emails) for pk, emails in coordinator_addresses_of_kind(kind).items()}


def reminders_due(*, today: dt.date) -> list[DueReminder]:
    """The reminders that `reminders_send` would send today (nothing is written)."""
    days = reminder_days()
    surveys = list(Survey.objects.filter(status=Survey.Status.OPEN, closes_on__isnull=False).order_by("slug"))
    if not days or not surveys:
        return []
    organisations = list(Organisation.objects.order_by("kind", "name"))
    coordinators = coordinator_recipients(o.pk for o in organisations)
    due: list[DueReminder] = []
    for survey in surveys:
        asked = [o for o in organisations if survey.asks(o.kind)]
        deadlines = response_deadlines(survey=survey, organisation_ids=[o.pk for o in asked])
        responses = {r.organisation_id: r for r in Response.objects.filter(survey=survey)}
        already_sent: set[tuple[int, int]] = set()
        sent_today = set()
        for response_id, days_before, sent_at in Reminder.objects.filter(response__survey=survey).values_list(
            "response_id", "days_before", "sent_at"
        ):
            already_sent.add((response_id, days_before))
            if timezone.localdate(sent_at) == today:
                sent_today.add(response_id)
        without_coordinator = []
        for organisation in asked:
            deadline = deadlines[organisation.pk]
            days_left = deadline.days_left_on(today)
            stage = reminder_stage(days_left, days) if days_left is not None else None
            if stage is None or days_left is None:
                continue
            response = responses.get(organisation.pk)
            if response is not None and (
                response.status in DONE_STATUSES or (response.pk, stage) in already_sent or response.pk in sent_today
            ):
                continue
            people = coordinators.get(organisation.pk)
            if not people:
                if organisation.kind == Organisation.Kind.STATE:
                    without_coordinator.append(f"{organisation.display_name} ({organisation.code})")
                continue
            due.append(
                DueReminder(
                    survey,
                    organisation,
                    response,
                    stage,
                    days_left,
                    tuple(p.email for p in people),
                    tuple(people),
                    deadline,
                )
            )
        if without_coordinator:
            logger.warning(
                "%s: no reminder for %d State(s) without a coordinator: %s",
                survey.slug,
                len(without_coordinator),
                ", ".join(without_coordinator),
            )
    return due


def reminders_send(*, today: dt.date) -> list[Reminder]:
    """Send the reminders due today (see the module's docstring); returns the Reminder rows written."""
    sent = []
    for item in reminders_due(today=today):
        try:
            with transaction.atomic():
                response = response_get_or_create(survey=item.survey, organisation=item.organisation)
                if Reminder.objects.filter(response=response, days_before=item.days_before).exists():
                    continue  # another run sent it meanwhile
                reminder = Reminder.objects.create(
                    response=response, days_before=item.days_before, recipients=list(item.recipients)
                )
                _send_all(
                    reminder_messages(
                        survey=item.survey,
                        organisation=item.organisation,
                        status=response.status,
                        deadline=item.deadline,
                        days_left=item.days_left,
                        recipients=item.people,
                    )
                )
        except IntegrityError:
            continue  # a scheduler running at the same moment recorded (and sent) it first
        except Exception:
            # The row is rolled back with the failed e-mail, so the next run tries again; the others still go out.
            logger.exception(
                "%s: the %d-day reminder to %s could not be sent", item.survey.slug, item.days_before, item.organisation
            )
            continue
        logger.info(
            "%s: %d-day reminder sent to %s (%s)",
            item.survey.slug,
            item.days_before,
            item.organisation.code,
            ", ".join(item.recipients),
        )
        sent.append(reminder)
    return sent


def manual_reminder_blocker(
    *,
    survey: Survey,
    kind: str,
    status: str,
    has_coordinator: bool,
    deadline: Deadline,
    today: dt.date,
) -> str | None:
    """What stops a reminder from being sent by hand today, as a short name (None: nothing, it can be sent): the
    one rule that the action enforces (`manual_reminder_refusal` words it) and the status board follows to offer
    its "Send reminder" button only where a reminder can go, 57 times a page without writing a message each time.

    A reminder goes to an organisation the open round asks, that has a coordinator to receive it, that has not sent
    its answers (submitted, resubmitted, accepted), and whose deadline (an extension counts) has not passed.
    """
    if survey.status != Survey.Status.OPEN:
        return "round-not-open"
    if not survey.asks(kind):
        return "not-asked"
    if not has_coordinator:
        return "no-coordinator"
    if status in DONE_STATUSES:
        return "sent"
    if deadline.closes_on is not None and deadline.days_left_on(today) == 0:
        return "deadline-passed"
    return None


def manual_reminder_refusal(
    *,
    survey: Survey,
    organisation: Organisation,
    status: str,
    has_coordinator: bool,
    deadline: Deadline,
    today: dt.date,
) -> str | None:
    """Why a reminder cannot be sent by hand today, in words, or None when it can (`manual_reminder_blocker`)."""
    blocker = manual_reminder_blocker(
        survey=survey,
        kind=organisation.kind,
        status=status,
        has_coordinator=has_coordinator,
        deadline=deadline,
        today=today,
    )
    if blocker is None:
        return None
    if blocker == "round-not-open":
        return _("Round %(slug)s is not open: no reminder sent.") % {"slug": survey.slug}
    if blocker == "not-asked":
        if organisation.kind == Organisation.Kind.NGO:
            return _("Round %(slug)s does not ask NGOs: no reminder sent.") % {"slug": survey.slug}
        return _("Round %(slug)s does not ask States: no reminder sent.") % {"slug": survey.slug}
    if blocker == "no-coordinator":
        return _("%(organisation)s has no coordinator to remind: no reminder sent.") % {
            "organisation": organisation.display_name
        }
    if blocker == "sent":
        return _("%(organisation)s has already sent its answers (%(status)s): no reminder sent.") % {
            "organisation": organisation.display_name,
            "status": Response.Status(status).label,
        }
    return _(
        "The deadline of %(organisation)s passed on %(date)s: extend it on the response's page first, then remind them."
    ) % {
        "organisation": organisation.display_name,
        "date": long_date(deadline.closes_on) if deadline.closes_on is not None else "",  # it has one: it passed
    }


def reminder_send_manual(
    *, survey: Survey, organisation: Organisation, user: Any, today: dt.date | None = None
) -> Reminder:
    """A reminder sent by hand by Office staff (days_before -1). Raises ReminderError when it makes no sense
    (`manual_reminder_refusal` says why)."""
    if not AccessPolicy.for_user(user).may_review:
        raise ReminderError(_("Only Office staff send reminders."))
    people = coordinator_recipients([organisation.pk]).get(organisation.pk) or []
    today = today or timezone.localdate()
    deadline = response_deadline(survey=survey, organisation=organisation)
    days_left = deadline.days_left_on(today)
    with transaction.atomic():
        # The row is created to read its status (and rolled back with the refusal): an organisation that never
        # opened the round is "not started".
        response = response_get_or_create(survey=survey, organisation=organisation)
        refusal = manual_reminder_refusal(
            survey=survey,
            organisation=organisation,
            status=response.status,
            has_coordinator=bool(people),
            deadline=deadline,
            today=today,
        )
        if refusal is not None:
            raise ReminderError(refusal)
        recipients = [p.email for p in people]
        reminder = Reminder.objects.create(response=response, days_before=MANUAL, sent_by=user, recipients=recipients)
        _send_all(
            reminder_messages(
                survey=survey,
                organisation=organisation,
                status=response.status,
                deadline=deadline,
                days_left=days_left,
                recipients=people,
            )
        )
    logger.info("%s: reminder sent by hand to %s by %s", survey.slug, organisation.code, user)
    return reminder


def _send_all(messages: list[EmailMessage]) -> None:
    with get_connection() as connection:
        connection.send_messages(messages)


def reminder_messages(
    *,
    survey: Survey,
    organisation: Organisation,
    status: str,
    deadline: Deadline | None,
    days_left: int | None,
    recipients: Iterable[Recipient],
) -> list[EmailMessage]:
    """The plain-text reminder, one message per language of the recipients: the round, the last day, the days left
    (the closing day counting 1) and the link to the round home; reply-to the Office."""
    messages = []
    for language, addresses in by_language(recipients).items():
        context = {
            "organisation": organisation.name_in(language),
            "round_title": pick(survey.title, language) or survey.slug,
            "slug": survey.slug,
            "closes_on": deadline.closes_on if deadline is not None else None,
            "extended": bool(deadline and deadline.extended),
            "days_left": days_left,
            "status": Response.Status(status).label,  # lazy: translated when the template renders it
            "url": round_home_url(survey, organisation),
        }
        messages.append(render_mail("responses/reminders/reminder", context, to=addresses, language=language))
    return messages
