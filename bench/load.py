"""Load: the autosave endpoint and a section page under 50 and 200 concurrent coordinators, served by gunicorn.

    python -m bench.load                  # BENCH_RUNS=3 runs of BENCH_LOAD_SECONDS=10 s per scenario (~4 min)
    BENCH_LOAD_SECONDS=30 python -m bench.load
    python -m bench.load --reuse --only autosave-200 --runs 1      # again on the same database and sessions

It needs wrk (``apt-get install -y wrk``). What it does, self-contained (it starts and stops gunicorn and cleans up
on failure):

1. A scratch PostgreSQL database ``oscethb_bench_load``: migrations, the shipped rounds thb-2016 and thb-2021
   (``load_survey``), thb-2021 opened, and 200 organisations answering it (the 68 States and Partners the migrations
   load and 132 more Partners), each with one coordinator and a response in progress holding the demo answers
   (``demo.seed``). Each coordinator gets a session made directly with the session store (what a login
   stores: user id, backend, password hash digest, login start), so the load measures the answering, not password
   hashing, and a CSRF secret and masked token.
2. gunicorn with the Procfile's application and worker count (``oscethb.wsgi``, ``BENCH_WEB_WORKERS`` = 3 as
   ``WEB_CONCURRENCY``) but gthread workers (``BENCH_WEB_THREADS`` = 4): the Procfile's sync workers rely on the
   buffering TLS proxy in front of them; without one, a paced client holding an idle keep-alive connection ties up
   a sync worker for its whole pause (tried: 29 static files and about 1 autosave per second). Production mode: ``DEBUG=0``, a
   random ``SECRET_KEY``, ``ALLOWED_HOSTS=127.0.0.1``, collected static files served by whitenoise, persistent
   PostgreSQL connections (``conn_max_age`` 600). The load generator speaks plain http on loopback but sends
   ``X-Forwarded-Proto: https`` as the production TLS proxy does, so the HTTPS-only settings (secure cookies, the
   SSL redirect, the CSRF origin check) stay as they are.
3. wrk (C, light) with ``bench/load.lua``: each connection is one coordinator. Autosave posts exactly what the page's
   script posts for one question (``csrfmiddlewaretoken``, the cell, ``v|`` version and ``o|`` original; headers
   ``HX-Request``, ``X-CSRFToken``, ``HX-Current-URL``, ``Origin``) and reads the new version back from the answer,
   so every save is a real change (no conflicts) and the history grows as in real use. Section: GET the user's own
   PAR.NAT page (8 questions of 8 answer types: choices, a matrix, a composite, a file list, date, decimal).
   Each user waits between requests (a person typing) so that all of them together ask for the target rate; when
   the server cannot keep up, the users wait for their answers and the rate reached is what the server gave.
4. Baselines under the same load, in the same run: GET ``/`` logged in (the framework floor: middleware, session
   read and save, auth, a small template) and a static file through whitenoise (the gunicorn + machine floor).

5. Capacity against an earlier revision (issue 14: "capacity ≥ 6× today's in the same run"): the autosave and
   section cost rows again, served by gunicorn from a ``git archive`` of ``BENCH_LOAD_BEFORE`` (default
   ``a936479``, the revision the performance issue measured; ``BENCH_LOAD_BEFORE=none`` skips it) on the same
   database. Then autosaves paced at half this checkout's measured capacity, whose p95 must stay ≤ 100 ms.

Numbers are medians over the runs of each scenario's p50/p95/p99 and throughput. Everything (load generator,
gunicorn, PostgreSQL) shares this machine's cores, and other work may run on it: read the targets next to the
baselines measured in the same run.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import (
    OUT,
    PYTHON,
    ROOT,
    pg_recreate,
    pg_url,
    runs_default,
    stage,
    table,
    target,
    verdict,
    write_section,
)

DATABASE = "oscethb_bench_load"
SURVEY = "thb-2021"
ORGANISATIONS = 200
SECTION = "PAR.NAT"
# What each coordinator edits, in turn (autosave): single choices, a number and a long text, all asked of States.
AUTOSAVE_QUESTIONS = ["PRO.ENF.01", "PRO.ENF.03", "PRO.ENF.05", "PRO.ENF.04", "PRO.ENF.06", "PRV.SUP.03"]
EMAIL = "load-{:03d}@bench.invalid"
AUTOSAVE_TARGET_MS = 100.0
AUTOSAVE_TARGET_RATE = 200.0
SECTION_TARGET_MS = 150.0
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
LUA = ROOT / "bench" / "load.lua"


@dataclass
class Scenario:
    key: str
    mode: str  # autosave, section, home, static (see load.lua)
    users: int
    rate: float  # 0: unpaced
    label: str


# A section page is opened far less often than answers are saved (a person types several answers per page):
# paced section runs aim at this many pages per second in all.
SECTION_RATE = 50.0


def scenarios() -> list[Scenario]:
    rate = AUTOSAVE_TARGET_RATE
    return [
        Scenario("static-200", "static", 200, rate, "baseline: static file (whitenoise)"),
        Scenario("home-200", "home", 200, rate, "baseline: home page, logged in"),
        Scenario("autosave-50", "autosave", 50, rate, "autosave"),
        Scenario("autosave-200", "autosave", 200, rate, "autosave"),
        Scenario("section-50", "section", 50, SECTION_RATE, f"section page {SECTION}"),
        Scenario("section-200", "section", 200, SECTION_RATE, f"section page {SECTION}"),
        # The cost of one request: a few users without pauses, so that every request is answered and counted (under
        # saturation, requests still queued when wrk stops cost CPU that no answered request is charged with).
        Scenario("home-cost", "home", COST_USERS, 0, "cost: home page, unpaced"),
        Scenario("autosave-cost", "autosave", COST_USERS, 0, "cost: autosave, unpaced"),
        Scenario("section-cost", "section", COST_USERS, 0, f"cost: section page {SECTION}, unpaced"),
    ]


COST_USERS = 4
BEFORE_DEFAULT = "a936479"  # the revision issue 14 ("Fast where people wait") measured
CAPACITY_TARGET = 6.0  # × the before revision's autosave capacity
HALF_USERS = 50


# --- the database -------------------------------------------------------------------------------------------------


# Production mode refuses to start without a broker: messages go to files that no worker reads (what the web process
# does to queue them is what is measured, as in production; running them is not).
PRODUCTION = {"DEBUG": "0", "CELERY_BROKER_URL": "filesystem://", "CELERY_FILESYSTEM_DIR": str(OUT / "load" / "celery")}


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py  # nosec B603
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


def prepare(url: str, env: dict[str, str], users_file: Path, static_root: Path) -> dict[str, Any]:
    """Migrate, load the rounds, collect static files, seed organisations, users, sessions and answers."""
    with stage("load: migrate and load the rounds"):
        manage("migrate", "--noinput", env=env)
        manage("load_survey", "surveys/definitions/thb-2016.yaml", "surveys/definitions/thb-2021.yaml", env=env)
    with stage("load: collectstatic"):
        manage("collectstatic", "--noinput", env={**env, **PRODUCTION, "STATIC_ROOT": str(static_root)})
    with stage(f"load: {ORGANISATIONS} organisations, coordinators, sessions and answers"):
        subprocess.run(  # noqa: S603 - our own interpreter and module  # nosec B603
            [PYTHON, "-m", "bench.load", "--seed", str(users_file)],
            cwd=ROOT,
            env={**env, **PRODUCTION, "STATIC_ROOT": str(static_root)},
            check=True,
        )
    with stage("load: progress kept on each response"):
        manage("progress_rebuild", env=env)  # the seed writes answers directly, as an import from outside would
    return json.loads(users_file.with_suffix(".json").read_text(encoding="utf-8"))


def seed(users_file: Path) -> None:
    """Runs in a child process with Django set up for the scratch database (``--seed``)."""
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection, transaction
    from django.middleware.csrf import _mask_cipher_secret  # type: ignore[attr-defined]
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from accounts.models import Membership, Organisation, Role
    from demo import seed as demo
    from oscethb.middleware import SessionLifetimeMiddleware
    from responses import values
    from responses.models import Answer, Response
    from responses.selectors import survey_structure
    from surveys.models import Survey

    survey = Survey.objects.get(slug=SURVEY)
    # Open, without a closing date: the shipped definition's date (31 March 2021) has passed, and respondents may
    # not change answers after their deadline (every autosave would be refused with 403).
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.OPEN, closes_on=None)
    survey.status, survey.closes_on = Survey.Status.OPEN, None
    questions = [q for a in survey_structure(survey, "state") for s in a.sections.all() for q in s.questions.all()]
    by_code = {q.code: q for q in questions}
    kinds = {q.code: {spec.key: spec.kind for spec in q.cells()} for q in questions}
    user_model = get_user_model()
    lines: list[str] = []
    with transaction.atomic():
        orgs = list(
            Organisation.objects.filter(kind__in=[Organisation.Kind.STATE, Organisation.Kind.PARTNER]).order_by("code")
        )
        extra = ORGANISATIONS - len(orgs)
        orgs += Organisation.objects.bulk_create(
            Organisation(kind=Organisation.Kind.PARTNER, code=f"BENCH{i:03d}", name=f"Bench partner {i:03d}")
            for i in range(extra)
        )
        now = timezone.now()
        for index, org in enumerate(orgs[:ORGANISATIONS]):
            email = EMAIL.format(index)
            user = user_model(username=email, email=email)
            user.set_unusable_password()
            user.save()
            Membership.objects.create(user=user, organisation=org, role=Role.COORDINATOR)
            response = Response.objects.create(
                survey=survey, organisation=org, status=Response.Status.IN_PROGRESS, last_activity_at=now
            )
            demo._write(response, by_code, kinds, demo._answers_for(org, questions, None), now)
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "accounts.auth.EmailBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session[SessionLifetimeMiddleware.KEY] = int(time.time())
            session.create()
            csrf = get_random_string(32)
            lines.append(f"U\t{index}\t{session.session_key}\t{csrf}\t{_mask_cipher_secret(csrf)}\t{org.code}\t{email}")
            stored = {
                a.question.code: a
                for a in Answer.objects.filter(response=response, question__code__in=AUTOSAVE_QUESTIONS, row="")
                .select_related("question")
                .filter(column="")
            }
            for code in AUTOSAVE_QUESTIONS:
                question = by_code[code]
                kind = question.cells()[0].kind
                answer = stored.get(code)
                version, value = (answer.version, values.as_text(answer, kind)) if answer else (0, "")
                lines.append(f"Q\t{index}\t{code}\t{kind}\t{version}\t{value}")
    lines.append(f"P\trounds/{SURVEY}/respond/{{org}}/section/{SECTION}/")
    from django.contrib.staticfiles.storage import staticfiles_storage

    lines.append(f"S\t{staticfiles_storage.url('js/answering.js')}")
    users_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    info = {
        "organisations": ORGANISATIONS,
        "answers": Answer.objects.filter(response__survey=survey).count(),
        "questions_state": len(questions),
    }
    users_file.with_suffix(".json").write_text(json.dumps(info), encoding="utf-8")


# --- the server ---------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str], port: int, workers: int, threads: int, log: Path, code: Path = ROOT
) -> Iterator[subprocess.Popen[bytes]]:
    args = [
        GUNICORN,
        "oscethb.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "60",
        "--backlog",
        "2048",
        # paced users pause up to 6 s (200 users asking 50 pages/s); gunicorn's default 2 s would close their
        # connections under them (wrk counts that as read errors). Behind the proxy, its own keep-alive applies.
        "--keep-alive",
        "30",
    ]
    if threads > 1:
        # gthread: idle keep-alive connections wait in a poller, not in a worker (see the module docstring)
        args += ["--worker-class", "gthread", "--threads", str(threads)]
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603 - gunicorn from our venv  # nosec B603
            args,
            cwd=code,
            env={**env, "PYTHONPATH": str(code)},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_ready(port, proc, log)
            yield proc
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def wait_ready(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"X-Forwarded-Proto": "https"})
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}:\n{log.read_text(errors='replace')[-4000:]}")
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 - loopback  # nosec B310
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer on port {port}:\n{log.read_text(errors='replace')[-4000:]}")


# --- the load -----------------------------------------------------------------------------------------------------


def wrk(port: int, scenario: Scenario, users_file: Path, seconds: int, threads: int) -> dict[str, Any]:
    args = [
        "wrk",
        f"-t{threads}",
        f"-c{scenario.users}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        f"http://127.0.0.1:{port}",
        "--",
        scenario.mode,
        str(users_file),
        str(scenario.users),
        str(scenario.rate),
        str(threads),
    ]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=True)  # noqa: S603  # nosec B603
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCHJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result:\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(line.removeprefix("BENCHJSON "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = (
        result["connect_errors"]
        + result["read_errors"]
        + result["write_errors"]
        + result["status_errors"]
        + result["timeouts"]
        + result["unexpected"]
    )
    return result


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of these processes so far (from /proc; clock ticks)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found = [pid]
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text().split()
            found += [int(x) for x in text]
    return found


def postgres_pids() -> list[int]:
    """The PostgreSQL backends serving the benchmark database (not the other engineers' databases)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with contextlib.suppress(OSError):
                if f" {DATABASE} " in (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                    pids.append(int(proc.name))
    return pids


def median_of(runs: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(r[key] for r in runs))


def load_average() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def machine_speed() -> float:
    """Seconds of CPU a fixed pure-Python loop takes now (about 0.5 s on an idle modern core): how slow this
    shared machine is at the moment, measured before and after the load so the numbers can be scaled."""
    started = time.process_time()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.process_time() - started


def drain(port: int, path: str, seconds: float = 20) -> float:
    """Wait (at most `seconds`) until the server has worked off the previous scenario's queue: a static file
    answers within 0.5 s."""
    started = time.monotonic()
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"X-Forwarded-Proto": "https"})
    while time.monotonic() - started < seconds:
        asked = time.monotonic()
        with (
            contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError),
            urllib.request.urlopen(request, timeout=10),  # noqa: S310 - loopback  # nosec B310
        ):
            pass
        if time.monotonic() - asked < 0.5:
            break
        time.sleep(1)
    return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--seed", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_LOAD_SECONDS", "10")))
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WEB_WORKERS", "3")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_WEB_THREADS", "4")))
    parser.add_argument("--only", default="", help="comma-separated scenario keys (default: all)")
    parser.add_argument("--reuse", action="store_true", help="keep the database and sessions of the last run")
    options = parser.parse_args()
    if options.seed:
        seed(options.seed)
        return 0
    if shutil.which("wrk") is None:
        print("bench.load needs wrk: apt-get install -y wrk", file=sys.stderr)
        return 2
    runs = options.runs or runs_default()
    wanted = [s for s in scenarios() if not options.only or s.key in options.only.split(",")]
    work = OUT / "load"
    work.mkdir(parents=True, exist_ok=True)
    users_file = work / "users.tsv"
    static_root = work / "static"
    secret_file = work / "secret.txt"
    reuse = options.reuse and users_file.with_suffix(".json").exists() and secret_file.exists()
    if reuse:
        url = pg_url(DATABASE) + "?conn_max_age=600"
        secret = secret_file.read_text(encoding="utf-8").strip()
    else:
        url = pg_recreate(DATABASE) + "?conn_max_age=600"
        secret = secrets.token_urlsafe(50)
        secret_file.write_text(secret, encoding="utf-8")
        secret_file.chmod(0o600)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "oscethb.settings",
        "SECRET_KEY": secret,
        "DEBUG": "1",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("CELERY_BROKER_URL", None)
    if reuse:
        info = json.loads(users_file.with_suffix(".json").read_text(encoding="utf-8"))
    else:
        info = prepare(url, env, users_file, static_root)
    server_env = {
        **env,
        **PRODUCTION,
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(static_root),
        "SECURE_HSTS_PRELOAD": "1",
    }
    port = free_port()
    threads = 2
    static_path = next(
        line.split("\t")[1] for line in users_file.read_text(encoding="utf-8").splitlines() if line.startswith("S\t")
    )
    results: dict[str, list[dict[str, Any]]] = {}
    speed_before, load_before = machine_speed(), load_average()
    with gunicorn(server_env, port, options.workers, options.threads, work / "gunicorn.log") as proc:
        with stage("load: warm-up"):
            for mode in ("home", "section", "autosave"):
                wrk(port, Scenario("warm", mode, 10, 0, ""), users_file, 3, threads)
        for run in range(runs):
            for scenario in wanted:
                with stage(f"load: {scenario.key} run {run + 1}/{runs} ({options.seconds} s)"):
                    measure(proc, port, scenario, users_file, options.seconds, threads, static_path, results)
        cost = results.get("autosave-cost")
        if cost:
            half = Scenario(
                "autosave-half", "autosave", HALF_USERS, capacity(summary(cost)) / 2, "autosave at half the capacity"
            )
            wanted.append(half)
            for run in range(runs):
                with stage(f"load: {half.key} ({half.rate:.0f} req/s asked) run {run + 1}/{runs}"):
                    measure(proc, port, half, users_file, options.seconds, threads, static_path, results)
    before_rev = os.environ.get("BENCH_LOAD_BEFORE", BEFORE_DEFAULT)
    before: dict[str, list[dict[str, Any]]] = {}
    if before_rev != "none" and any(s.key.endswith("-cost") for s in wanted):
        code = export_revision(before_rev, work / "before")
        with gunicorn(server_env, port, options.workers, options.threads, work / "gunicorn-before.log", code) as proc:
            with stage(f"load: warm-up ({before_rev})"):
                for mode in ("section", "autosave"):
                    wrk(port, Scenario("warm", mode, 10, 0, ""), users_file, 3, threads)
            for run in range(runs):
                for scenario in [s for s in wanted if s.key in ("autosave-cost", "section-cost")]:
                    with stage(f"load: {before_rev} {scenario.key} run {run + 1}/{runs}"):
                        measure(proc, port, scenario, users_file, options.seconds, threads, static_path, before)
    speed_after, load_after = machine_speed(), load_average()
    machine = {
        "loop_seconds_before": speed_before,
        "loop_seconds_after": speed_after,
        "load_average_before": load_before,
        "load_average_after": load_after,
        "cores": os.cpu_count(),
    }
    report(wanted, results, info, options, runs, machine, before, before_rev)
    return 0


def measure(
    proc: subprocess.Popen[bytes],
    port: int,
    scenario: Scenario,
    users_file: Path,
    seconds: int,
    threads: int,
    static_path: str,
    results: dict[str, list[dict[str, Any]]],
) -> None:
    """One wrk run of `scenario`, with gunicorn's and PostgreSQL's CPU per answered request, added to `results`."""
    drained = drain(port, static_path)
    server = children(proc.pid)
    pg = postgres_pids()
    cpu_server, cpu_pg = cpu_seconds(server), cpu_seconds(pg)
    started = time.perf_counter()
    result = wrk(port, scenario, users_file, seconds, threads)
    wall = time.perf_counter() - started
    # CPU of gunicorn and of the benchmark database's PostgreSQL backends per answered request, until the queue this
    # run left is worked off.
    drained_after = drain(port, static_path)
    used_server = cpu_seconds(server) - cpu_server
    used_pg = cpu_seconds(pg) - cpu_pg
    answered = max(1, result["requests"])
    result.update(
        cores_gunicorn=used_server / wall,
        cpu_ms_gunicorn=1000 * used_server / answered,
        cpu_ms_postgres=1000 * used_pg / answered,
        load_average=load_average(),
        drained_before=drained,
        drained_after=drained_after,
    )
    results.setdefault(scenario.key, []).append(result)
    print(
        f"[bench]   {result['rps']:.0f} req/s p50 {result['p50_us'] / 1000:.1f} ms "
        f"p95 {result['p95_us'] / 1000:.1f} ms p99 {result['p99_us'] / 1000:.1f} ms "
        f"errors {result['errors']} statuses {result['statuses']} "
        f"CPU/request {result['cpu_ms_gunicorn']:.1f} ms gunicorn",
        file=sys.stderr,
        flush=True,
    )


def export_revision(revision: str, into: Path) -> Path:
    """The tree of `revision` (``git archive``; the repository's checkouts are not touched), with this checkout's
    collected static files' settings: it runs on the database this checkout migrated."""
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True)
    archive = subprocess.run(  # noqa: S603 - git with fixed arguments  # nosec B603 B607
        ["git", "archive", revision],  # noqa: S607
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def summary(runs: list[dict[str, Any]]) -> dict[str, float]:
    return {
        "rps": median_of(runs, "rps"),
        "p50_ms": median_of(runs, "p50_us") / 1000,
        "p95_ms": median_of(runs, "p95_us") / 1000,
        "p99_ms": median_of(runs, "p99_us") / 1000,
        "errors": float(sum(r["errors"] for r in runs)),
        "requests": float(sum(r["requests"] for r in runs)),
        "conflicts": float(sum(r["conflicts"] for r in runs)),
        "cpu_ms_gunicorn": median_of(runs, "cpu_ms_gunicorn"),
        "cpu_ms_postgres": median_of(runs, "cpu_ms_postgres"),
    }


def capacity(m: dict[str, float], cores: float = 2.0) -> float:
    """Requests per second the measured CPU cost allows on `cores` cores with nothing else running."""
    cost = (m["cpu_ms_gunicorn"] + m["cpu_ms_postgres"]) / 1000
    return cores / cost if cost else float("inf")


def report(
    wanted: list[Scenario],
    results: dict[str, list[dict[str, Any]]],
    info: dict[str, Any],
    options: argparse.Namespace,
    runs: int,
    machine: dict[str, Any],
    before: dict[str, list[dict[str, Any]]] | None = None,
    before_rev: str = "",
) -> None:
    sums = {key: summary(value) for key, value in results.items()}
    before_sums = {key: summary(value) for key, value in (before or {}).items()}

    def cap(kind: str) -> str:
        cost = sums.get(f"{kind}-cost")
        return f"{capacity(cost):.0f}" if cost else "n/a"

    rows = []
    for s in wanted:
        m = sums[s.key]
        rows.append(
            [
                s.label,
                s.users,
                f"{s.rate:.0f}" if s.rate else "none",
                f"{m['rps']:.0f}",
                f"{m['p50_ms']:.1f}",
                f"{m['p95_ms']:.1f}",
                f"{m['p99_ms']:.1f}",
                f"{m['errors']:.0f} / {m['requests']:.0f}",
                f"{m['cpu_ms_gunicorn']:.1f} / {m['cpu_ms_postgres']:.1f}",
                cap(s.mode) if s.key.endswith("-cost") else "",
            ]
        )
    home = sums.get("home-200")
    static = sums.get("static-200")
    floor = (
        f"same run: home page p95 {home['p95_ms']:.1f} ms at {home['rps']:.0f} req/s"
        + (f", static file p95 {static['p95_ms']:.1f} ms" if static else "")
        if home
        else ""
    )
    targets = []
    for key in ("autosave-50", "autosave-200"):
        if key in sums:
            m = sums[key]
            rate_ok = m["rps"] >= 0.95 * AUTOSAVE_TARGET_RATE
            met = m["p95_ms"] <= AUTOSAVE_TARGET_MS and rate_ok and m["errors"] == 0
            gaps = []
            if m["p95_ms"] > AUTOSAVE_TARGET_MS:
                gaps.append(
                    f"p95 by {m['p95_ms'] - AUTOSAVE_TARGET_MS:.0f} ms ({m['p95_ms'] / AUTOSAVE_TARGET_MS:.1f}×)"
                )
            if not rate_ok:
                gaps.append(f"rate {m['rps']:.0f} of {AUTOSAVE_TARGET_RATE:.0f} req/s")
            targets.append(
                target(
                    f"autosave p95 at {AUTOSAVE_TARGET_RATE:.0f} req/s, {key.split('-')[1]} users",
                    f"≤ {AUTOSAVE_TARGET_MS:.0f} ms at {AUTOSAVE_TARGET_RATE:.0f} req/s",
                    f"{m['p95_ms']:.1f} ms at {m['rps']:.0f} req/s",
                    met,
                    note=f"{floor}; CPU cost allows ≈ {cap('autosave')} req/s on 2 cores (home page: {cap('home')})",
                    gap=", ".join(gaps),
                )
            )
    for key in ("section-50", "section-200"):
        if key in sums:
            m = sums[key]
            met = m["p95_ms"] <= SECTION_TARGET_MS and m["errors"] == 0
            targets.append(
                target(
                    f"section page {SECTION} p95, {key.split('-')[1]} users ({SECTION_RATE:.0f} pages/s asked)",
                    f"≤ {SECTION_TARGET_MS:.0f} ms",
                    f"{m['p95_ms']:.1f} ms at {m['rps']:.0f} req/s",
                    met,
                    note=f"{floor}; CPU cost allows ≈ {cap('section')} pages/s on 2 cores",
                    gap="" if met else f"by {m['p95_ms'] - SECTION_TARGET_MS:.0f} ms",
                )
            )
    for kind in ("autosave", "section"):
        now_cost, then_cost = sums.get(f"{kind}-cost"), before_sums.get(f"{kind}-cost")
        if now_cost and then_cost:
            gain = capacity(now_cost) / capacity(then_cost)
            met = gain >= CAPACITY_TARGET and now_cost["errors"] == 0 and then_cost["errors"] == 0
            targets.append(
                target(
                    f"{kind} capacity vs {before_rev}",
                    f"≥ {CAPACITY_TARGET:.0f}× ({before_rev}, same run)",
                    f"{gain:.1f}× ({capacity(now_cost):.0f} vs {capacity(then_cost):.0f} req/s)",
                    met,
                    note=(
                        f"CPU ms per request gunicorn + PG: {now_cost['cpu_ms_gunicorn']:.1f} + "
                        f"{now_cost['cpu_ms_postgres']:.1f} now, {then_cost['cpu_ms_gunicorn']:.1f} + "
                        f"{then_cost['cpu_ms_postgres']:.1f} at {before_rev}"
                    ),
                    gap="" if met else f"{gain:.1f}× of {CAPACITY_TARGET:.0f}×",
                )
            )
    if "autosave-half" in sums:
        m = sums["autosave-half"]
        asked = next((s.rate for s in wanted if s.key == "autosave-half"), 0.0)
        met = m["p95_ms"] <= AUTOSAVE_TARGET_MS and m["errors"] == 0 and m["rps"] >= 0.95 * asked
        targets.append(
            target(
                "autosave p95 at half the measured capacity",
                f"≤ {AUTOSAVE_TARGET_MS:.0f} ms at {asked:.0f} req/s",
                f"{m['p95_ms']:.1f} ms at {m['rps']:.0f} req/s",
                met,
                note=f"{HALF_USERS} users paced to half of the autosave capacity ({cap('autosave')} req/s)",
                gap="" if met else f"p95 {m['p95_ms']:.0f} ms, {m['rps']:.0f} of {asked:.0f} req/s",
            )
        )
    for key, m in before_sums.items():
        rows.append(
            [
                f"{before_rev}: cost, {key.split('-')[0]}",
                COST_USERS,
                "none",
                f"{m['rps']:.0f}",
                f"{m['p50_ms']:.1f}",
                f"{m['p95_ms']:.1f}",
                f"{m['p99_ms']:.1f}",
                f"{m['errors']:.0f} / {m['requests']:.0f}",
                f"{m['cpu_ms_gunicorn']:.1f} / {m['cpu_ms_postgres']:.1f}",
                f"{capacity(m):.0f}",
            ]
        )
    target_rows = [[t["what"], t["target"], t["measured"], verdict(t["met"], t["gap"]), t["note"]] for t in targets]
    conflicts = sum(m["conflicts"] for m in sums.values())
    markdown = "\n\n".join(
        [
            "## Load: autosave and section pages",
            (
                f"gunicorn (`oscethb.wsgi`, {options.workers} workers × {options.threads} threads, gthread) with "
                f"`DEBUG=0` behind a simulated TLS proxy (`X-Forwarded-Proto: https`), PostgreSQL on loopback with "
                f"persistent connections; {info['organisations']} organisations answering {SURVEY} "
                f"({info['answers']} answers), one coordinator per organisation, sessions made directly in the "
                f"session store (no password hashing). Load from wrk with `bench/load.lua` (2 threads, one "
                f"connection per user, each user paced to give the rate asked in all). Autosave posts one question "
                f"as the page's script does (fields `CODE||`, `v|`, `o|`, `csrfmiddlewaretoken`; headers "
                f"`HX-Request`, `X-CSRFToken`, `Origin`) and reads the new version back from the answer "
                f"({conflicts:.0f} conflicts seen). The section page is {SECTION} (8 questions, 8 answer types). "
                f"{runs} runs × {options.seconds} s per scenario; medians of the runs' percentiles."
            ),
            (
                f"**The machine**: {machine['cores']} cores shared with the load generator, PostgreSQL and other "
                f"engineers' test runs. Load average {machine['load_average_before']:.1f} before, "
                f"{machine['load_average_after']:.1f} after; a fixed Python loop took "
                f"{machine['loop_seconds_before']:.2f} s / {machine['loop_seconds_after']:.2f} s of CPU (≈ 0.5 s on "
                f"an idle modern core). Read the targets against the baselines (static file, home page) measured in "
                f"the same run. CPU ms are gunicorn's and the benchmark database's PostgreSQL backends' CPU per answered "
                f"request; in saturated runs they include work on requests still queued when the run ended, so the "
                f"*cost* rows ({COST_USERS} users, no pauses, every request answered) give the cost per request, and "
                f"*capacity* = 2 cores / that cost: what 2 cores given to gunicorn and PostgreSQL alone could serve "
                f"at this machine's current speed."
            ),
            table(
                [
                    "scenario",
                    "users",
                    "rate asked",
                    "req/s",
                    "p50 ms",
                    "p95 ms",
                    "p99 ms",
                    "errors / requests",
                    "CPU ms gunicorn / PG",
                    "capacity req/s",
                ],
                rows,
            ),
            table(["target", "wanted", "measured", "verdict", "baseline / note"], target_rows),
        ]
    )
    write_section(
        "load",
        markdown,
        {
            "scenarios": {s.key: {**s.__dict__, "summary": sums[s.key], "runs": results[s.key]} for s in wanted},
            "before": {"revision": before_rev, "scenarios": {k: {"summary": before_sums[k]} for k in before_sums}},
            "info": info,
            "workers": options.workers,
            "threads": options.threads,
            "seconds": options.seconds,
            "runs": runs,
            "machine": machine,
            "targets": targets,
        },
    )


if __name__ == "__main__":
    sys.exit(main())
