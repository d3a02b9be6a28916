"""E-mails about a response's workflow, each in its recipient's language, sent by Celery tasks (responses/tasks.py).

- Submitted or resubmitted: a receipt to the organisation's coordinators (what, by whom, when, the link), with the
  attachments `receipt_attachments` gives, and a note to the Office (setting `OFFICE_EMAIL`; empty: none).
- Returned: the Office's comment to the coordinators. Accepted: a note to the coordinators.

The services `response_submit`, `response_return` and `response_accept` enqueue the task with the status event's id
once their transaction commits. `notification_send` records each mail as a `Notification` (event, kind) in the
transaction in which it goes out: a second run (a redelivered task) sends nothing, a failed send records nothing,
so a retry sends it. Every mail has the Office as its reply-to address (`REPLY_TO_EMAIL`, default `OFFICE_EMAIL`).

Recipients: the organisation's active coordinators with an e-mail address; one message per language, rendered inside
`translation.override(language)` from the templates `templates/responses/emails/<kind>_subject.txt` and
`<kind>_body.txt`. Links are built from `SITE_URL`.
"""

from __future__ import annotations

import contextlib
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import Membership, Role
from accounts.people.language import person_languages
from oscethb.prepared import PreparedQuery
from surveys.i18n import pick

from .models import Notification, Response, ResponseEvent
from .selectors import response_progress
from .services import user_label

logger = logging.getLogger(__name__)

DEFAULT_SITE_URL = "http://127.0.0.1:8000"
Attachment = tuple[str, bytes, str]  # file name, content, MIME type


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str


def site_url() -> str:
    """The absolute address of the site, for links in e-mail (setting SITE_URL); tasks have no request to ask."""
    return str(getattr(settings, "SITE_URL", DEFAULT_SITE_URL) or DEFAULT_SITE_URL).rstrip("/")


def absolute_url(path: str) -> str:
    return site_url() + path


def response_url(response: Response) -> str:
    return absolute_url(reverse("responses:response-home", args=[response.survey.slug, response.organisation.code]))


def office_email() -> str:
    """The Office's address for notes about submissions (setting OFFICE_EMAIL; empty: no such notes)."""
    return str(getattr(settings, "OFFICE_EMAIL", "") or "").strip()


def reply_to() -> list[str]:
    """Where answers to the platform's e-mails go: REPLY_TO_EMAIL, else OFFICE_EMAIL, else nowhere special."""
    address = str(getattr(settings, "REPLY_TO_EMAIL", "") or "").strip() or office_email()
    return [address] if address else []


def _coordinators(**where: Any) -> QuerySet[Membership, tuple[int, int, str]]:
    """(organisation id, user id, address) rows of the active coordinators with an address of the organisations
    `where` selects: who an e-mail can reach."""
    return (
        Membership.objects.filter(role=Role.COORDINATOR, user__is_active=True, **where)
        .exclude(user__email="")
        .values_list("organisation_id", "user_id", "user__email")
    )


def _coordinator_rows(organisation_ids: Iterable[int]) -> list[tuple[int, int, str]]:
    return list(_coordinators(organisation_id__in=list(organisation_ids)))


# The status board lists every State's coordinators on each request: compiled once (oscethb/prepared.py).
COORDINATORS_OF_KIND = PreparedQuery(lambda kind: _coordinators(organisation__kind=kind), kind=str)


def _addresses(rows: Iterable[tuple[int, int, str]]) -> dict[int, list[str]]:
    found: dict[int, dict[str, str]] = defaultdict(dict)
    for organisation_id, _user_id, email in rows:
        found[organisation_id].setdefault(email.strip().lower(), email.strip())
    return {pk: sorted(people.values(), key=str.lower) for pk, people in found.items()}


def coordinator_addresses(organisation_ids: Iterable[int]) -> dict[int, list[str]]:
    """organisation id -> the addresses of its active coordinators (sorted, without duplicates), in one query:
    `coordinator_recipients` without their languages, for pages that only list them."""
    return _addresses(_coordinator_rows(organisation_ids))


def organisation_is_mailed(organisation_id: int) -> bool:
    """Whether mail about the organisation's response (returned, accepted, receipts) reaches anyone: an active
    coordinator with an address. The Office's pages say so before a decision no one would be told of."""
    return _coordinators(organisation_id=organisation_id).exists()


def coordinator_addresses_of_kind(kind: str) -> dict[int, list[str]]:
    """`coordinator_addresses` of every organisation of one kind (the status board's States), in one prepared
    read."""
    return _addresses(COORDINATORS_OF_KIND.rows(kind=kind))


def coordinator_recipients(organisation_ids: Iterable[int]) -> dict[int, list[Recipient]]:
    """organisation id -> its active coordinators with an address, each with their language (sorted by address)."""
    rows = _coordinator_rows(organisation_ids)
    languages = person_languages({user_id for _org, user_id, _email in rows})
    found: dict[int, dict[str, Recipient]] = defaultdict(dict)
    for organisation_id, user_id, email in rows:
        address = email.strip()
        found[organisation_id].setdefault(address.lower(), Recipient(address, languages[user_id]))
    return {pk: sorted(people.values(), key=lambda r: r.email.lower()) for pk, people in found.items()}


def by_language(recipients: Iterable[Recipient]) -> dict[str, list[str]]:
    """language -> addresses, so that each message is rendered once per language."""
    groups: dict[str, list[str]] = defaultdict(list)
    for recipient in recipients:
        groups[recipient.language].append(recipient.email)
    return dict(sorted(groups.items()))


def render_mail(
    template: str,
    context: dict[str, Any],
    *,
    to: list[str],
    language: str,
    attachments: Iterable[Attachment] = (),
) -> EmailMessage:
    """One plain-text message rendered in `language` from `<template>_subject.txt` and `<template>_body.txt`."""
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context)
        body = render_to_string(f"{template}_body.txt", context)
    message = EmailMessage(
        " ".join(subject.split()),
        body,
        settings.DEFAULT_FROM_EMAIL,
        to,
        reply_to=reply_to() or None,
        headers={"Content-Language": language},  # also how notification_send records each language's message
    )
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    return message


def receipt_attachments(response: Response) -> list[Attachment]:
    """Files attached to the submission receipt, as (file name, content, MIME type): the PDF copy of every answer
    ("All our answers", responses/answer_copy.py) as submitted, in the language active when called (the recipient's;
    called once per language group)."""
    from .answer_copy import response_copy_filename, response_copy_pdf

    language = translation.get_language() or settings.LANGUAGE_CODE
    try:
        pdf = response_copy_pdf(response=response, language=language)
    except Exception:  # the receipt matters more than its attachment: send it without, and say why
        logger.exception("%s: the PDF copy for the receipt could not be made; the receipt goes without it", response)
        return []
    return [(response_copy_filename(response=response), pdf, "application/pdf")]


# --- what each mail says -----------------------------------------------------------------------------------------


def _context(event: ResponseEvent, language: str) -> dict[str, Any]:
    response = event.response
    survey = response.survey
    return {
        "organisation": response.organisation.name_in(language),
        "round_title": pick(survey.title, language) or survey.slug,
        "slug": survey.slug,
        "by": user_label(event.by),
        "at": event.at,
        "status": event.to_status,
        "resubmitted": event.to_status == Response.Status.RESUBMITTED,
        "comment": event.comment,
        "url": response_url(response),
    }


def _coordinator_messages(
    event: ResponseEvent, template: str, extra: dict[str, Any] | None = None, *, attach: bool = False
) -> list[EmailMessage]:
    response = event.response
    recipients = coordinator_recipients([response.organisation_id]).get(response.organisation_id, [])
    messages = []
    for language, addresses in by_language(recipients).items():
        with translation.override(language):
            attachments = receipt_attachments(response) if attach else []
        context = {**_context(event, language), **(extra or {})}
        messages.append(render_mail(template, context, to=addresses, language=language, attachments=attachments))
    return messages


def _progress(response: Response) -> dict[str, int]:
    progress = response_progress(response)
    return {"required": progress.required, "answered": progress.answered, "missing": len(progress.missing)}


def receipt_messages(event: ResponseEvent) -> list[EmailMessage]:
    return _coordinator_messages(event, "responses/emails/receipt", _progress(event.response), attach=True)


def office_messages(event: ResponseEvent) -> list[EmailMessage]:
    address = office_email()
    if not address:
        return []
    context = {**_context(event, settings.LANGUAGE_CODE), **_progress(event.response)}
    context["url"] = response_url(event.response)
    return [render_mail("responses/emails/office_submitted", context, to=[address], language=settings.LANGUAGE_CODE)]


def returned_messages(event: ResponseEvent) -> list[EmailMessage]:
    return _coordinator_messages(event, "responses/emails/returned")


def accepted_messages(event: ResponseEvent) -> list[EmailMessage]:
    return _coordinator_messages(event, "responses/emails/accepted")


BUILDERS = {
    Notification.Kind.RECEIPT: receipt_messages,
    Notification.Kind.OFFICE: office_messages,
    Notification.Kind.RETURNED: returned_messages,
    Notification.Kind.ACCEPTED: accepted_messages,
}


def notification_send(*, event_id: int, kind: str) -> list[Notification] | None:
    """Send one kind of mail about a status event, once per recipients' language; None when the event is gone.

    Each language's message is recorded in the transaction in which it goes out: if sending fails, that language is
    not recorded and the exception propagates (the task retries), and a retry sends only the languages not sent yet,
    so nobody gets a mail twice. Returns the records written now ([] when everything had been sent already)."""
    event = (
        ResponseEvent.objects.filter(pk=event_id)
        .select_related("by", "response__survey", "response__organisation")
        .first()
    )
    if event is None:
        return None
    done = set(Notification.objects.filter(event=event, kind=kind).values_list("language", flat=True))
    if "" in done:
        return []  # there was no one to send it to
    messages = BUILDERS[Notification.Kind(kind)](event)
    if not messages:
        logger.info("%s: no recipient for the %s mail about event %s", event.response, kind, event.pk)
        with contextlib.suppress(IntegrityError), transaction.atomic():
            return [Notification.objects.create(event=event, kind=kind, language="", recipients=[])]
        return []
    written = []
    for message in messages:
        language = message.extra_headers.get("Content-Language", "")
        if language in done:
            continue
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    event=event, kind=kind, language=language, recipients=sorted(message.to)
                )
                with get_connection() as connection:
                    connection.send_messages([message])
        except IntegrityError:
            continue  # another worker recorded (and sent) this language first
        written.append(notification)
        logger.info("%s: %s mail (%s) sent to %s", event.response, kind, language, ", ".join(notification.recipients))
    return written
