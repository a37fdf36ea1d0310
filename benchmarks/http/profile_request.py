"""Where one endpoint's time goes: cProfile over repeated requests, in this process.

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/http/profile_request.py /api/v1/me/

Runs the endpoint through Django's full stack (middleware, DRF, allauth's token check, the ORM)
with the benchmark settings, signed in as the HTTP benchmark's parent, against the database in
DATABASE_URL (populated by ``manage.py populate`` or a previous benchmark run), with a private
Redis. Prints the functions with the most cumulative time and the queries of one request.
``{family}`` and ``{rupture}`` in the path are filled in as in run.py.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from benchmarks.http import run  # run as a script: the repository root first


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("path", help="e.g. /api/v1/ruptures/")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        print("error: set DATABASE_URL to a populated PostgreSQL database", file=sys.stderr)
        return 1
    with contextlib.ExitStack() as stack:
        workdir = Path(tempfile.mkdtemp(prefix="familyrepair-profile-"))
        env = run.bench_environment(stack, workdir)
        fixture = run.prepare_database(env, families=1)
        from django.db import connection
        from django.test import Client

        client = Client(HTTP_HOST="localhost")
        answer = client.post(
            run.LOGIN_PATH,
            {"email": fixture.parent_email, "password": fixture.password},
            content_type="application/json",
        )
        token = answer.json()["meta"]["session_token"]
        path = args.path.format(family=fixture.family_id, rupture=fixture.rupture_id)
        headers = {"HTTP_X_SESSION_TOKEN": token, "HTTP_ACCEPT": "application/json"}
        for _ in range(20):  # warm: connections, caches, imports
            status = client.get(path, **headers).status_code
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
            client.get(path, **headers)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(args.requests):
            client.get(path, **headers)
        profiler.disable()
        per_request = (time.perf_counter() - started) / args.requests * 1000
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative")
    stats.print_stats(args.top)
    print(f"GET {path}: {per_request:.2f} ms a request under cProfile, {args.requests} requests")
    print(f"\n{len(queries)} queries in one request (time seen by the client):")
    for seconds, sql in queries:
        print(f"  {seconds * 1000:6.2f} ms  {sql[:150]}")
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
