"""The database `make run` sets up: PostgreSQL's is created when `DATABASE_URL` names one that does not exist yet
(a newcomer's first `DATABASE_URL=postgres://…/oscethb make run` stopped at `migrate` with "database … does not
exist"). SQLite makes its file itself. Production databases are made by their administrators, never here."""

from __future__ import annotations

from typing import Any

import psycopg2
from psycopg2 import errorcodes, sql


def database_create_if_missing(settings_dict: dict[str, Any]) -> bool:
    """Create the PostgreSQL database `settings_dict` (one of Django's DATABASES) names if it does not exist, through
    the server's `postgres` database with the same credentials; True when it was created. Other engines: False."""
    if settings_dict.get("ENGINE") != "django.db.backends.postgresql":
        return False
    name = settings_dict["NAME"]
    options = {
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
    }
    try:
        psycopg2.connect(dbname=name, **options).close()
        return False
    except psycopg2.OperationalError as exc:
        # psycopg2 gives no code for a failed connection, only the server's message (a missing role says "does not
        # exist" too, so the database's name is part of what is looked for).
        if f'database "{name}" does not exist' not in str(exc):
            raise
    server = psycopg2.connect(dbname="postgres", **options)
    try:
        server.autocommit = True  # CREATE DATABASE cannot run in a transaction
        with server.cursor() as cursor:
            try:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            except psycopg2.Error as exc:
                if exc.pgcode == errorcodes.DUPLICATE_DATABASE:  # made meanwhile by another process
                    return False
                raise
    finally:
        server.close()
    return True
