"""Celery tasks of the responses app: thin adapters that take ids and call one service.

Mails about a response's workflow (responses/notifications.py) and the periodic closing of rounds whose deadline
passed (responses/deadlines.py). An event that is gone is skipped quietly; a mail server that is briefly unreachable
is tried again with back-off (on a worker; in-process, without a broker, the failure is logged and the request that
caused the mail is not failed by it).
"""

from __future__ import annotations

import logging
import smtplib

from celery import Task, shared_task

from .deadlines import rounds_close_due
from .models import Notification
from .notifications import notification_send
from .reminders import reminders_send

logger = logging.getLogger(__name__)
# Errors worth another try: the mail server refused for now or could not be reached.
TRANSIENT_MAIL_ERRORS = (smtplib.SMTPException, OSError)
MAX_RETRIES = 4


def _send(task: Task, event_id: int, kinds: tuple[str, ...]) -> str:
    """Send each kind on its own (a receipt that fails does not hold back the Office's note), then retry the task if
    one failed for a reason worth another try; what went out is recorded, so a retry sends only what is left."""
    sent: list[str] = []
    failure: Exception | None = None
    for kind in kinds:
        try:
            if notification_send(event_id=event_id, kind=kind):
                sent.append(kind)
        except TRANSIENT_MAIL_ERRORS as exc:
            logger.warning("event %s: the %s mail could not be sent now: %s", event_id, kind, exc)
            failure = exc
    if failure is not None:
        if task.request.is_eager or task.request.retries >= MAX_RETRIES:
            logger.error("event %s: giving up on the %s mail after %s tries", event_id, "/".join(kinds), MAX_RETRIES)
            return ",".join([*sent, "failed"])
        raise task.retry(exc=failure, countdown=30 * 2**task.request.retries)
    return ",".join(sent) or "nothing to send"


@shared_task(bind=True, name="responses.notify_submitted", max_retries=MAX_RETRIES)
def notify_submitted(self: Task, event_id: int) -> str:
    """A response was submitted or resubmitted: receipt to its coordinators, note to the Office."""
    return _send(self, event_id, (Notification.Kind.RECEIPT, Notification.Kind.OFFICE))


@shared_task(name="responses.notify_submitted_each")
def notify_submitted_each(event_ids: list[int]) -> int:
    """Many responses were recorded as submitted at once (an import with `--submit`): one message from the import,
    one `notify_submitted` per submission from here, each with its own retries. The import's transaction thus
    queues one message, not thousands."""
    for event_id in event_ids:
        notify_submitted.delay(event_id)
    return len(event_ids)


@shared_task(bind=True, name="responses.notify_returned", max_retries=MAX_RETRIES)
def notify_returned(self: Task, event_id: int) -> str:
    """The Office returned a response: its comment to the coordinators."""
    return _send(self, event_id, (Notification.Kind.RETURNED,))


@shared_task(bind=True, name="responses.notify_accepted", max_retries=MAX_RETRIES)
def notify_accepted(self: Task, event_id: int) -> str:
    """The Office accepted a response: a note to the coordinators."""
    return _send(self, event_id, (Notification.Kind.ACCEPTED,))


@shared_task(name="responses.close_due_rounds")
def close_due_rounds() -> list[str]:
    """Periodic (celery beat): close the open rounds whose closing date and every extension have passed."""
    return [survey.slug for survey in rounds_close_due()]


# The name is from before reminders moved here from reports: the beat schedule and queued messages use it.
@shared_task(name="reports.send_reminders")
def send_reminders() -> int:
    """Daily (celery beat): e-mail the deadline reminders due today (responses.reminders); returns how many went out."""
    from django.utils import timezone

    return len(reminders_send(today=timezone.localdate()))
