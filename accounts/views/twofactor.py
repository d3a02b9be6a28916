"""Two-factor authentication pages: the account page, setting up an authenticator app (QR code and text key),
confirming a login with a code, new backup codes, turning it off (respondents only). Rules: accounts/twofactor.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from oscethb.access import is_office_staff

from ..forms_twofactor import CodeForm
from ..twofactor import (
    REQUIRED_SESSION_KEY,
    app_confirm,
    app_for_setup,
    backup_codes_create,
    backup_codes_remaining,
    code_verify,
    confirmed_app,
    has_two_factor,
    is_verified,
    qr_data_uri,
    session_verified,
    setup_key,
    text_key,
    two_factor_reset,
)


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("surveys:home")


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    return render(
        request,
        "accounts/twofactor/account.html",
        {
            "app": confirmed_app(user),
            "backup_codes_left": backup_codes_remaining(user),
            "can_turn_off": not is_office_staff(user),
        },
    )


@never_cache
@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app (or a new one, replacing the old once confirmed). Someone who already has one
    must first confirm this login with it."""
    user: Any = request.user
    if has_two_factor(user) and not is_verified(user):
        return redirect(f"{reverse('accounts:twofactor-verify')}?{urlencode({'next': request.get_full_path()})}")
    device = app_for_setup(user)
    key = setup_key(request.session, device)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = app_confirm(user, device, form.cleaned_data["code"], key=key)
        if codes is not None:
            session_verified(request, device)
            return render(
                request, "accounts/twofactor/backup_codes.html", {"codes": codes, "next": _next(request), "new": True}
            )
        form.add_error("code", _("That code is not correct. Check the time on your device and enter the newest code."))
    return render(
        request,
        "accounts/twofactor/setup.html",
        {
            "form": form,
            "qr_code": qr_data_uri(device),
            "text_key": text_key(device),
            "next": _next(request),
            "required": is_office_staff(user),
        },
    )


@never_cache
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of the login: a code from the app, or a backup code. Wrong codes count as failed logins."""
    user: Any = request.user
    if is_verified(user):
        return redirect(_next(request))
    if not has_two_factor(user):
        if is_office_staff(user):
            return redirect(f"{reverse('accounts:twofactor-setup')}?{urlencode({'next': _next(request)})}")
        request.session[REQUIRED_SESSION_KEY] = False
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, throttled_until = code_verify(user, form.cleaned_data["code"])
        if device is not None:
            session_verified(request, device)
            if isinstance(device, StaticDevice):
                messages.warning(
                    request,
                    _("You used a backup code; %(count)s are left. Make new ones on your account page.")
                    % {"count": backup_codes_remaining(user)},
                )
            return redirect(_next(request))
        # A wrong code counts towards the lockout of (this address, this IP), like a wrong password.
        user_login_failed.send(sender=__name__, credentials={"username": user.email or user.username}, request=request)
        if getattr(request, "axes_locked_out", False):
            logout(request)  # the lockout page (django-axes' middleware) replaces this response
            return redirect("login")
        if throttled_until is not None:
            when = formats.time_format(timezone.localtime(throttled_until), "H:i:s")
            form.add_error("code", _("Too many wrong codes. Wait until %(time)s, then try again.") % {"time": when})
        else:
            form.add_error("code", _("That code is not correct. Enter the newest code from your app."))
    return render(request, "accounts/twofactor/verify.html", {"form": form, "next": _next(request)})


@never_cache
@login_required
@require_POST
def backup_codes(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not has_two_factor(user):
        return redirect("accounts:twofactor-account")
    if not is_verified(user):  # only a login confirmed with a code may make new codes
        return redirect(
            f"{reverse('accounts:twofactor-verify')}?{urlencode({'next': reverse('accounts:twofactor-account')})}"
        )
    codes = backup_codes_create(user)
    return render(
        request, "accounts/twofactor/backup_codes.html", {"codes": codes, "next": reverse("accounts:twofactor-account")}
    )


@login_required
@require_POST
def turn_off(request: HttpRequest) -> HttpResponse:
    """Respondents may turn two-factor authentication off again; staff may not."""
    user: Any = request.user
    if is_office_staff(user):
        return HttpResponseForbidden(_("Office staff always log in with two-factor authentication."))
    if has_two_factor(user) and not is_verified(user):  # only a login confirmed with a code may turn it off
        return redirect(
            f"{reverse('accounts:twofactor-verify')}?{urlencode({'next': reverse('accounts:twofactor-account')})}"
        )
    two_factor_reset(user)
    request.session[REQUIRED_SESSION_KEY] = False
    messages.success(request, _("Two-factor authentication is off. Your login now asks only for your password."))
    return redirect("accounts:twofactor-account")
