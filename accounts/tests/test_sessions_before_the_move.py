"""A person logged in before the people code moved to accounts stays logged in; the old backend logs no one in."""

from __future__ import annotations

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, authenticate
from django.test import Client, RequestFactory

from responses.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_a_session_from_before_the_move_stays_logged_in(client: Client) -> None:
    user = UserFactory()
    client.force_login(user, backend="responses.auth.EmailBackend")
    assert client.session[BACKEND_SESSION_KEY] == "responses.auth.EmailBackend"
    page = client.get("/account/two-factor/")
    assert page.wsgi_request.user == user


def test_logging_in_names_the_accounts_backend() -> None:
    user = UserFactory()
    found = authenticate(RequestFactory().post("/accounts/login/"), username=user.email, password=PASSWORD)
    assert found == user
    assert found.backend == "accounts.auth.EmailBackend"


def test_the_old_backend_authenticates_no_one() -> None:
    from responses.auth import EmailBackend

    user = UserFactory()
    assert EmailBackend().authenticate(None, username=user.email, password=PASSWORD) is None
