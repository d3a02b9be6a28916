"""Two-factor authentication across several logins of one account (found in review): a login made before the person
set up an app, a setup page open in two sessions, and pages with secrets never cached."""

from __future__ import annotations

import base64
import re
from decimal import Decimal

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from oscethb.security import login_username
from responses.tests.factories import PASSWORD, MembershipFactory, UserFactory
from surveys import answer_types as at
from tests.otp_helpers import code_for, confirmed_device

pytestmark = pytest.mark.django_db


def _login(client: Client, email: str) -> None:
    response = client.post("/accounts/login/", {"username": email, "password": PASSWORD}, REMOTE_ADDR="192.0.2.20")
    assert response.status_code == 302, response.content[:500]


def _key(html: str) -> str:
    found = re.search(r'data-testid="totp-key">([A-Z2-7 ]+)<', html)
    assert found, "the setup page shows the key as text"
    return found.group(1).replace(" ", "")


def _code(secret: str) -> str:
    return f"{totp(base64.b32decode(secret + '=' * (-len(secret) % 8))):06d}"


def test_a_login_from_before_the_app_was_set_up_must_give_a_code_and_cannot_touch_the_codes() -> None:
    member = MembershipFactory()
    user = member.user
    earlier = Client()
    _login(earlier, user.email)
    assert earlier.get("/my/").status_code == 200  # no app yet: the password is enough
    confirmed_device(user)  # meanwhile, in another session, the person sets up an app

    page = earlier.get("/my/")
    assert page.status_code == 302
    assert page["Location"].startswith("/account/two-factor/verify/")
    codes = earlier.post("/account/two-factor/backup-codes/")
    assert codes.status_code == 302
    assert "/account/two-factor/verify/" in codes["Location"]
    off = earlier.post("/account/two-factor/turn-off/")
    assert off.status_code == 302
    assert "/account/two-factor/verify/" in off["Location"]
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()  # still on


def test_each_login_gets_its_own_setup_key_and_only_the_confirming_one_counts() -> None:
    staff = UserFactory(is_staff=True)
    intruder, owner = Client(), Client()
    _login(intruder, staff.email)
    seen_by_intruder = _key(intruder.get("/account/two-factor/setup/").content.decode())
    _login(owner, staff.email)
    owners_key = _key(owner.get("/account/two-factor/setup/").content.decode())
    assert owners_key != seen_by_intruder
    assert _key(owner.get("/account/two-factor/setup/").content.decode()) == owners_key  # stable within a login

    done = owner.post("/account/two-factor/setup/", {"code": _code(owners_key)})
    assert done.status_code == 200
    device = TOTPDevice.objects.get(user=staff, confirmed=True)
    assert base64.b32encode(device.bin_key).decode().rstrip("=") == owners_key
    # The key the other session saw makes no valid code.
    assert _code(seen_by_intruder) != _code(owners_key)
    assert not device.verify_token(_code(seen_by_intruder))


def test_pages_with_secrets_are_never_cached() -> None:
    staff = UserFactory(is_staff=True)
    client = Client()
    _login(client, staff.email)
    setup = client.get("/account/two-factor/setup/")
    assert "no-store" in setup["Cache-Control"]
    device = confirmed_device(staff)
    client = Client()
    _login(client, staff.email)
    verify = client.get("/account/two-factor/verify/")
    assert "no-store" in verify["Cache-Control"]
    assert client.post("/account/two-factor/verify/", {"code": code_for(device)}).status_code == 302
    codes = client.post("/account/two-factor/backup-codes/")
    assert codes.status_code == 200
    assert "no-store" in codes["Cache-Control"]


def test_the_lockout_counts_failures_under_the_address_the_login_would_reach() -> None:
    user = UserFactory(email="sam@ix.org")
    assert login_username(None, {"username": " SAM@IX.org "}) == "sam@ix.org"  # type: ignore[arg-type]
    # Whatever spelling the login itself would accept for this account shares its count of failures.
    from accounts.auth import EmailBackend

    for spelling in ("ſam@ix.org", "sam@ıx.org", "SAM@IX.ORG"):
        reaches = EmailBackend().authenticate(None, username=spelling, password=PASSWORD)
        if reaches is not None:
            assert reaches == user
            assert login_username(None, {"username": spelling}) == "sam@ix.org"  # type: ignore[arg-type]


def test_a_decimal_with_trailing_zeros_is_the_same_answer() -> None:
    assert at.to_text(at.DECIMAL, Decimal("1.50")) == at.to_text(at.DECIMAL, Decimal("1.5")) == "1.5"
    assert at.to_text(at.DECIMAL, Decimal("100")) == "100"
    assert at.to_text(at.DECIMAL, Decimal("0.0")) == "0"
    assert at.to_text(at.DECIMAL, Decimal("-0.250")) == "-0.25"


def test_giving_a_code_does_not_read_every_login_of_everyone() -> None:
    """django-otp saves the app at each code given (its counters): only confirming an app marks the person's other
    logins, so a wrong code cannot make the server decode every session (found in review)."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.twofactor import code_verify

    person = UserFactory()
    for other in UserFactory.create_batch(3):
        store = SessionStore()
        store["_auth_user_id"] = str(other.pk)
        store.create()
    device = confirmed_device(person)
    for code in ("000000", code_for(device)):
        with CaptureQueriesContext(connection) as queries:
            code_verify(person, code)
        assert not [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]
