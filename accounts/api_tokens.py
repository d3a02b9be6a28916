"""API tokens: a person's named keys for the read-only API (api/), made and revoked on their "API tokens" page.

- A key is `oscethb_` and 43 random URL-safe characters. Only its HMAC-SHA256 (keyed with SECRET_KEY) is stored,
  with its first characters to recognise it by; the key itself is shown once, when it is made.
- Staff and coordinators hold tokens (`PeoplePolicy.may_hold_api_tokens`); a token reads as its owner, through
  the one access policy, and stops working when its owner may no longer hold tokens, is deactivated or revokes it.
- Making and revoking need a login confirmed with the second factor (the page checks it; staff pages always are).
- "Last used" is written at most once a minute per token, so that a BI tool paging through the answers does not
  write a row per request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from .models import ApiToken

KEY_PREFIX = "oscethb_"
SHOWN_PREFIX_LENGTH = len(KEY_PREFIX) + 6
LAST_USED_EVERY = dt.timedelta(minutes=1)


def key_hash(key: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), key.encode(), hashlib.sha256).hexdigest()


def api_tokens_of(*, user: Any) -> QuerySet[ApiToken]:
    """A person's tokens, newest first, revoked ones included (the page shows when they stopped working)."""
    return ApiToken.objects.filter(user=user)


def api_token_create(*, user: Any, name: str) -> tuple[ApiToken, str]:
    """A new token for the person, and its key (shown once: only its hash is kept)."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip(), prefix=key[:SHOWN_PREFIX_LENGTH], key_hash=key_hash(key)
    )
    return token, key


def api_token_revoke(*, user: Any, pk: int) -> ApiToken | None:
    """Revoke one of the person's own tokens (None: no such token of theirs). Revoking twice changes nothing."""
    token = ApiToken.objects.filter(user=user, pk=pk).first()
    if token is not None and token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


def api_token_for_key(key: str) -> ApiToken | None:
    """The active token with this key, with its owner (None: unknown or revoked)."""
    if not key.startswith(KEY_PREFIX):
        return None
    return ApiToken.objects.active().select_related("user").filter(key_hash=key_hash(key)).first()


def api_token_used(token: ApiToken, *, now: dt.datetime | None = None) -> None:
    """Record that the token was used, at most once a minute (one UPDATE, no read)."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_EVERY:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
