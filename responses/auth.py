"""Sessions made before the people code moved to accounts name this backend: they stay logged in.

Django keeps the path of the backend that logged a person in (`_auth_user_backend`) in the session, and logs the
person out when that path is no longer in AUTHENTICATION_BACKENDS. Logins since the move name
`accounts.auth.EmailBackend`; this one only finds the user of an older session and never authenticates anyone, so
it can be dropped once sessions older than SESSION_COOKIE_AGE after the release are gone.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend, ModelBackend


class EmailBackend(BaseBackend):
    def get_user(self, user_id: Any) -> Any:
        return ModelBackend().get_user(user_id)
