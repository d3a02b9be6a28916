"""The Django admin, for Office staff who logged in with their second factor (django-otp).

oscethb.apps.AdminConfig replaces django.contrib.admin in INSTALLED_APPS (Django's documented way of overriding the default site), so
every `admin.site.register` in the apps registers here. The admin has no login page of its own: it sends people to
the site's login, which applies the lockout and asks for the two-factor code.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


class AdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        user: Any = request.user
        is_verified = getattr(user, "is_verified", None)
        return bool(super().has_permission(request) and is_verified is not None and is_verified())

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        index = reverse("admin:index", current_app=self.name)
        target = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = index
        if self.has_permission(request):
            return HttpResponseRedirect(target)
        return redirect_to_login(target, settings.LOGIN_URL)
