"""`make run`'s server: Django's development server and a Celery worker beside it, stopped together.

    python -m oscethb.devserver [PORT]        (PORT defaults to the PORT variable, else 8000)

Report builds and Excel exports started from the web go to the worker, so the request returns at once and the
progress page shows the job advancing, with no Redis: unless CELERY_BROKER_URL is set, both processes use kombu's
filesystem transport (`filesystem://`, messages as files under var/celery/). Both get PORT, so SITE_URL (links in
e-mail sent by the worker) names the port really served.

Each child runs in its own process group; Ctrl+C, SIGTERM or SIGHUP here, or either child stopping, stops both
groups (the autoreloader's child and the worker's pool processes included): nothing is left running.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_BROKER = "filesystem://"
STOP_SECONDS = 15


class Stop(Exception):
    """A signal asked us to stop."""


def _raise_stop(signum: int, _frame: FrameType | None) -> None:
    raise Stop(signal.Signals(signum).name)


def commands(port: int) -> dict[str, list[str]]:
    python = sys.executable
    return {
        "worker": [
            python,
            "-m",
            "celery",
            "-A",
            "oscethb",
            "worker",
            "--loglevel",
            "INFO",
            # Threads: two jobs at once, and a stop within a second or two (a prefork pool takes several).
            "--pool",
            "threads",
            "--concurrency",
            "2",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "--hostname",
            "devserver@%h",
        ],
        "server": [python, "manage.py", "runserver", f"127.0.0.1:{port}"],
    }


def stop(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    """SIGTERM the worker (a warm shutdown: it finishes the task at hand and stops its pool) and the server's
    whole group (the autoreloader and its child), wait, then SIGKILL whatever is left in either group."""
    for name, process in processes.items():
        if process.poll() is None:
            try:
                if name == "worker":
                    process.terminate()
                else:
                    os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + STOP_SECONDS
    for process in processes.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
    for process in processes.values():
        with contextlib.suppress(ProcessLookupError):  # the group may outlive its leader (the reloader's child)
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    port = int(args[0] if args else os.environ.get("PORT") or 8000)
    env = {**os.environ, "PORT": str(port)}
    env.setdefault("CELERY_BROKER_URL", DEFAULT_BROKER)
    env.setdefault("PYTHONUNBUFFERED", "1")
    broker = env["CELERY_BROKER_URL"]
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _raise_stop)
    print(f"Serving oscethb at http://127.0.0.1:{port}/ (PORT={port})", flush=True)
    print(
        f"with a Celery worker on {broker.split('@')[-1]} for report builds and exports. Ctrl+C stops both.", flush=True
    )
    processes: dict[str, subprocess.Popen[bytes]] = {}
    code = 0
    try:
        for name, command in commands(port).items():
            processes[name] = subprocess.Popen(command, cwd=BASE_DIR, env=env, start_new_session=True)  # noqa: S603  # nosec B603 - our own fixed commands (runserver, a celery worker), nothing from outside
        while True:
            for name, process in processes.items():
                if process.poll() is not None:
                    print(f"The {name} stopped (exit code {process.returncode}); stopping the rest.", flush=True)
                    code = process.returncode or 1
                    raise Stop(name)
            time.sleep(0.5)
    except Stop:
        pass
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)  # a second Ctrl+C must not interrupt the clean-up
        stop(processes)
        print("Stopped the server and the worker.", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
