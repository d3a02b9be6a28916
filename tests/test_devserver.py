"""`make run` (python -m oscethb.devserver): serves on the port it prints, with a worker beside it; Ctrl+C stops both."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_make_run_serves_on_the_port_it_prints_and_ctrl_c_stops_the_server_and_the_worker(tmp_path) -> None:
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"CELERY_BROKER_URL", "SITE_URL"}},
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "oscethb.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CELERY_FILESYSTEM_DIR": str(tmp_path / "celery"),
        "PORT": "1",  # the port given on the command line wins, and is what the children get
    }
    log = (tmp_path / "out.log").open("wb")
    runner = subprocess.Popen(
        [sys.executable, "-m", "oscethb.devserver", str(port)],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # as in a terminal: Ctrl+C reaches make and the runner, not the children
    )
    try:
        deadline = time.monotonic() + 60
        served = False
        while time.monotonic() < deadline and not served:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2) as page:
                    served = page.status == 200
            except OSError:
                time.sleep(0.5)
        output = (tmp_path / "out.log").read_text(errors="replace")
        assert served, output[-3000:]
        assert f"Serving oscethb at http://127.0.0.1:{port}/" in output
        children = [
            int(pid)
            for pid in subprocess.run(
                ["ps", "-o", "pid=", "--ppid", str(runner.pid)], capture_output=True, text=True, check=False
            ).stdout.split()
        ]
        assert len(children) == 2, output[-3000:]  # the server and the worker
        deadline = time.monotonic() + 30
        while "ready." not in (tmp_path / "out.log").read_text(errors="replace") and time.monotonic() < deadline:
            time.sleep(0.5)

        runner.send_signal(signal.SIGINT)
        assert runner.wait(timeout=30) == 0
        assert "Stopped the server and the worker." in (tmp_path / "out.log").read_text(errors="replace")
        for pgid in children:  # each child led its own group: the reloader's child and the pool are gone too
            assert not _group_alive(pgid)
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
        log.close()
