"""In a real browser: the database becomes unreachable while a respondent types, and comes back.

No mocks. On PostgreSQL the outage is real: a separate connection to the `postgres` database forbids new
connections to the test database (`ALTER DATABASE … ALLOW_CONNECTIONS false`) and terminates the live server's
open ones, so every request fails to reach the database until the test allows connections again. On SQLite (an
in-memory database shared by the test and the live server) the outage is a real lock: another connection holds
the database's write transaction (what another process does to a file database), so every save fails with
SQLite's own "database table is locked" error until it lets go.

While the database is away the page says "Not saved, retrying…" and keeps what was typed; once it is back, the
last value of every field edited meanwhile is saved without the person doing anything, with its history row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from playwright.sync_api import Page, Response, expect

from accounts.models import Organisation, Role
from responses.models import AnswerChange
from responses.tests.browser_helpers import (
    TIMEOUT,
    answer,
    cell,
    ensure_states,
    eventually,
    log_in,
    member,
    open_round,
    save_state,
    section_url,
    stored,
)

pytestmark = [pytest.mark.django_db(transaction=True)]

RETRYING = "Not saved, retrying…"  # the section page's data-retry-text, shown by static/js/answering.js
# The first retry waits 1 s, then 2 s, 4 s…: an outage of a few seconds is recovered from within ~10 s.
RECOVERY_TIMEOUT = 20_000


class Outage:
    """Makes the test database unreachable for the live server, for real, and brings it back."""

    def __init__(self) -> None:
        self.active = False

    def begin(self) -> None:
        raise NotImplementedError

    def end(self) -> None:
        raise NotImplementedError


class PostgresOutage(Outage):
    def __init__(self) -> None:
        import psycopg2

        super().__init__()
        settings = connection.settings_dict
        self.name = settings["NAME"]
        # A control connection to another database: it must survive the outage of the test database.
        self.control = psycopg2.connect(
            dbname="postgres",
            user=settings["USER"] or None,
            password=settings["PASSWORD"] or None,
            host=settings["HOST"] or None,
            port=settings["PORT"] or None,
        )
        self.control.autocommit = True

    def begin(self) -> None:
        with self.control.cursor() as cursor:
            cursor.execute(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false')
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [self.name],
            )
        self.active = True
        # The test's own connection was terminated too: forget it, so the next query after the outage reconnects.
        connections.close_all()

    def end(self) -> None:
        with self.control.cursor() as cursor:
            cursor.execute(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true')
        self.active = False
        connections.close_all()

    def close(self) -> None:
        if self.active:
            self.end()
        self.control.close()


class SqliteOutage(Outage):
    def __init__(self) -> None:
        super().__init__()
        name = connection.settings_dict["NAME"]
        if not connection.is_in_memory_db():
            pytest.skip("the SQLite outage is written for the in-memory test database")
        self.control = sqlite3.connect(name, uri=True, isolation_level=None, check_same_thread=False)

    def begin(self) -> None:
        # The one write transaction a shared database allows, and a write lock on every table: every query fails
        # at once with "database table is locked", as it fails after the timeout when another process holds a
        # file database's lock.
        self.control.execute("BEGIN IMMEDIATE")
        tables = [
            row[0]
            for row in self.control.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for table in tables:
            self.control.execute(f'UPDATE "{table}" SET rowid = rowid WHERE 1 = 0')  # noqa: S608 - our own tables
        self.active = True

    def end(self) -> None:
        self.control.execute("ROLLBACK")
        self.active = False

    def close(self) -> None:
        if self.active:
            self.end()
        self.control.close()


def _controller() -> Iterator[Outage]:
    controller: PostgresOutage | SqliteOutage
    if connection.vendor == "postgresql":
        controller = PostgresOutage()
    elif connection.vendor == "sqlite":
        controller = SqliteOutage()
    else:  # pragma: no cover
        pytest.skip(f"no real outage written for {connection.vendor}")
    try:
        yield controller
    finally:
        controller.close()


@pytest.fixture
def outage(live_server: Any) -> Iterator[Outage]:
    yield from _controller()


@pytest.fixture
def db_outage(transactional_db: None) -> Iterator[Outage]:
    yield from _controller()


@pytest.fixture
def austria() -> Organisation:
    ensure_states()
    open_round()
    return Organisation.objects.get(code="AT")


def _statuses(page: Page) -> Callable[[], list[int]]:
    """The HTTP statuses of the autosaves the page sends, in order."""
    seen: list[tuple[str, int]] = []

    def record(response: Response) -> None:
        if response.request.method == "POST" and "/autosave/" in response.url:
            seen.append((response.url, response.status))

    page.on("response", record)
    return lambda: [status for _url, status in seen]


@pytest.mark.browser
def test_answers_typed_while_the_database_is_unreachable_are_saved_once_it_is_back(
    page: Page, live_server: Any, austria: Organisation, outage: Outage
) -> None:
    base = live_server.url
    member(austria, Role.COORDINATOR, "outage@at.example.org")
    log_in(page, base, "outage@at.example.org")
    page.goto(section_url(base, "GEN.R"))
    statuses = _statuses(page)

    # Saved normally first: the database is there.
    cell(page, "GEN.R.02").fill("Ministry of the Interior")
    expect(save_state(page, "GEN.R.02")).to_have_attribute("data-save-state", "saved", timeout=TIMEOUT)
    assert stored(austria, "GEN.R.02") == "Ministry of the Interior"
    connections.close_all()

    outage.begin()
    before = len(statuses())
    cell(page, "GEN.R.02").fill("Ministry of Justice")
    expect(save_state(page, "GEN.R.02")).to_have_attribute("data-save-state", "retrying", timeout=TIMEOUT)
    expect(save_state(page, "GEN.R.02")).to_have_text(RETRYING)
    # The person keeps typing while the database is away: the last value must win…
    cell(page, "GEN.R.02").press_sequentially(" and Ministry of Labour", delay=20)
    # …and a second question edited meanwhile must be saved too.
    cell(page, "GEN.R.03", "start").fill("2012")
    cell(page, "GEN.R.03", "end").fill("2014")
    expect(save_state(page, "GEN.R.03")).to_have_attribute("data-save-state", "retrying", timeout=TIMEOUT)
    page.wait_for_timeout(1500)  # a retry or two fail as well
    expect(save_state(page, "GEN.R.02")).not_to_have_attribute("data-save-state", "saved")
    failed = statuses()[before:]
    assert failed, "no autosave was sent during the outage"
    # The server said the database was unavailable (503, retry later), never that the request itself failed.
    assert set(failed) == {503}, failed
    # Nothing changed in the page: what was typed is still there.
    expect(cell(page, "GEN.R.02")).to_have_value("Ministry of Justice and Ministry of Labour")

    outage.end()
    # No click, no typing: the retries save it.
    for code in ("GEN.R.02", "GEN.R.03"):
        expect(save_state(page, code)).to_have_attribute("data-save-state", "saved", timeout=RECOVERY_TIMEOUT)
        expect(save_state(page, code)).to_contain_text("Saved")
    assert statuses()[-1] == 200

    connections.close_all()  # the test's connection may have been cut by the outage
    final = "Ministry of Justice and Ministry of Labour"
    eventually(lambda: stored(austria, "GEN.R.02") == final, message="the last value typed was not saved")
    assert stored(austria, "GEN.R.03", "start") == 2012
    assert stored(austria, "GEN.R.03", "end") == 2014
    text = answer(austria, "GEN.R.02")
    assert text is not None
    assert text.updated_by.email == "outage@at.example.org"
    history = list(
        AnswerChange.objects.filter(response__organisation=austria, question__code="GEN.R.02")
        .order_by("id")
        .values_list("old_value", "new_value", "version")
    )
    # The value saved before the outage, then (possibly via an intermediate keystroke that reached the server once
    # it was back) the last value: each change recorded once, in order, ending with what the page shows.
    assert history[0] == ("", "Ministry of the Interior", 1)
    assert history[-1][1:] == (final, text.version)
    assert [row[2] for row in history] == list(range(1, len(history) + 1))
    assert all(history[i][0] == history[i - 1][1] for i in range(1, len(history)))
    years = dict(
        AnswerChange.objects.filter(response__organisation=austria, question__code="GEN.R.03").values_list(
            "row", "new_value"
        )
    )
    assert years == {"start": "2012", "end": "2014"}

    # And after a reload the page shows what is stored: nothing was lost.
    page.reload()
    expect(cell(page, "GEN.R.02")).to_have_value(final)
    expect(cell(page, "GEN.R.03", "start")).to_have_value("2012")
    expect(cell(page, "GEN.R.03", "end")).to_have_value("2014")


def test_an_outage_where_the_login_is_read_answers_503_not_500(austria: Organisation, db_outage: Outage) -> None:
    """The session and the user are loaded in middleware, before any view: a real outage fails there first, where
    the view's process_exception cannot see it. The handler for uncaught errors answers 503 then, too."""
    client = Client(raise_request_exception=False)
    client.force_login(member(austria, Role.COORDINATOR, "outage@at.example.org"))
    db_outage.begin()
    result = client.post("/rounds/thb-2016/respond/AT/autosave/GEN.R.02/", {"GEN.R.02||": "x", "v|GEN.R.02||": "0"})
    assert result.status_code == 503, result.content[:300]
    assert result["Retry-After"] == "5"
    page = client.get("/rounds/thb-2016/respond/AT/section/GEN.R/")
    assert page.status_code == 503
    db_outage.end()
    connections.close_all()
    assert answer(austria, "GEN.R.02") is None
    assert client.get("/rounds/thb-2016/respond/AT/section/GEN.R/").status_code == 200
