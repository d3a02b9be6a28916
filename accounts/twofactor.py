"""Two-factor authentication (TOTP with django-otp): required for Office staff, optional for respondents.

- A staff member who logged in with the password but has no confirmed authenticator app is sent to the setup page;
  anyone with one is sent to the code page; until then no other page (the admin included) opens.
- Setup shows the secret as a QR code and as a text key, and is confirmed with a code; it then shows ten single-use
  backup codes once (django_otp.plugins.otp_static).
- Wrong codes are throttled by django-otp (1, 2, 4 ... seconds) and count as failed logins for the lockout
  (django-axes).
"""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Callable
from importlib import import_module
from typing import Any

import qrcode
import qrcode.image.svg
from django.apps import apps
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from oscethb.access import is_office_staff
from oscethb.middleware import session_refresh_seconds
from oscethb.prepared import PreparedQuery

# Session key: whether this login must be confirmed with a code (staff, or anyone with an app), set at login.
REQUIRED_SESSION_KEY = "oscethb_2fa_required"
CHECKED_SESSION_KEY = "oscethb_2fa_checked"
BACKUP_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"

# Pages a person who has logged in with the password but not yet with the code may open.
PENDING_ALLOWED_URL_NAMES = frozenset(
    {
        "login",
        "logout",
        "admin:logout",
        "set_language",
        "javascript-catalog",  # the texts of the scripts, for every page (the code page too)
        "accounts:twofactor-setup",
        "accounts:twofactor-verify",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
    }
)


def confirmed_app(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_two_factor(user: Any) -> bool:
    return any(True for _device in devices_for_user(user, confirmed=True))


def two_factor_required(user: Any) -> bool:
    """Staff always; anyone else once they set it up."""
    return is_office_staff(user) or has_two_factor(user)


def is_verified(user: Any) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(check is not None and check())


def backup_codes_remaining(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def app_for_setup(user: Any) -> TOTPDevice:
    """The unconfirmed device whose key the setup page shows (the same one until it is confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


SETUP_SESSION_KEY = "oscethb_2fa_setup"


def setup_key(session: Any, device: TOTPDevice) -> str:
    """The secret this session's setup page shows for `device`: made for this session alone and kept in it, so two
    sessions of one account (say, someone who knows a staff member's password) never see the same secret."""
    kept = session.get(SETUP_SESSION_KEY) or {}
    if kept.get("device") != device.pk or not kept.get("key"):
        kept = {"device": device.pk, "key": random_hex(20)}
        session[SETUP_SESSION_KEY] = kept
    device.key = kept["key"]  # in memory only: the stored key is replaced when the app is confirmed
    return str(kept["key"])


def text_key(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app on a machine without a camera."""
    key = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URI as an SVG QR code, for an <img src="data:..."> (the CSP allows data: images)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def backup_codes_create(user: Any) -> list[str]:
    """New backup codes (the old ones stop working). They are shown once."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _index in range(BACKUP_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def app_confirm(user: Any, device: TOTPDevice, code: str, key: str | None = None) -> list[str] | None:
    """Confirm a new authenticator app with a code from it; on success it replaces any earlier app and new backup
    codes are made. None when the code is wrong (or throttled).

    `key` is the secret this login's setup page showed (kept in its session, see `setup_key`): it becomes the
    device's key only now, so a key another session saw during setup is never the one confirmed."""
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().filter(pk=device.pk, user=user, confirmed=False).first()
        if locked is None:
            return None
        if key is not None:
            locked.key = key
        if not locked.verify_token(normalise_code(code)):
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=locked.pk).delete()
        locked.confirmed = True
        locked.save(update_fields=["confirmed", "key"])
        device.confirmed = True
    return backup_codes_create(user)


def normalise_code(code: str) -> str:
    return "".join(str(code).split()).lower()


def code_verify(user: Any, code: str) -> tuple[Device | None, Any]:
    """The device that accepts the code (the app, or a backup code, used up), or None and, when django-otp is
    throttling after wrong codes, the time until which it refuses every code."""
    token = normalise_code(code)
    throttled_until = None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            allowed, info = device.verify_is_allowed()
            if not allowed:
                throttled_until = (info or {}).get("locked_until") or throttled_until
                continue
            if device.verify_token(token):
                return device, None
    return None, throttled_until


def two_factor_reset(user: Any) -> int:
    """Remove every authenticator app and backup code of a person (`manage.py reset_2fa`). Staff set up a new app
    at their next login; for anyone else two-factor authentication is off."""
    deleted = 0
    for model in (TOTPDevice, StaticDevice):
        count, _details = model.objects.filter(user=user).delete()
        deleted += count
    return deleted


def session_verified(request: HttpRequest, device: Device) -> None:
    """The login is confirmed: a new session key (the privilege changed), and the device in the session."""
    request.session.cycle_key()
    otp_login(request, device)
    request.session[REQUIRED_SESSION_KEY] = True


@receiver(user_logged_in)
def _remember_whether_a_code_is_needed(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session[REQUIRED_SESSION_KEY] = two_factor_required(user)
        session[CHECKED_SESSION_KEY] = int(time.time())


def _login_needs_a_code(request: HttpRequest, user: Any) -> bool:
    """Whether this login must give a code, as recorded in its session; asked of the database when not recorded, when
    it says yes (the app may have been removed since), and every SESSION_REFRESH_SECONDS in any case: a request of
    this login under way while the app was confirmed may write its session back without the mark, and the login
    is then caught at the next check, at most SESSION_REFRESH_SECONDS later (README, Security)."""
    session = request.session
    needed = session.get(REQUIRED_SESSION_KEY)
    now = int(time.time())
    if needed is None or needed or now - int(session.get(CHECKED_SESSION_KEY, 0)) >= session_refresh_seconds():
        needed = session[REQUIRED_SESSION_KEY] = has_two_factor(user)
        session[CHECKED_SESSION_KEY] = now
    return bool(needed)


@receiver(post_save, sender=TOTPDevice)
def _other_logins_need_a_code(
    sender: Any, instance: TOTPDevice, created: bool, update_fields: Any = None, **kwargs: Any
) -> None:
    """An app confirmed (`app_confirm` saves `confirmed`; the admin or a script may create one confirmed): every
    login of its person now needs a code. Not on the saves django-otp makes of a confirmed app at each code given
    (its counters): a wrong code must not make the server read every session. Marked at once, not at commit: a mark
    left by a rolled-back confirmation is corrected by the next request's check."""
    if instance.confirmed and (created or (update_fields is not None and "confirmed" in update_fields)):
        sessions_mark_code_needed(instance.user_id)


def sessions_mark_code_needed(user_id: int) -> int:
    """Record in every unexpired session of the person that the login needs a code (how many were marked).

    Sessions are not indexed by person, so each is decoded: this runs when an app is confirmed, rarely."""
    from django.contrib.sessions.models import Session

    store = import_module(settings.SESSION_ENGINE).SessionStore
    marked = 0
    for row in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=500):
        data = store().decode(row.session_data)
        if str(data.get(SESSION_KEY)) != str(user_id) or data.get(REQUIRED_SESSION_KEY):
            continue
        data[REQUIRED_SESSION_KEY] = True
        Session.objects.filter(pk=row.pk).update(session_data=store().encode(data))
        marked += 1
    return marked


_device_reads: dict[str, PreparedQuery[Device]] = {}


def _device_read(model: type[Device]) -> PreparedQuery[Device]:
    """One device of a kind by id, compiled once per process (oscethb/prepared.py)."""
    read = _device_reads.get(model._meta.label_lower)
    if read is None:
        read = _device_reads[model._meta.label_lower] = PreparedQuery(
            lambda pk: model.objects.filter(id=pk)[:1], pk=int
        )
    return read


class DeviceMiddleware(OTPMiddleware):
    """django-otp's middleware (which device confirmed this login, read on each request of a person who logged in
    with a code: every Office staff request), with that read prepared once instead of built per request (about 0.4
    ms of each staff page; issue 14). It reads what `Device.from_persistent_id` reads, and django-otp's own checks
    then follow unchanged: the device must be the person's and confirmed, or the session forgets it."""

    def _device_from_persistent_id(self, persistent_id: str) -> Device | None:
        persistent_id = self._normalize_persistent_id(persistent_id)
        try:
            model_label, device_id = persistent_id.rsplit("/", 1)
            app_label, model_name = model_label.split(".")
            model = apps.get_model(app_label, model_name)
            pk = int(device_id)
        except (ValueError, LookupError):
            return None  # as Device.from_persistent_id: a malformed or unknown id is no device
        if not issubclass(model, Device):
            return None
        return _device_read(model).first(pk=pk)


class TwoFactorRequiredMiddleware:
    """After the password, the code: a logged-in person who must confirm with a code and has not yet is sent to the
    setup page (staff without an app) or the code page, from every page but those that lead there."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        target = self._pending_target(request)
        if target is not None:
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    def _pending_target(self, request: HttpRequest) -> str | None:
        user: Any = getattr(request, "user", None)
        if user is None or not user.is_authenticated or is_verified(user):
            return None
        # Staff always give a code. Anyone else once they have set up an app: the login remembers whether it needs a
        # code (set at login, no query per request), and confirming an app marks every other login of the person as
        # needing one (`_other_logins_need_a_code`), so a login made before the app was set up is still caught (at
        # its next request, or within SESSION_REFRESH_SECONDS when one of its requests was under way).
        if not (is_office_staff(user) or _login_needs_a_code(request, user)):
            return None
        try:
            name = resolve(request.path_info).view_name
        except Resolver404:
            return None
        if name in PENDING_ALLOWED_URL_NAMES:
            return None
        if has_two_factor(user):
            return "accounts:twofactor-verify"
        if is_office_staff(user):
            return "accounts:twofactor-setup"
        return None
