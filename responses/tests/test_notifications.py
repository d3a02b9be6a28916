"""Notifications (responses/notifications.py): the receipt on submit, the comment on return, the note on accept and the
note to the Office, each through the real task (eager in tests) into Django's mail outbox, in the recipient's
language, with the Office as reply-to; and a person's language remembered at login and at the language switch."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import PersonSettings, Role
from accounts.people.language import person_language, person_language_set
from responses import notifications
from responses.models import Notification, Response, ResponseEvent
from responses.services import response_accept, response_return, response_submit
from responses.tasks import notify_submitted

from .conftest import People
from .factories import PASSWORD, MembershipFactory, UserFactory


@pytest.fixture
def mail_settings(settings: Any) -> Any:
    settings.SITE_URL = "https://surveys.example.org/"
    settings.OFFICE_EMAIL = "office@osce.test"
    settings.REPLY_TO_EMAIL = ""
    return settings


def submit(response: Response, user: Any, capture: Any) -> Response:
    with capture(execute=True):
        return response_submit(response=response, user=user, require_complete=False)


def mails_to(address: str) -> list[Any]:
    return [m for m in mail.outbox if address in m.to]


def test_submitting_sends_a_receipt_to_the_coordinators_and_a_note_to_the_office(
    response_at: Response, people: People, mail_settings: Any, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    second = MembershipFactory(organisation=people.austria, role=Role.COORDINATOR).user
    people.coordinator.first_name, people.coordinator.last_name = "Anna", "Muster"
    people.coordinator.save()
    submit(response_at, people.coordinator, django_capture_on_commit_callbacks)

    (receipt,) = [m for m in mailoutbox if people.coordinator.email in m.to]
    assert sorted(receipt.to) == sorted([people.coordinator.email, second.email])  # not the contributor or viewer
    assert receipt.subject == (
        "Received: Austria submitted its answers to "
        "OSCE survey on implementing anti-trafficking commitments, 2015/16 round"
    )
    assert "were submitted by Anna Muster on " in receipt.body
    assert "https://surveys.example.org/rounds/thb-2016/respond/AT/" in receipt.body
    assert "required questions are answered" in receipt.body
    assert receipt.reply_to == ["office@osce.test"]
    ((name, content, mimetype),) = receipt.attachments  # their copy of every answer, as submitted
    assert (name, mimetype) == ("thb-2016-AT-answers.pdf", "application/pdf")
    assert content.startswith(b"%PDF")

    (office,) = mails_to("office@osce.test")
    assert office.subject == "Austria submitted its answers to thb-2016"
    assert "https://surveys.example.org/rounds/thb-2016/respond/AT/" in office.body
    assert office.reply_to == ["office@osce.test"]
    assert len(mailoutbox) == 2
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert kinds == {Notification.Kind.RECEIPT, Notification.Kind.OFFICE}


def test_a_resubmission_says_resubmitted(
    response_at: Response, people: People, mail_settings: Any, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    Response.objects.filter(pk=response_at.pk).update(status=Response.Status.RETURNED)
    response_at.refresh_from_db()
    submit(response_at, people.coordinator, django_capture_on_commit_callbacks)
    (receipt,) = mails_to(people.coordinator.email)
    assert receipt.subject.startswith("Received: Austria resubmitted its answers to ")
    (office,) = mails_to("office@osce.test")
    assert office.subject == "Austria resubmitted its answers to thb-2016"


def test_without_an_office_address_no_office_note_and_no_reply_to(
    response_at: Response, people: People, mail_settings: Any, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    mail_settings.OFFICE_EMAIL = ""
    submit(response_at, people.coordinator, django_capture_on_commit_callbacks)
    (receipt,) = mailoutbox
    assert receipt.to == [people.coordinator.email]
    assert receipt.reply_to == []


def test_reply_to_prefers_its_own_setting(
    response_at: Response, people: People, mail_settings: Any, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    mail_settings.REPLY_TO_EMAIL = "answers@osce.test"
    submit(response_at, people.coordinator, django_capture_on_commit_callbacks)
    assert {tuple(m.reply_to) for m in mailoutbox} == {("answers@osce.test",)}


def test_returning_sends_the_comment_to_the_coordinators_in_their_language(
    response_at: Response, people: People, mail_settings: Any, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    german = MembershipFactory(organisation=people.austria, role=Role.COORDINATOR).user
    person_language_set(user=german, language="de")
    submit(response_at, people.coordinator, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response_return(response=response_at, user=people.staff, comment="Please give the 2015 figures.")
    # One message per language: English for the coordinator who never chose, German for the other.
    assert len(mailoutbox) == 2
    english = next(m for m in mailoutbox if people.coordinator.email in m.to)
    in_german = next(m for m in mailoutbox if german.email in m.to)
    assert english.to == [people.coordinator.email]
    assert in_german.to == [german.email]
    for message in (english, in_german):
        assert "Please give the 2015 figures." in message.body
        assert message.reply_to == ["office@osce.test"]
        assert "https://surveys.example.org/rounds/thb-2016/respond/AT/" in message.body
    event = ResponseEvent.objects.get(to_status=Response.Status.RETURNED)
    month = timezone.localtime(event.at).strftime("%B")
    # The date is written by Django's German locale in the German mail ("Juni", "März", ...), English in the other.
    assert month in english.body
    german_months = {
        "January": "Januar", "February": "Februar", "March": "März", "April": "April", "May": "Mai", "June": "Juni",
        "July": "Juli", "August": "August", "September": "September", "October": "Oktober", "November": "November",
        "December": "Dezember",
    }  # fmt: skip
    assert german_months[month] in in_german.body
    if german_months[month] != month:
        assert month not in in_german.body


def test_each_mail_is_rendered_under_the_recipients_language(
    response_at: Response,
    people: People,
    mail_settings: Any,
    mailoutbox: list,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.utils import translation

    person_language_set(user=people.coordinator, language="ru")
    seen: list[tuple[str, str]] = []
    real = notifications.render_to_string

    def spy(template: str, context: dict, *args: Any, **kwargs: Any) -> str:
        seen.append((template.rsplit("/", 1)[-1], translation.get_language()))
        return real(template, context, *args, **kwargs)

    monkeypatch.setattr(notifications, "render_to_string", spy)
    submit(response_at, people.coordinator, django_capture_on_commit_callbacks)
    assert ("receipt_subject.txt", "ru") in seen
    assert ("receipt_body.txt", "ru") in seen
    assert ("office_submitted_body.txt", "en") in seen  # the Office reads the site's default language
    assert translation.get_language() == "en"  # and the override ends with the mail


def test_accepting_sends_a_note_to_the_coordinators(
    response_at: Response, people: People, mail_settings: Any, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    submit(response_at, people.coordinator, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response_accept(response=response_at, user=people.staff)
    (note,) = mailoutbox
    assert note.to == [people.coordinator.email]
    assert note.subject.startswith("Accepted: the answers of Austria to ")
    assert "The Office accepted the answers of Austria" in note.body
    assert note.reply_to == ["office@osce.test"]


def test_nothing_is_sent_before_the_transaction_commits(
    response_at: Response, people: People, mail_settings: Any, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response_submit(response=response_at, user=people.coordinator, require_complete=False)
    assert mailoutbox == []
    assert len(callbacks) == 1


def test_the_task_sends_each_mail_once_and_skips_a_gone_event(
    response_at: Response, people: People, mail_settings: Any, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    submit(response_at, people.coordinator, django_capture_on_commit_callbacks)
    event = ResponseEvent.objects.get(to_status=Response.Status.SUBMITTED)
    assert len(mailoutbox) == 2
    assert notify_submitted.delay(event.pk).get() == "nothing to send"  # a redelivered task
    assert len(mailoutbox) == 2
    assert notify_submitted.delay(event.pk + 1000).get() == "nothing to send"


def test_a_failing_mail_server_records_nothing_so_a_retry_sends_it(
    response_at: Response,
    people: People,
    mail_settings: Any,
    mailoutbox: list,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.core.mail.backends.locmem import EmailBackend

    real = EmailBackend.send_messages
    monkeypatch.setattr(EmailBackend, "send_messages", lambda self, messages: (_ for _ in ()).throw(OSError("down")))
    submit(response_at, people.coordinator, django_capture_on_commit_callbacks)  # the submit itself succeeds
    assert Response.objects.get(pk=response_at.pk).status == Response.Status.SUBMITTED
    assert not Notification.objects.exists()
    monkeypatch.setattr(EmailBackend, "send_messages", real)
    event = ResponseEvent.objects.get(to_status=Response.Status.SUBMITTED)
    assert notify_submitted.delay(event.pk).get() == "receipt,office"
    assert len(mailoutbox) == 2


def test_a_refused_submission_sends_nothing(
    response_at: Response, people: People, mail_settings: Any, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    client.force_login(people.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("responses:response-submit", args=["thb-2016", "AT"]), {"confirm": "yes"}
        )  # answers missing
    assert response.status_code == 302
    assert Response.objects.get(pk=response_at.pk).status == Response.Status.NOT_STARTED
    assert mailoutbox == []


# --- a person's language -----------------------------------------------------------------------------------------


def test_the_language_is_remembered_at_login(db: None) -> None:
    user = UserFactory()
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert person_language(user) == "fr"


def test_switching_language_while_logged_in_is_remembered(db: None) -> None:
    user = UserFactory()
    client = Client()
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "de", "next": "/"})
    assert response.status_code == 302
    assert person_language(user) == "de"
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})  # not a site language: ignored
    assert person_language(user) == "de"


def test_switching_language_anonymously_stores_nothing(db: None) -> None:
    response = Client().post(reverse("set_language"), {"language": "it", "next": "/"})
    assert response.status_code == 302
    assert not PersonSettings.objects.exists()


def test_people_who_never_chose_get_the_default_language(db: None) -> None:
    assert person_language(UserFactory()) == "en"


def test_a_retry_after_one_language_failed_sends_only_that_language(
    response_at: Response,
    people: People,
    mail_settings: Any,
    mailoutbox: list,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The English receipt went out, the Russian one failed: the retry must not send the English one again."""
    from django.core.mail.backends.locmem import EmailBackend

    russian = MembershipFactory(organisation=people.austria, role=Role.COORDINATOR).user
    person_language_set(user=russian, language="ru")
    real = EmailBackend.send_messages

    def russian_fails(self: Any, messages: list) -> int:
        if any(m.extra_headers.get("Content-Language") == "ru" for m in messages):
            raise OSError("mail server down")
        return real(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", russian_fails)
    submit(response_at, people.coordinator, django_capture_on_commit_callbacks)
    assert [m.to for m in mails_to(people.coordinator.email)] == [[people.coordinator.email]]
    assert mails_to(russian.email) == []
    assert len(mails_to("office@osce.test")) == 1  # the failed receipt did not hold back the Office's note

    monkeypatch.setattr(EmailBackend, "send_messages", real)
    event = ResponseEvent.objects.get(to_status=Response.Status.SUBMITTED)
    notify_submitted.delay(event.pk).get()

    assert len(mails_to(people.coordinator.email)) == 1  # not twice
    assert len(mails_to(russian.email)) == 1
    assert len(mails_to("office@osce.test")) == 1
    languages = set(Notification.objects.filter(kind=Notification.Kind.RECEIPT).values_list("language", flat=True))
    assert languages == {"en", "ru"}


def test_the_receipt_goes_without_the_pdf_when_the_pdf_cannot_be_made(
    response_at: Response,
    people: People,
    mail_settings: Any,
    mailoutbox: list,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from responses import answer_copy

    def broken(**kwargs: Any) -> bytes:
        raise ValueError("no fonts")

    monkeypatch.setattr(answer_copy, "response_copy_pdf", broken)
    submit(response_at, people.coordinator, django_capture_on_commit_callbacks)

    (receipt,) = mails_to(people.coordinator.email)
    assert receipt.attachments == []
    assert "were submitted by" in receipt.body
