"""Two-factor authentication: required for staff (setup at first login, the code at every login, the admin too),
optional for respondents, backup codes, throttling, reset_2fa."""

from __future__ import annotations

import base64
import io
import re
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from responses.tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.otp_helpers import code_for, confirmed_device, force_login_verified

pytestmark = pytest.mark.django_db


def password_login(client: Client, user: Any, next_url: str = "") -> Any:
    data = {"username": user.email, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post("/accounts/login/", data, REMOTE_ADDR="192.0.2.10")


def _code_from_page(html: str) -> str:
    key = re.search(r'data-testid="totp-key">([A-Z2-7 ]+)<', html)
    assert key, "the setup page shows the key as text"
    secret = key.group(1).replace(" ", "")
    return f"{totp(base64.b32decode(secret + '=' * (-len(secret) % 8))):06d}"


def test_staff_without_an_app_set_one_up_at_first_login_and_get_backup_codes() -> None:
    staff = UserFactory(is_staff=True)
    client = Client()
    assert password_login(client, staff, "/staff/invitations/bulk/").status_code == 302
    # Every staff page, and the admin, sends them to the setup page first.
    for url in ("/staff/invitations/bulk/", "/admin/", "/my/", "/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/account/two-factor/setup/?next="), url
    page = client.get("/account/two-factor/setup/?next=/staff/invitations/bulk/").content.decode()
    assert 'src="data:image/svg+xml;base64,' in page  # the QR code, allowed by the CSP's img-src data:
    assert "<script" not in page.split("<main", 1)[1].split("</main>", 1)[0]
    wrong = client.post("/account/two-factor/setup/", {"code": "000000", "next": "/staff/invitations/bulk/"})
    assert wrong.status_code == 200
    assert "not correct" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=staff, confirmed=True).exists()
    # django-otp throttles after a wrong code (1 s here); let the wait pass for the test.
    TOTPDevice.objects.filter(user=staff).update(throttling_failure_timestamp=None, throttling_failure_count=0)
    done = client.post(
        "/account/two-factor/setup/", {"code": _code_from_page(page), "next": "/staff/invitations/bulk/"}
    )
    assert done.status_code == 200
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", done.content.decode())
    assert len(codes) == 10
    assert StaticToken.objects.filter(device__user=staff).count() == 10
    assert TOTPDevice.objects.filter(user=staff, confirmed=True).count() == 1
    assert client.get("/staff/invitations/bulk/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_staff_with_an_app_enter_the_code_at_every_login() -> None:
    staff = UserFactory(is_staff=True)
    device = confirmed_device(staff)
    client = Client()
    password_login(client, staff)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/two-factor/verify/")
    # The setup page does not let someone with only the password replace the app.
    assert client.get("/account/two-factor/setup/")["Location"].startswith("/account/two-factor/verify/")
    wrong = client.post("/account/two-factor/verify/", {"code": "123456", "next": "/admin/"})
    assert wrong.status_code == 200
    assert client.get("/admin/").status_code == 302
    # django-otp throttles after a wrong code; let the wait pass for the test.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None, throttling_failure_count=0)
    right = client.post("/account/two-factor/verify/", {"code": code_for(device), "next": "/admin/"})
    assert right.status_code == 302
    assert right["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_is_throttled_even_if_the_next_one_is_right() -> None:
    staff = UserFactory(is_staff=True)
    device = confirmed_device(staff)
    client = Client()
    password_login(client, staff)
    client.post("/account/two-factor/verify/", {"code": "000000"})
    refused = client.post("/account/two-factor/verify/", {"code": code_for(device)})
    assert refused.status_code == 200
    assert "Too many wrong codes" in refused.content.decode()


def test_a_backup_code_logs_in_once() -> None:
    staff = UserFactory(is_staff=True)
    confirmed_device(staff)
    from accounts.twofactor import backup_codes_create

    code = backup_codes_create(staff)[0]
    client = Client()
    password_login(client, staff)
    assert client.post("/account/two-factor/verify/", {"code": code.upper(), "next": "/my/"})["Location"] == "/my/"
    assert StaticToken.objects.filter(device__user=staff).count() == 9
    other = Client()
    password_login(other, staff)
    assert other.post("/account/two-factor/verify/", {"code": code}).status_code == 200  # used up


def test_respondents_choose_two_factor_and_then_their_login_asks_for_the_code() -> None:
    coordinator = MembershipFactory().user
    client = Client()
    password_login(client, coordinator)
    assert client.get("/my/").status_code == 200  # optional: nothing asked
    account = client.get("/account/two-factor/").content.decode()
    assert "/account/two-factor/setup/" in account
    page = client.get("/account/two-factor/setup/").content.decode()
    assert client.post("/account/two-factor/setup/", {"code": _code_from_page(page)}).status_code == 200
    assert client.get("/my/").status_code == 200

    later = Client()
    password_login(later, coordinator)
    assert later.get("/my/")["Location"].startswith("/account/two-factor/verify/")
    device = TOTPDevice.objects.get(user=coordinator)
    later.post("/account/two-factor/verify/", {"code": code_for(device, offset=1)})
    assert later.get("/my/").status_code == 200
    # They may turn it off again; then the login asks only for the password.
    assert later.post("/account/two-factor/turn-off/").status_code == 302
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    third = Client()
    password_login(third, coordinator)
    assert third.get("/my/").status_code == 200


def test_staff_cannot_turn_it_off() -> None:
    staff = UserFactory(is_staff=True)
    client = force_login_verified(Client(), staff)
    assert client.post("/account/two-factor/turn-off/").status_code == 403
    assert TOTPDevice.objects.filter(user=staff, confirmed=True).exists()


def test_new_backup_codes_replace_the_old_ones() -> None:
    staff = UserFactory(is_staff=True)
    client = force_login_verified(Client(), staff)
    first = re.findall(r"<li>([a-z2-7]{8})</li>", client.post("/account/two-factor/backup-codes/").content.decode())
    second = re.findall(r"<li>([a-z2-7]{8})</li>", client.post("/account/two-factor/backup-codes/").content.decode())
    assert len(first) == len(second) == 10
    assert set(StaticToken.objects.filter(device__user=staff).values_list("token", flat=True)) == set(second)


def test_reset_2fa_removes_the_app_and_the_backup_codes() -> None:
    staff = UserFactory(is_staff=True, email="Officer@OSCE.example.org")
    confirmed_device(staff)
    from accounts.twofactor import backup_codes_create

    backup_codes_create(staff)
    out = io.StringIO()
    call_command("reset_2fa", "officer@osce.example.org", stdout=out)
    assert "2 devices removed" in out.getvalue()
    assert "set up a new authenticator app at their next login" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert not StaticToken.objects.filter(device__user=staff).exists()
    client = Client()
    password_login(client, staff)
    assert client.get("/")["Location"].startswith("/account/two-factor/setup/")
    with pytest.raises(CommandError, match="no account"):
        call_command("reset_2fa", "nobody@example.org", stdout=io.StringIO())


def test_a_verified_session_that_lost_its_device_is_asked_again() -> None:
    staff = UserFactory(is_staff=True)
    client = force_login_verified(Client(), staff)
    assert client.get("/admin/").status_code == 200
    call_command("reset_2fa", staff.email, stdout=io.StringIO())
    assert client.get("/admin/")["Location"].startswith("/account/two-factor/setup/")


@pytest.mark.parametrize(
    "session_device",
    [
        "someone else's",  # another person's confirmed app
        "unconfirmed",  # the person's own app, not confirmed
        "otp_totp.totpdevice/999999",  # no such device
        "otp_totp.nosuchmodel/1",  # no such kind of device
        "auth.user/1",  # a model that is no device
        "not an id",
    ],
)
def test_a_session_verified_only_by_a_device_that_is_not_the_person_s_confirmed_one_is_asked_again(
    session_device: str,
) -> None:
    """accounts.twofactor.DeviceMiddleware reads the session's device as django-otp does: anything but the person's
    own confirmed device leaves the login unverified (and the session forgets it)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    staff = UserFactory(is_staff=True)
    client = force_login_verified(Client(), staff)
    assert client.get("/admin/").status_code == 200
    if session_device == "someone else's":
        persistent_id = confirmed_device(UserFactory(is_staff=True)).persistent_id
    elif session_device == "unconfirmed":
        persistent_id = TOTPDevice.objects.create(user=staff, name="New phone", confirmed=False).persistent_id
    else:
        persistent_id = session_device
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = persistent_id
    session.save()
    assert client.get("/admin/")["Location"].startswith("/account/two-factor/verify/")
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_next_is_never_another_site() -> None:
    staff = UserFactory(is_staff=True)
    device = confirmed_device(staff)
    client = Client()
    password_login(client, staff)
    response = client.post("/account/two-factor/verify/", {"code": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"
