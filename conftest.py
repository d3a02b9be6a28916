"""Test wiring shared by every app: Playwright on Debian's Chromium, and a real Celery worker on the real broker."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

# live_server runs in a thread while sync Playwright drives the browser from the test's own thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
BASE_DIR = Path(__file__).resolve().parent


def _one_request_at_a_time_on_a_shared_connection() -> None:
    """The browser tests' server on SQLite: one request at a time.

    With the in-memory SQLite test database, Django's live server hands every request thread the test's one
    connection, so two requests at once (an autosave and the section's Save, on purpose in the leave-warning test)
    share one transaction: each reads no answer and both insert, which no real deployment can do (a file database
    takes BEGIN IMMEDIATE, PostgreSQL locks the response). Requests still come in on their own threads (a browser's
    keep-alive connections never block each other); only the application runs one at a time, as a database of its
    own would order them. PostgreSQL runs (CI's first pass) keep the threaded server and real transactions."""
    import threading

    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.test.testcases import LiveServerThread

    class SharedConnectionServer(ThreadedWSGIServer):
        def set_app(self, application):  # type: ignore[no-untyped-def]
            if not self.connections_override:
                return super().set_app(application)
            lock = threading.Lock()

            def one_at_a_time(environ, start_response):  # type: ignore[no-untyped-def]
                with lock:
                    return application(environ, start_response)

            return super().set_app(one_at_a_time)

    LiveServerThread.server_class = SharedConnectionServer


_one_request_at_a_time_on_a_shared_connection()


def chromium_available() -> bool:
    return Path(CHROMIUM).is_file() or shutil.which(CHROMIUM) is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if chromium_available():
        return
    skip = pytest.mark.skip(
        reason=f"browser test: Chromium not found at {CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _static_root_exists(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """WhiteNoise warns (an error here) when STATIC_ROOT is missing, as it is before collectstatic; it must exist
    before live_server starts. One home for every test module (the browser tests each had a copy)."""
    from django.test import override_settings

    with override_settings(STATIC_ROOT=str(tmp_path_factory.mktemp("static-root"))):
        yield


@pytest.fixture(scope="session", autouse=True)
def _no_connection_outlives_the_test_database(django_db_setup: None, django_db_blocker: object) -> Iterator[None]:
    """On PostgreSQL the test database is dropped at the end, and DROP DATABASE refuses while another session is
    connected to it. A connection a server thread or a worker process kept (CONN_MAX_AGE) is idle and harmless
    then, but it made the last test's teardown an error in CI. Before the database is dropped, close this
    process's connections and end the sessions left over, naming each on stderr (what it last ran), so that the
    place that leaves one open can be found."""
    yield
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        connections.close_all()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid, application_name, state, left(query, 200), pg_terminate_backend(pid) "
                "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            for pid, application, state, query, _ended in cursor.fetchall():
                sys.stderr.write(f"\nsession {pid} ({application or '-'}, {state}) left open; last ran: {query}\n")
        connection.close()


@pytest.fixture(autouse=True)
def _site_language() -> Iterator[None]:
    """Every test starts in the site's language: a request served by an earlier test leaves its language active on
    the thread (LocaleMiddleware activates, nothing deactivates), which made later tests' texts French or Spanish
    depending on the order the tests ran in."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _reference_directory_in_transactional_tests(request: pytest.FixtureRequest) -> None:
    """Transactional tests (live server, real workers) flush the database after each test, which removes the
    States and Partners that the migration loaded; put them back so every test starts with the directory."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames
        for name in ("transactional_db", "live_server", "celery_workers", "celery_worker_process")
    )
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    from accounts.directory import reference_organisations_ensure

    reference_organisations_ensure()


@pytest.fixture
def admin_client(db: None, admin_user: object) -> object:
    """pytest-django's admin_client, logged in as staff really are: with a confirmed authenticator app and a session
    verified with it (the admin requires two-factor authentication; tests/otp_helpers.py)."""
    from tests.otp_helpers import verified_client

    return verified_client(admin_user)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    # Never `playwright install`: it downloads its own browser. Debian's Chromium is the one we test with.
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


class WorkerStarter:
    """Starts real `celery -A oscethb worker` processes on the configured Redis broker (or the broker given, with
    extra environment for it), using the test database."""

    def __init__(self, broker: str | None = None, **broker_env: str) -> None:
        from django.db import connection

        broker = broker or os.environ.get("CELERY_BROKER_URL", "")
        if not broker:
            pytest.skip("needs a real broker: set CELERY_BROKER_URL=redis://127.0.0.1:6379/15 (CI does)")
        if connection.vendor != "postgresql":
            pytest.skip("needs PostgreSQL: a worker process cannot see the SQLite in-memory test database")
        db = connection.settings_dict
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "DJANGO_SETTINGS_MODULE": "oscethb.settings_test",
            "CELERY_BROKER_URL": broker,
            "OSCETHB_WORKER_EAGER": "0",
            **broker_env,
        }
        self.processes: list[subprocess.Popen[bytes]] = []
        self.logs: list[IO[bytes]] = []

    def start(self, **extra_env: str) -> subprocess.Popen[bytes]:
        from oscethb.celery import app

        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "oscethb",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
                "--hostname",
                f"test{len(self.processes)}@%h",
            ],
            cwd=BASE_DIR,
            env={**self.env, **extra_env},
            # A file, not a pipe: nobody reads the worker's output while it runs, and a full pipe would block it.
            stdout=self._log(),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"celery worker exited with {process.returncode}:\n{self.output()[-3000:]}")
            if any(
                f"test{len(self.processes) - 1}@" in name for reply in app.control.ping(timeout=0.5) for name in reply
            ):
                return process
        pytest.fail(f"celery worker did not answer a ping within 60 s:\n{self.output()[-3000:]}")

    def _log(self) -> IO[bytes]:
        handle = tempfile.NamedTemporaryFile(prefix="celery-worker-", suffix=".log", delete=False)  # noqa: SIM115
        self.logs.append(handle)
        return handle

    def output(self) -> str:
        """Everything the workers printed, for failure messages."""
        return "".join(Path(handle.name).read_text(errors="replace") for handle in self.logs)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        for handle in self.logs:
            handle.close()
            Path(handle.name).unlink(missing_ok=True)


@pytest.fixture
def celery_workers(transactional_db: None) -> Iterator[WorkerStarter]:
    """Start real workers with `celery_workers.start()`; tasks sent from the test go to them, not in-process."""
    from oscethb.celery import app

    starter = WorkerStarter()
    app.control.purge()  # messages left by an earlier run must not reach these workers
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield starter
    finally:
        app.conf.task_always_eager = previous
        starter.stop_all()


@pytest.fixture
def celery_worker_process(celery_workers: WorkerStarter) -> subprocess.Popen[bytes]:
    """One real worker (see celery_workers)."""
    return celery_workers.start()


def _use_broker(url: str | None, options: dict[str, object]) -> None:
    """Point this process's Celery app at another broker: its configuration and its cached connection pools.

    The read and write URLs are set too: Celery prefers a CELERY_BROKER_URL environment variable (CI sets one) over
    `broker_url`, but not over these."""
    from kombu import pools

    from oscethb.celery import app

    # Close and forget every cached connection pool: kombu keeps them in a process-wide registry keyed by the broker,
    # so closing only the app's pool would leave a closed pool there for the next test on the same broker.
    pools.reset()
    app._pool = None  # type: ignore[attr-defined]
    app.amqp._producer_pool = None
    app.conf.broker_url = url
    app.conf.broker_read_url = url if url != os.environ.get("CELERY_BROKER_URL") else None
    app.conf.broker_write_url = app.conf.broker_read_url
    app.conf.broker_transport_options = options


@pytest.fixture
def filesystem_celery_workers(transactional_db: None, tmp_path: Path) -> Iterator[WorkerStarter]:
    """Real workers on kombu's filesystem transport, the broker `make run` uses (no Redis); messages are files in a
    folder of this test. Needs PostgreSQL, like every real worker (the SQLite test database is in memory)."""
    from oscethb.celery import app

    folder = tmp_path / "celery"
    for sub in ("queue", "control"):
        (folder / sub).mkdir(parents=True)
    starter = WorkerStarter("filesystem://", CELERY_FILESYSTEM_DIR=str(folder))
    saved = (app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_always_eager)
    _use_broker(
        "filesystem://",
        {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "control_folder": str(folder / "control"),
            "polling_interval": 0.2,
        },
    )
    app.conf.task_always_eager = False
    try:
        yield starter
    finally:
        starter.stop_all()
        _use_broker(saved[0], saved[1])
        app.conf.task_always_eager = saved[2]


@pytest.fixture(autouse=True)
def _structure_snapshots_start_empty() -> Iterator[None]:
    """Each test's database gives out the same round ids again: a snapshot of the round structure an earlier test
    cached (surveys/structure.py) must not be taken for this test's round of the same id and version."""
    from accounts.templatetags.site_nav import site_nav_clear
    from oscethb.kept import kept_fragments_clear
    from reports.templatetags.status_board import status_board_rows_clear
    from responses.block_cache import block_cache_clear
    from surveys.structure import structure_snapshots_clear

    structure_snapshots_clear()
    block_cache_clear()  # the section page's question blocks, keyed by the same ids
    site_nav_clear()  # the kept navigation bars: a test may change the settings they are written from
    kept_fragments_clear()  # the same for the pages' kept fragments ({% kept %}, oscethb/kept.py)
    status_board_rows_clear()  # and the status board's written rows
    yield
    structure_snapshots_clear()
    block_cache_clear()
    site_nav_clear()
    kept_fragments_clear()
    status_board_rows_clear()


@pytest.fixture(autouse=True)
def _report_documents_start_empty() -> Iterator[None]:
    """The same for the stored reports the dashboards decode once per process (reports.selectors.report_document):
    a report of an earlier test's database must not be taken for this test's report of the same id."""
    from reports.selectors import report_documents_clear

    report_documents_clear()
    yield
    report_documents_clear()
