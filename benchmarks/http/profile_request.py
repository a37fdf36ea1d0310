"""Where a request's time goes: cProfile over repeated requests, in this process.

    .venv/bin/python benchmarks/http/profile_request.py /api/v1/me/     # one endpoint's profile
    .venv/bin/python benchmarks/http/profile_request.py --work          # every GET: calls, queries
    .venv/bin/python benchmarks/http/profile_request.py --smoke         # what the test command runs
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/http/profile_request.py --work

Runs requests through Django's full stack (middleware, DRF, allauth's token check, the ORM) with
the benchmark settings, signed in as the HTTP benchmark's parent, against the database in
DATABASE_URL (populated by ``manage.py populate`` or a previous benchmark run) or a throwaway
PostgreSQL with one family, with a private Redis. ``{family}`` and ``{rupture}`` in a path are
filled in as in run.py.

One endpoint: the functions with the most cumulative time and the queries of one request.
``--work``: for the bare view and every GET the PWA makes (run.py's list), the Python function
calls and the queries one request costs. Unlike milliseconds, neither depends on what else the
machine is doing, so two branches compare on a busy machine too.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from benchmarks.http import run  # run as a script: the repository root first


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("path", nargs="?", help="e.g. /api/v1/ruptures/")
    parser.add_argument("--work", action="store_true", help="calls and queries of every GET")
    parser.add_argument("--smoke", action="store_true", help="--work, three requests each")
    parser.add_argument("--requests", type=int, default=None)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    if args.path is None and not (args.work or args.smoke):
        parser.error("name a path, or --work")
    with contextlib.ExitStack() as stack:
        workdir = Path(tempfile.mkdtemp(prefix="familyrepair-profile-"))
        stack.callback(shutil.rmtree, workdir, ignore_errors=True)
        workdir.chmod(0o711)  # the postgres user must reach its cluster inside
        env = run.bench_environment(stack, workdir)
        fixture = run.prepare_database(env, families=1)
        from django.test import Client

        client = Client(HTTP_HOST="localhost")
        answer = client.post(
            run.LOGIN_PATH,
            {"email": fixture.parent_email, "password": fixture.password},
            content_type="application/json",
        )
        headers = {
            "HTTP_X_SESSION_TOKEN": answer.json()["meta"]["session_token"],
            "HTTP_ACCEPT": "application/json",
        }

        def get(path: str) -> int:
            url = path.format(family=fixture.family_id, rupture=fixture.rupture_id)
            return int(client.get(url, **headers).status_code)

        if args.path is not None:
            return profile_one(get, args.path, requests=args.requests or 300, top=args.top)
        return work_table(get, requests=args.requests or (3 if args.smoke else 50))


def work_table(get: Any, *, requests: int) -> int:
    """Function calls and queries per request, the bare view first: a Markdown table."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    print("| endpoint | function calls | queries | status |")
    print("|---|---:|---:|---|")
    failed = 0
    for path in [run.BARE_PATH, run.HEALTH_PATH, *run.AUTHENTICATED_ENDPOINTS]:
        for _ in range(5):  # warm: connections, caches, prepared statements, imports
            status = get(path)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(requests):
            get(path)
        profiler.disable()
        with CaptureQueriesContext(connection) as queries:
            get(path)
        calls = pstats.Stats(profiler).total_calls / requests  # type: ignore[attr-defined]  # set by Stats, not in typeshed
        print(f"| `GET {path}` | {calls:,.0f} | {len(queries)} | {status} |")
        failed += status != 200
    return 1 if failed else 0


def profile_one(get: Any, path: str, *, requests: int, top: int) -> int:
    from django.db import connection

    for _ in range(20):  # warm: connections, caches, imports
        status = get(path)
    if status != 200:
        print(f"error: {path} answers {status}", file=sys.stderr)
        return 1
    queries: list[tuple[float, str]] = []

    def log_query(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((time.perf_counter() - started, sql))

    # Not CaptureQueriesContext: each request's request_started signal empties its log.
    with connection.execute_wrapper(log_query):
        get(path)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(requests):
        get(path)
    profiler.disable()
    per_request = (time.perf_counter() - started) / requests * 1000
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative")
    stats.print_stats(top)
    print(f"GET {path}: {per_request:.2f} ms a request under cProfile, {requests} requests")
    print(f"\n{len(queries)} queries in one request (time seen by the client):")
    for seconds, sql in queries:
        print(f"  {seconds * 1000:6.2f} ms  {sql[:150]}")
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
