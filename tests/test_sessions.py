"""A login ends after a period without activity, and after an absolute lifetime however active."""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model


def _logged_in(client, db):
    user = get_user_model().objects.create_user(
        username="s@example.org", email="s@example.org", password="a-long-password-2026"
    )
    client.force_login(user)
    return user


def _stored_expiry(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(pk=client.session.session_key).expire_date


def test_a_request_pushes_the_idle_timeout_on_once_the_refresh_interval_has_passed(client, db, settings):
    settings.SESSION_REFRESH_SECONDS = 1
    _logged_in(client, db)
    client.get("/my/")
    first = _stored_expiry(client)
    time.sleep(1.1)
    client.get("/my/")
    assert _stored_expiry(client) > first
    assert client.session.get_expiry_age() <= settings.SESSION_COOKIE_AGE


def test_requests_within_the_refresh_interval_do_not_write_the_session(client, db, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.SESSION_REFRESH_SECONDS = 300
    _logged_in(client, db)
    client.get("/my/")
    first = _stored_expiry(client)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/my/").status_code == 200
    writes = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]
    ]
    assert writes == []
    assert _stored_expiry(client) == first


def test_a_login_older_than_the_absolute_lifetime_is_ended(client, db, settings):
    _logged_in(client, db)
    assert client.get("/my/").status_code == 200
    session = client.session
    session["oscethb_login_started"] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    result = client.get("/my/")
    assert result.status_code == 302
    assert "/accounts/login/" in result["Location"]


def test_a_recent_login_is_kept(client, db, settings):
    _logged_in(client, db)
    session = client.session
    session["oscethb_login_started"] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS + 60
    session.save()
    assert client.get("/my/").status_code == 200


def test_the_absolute_lifetime_counts_from_the_login_not_from_the_first_request(client, db, settings) -> None:
    logged_in_at = int(time.time())
    _logged_in(client, db)
    assert logged_in_at <= client.session["oscethb_login_started"] <= int(time.time())

    # Idle (but within the idle timeout) until the absolute lifetime since the login has passed: the first request
    # after that finds the login over, although it is the first request since logging in.
    session = client.session
    session["oscethb_login_started"] -= settings.SESSION_ABSOLUTE_SECONDS + 1
    session.save()
    result = client.get("/my/")
    assert result.status_code == 302
    assert "/accounts/login/" in result["Location"]


def test_logging_in_through_the_form_starts_the_lifetime(client, db) -> None:
    get_user_model().objects.create_user(
        username="f@example.org", email="f@example.org", password="a-long-password-2026"
    )
    before = int(time.time())
    result = client.post("/accounts/login/", {"username": "f@example.org", "password": "a-long-password-2026"})
    assert result.status_code == 302
    assert before <= client.session["oscethb_login_started"] <= int(time.time())


def test_an_active_login_survives_an_idle_timeout_shorter_than_the_refresh_interval(client, db, settings):
    """An operator who sets SESSION_IDLE_SECONDS below SESSION_REFRESH_SECONDS: the session is still written often
    enough (at most half the idle timeout apart) to keep an active person logged in."""
    settings.SESSION_COOKIE_AGE = 3
    settings.SESSION_REFRESH_SECONDS = 300
    _logged_in(client, db)
    for _request in range(4):
        time.sleep(1.2)
        result = client.get("/my/")
        assert result.status_code == 200, result.get("Location")
