"""Who calls the API: a token in `Authorization: Bearer <key>` (accounts/api_tokens.py), or the browser's login
(for the documentation page). A missing token answers 401 with `WWW-Authenticate: Bearer`; an unknown, revoked or
no longer allowed one 401 with the reason.

A session counts only as the site counts it: a login that still owes its two-factor code never reaches a view
(accounts.twofactor.TwoFactorRequiredMiddleware sends it to the code page).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from accounts.api_tokens import api_token_for_key, api_token_used
from responses.access import AccessPolicy

KEYWORD = "Bearer"


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(
                _("Send the header as “Authorization: Bearer” followed by the key, nothing else.")
            )
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(_("This API token is unknown or has been revoked.")) from None
        token = api_token_for_key(key)
        if token is None or not token.user.is_active:
            raise AuthenticationFailed(_("This API token is unknown or has been revoked."))
        policy = AccessPolicy.for_user(token.user)
        if not policy.may_hold_api_tokens:
            raise AuthenticationFailed(_("This API token's owner may no longer use API tokens."))
        # The view asks the same policy object (AccessPolicy.for_request): the memberships are read once.
        request._access_policy = policy
        api_token_used(token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return f'{KEYWORD} realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the token: an HTTP bearer key."""

    target_class = "api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": 'An API token from the "API tokens" page'}
