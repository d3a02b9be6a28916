"""Test wiring shared by every app: Playwright on Debian's Chromium, and a real Celery worker on the real broker."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

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


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    # Never `playwright install`: it downloads its own browser. Debian's Chromium is the one we test with.
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def celery_worker_process(transactional_db: None, settings) -> Iterator[subprocess.Popen[bytes]]:
    """A real `celery -A oscethb worker` on the configured Redis broker, using the test database.

    Skips with the reason where no broker is configured or the database cannot be shared with another process
    (SQLite in memory). CI runs these tests against PostgreSQL and Redis.
    """
    from django.db import connection

    from oscethb.celery import app

    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker:
        pytest.skip("needs a real broker: set CELERY_BROKER_URL=redis://127.0.0.1:6379/0 (CI does)")
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: a worker process cannot see the SQLite in-memory test database")
    db = connection.settings_dict
    database_url = f"postgres://{db['USER'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "oscethb.settings_test",
        "CELERY_BROKER_URL": broker,
        "OSCETHB_WORKER_EAGER": "0",
    }
    # Messages left by an earlier run must not reach this worker.
    app.control.purge()
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
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"celery worker exited with {process.returncode}:\n{output[-3000:]}")
            replies = app.control.ping(timeout=0.5)
            if replies:
                break
        else:
            pytest.fail("celery worker did not answer a ping within 60 s")
        yield process
    finally:
        app.conf.task_always_eager = previous
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
