"""Lockout after repeated failed logins (django-axes): by e-mail address AND IP address, 5 failures, 15 minutes,
reset by a successful login; wrong two-factor codes count; the client IP is read behind the reverse proxy."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from django.utils import timezone

from oscethb.security import client_ip
from responses.tests.factories import PASSWORD, UserFactory
from tests.otp_helpers import confirmed_device

pytestmark = pytest.mark.django_db

IP_A, IP_B = "198.51.100.7", "203.0.113.9"


def attempt(user_email: str, password: str, ip: str) -> Any:
    return Client().post("/accounts/login/", {"username": user_email, "password": password}, REMOTE_ADDR=ip)


def fail(user: Any, ip: str, times: int = 5) -> None:
    """Wrong passwords: the form again with the error, and the fifth already answers with the lockout page."""
    for n in range(1, times + 1):
        assert attempt(user.email, "wrong-password-0", ip).status_code == (429 if n >= 5 else 200), n


def test_five_wrong_passwords_lock_that_address_from_that_ip_only(settings: Any) -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    person, other = UserFactory(), UserFactory()
    fail(person, IP_A)
    locked = attempt(person.email, PASSWORD, IP_A)  # even the right password
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many failed logins" in page
    assert "Try again in 15 minutes" in page
    assert "/accounts/password_reset/" in page
    assert 0 < int(locked["Retry-After"]) <= 15 * 60
    # The same person from another IP address, and another person from the same one, are not locked.
    assert attempt(person.email, PASSWORD, IP_B).status_code == 302
    assert attempt(other.email, PASSWORD, IP_A).status_code == 302


def test_the_letter_case_of_the_address_does_not_give_more_tries() -> None:
    person = UserFactory(email="anna.muster@example.org")
    for variant in (
        "Anna.Muster@example.org",
        "ANNA.MUSTER@EXAMPLE.ORG",
        " anna.muster@example.org ",
        "anna.MUSTER@example.org",
        person.email,
    ):
        attempt(variant, "wrong-password-0", IP_A)
    assert attempt(person.email, PASSWORD, IP_A).status_code == 429


def test_four_failures_then_a_success_start_the_count_again() -> None:
    person = UserFactory()
    fail(person, IP_A, times=4)
    assert attempt(person.email, PASSWORD, IP_A).status_code == 302
    assert not AccessAttempt.objects.filter(username=person.email).exists()
    fail(person, IP_A, times=4)
    assert attempt(person.email, PASSWORD, IP_A).status_code == 302


def test_after_the_cool_off_the_login_works_again() -> None:
    person = UserFactory()
    fail(person, IP_A)
    assert attempt(person.email, PASSWORD, IP_A).status_code == 429
    # 15 minutes and a second later (the recorded failure moved back in time instead of waiting).
    AccessAttempt.objects.filter(username=person.email).update(
        attempt_time=timezone.now() - dt.timedelta(minutes=15, seconds=1)
    )
    assert attempt(person.email, PASSWORD, IP_A).status_code == 302


def test_trying_again_during_the_lockout_does_not_extend_it() -> None:
    person = UserFactory()
    fail(person, IP_A)
    first = AccessAttempt.objects.get(username=person.email).attempt_time
    attempt(person.email, "wrong-password-0", IP_A)
    assert AccessAttempt.objects.get(username=person.email).attempt_time == first


def test_wrong_two_factor_codes_count_and_end_in_the_lockout() -> None:
    staff = UserFactory(is_staff=True)
    device = confirmed_device(staff)
    client = Client(REMOTE_ADDR=IP_A)
    assert client.post("/accounts/login/", {"username": staff.email, "password": PASSWORD}).status_code == 302
    for _ in range(4):
        device.__class__.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
        assert client.post("/account/two-factor/verify/", {"code": "000000"}).status_code == 200
    device.__class__.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    locked = client.post("/account/two-factor/verify/", {"code": "000000"})
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert client.get("/my/")["Location"].startswith("/accounts/login/")  # logged out
    assert attempt(staff.email, PASSWORD, IP_A).status_code == 429
    assert attempt(staff.email, PASSWORD, IP_B).status_code == 302


def test_a_password_reset_still_works_while_locked_out(mailoutbox: list[Any]) -> None:
    person = UserFactory()
    fail(person, IP_A)
    response = Client().post("/accounts/password_reset/", {"email": person.email}, REMOTE_ADDR=IP_A)
    assert response.status_code == 302
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "10.0.0.1", "", "10.0.0.1"),
        (0, "10.0.0.1", "198.51.100.7", "10.0.0.1"),  # no proxy configured: the header is the client's, ignored
        (1, "127.0.0.1", "198.51.100.7", "198.51.100.7"),
        (1, "127.0.0.1", "1.2.3.4, 198.51.100.7", "198.51.100.7"),  # the left entry was sent by the client
        (2, "127.0.0.1", "1.2.3.4, 198.51.100.7, 10.0.0.5", "198.51.100.7"),
        (1, "127.0.0.1", "", "127.0.0.1"),  # a request that did not come through the proxy
        (1, "127.0.0.1", "not-an-address", "127.0.0.1"),
    ],
)
def test_the_client_ip_behind_the_proxy(
    settings: Any, proxies: int, remote: str, forwarded: str, expected: str
) -> None:
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_behind_the_proxy_a_forged_header_does_not_escape_the_lockout(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    person = UserFactory()
    for n in range(5):
        Client().post(
            "/accounts/login/",
            {"username": person.email, "password": "wrong-password-0"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, {IP_A}",
        )
    locked = Client().post(
        "/accounts/login/",
        {"username": person.email, "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=f"10.9.9.99, {IP_A}",
    )
    assert locked.status_code == 429
