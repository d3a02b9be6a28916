"""The "API tokens" page: a person's named tokens for the read-only API (make one, see it once, revoke it).

Staff and coordinators only (`PeoplePolicy.may_hold_api_tokens`; anyone else gets 404). Making and revoking need a
login confirmed with the second factor: staff logins always are (accounts/twofactor.py), a coordinator without an
authenticator app is asked to set one up first. Rules: accounts/api_tokens.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ..access import PeoplePolicy
from ..api_tokens import api_token_create, api_token_revoke, api_tokens_of
from ..forms_api_tokens import ApiTokenForm
from ..twofactor import is_verified


def _holder(request: HttpRequest) -> Any:
    if not PeoplePolicy.for_request(request).may_hold_api_tokens:
        raise Http404("No such page")
    return request.user


@never_cache
@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The person's tokens, and the form that makes one; a new key is shown on the answer to that form, once."""
    user = _holder(request)
    verified = is_verified(user)
    form = ApiTokenForm(request.POST or None)
    new_key = ""
    status = 200
    if request.method == "POST":
        if not verified:
            status = 403
        elif form.is_valid():
            token, new_key = api_token_create(user=user, name=form.cleaned_data["name"])
            messages.success(
                request, _("Token “%(name)s” made. Copy its key now: it is not shown again.") % {"name": token.name}
            )
            form = ApiTokenForm()
    context = {"tokens": api_tokens_of(user=user), "form": form, "new_key": new_key, "verified": verified}
    return render(request, "accounts/api_tokens.html", context, status=status)


@require_POST
@login_required
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _holder(request)
    if not is_verified(user):
        return render(
            request,
            "accounts/api_tokens.html",
            {"tokens": api_tokens_of(user=user), "form": ApiTokenForm(), "new_key": "", "verified": False},
            status=403,
        )
    token = api_token_revoke(user=user, pk=pk)
    if token is None:
        raise Http404("No such token")
    messages.success(request, _("Token “%(name)s” revoked: it no longer opens the API.") % {"name": token.name})
    return redirect("accounts:api-tokens")
