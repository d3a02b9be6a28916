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


def test_every_request_pushes_the_idle_timeout_on(client, db, settings):
    _logged_in(client, db)
    assert settings.SESSION_SAVE_EVERY_REQUEST
    client.get("/my/")
    first = client.session.get_expiry_date()
    time.sleep(1.1)
    client.get("/my/")
    assert client.session.get_expiry_date() > first
    assert client.session.get_expiry_age() <= settings.SESSION_COOKIE_AGE


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
