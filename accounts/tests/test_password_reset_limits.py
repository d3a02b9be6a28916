""" "Forgotten your password?": the mail goes through the Celery task, at most 3 per address and 10 requests per IP
address an hour; over a limit the page is the same, no mail goes out, and a warning is logged."""

from __future__ import annotations

import logging
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import tasks
from accounts.models import PasswordResetRequest
from responses.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
RESET = "/accounts/password_reset/"


def _ask(client, email: str, ip: str = "192.0.2.10"):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=ip)


def test_the_reset_mail_is_sent_by_the_task_and_the_page_is_the_same_for_unknown_addresses(client) -> None:
    UserFactory(email="known@example.org")
    task = tasks.send_password_reset
    with mock.patch.object(task, "delay", wraps=task.delay) as delay:
        known = _ask(client, "known@example.org")
        unknown = _ask(client, "nobody@example.org")
    assert delay.call_count == 2  # the request only queues; the task decides
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known["Location"] == reverse("password_reset_done")
    assert [message.to for message in mail.outbox] == [["known@example.org"]]
    assert "/accounts/reset/" in mail.outbox[0].body
    assert "http://testserver/accounts/reset/" in mail.outbox[0].body  # the link names the site that was asked


def test_at_most_three_mails_an_hour_go_to_one_address(client, caplog) -> None:
    UserFactory(email="known@example.org")
    with caplog.at_level(logging.WARNING, logger="accounts.password_reset"):
        pages = [_ask(client, "Known@Example.org", ip=f"192.0.2.{n}") for n in range(1, 6)]
    assert {page["Location"] for page in pages} == {reverse("password_reset_done")}
    assert len(mail.outbox) == 3
    assert sum("limit reached" in record.getMessage() for record in caplog.records) == 2
    assert "known@example.org" not in caplog.text.lower()  # the log names no address

    # An hour later the address may ask again.
    PasswordResetRequest.objects.update(created_at=timezone.now() - timedelta(hours=1, minutes=1))
    _ask(client, "known@example.org")
    assert len(mail.outbox) == 4


def test_at_most_ten_requests_an_hour_from_one_ip_address_send_mail(client, caplog) -> None:
    UserFactory(email="known@example.org")
    for n in range(10):  # probing unknown addresses counts too
        _ask(client, f"guess{n}@example.org", ip="198.51.100.7")
    with caplog.at_level(logging.WARNING, logger="accounts.password_reset"):
        page = _ask(client, "known@example.org", ip="198.51.100.7")
    assert page["Location"] == reverse("password_reset_done")
    assert mail.outbox == []
    assert "198.51.100.7" in caplog.text
    _ask(client, "known@example.org", ip="198.51.100.8")  # another IP address is not held back
    assert len(mail.outbox) == 1


def test_the_limits_are_settings(client, settings) -> None:
    settings.PASSWORD_RESET_PER_ADDRESS = 1
    UserFactory(email="known@example.org")
    _ask(client, "known@example.org")
    _ask(client, "known@example.org")
    assert len(mail.outbox) == 1


def test_requests_older_than_a_day_are_forgotten(client) -> None:
    _ask(client, "someone@example.org")
    PasswordResetRequest.objects.update(created_at=timezone.now() - timedelta(days=2))
    _ask(client, "someone@example.org")
    assert PasswordResetRequest.objects.count() == 1
    assert PasswordResetRequest.objects.get().address != "someone@example.org"  # a keyed hash, not the address
