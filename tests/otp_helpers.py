"""Two-factor authentication in tests: staff log in for real, with a confirmed authenticator app and a session
that django-otp counts as verified (what `django_otp.login` stores), or through the code page in a browser.

The enforcement (accounts/twofactor.py) is on in the tests as in production; these helpers do what a staff member
does, they never switch it off.
"""

from __future__ import annotations

import time
from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.twofactor import REQUIRED_SESSION_KEY


def confirmed_device(user: Any) -> TOTPDevice:
    """The person's confirmed authenticator app (created when missing)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return device


def code_for(device: TOTPDevice, *, offset: int = 0) -> str:
    """The code the app shows now (offset: that many 30-second steps later, for a second login within one step:
    django-otp refuses a step's code once it was used)."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift + offset)
    return f"{value:0{device.digits}d}"


def force_login_verified(client: Client, user: Any) -> Client:
    """client.force_login, and for staff (who must use a second factor) also a confirmed app and a session verified
    with it, as after entering a code. Anyone else is logged in as force_login does (no second factor set up)."""
    client.force_login(user)
    if user.is_staff:
        device = confirmed_device(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session[REQUIRED_SESSION_KEY] = True
        session.save()
    return client


def verified_client(user: Any) -> Client:
    return force_login_verified(Client(), user)


def wait_for_a_fresh_step(device: TOTPDevice) -> None:
    """Wait until the 30-second step changes when fewer than 3 seconds of it are left, so that a code typed in a
    browser is still current when the server checks it."""
    remaining = device.step - (int(time.time()) - device.t0) % device.step
    if remaining < 3:
        time.sleep(remaining + 0.2)


def browser_log_in_with_code(page: Any, base_url: str, email: str, password: str, device: TOTPDevice) -> None:
    """Log in through the real forms: the password, then the code computed from the device's key (as the app does)."""
    from playwright.sync_api import expect

    page.goto(base_url + "/accounts/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#id_code")).to_be_visible(timeout=8_000)
    wait_for_a_fresh_step(device)
    device.refresh_from_db()
    page.locator("#id_code").fill(code_for(device))
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("nav")).to_contain_text(email, timeout=8_000)
    expect(page.locator("#id_code")).to_have_count(0)
