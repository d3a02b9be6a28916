"""`make run` with a DATABASE_URL naming a PostgreSQL database that does not exist yet creates it (a newcomer's first
run stopped at `migrate` with "database … does not exist"). Runs against the PostgreSQL server every test run has
(127.0.0.1:5432), whichever database the suite itself uses."""

from __future__ import annotations

import secrets

import psycopg2
import pytest
from django.core.management import call_command

from demo.database import database_create_if_missing

SERVER = {"ENGINE": "django.db.backends.postgresql", "HOST": "127.0.0.1", "PORT": "5432", "USER": "postgres"}


def _exists(name: str) -> bool:
    server = psycopg2.connect(dbname="postgres", host="127.0.0.1", port=5432, user="postgres")
    try:
        with server.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return cursor.fetchone() is not None
    finally:
        server.close()


def _drop(name: str) -> None:
    server = psycopg2.connect(dbname="postgres", host="127.0.0.1", port=5432, user="postgres")
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
    server.close()


def test_a_missing_postgresql_database_is_created_once_and_an_existing_one_left_alone() -> None:
    name = f"oscethb_test_create_{secrets.token_hex(4)}"
    assert not _exists(name)
    try:
        assert database_create_if_missing({**SERVER, "NAME": name}) is True
        assert _exists(name)
        assert database_create_if_missing({**SERVER, "NAME": name}) is False  # there: nothing to do
    finally:
        _drop(name)


def test_other_failures_to_connect_are_not_taken_for_a_missing_database() -> None:
    name = f"oscethb_test_create_{secrets.token_hex(4)}"
    with pytest.raises(psycopg2.OperationalError, match="no_such_role_here"):
        database_create_if_missing({**SERVER, "NAME": name, "USER": "no_such_role_here"})
    assert not _exists(name)


@pytest.mark.django_db
def test_sqlite_needs_nothing_and_an_existing_database_makes_the_command_say_nothing(capsys) -> None:
    assert database_create_if_missing({"ENGINE": "django.db.backends.sqlite3", "NAME": "var/x.sqlite3"}) is False
    call_command("database_create")  # the suite's own database exists, on either engine
    assert capsys.readouterr().out == ""
