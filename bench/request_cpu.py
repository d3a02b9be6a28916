# ruff: noqa: S603, S607 - runs git and this interpreter with fixed arguments
"""Per request CPU: autosave, section page, review and status board against a floor view, before and after.

    python -m bench.request_cpu                 # ~5 min: a scratch database, then 2 revisions x 5 request kinds
    python -m bench.request_cpu --again autosave   # one kind again, this checkout, on the last run's database
        (BENCH_CPU_PROFILE=<file>: cProfile stats of the measured requests; BENCH_CPU_SQL=1: the last one's SQL;
         BENCH_CPU_SPLIT=module:name,...: the CPU per request spent in each named function, without cProfile's
         per-call overhead: e.g. reports.views:render,reports.dashboard:status_board_data)
    BENCH_CPU_BEFORE=<git revision> python -m bench.request_cpu   # "before" (default: a936479, as bench.load)

What it does:

1. A scratch PostgreSQL database ``oscethb_bench_cpu`` set up as ``bench.load`` sets up its own (thb-2021 open,
   200 organisations answering it, each coordinator with a session), plus one Office staff member with a
   verified two-factor session (the status board).
2. For each revision, the "before" one (``git archive`` of ``BENCH_CPU_BEFORE`` into var/bench/cpu/before: the
   repository's checkouts are not touched) and this checkout ("after"), one child process per request kind. The
   child imports the revision's ``oscethb.wsgi`` in production mode (``DEBUG=0``, the full middleware stack) and
   calls the WSGI application directly with requests built as ``bench/load.lua`` sends them (cookies, CSRF token,
   htmx headers, ``X-Forwarded-Proto: https``). It sends 20 requests to warm up, then measures 240, each with
   ``time.thread_time()`` (the CPU of this process's thread: Python and the database driver; the PostgreSQL
   server's CPU is not counted) and counts the SQL statements each sends (``connection.execute_wrapper``).
3. The floor: a view served through the same stack that does what an autosave must at least do, the one-answer
   ``UPDATE ... SET value_text = ..., version = version + 1 WHERE id = ... AND version = ...`` with its version
   check, and answers the new version. Every kind is reported as a ratio to the floor of its own revision, so a
   slower or faster machine (or a busier one) cancels out. The child of each kind also sends the floor view, in
   blocks of 20 between blocks of 20 of its own requests (other users' answers), and reports that median too: the
   ratio is taken against it, as this machine's speed moves by a third within minutes (two runs of the floor alone
   a few minutes apart: 2.6 and 4.0 ms). A profile, a split or ``BENCH_CPU_SQL`` leaves the floor requests out.

The "before" revision runs on the database migrated by this checkout: the columns it does not know
(``Survey.structure_version``, ``Response.progress``) are left alone by its queries. Its autosaves do not keep
``Response.progress`` up to date, so ``progress_rebuild`` runs between the two revisions.
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

KINDS = ["floor", "autosave", "section", "section-first", "review", "board"]
# "section-first": the section pages again with the page's block cache (responses/block_cache.py) emptied before
# each request, outside the measured time: a person's first view of a section. "section" revisits ~24
# organisations' pages in turn, so most of its blocks come from the cache.
WARM_UP, MEASURED = 20, 240
BLOCK = 20  # the floor view runs in blocks of this many between as many of the kind's requests (WARM_UP: one block)
SURVEY, SECTION = "thb-2021", "PAR.NAT"
STAFF_EMAIL = "staff-cpu@bench.invalid"
QUERY_TARGET = 8
CPU_TARGETS = {"autosave": 2.0, "section": 3.0, "review": 3.0, "board": 3.0}  # × the floor view (issue 14)


# --- the child: one revision, one kind of request --------------------------------------------------------------


def _environ(method: str, path: str, cookie: str, body: bytes = b"", headers: dict[str, str] | None = None) -> dict:
    env: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_USER_AGENT": "oscethb-bench-cpu",
        "HTTP_COOKIE": cookie,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)),
    }
    if body:
        env["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
    for name, value in (headers or {}).items():
        env["HTTP_" + name.upper().replace("-", "_")] = value
    return env


def child(kind: str, users_file: Path) -> None:
    """Runs with the revision's code as the working directory (``--child``): prints one JSON line."""
    sys.path.insert(0, os.getcwd())
    from urllib.parse import urlencode

    from django.conf import settings

    settings.ROOT_URLCONF = "__main__"  # the project's URLs plus the floor view (below)
    import django

    django.setup()
    from django.db import connection
    from django.db.models import F
    from django.http import HttpRequest, HttpResponse
    from django.urls import path

    import oscethb.urls
    from responses.models import Answer

    def floor(request: HttpRequest, answer_id: int) -> HttpResponse:
        version = int(request.POST["v"])
        changed = Answer.objects.filter(pk=answer_id, version=version).update(
            value_text=request.POST["value"], version=F("version") + 1
        )
        return HttpResponse(str(version + changed))

    main = sys.modules["__main__"]
    main.urlpatterns = [path("bench-floor/<int:answer_id>/", floor), *oscethb.urls.urlpatterns]  # type: ignore[attr-defined]
    from oscethb.wsgi import application

    users: list[dict[str, Any]] = []
    staff: dict[str, Any] | None = None
    questions: dict[int, dict[str, Any]] = {}
    for line in users_file.read_text(encoding="utf-8").splitlines():
        f = line.split("\t")
        if f[0] == "U":
            users.append({"index": int(f[1]), "session": f[2], "csrf": f[3], "token": f[4], "org": f[5]})
        elif f[0] == "Q" and f[3] == "text" and int(f[1]) not in questions:
            questions[int(f[1])] = {"code": f[2], "version": int(f[4]), "value": f[5]}
        elif f[0] == "A":
            staff = {"session": f[1], "csrf": f[2], "token": f[3]}
    users = [u for u in users if u["index"] in questions]
    answer_ids: dict[tuple[str, str], int] = {}
    current: dict[tuple[str, str], tuple[int, str | None]] = {}
    for org, code, pk, version, text in Answer.objects.filter(
        response__survey__slug=SURVEY, question__code__in={q["code"] for q in questions.values()}, row="", column=""
    ).values_list("response__organisation__code", "question__code", "pk", "version", "value_text"):
        answer_ids[org, code] = pk
        current[org, code] = (version, text)
    # The versions as stored now (earlier children saved these answers): a stale one would measure a conflict.
    for u in users:
        q = questions[u["index"]]
        if (u["org"], q["code"]) in current:
            q["version"], q["value"] = current[u["org"], q["code"]]
    # Users whose question has an answer already (the floor updates a row; it never inserts one).
    users = [u for u in users if (u["org"], questions[u["index"]]["code"]) in answer_ids]
    counted: list[int] = []

    def counter(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        counted.append(1)
        return execute(sql, params, many, context)

    def send(env: dict) -> tuple[int, bytes]:
        status: list[str] = []
        wsgi: Any = application
        body = b"".join(wsgi(env, lambda s, h, *a: status.append(s)))
        return int(status[0].split()[0]), body

    def one(n: int, kind: str = kind) -> tuple[dict, Any]:
        u = users[n % len(users)]
        cookie = f"sessionid={u['session']}; csrftoken={u['csrf']}"
        page = f"/rounds/{SURVEY}/respond/{u['org']}/section/{SECTION}/"
        if kind in ("section", "section-first"):
            return _environ("GET", page, cookie), None
        if kind == "review":
            return _environ("GET", f"/rounds/{SURVEY}/respond/{u['org']}/review/", cookie), None
        if kind == "board":
            if staff is None:
                raise SystemExit("the status board needs the staff session the fixture makes")
            cookie = f"sessionid={staff['session']}; csrftoken={staff['csrf']}"
            return _environ("GET", f"/staff/rounds/{SURVEY}/dashboard/", cookie), None
        q = questions[u["index"]]
        value = f"Measures are reviewed every year (revision {q['version'] + 1})."
        headers = {
            "HX-Request": "true",
            "HX-Current-URL": "https://127.0.0.1" + page,
            "HX-Trigger": "q-" + q["code"],
            "X-CSRFToken": u["token"],
            "Origin": "https://127.0.0.1",
            "Referer": "https://127.0.0.1" + page,
        }
        if kind == "floor":
            body = urlencode({"csrfmiddlewaretoken": u["token"], "v": q["version"], "value": value}).encode()
            target = f"/bench-floor/{answer_ids[u['org'], q['code']]}/"
            return _environ("POST", target, cookie, body, headers), (q, value)
        field = q["code"] + "||"
        body = urlencode(
            {"csrfmiddlewaretoken": u["token"], field: value, "v|" + field: q["version"], "o|" + field: q["value"]}
        ).encode()
        target = f"/rounds/{SURVEY}/respond/{u['org']}/autosave/{q['code']}/"
        return _environ("POST", target, cookie, body, headers), (q, value)

    times: list[float] = []
    floor_times: list[float] = []  # the floor view, in blocks between the blocks of the kind's requests
    queries: list[int] = []
    errors = 0
    statements: list[str] = []
    profile_to = os.environ.get("BENCH_CPU_PROFILE")  # a file: cProfile stats of the measured requests
    profiler = None
    if profile_to:
        import cProfile

        profiler = cProfile.Profile(time.thread_time)  # CPU, as measured: not the server's time

    def recorder(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)
        return execute(sql, params, many, context)

    def forget() -> None:
        if kind == "section-first" and "responses.block_cache" in sys.modules:  # a revision without it: nothing kept
            sys.modules["responses.block_cache"].block_cache_clear()

    split = _split_timers(os.environ.get("BENCH_CPU_SPLIT", ""))
    # A profile, a split or the SQL shown is of the kind's requests alone.
    paired = profiler is None and not split and not os.environ.get("BENCH_CPU_SQL")
    with connection.execute_wrapper(counter), connection.execute_wrapper(recorder):
        for n in range(WARM_UP + MEASURED):
            if n == WARM_UP:
                for spent in split.values():
                    spent[0] = 0.0
            env, state = one(n)
            forget()
            counted.clear()
            statements.clear()
            if profiler is not None and n >= WARM_UP:
                profiler.enable()
            started = time.thread_time()
            status, body = send(env)
            took = time.thread_time() - started
            if profiler is not None:
                profiler.disable()
            failed = status != 200
            if kind == "floor" and state is not None:
                state[0]["version"], state[0]["value"] = int(body), state[1]
            elif kind == "autosave" and state is not None:
                q, value = state
                found = re.search(rf'name="v\|{re.escape(q["code"])}\|\|" value="(\d+)"', body.decode())
                if found and b'data-save-state="saved"' in body:  # a real save, not a conflict
                    q["version"], q["value"] = int(found.group(1)), value
                else:
                    failed = True
            if failed:
                errors += 1
                if errors == 1:
                    print(f"{kind}: {status} {body[:300]!r}", file=sys.stderr)
            if n >= WARM_UP:
                times.append(took * 1000)
                queries.append(len(counted))
            if kind != "floor" and paired and (n + 1) % BLOCK == 0:
                # The floor view, in blocks of BLOCK after each BLOCK of the kind's requests: both medians come from
                # the same minutes of the machine, so a busier or slower stretch (other processes, the CPU's clock)
                # moves both alike, and each runs warm among its own kind as it does alone (a floor request sent
                # right after each heavier request finds the caches cold: it measured about a quarter slower, which
                # flattered the ratios). Other users' answers (half the users further on) than the block just sent.
                for m in range(n + 1 - BLOCK, n + 1):
                    env, state = one(m + len(users) // 2, "floor")
                    started = time.thread_time()  # with the same statement counters as the kind's requests
                    status, body = send(env)
                    took = time.thread_time() - started
                    if status != 200:
                        raise SystemExit(f"the paired floor view answered {status}: {body[:300]!r}")
                    state[0]["version"], state[0]["value"] = int(body), state[1]
                    if m >= WARM_UP:
                        floor_times.append(took * 1000)
    if profiler is not None and profile_to:
        profiler.dump_stats(profile_to)
    for name, spent in split.items():
        print(f"split {name}: {spent[0] * 1000 / MEASURED:.2f} ms per request", file=sys.stderr)
    if os.environ.get("BENCH_CPU_SQL"):  # the statements of the last request, to see what a count is made of
        print("\n".join(sql[:200] for sql in statements), file=sys.stderr)
    print(
        json.dumps(
            {
                "kind": kind,
                "median_ms": statistics.median(times),
                "mean_ms": statistics.fmean(times),
                "queries": statistics.median(queries),
                "requests": len(times),
                "errors": errors,
                "floor_median_ms": statistics.median(floor_times) if floor_times else None,
            }
        )
    )


def floor_of(result: dict[str, Any]) -> float:
    """The floor view's median to compare a kind's result with: the one sent in blocks between its requests;
    the floor kind is its own."""
    return result.get("floor_median_ms") or result["median_ms"]


def _split_timers(names: str) -> dict[str, list[float]]:
    """Wraps each ``module:attribute`` (``module:Class.method`` too) named in ``names`` with a CPU timer; returns the
    seconds spent per name (outermost calls only). A name is looked up where the caller finds it: wrap the module
    that calls it (``reports.views:render``), not only the one that defines it."""
    import functools
    import importlib

    spent: dict[str, list[float]] = {}
    for name in filter(None, (n.strip() for n in names.split(","))):
        module_name, _, attribute = name.partition(":")
        owner: Any = importlib.import_module(module_name)
        *path, leaf = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        original = getattr(owner, leaf)
        total = spent[name] = [0.0]
        depth = [0]

        def timed(
            *args: Any,
            __original: Any = original,
            __total: list[float] = total,
            __depth: list[int] = depth,
            **kwargs: Any,
        ) -> Any:
            __depth[0] += 1
            started = time.thread_time()
            try:
                return __original(*args, **kwargs)
            finally:
                __depth[0] -= 1
                if __depth[0] == 0:
                    __total[0] += time.thread_time() - started

        setattr(owner, leaf, functools.wraps(original)(timed))
    return spent


def staff_session(users_file: Path) -> None:
    """A staff member with a confirmed authenticator app and a verified session, added to the users file."""
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.middleware.csrf import _mask_cipher_secret  # type: ignore[attr-defined]
    from django.utils.crypto import get_random_string
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.twofactor import REQUIRED_SESSION_KEY
    from oscethb.middleware import SessionLifetimeMiddleware
    from surveys.models import Survey

    # thb-2021's shipped closing date has passed: without this, every autosave would be refused (403, read-only)
    # and measure the refusal instead of a save.
    Survey.objects.filter(slug=SURVEY).update(closes_on=None)
    user = get_user_model().objects.create(username=STAFF_EMAIL, email=STAFF_EMAIL, is_staff=True)
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "accounts.auth.EmailBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[SessionLifetimeMiddleware.KEY] = int(time.time())
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[REQUIRED_SESSION_KEY] = True
    session.create()
    csrf = get_random_string(32)
    with users_file.open("a", encoding="utf-8") as handle:
        handle.write(f"A\t{session.session_key}\t{csrf}\t{_mask_cipher_secret(csrf)}\n")


# --- the parent -------------------------------------------------------------------------------------------------


def main() -> int:
    from bench.common import OUT, PYTHON, ROOT, pg_recreate, stage, table, target, write_section
    from bench.load import BEFORE_DEFAULT, PRODUCTION, export_revision, manage, prepare

    work = OUT / "cpu"
    work.mkdir(parents=True, exist_ok=True)
    # Default: the revision issue 14 measured (as bench.load); a "before" that is this checkout shows nothing.
    before_rev = os.environ.get("BENCH_CPU_BEFORE", BEFORE_DEFAULT)
    before = work / "before"
    with stage(f"cpu: export {before_rev}"):
        export_revision(before_rev, before)
        commit = subprocess.run(  # nosec B603 B607
            ["git", "rev-parse", "--short", before_rev],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        after_commit = subprocess.run(  # nosec B603 B607
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    url = pg_recreate("oscethb_bench_cpu")
    static_root = work / "static"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "oscethb.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(static_root),
        **PRODUCTION,
    }
    users_file = work / "users.tsv"
    # Kept to run one kind again on this database (`--again KIND`: the sessions are signed with this SECRET_KEY).
    (work / "child-env.json").write_text(json.dumps(env), encoding="utf-8")
    info = prepare(url, env, users_file, static_root)
    with stage("cpu: staff session"):
        subprocess.run(  # nosec B603
            [PYTHON, "-m", "bench.request_cpu", "--staff", str(users_file)], cwd=ROOT, env=env, check=True
        )
    results: dict[str, dict[str, Any]] = {}
    for revision, code in (("before", before), ("after", ROOT)):
        manage("progress_rebuild", env=env)  # the before revision's saves do not keep it
        results[revision] = {}
        for kind in KINDS:
            with stage(f"cpu: {revision} {kind}"):
                done = subprocess.run(  # nosec B603
                    [PYTHON, str(Path(__file__).resolve()), "--child", kind, str(users_file)],
                    cwd=code,
                    env={**env, "PYTHONPATH": str(code)},
                    check=True,
                    capture_output=True,
                    text=True,
                )
                results[revision][kind] = json.loads(done.stdout.strip().splitlines()[-1])
    rows = []
    for kind in KINDS:
        b, a = results["before"][kind], results["after"][kind]
        rows.append(
            [
                kind,
                f"{b['median_ms']:.1f} ms",
                f"{b['median_ms'] / floor_of(b):.2f}×",
                f"{floor_of(b):.1f} ms",
                f"{b['queries']:g}",
                f"{a['median_ms']:.1f} ms",
                f"{a['median_ms'] / floor_of(a):.2f}×",
                f"{floor_of(a):.1f} ms",
                f"{a['queries']:g}",
                f"{b['errors']} / {a['errors']}",
            ]
        )
    autosave_queries = results["after"]["autosave"]["queries"]
    after, before_ = results["after"], results["before"]
    ratios = {kind: after[kind]["median_ms"] / floor_of(after[kind]) for kind in CPU_TARGETS}
    targets = [
        target(
            f"{kind} CPU against the floor view",
            f"≤ {wanted:g}× the floor (same run)",
            f"{ratios[kind]:.2f}×",
            ratios[kind] <= wanted,
            f"{after[kind]['median_ms']:.1f} ms against {floor_of(after[kind]):.1f} ms (the floor view in blocks "
            f"between the kind's); before ({commit}): {before_[kind]['median_ms'] / floor_of(before_[kind]):.1f}×, "
            f"{before_[kind]['median_ms']:.1f} ms",
            "" if ratios[kind] <= wanted else f"{ratios[kind]:.2f}× of {wanted:g}×",
        )
        for kind, wanted in CPU_TARGETS.items()
    ] + [
        target(
            "queries per autosave",
            f"≤ {QUERY_TARGET}",
            f"{autosave_queries:g}",
            autosave_queries <= QUERY_TARGET,
            f"before ({commit}): {results['before']['autosave']['queries']:g}; the median of {MEASURED} autosaves, "
            "the health check's SELECT 1 not counted",
            "" if autosave_queries <= QUERY_TARGET else f"by {autosave_queries - QUERY_TARGET:g}",
        )
    ]
    markdown = "\n".join(
        [
            "## Per request CPU",
            "",
            f"In-process CPU per request (median of {MEASURED} after {WARM_UP} to warm up, `time.thread_time()` of "
            "the thread serving it: Python and the driver, not the PostgreSQL server), `DEBUG=0`, PostgreSQL, the "
            "full middleware stack, called through the revision's `oscethb.wsgi` with the requests `bench/load.lua` "
            f"sends; {info.get('organisations', 200)} organisations answering {SURVEY} "
            f"({info.get('answers', 0):,} answers). The ratio is to the floor view of the same revision (the "
            "version-checked one-answer UPDATE through the same stack), sent by the same process in blocks of "
            f"{BLOCK} between blocks of {BLOCK} of the kind's requests, so that both medians come from the same "
            "minutes of the machine (its speed here moves by a third within minutes) and each runs warm among its "
            'own kind; "floor" is that median. Before: '
            f"`{before_rev}` ({commit}); after: this checkout ({after_commit}). `python -m bench.request_cpu`. "
            "`section` revisits the same organisations' pages in turn (most question blocks come from the page's "
            "block cache); `section-first` is the same pages with that cache emptied before each request (a "
            "person's first view of a section).",
            "",
            table(
                [
                    "request",
                    "before",
                    "× floor",
                    "floor",
                    "queries",
                    "after",
                    "× floor",
                    "floor",
                    "queries",
                    "non-200 before / after",
                ],
                rows,
            ),
            "",
        ]
    )
    write_section("request_cpu", markdown, {"targets": targets, "results": results, "info": info})
    print(markdown)
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]))
    elif len(sys.argv) > 2 and sys.argv[1] == "--again":  # this checkout, one kind, on the last run's database
        from bench.common import OUT, PYTHON, ROOT

        saved = json.loads((OUT / "cpu" / "child-env.json").read_text(encoding="utf-8"))
        keep = {k: v for k, v in os.environ.items() if k.startswith("BENCH_CPU_")}
        subprocess.run(  # nosec B603
            [PYTHON, str(Path(__file__).resolve()), "--child", sys.argv[2], str(OUT / "cpu" / "users.tsv")],
            cwd=ROOT,
            env={**saved, **keep, "PYTHONPATH": str(ROOT)},
            check=True,
        )
    elif len(sys.argv) > 1 and sys.argv[1] == "--staff":
        staff_session(Path(sys.argv[2]))
    else:
        sys.exit(main())
