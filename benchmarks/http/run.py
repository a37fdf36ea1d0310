"""HTTP throughput of our endpoints, as ratios to a bare Django view measured in the same run.

    .venv/bin/python benchmarks/http/run.py [--duration SECONDS]

Starts a throwaway PostgreSQL cluster (or uses DATABASE_URL when set) and a private Redis on a
Unix socket, migrates, creates a verified user, starts gunicorn (2 sync workers) with
``benchmarks.settings`` on loopback, and runs wrk for a fixed duration against each endpoint, each
between two runs of the bare view ``/bench/bare``. Prints req/s, p99 and the ratio to the bare
view; every process it started is stopped on exit.

Absolute figures depend on the machine; the ratios are what to compare between runs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from benchmarks import driver  # run as a script: the repository root first

# Authenticated GETs the PWA makes, each with the parent's X-Session-Token; {family}, {child} and
# {rupture} come from the population. allauth's session endpoint is how a client learns it is
# signed in (the PWA asks the browser-client twin).
AUTHENTICATED_ENDPOINTS: list[str] = [
    "/api/v1/me/",
    "/api/v1/families/",
    "/api/v1/families/{family}/",
    "/api/v1/families/{family}/members/",
    "/api/v1/families/{family}/care-team/",
    "/api/v1/feelings/",
    "/api/v1/ruptures/",  # a page of 20 of the parent's ruptures, the PWA's home screen
    "/api/v1/ruptures/{rupture}/",
    "/api/v1/ruptures/{rupture}/messages/",
    "/api/v1/notifications/",
    "/_allauth/app/v1/auth/session",
]
DEFAULT_FAMILIES = 2000  # about 20,000 ruptures; --families 100000 for the full population
SMOKE_FAMILIES = 20

LOGIN_PATH = "/_allauth/app/v1/auth/login"
BARE_PATH = "/bench/bare"
HEALTH_PATH = "/healthz"
GUNICORN_WORKERS = 2  # as issue 12 measured; the image's default is 3 (--web-workers 3)
WRK_THREADS = 2
DEFAULT_CONNECTIONS = 16
WARMUP_SECONDS = 1
DEFAULT_DURATION_SECONDS = 6
DEFAULT_WRITES = 200  # requests per write endpoint, each on its own rupture

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Endpoint:
    label: str
    path: str
    authenticated: bool = False


@dataclass(frozen=True)
class WrkResult:
    requests_per_second: float
    p99_ms: float
    requests: int
    errors: int


@dataclass(frozen=True)
class Row:
    endpoint: Endpoint
    result: WrkResult | None = None
    ratio: float | None = None
    note: str = ""


class BenchmarkError(Exception):
    """A step the benchmark cannot go on without; the message says what to do."""


def say(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)


# --- Tools ---------------------------------------------------------------------------------------


def ensure_command(command: str, package: str) -> str:
    """The command's path, installing the Debian package first when missing and running as root."""
    found = shutil.which(command)
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say(f"installing {package} with apt-get")
        apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=apt_env, timeout=300)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", package],
            check=True,
            env=apt_env,
            stdout=subprocess.DEVNULL,
            timeout=600,
        )
        found = shutil.which(command)
    if not found:
        raise BenchmarkError(f"{command} is needed: install the '{package}' package.")
    return found


def postgres_bin_dir() -> Path:
    """The newest PostgreSQL server binaries (Debian keeps them out of PATH, by version)."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return candidates[-1].parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise BenchmarkError(
        "PostgreSQL server binaries are needed: install 'postgresql', or set DATABASE_URL."
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(what: str, predicate: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise BenchmarkError(f"timed out after {timeout:.0f} s waiting for {what}")


# --- Services (each yields what the next step needs and stops what it started) -----------------


@contextlib.contextmanager
def private_redis(directory: Path) -> Iterator[str]:
    redis_server = ensure_command("redis-server", "redis-server")
    directory.mkdir()
    sock = directory / "redis.sock"
    process = subprocess.Popen(
        [
            *(redis_server, "--port", "0", "--unixsocket", str(sock), "--unixsocketperm", "700"),
            *("--save", "", "--appendonly", "no", "--dir", str(directory)),
        ],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for("redis-server's socket", sock.exists, timeout=10)
        yield f"unix://{sock}?db=0"
    finally:
        stop_process(process, "redis-server")


@contextlib.contextmanager
def throwaway_postgres(directory: Path) -> Iterator[str]:
    """A PostgreSQL cluster in ``directory``, on loopback, with trust auth; stopped afterwards."""
    bin_dir = postgres_bin_dir()
    data, sockets, log = directory / "data", directory / "sock", directory / "server.log"
    data.mkdir(parents=True)
    sockets.mkdir()
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root
        shutil.chown(directory, "postgres", "postgres")
        for path in (data, sockets):
            shutil.chown(path, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    say(f"starting PostgreSQL ({bin_dir.parent.name}) on 127.0.0.1:{port}")
    initdb = [*as_postgres, str(bin_dir / "initdb"), "-D", str(data)]
    subprocess.run(
        [*initdb, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"],
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=120,
    )
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets}"
    pg_ctl = [*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(data)]
    try:
        started = subprocess.run(
            [*pg_ctl, "-l", str(log), "-w", "-o", options, "start"],
            check=False,
            stdout=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C in the terminal reaches us, and we stop it in order
            timeout=60,
        )
        if started.returncode != 0:
            tail = log.read_text()[-3000:] if log.exists() else ""
            raise BenchmarkError(f"PostgreSQL did not start:\n{tail}")
        createdb = [str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port)]
        subprocess.run([*createdb, "-U", "postgres", "familyrepair_bench"], check=True, timeout=30)
        yield f"postgres://postgres@127.0.0.1:{port}/familyrepair_bench"
    finally:
        subprocess.run(
            [*pg_ctl, "-m", "fast", "-w", "stop"],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
        )


@contextlib.contextmanager
def gunicorn(env: dict[str, str], directory: Path, workers: int) -> Iterator[str]:
    port = free_port()
    log = directory / "gunicorn.log"
    base_url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "gunicorn", "familyrepair.wsgi:application"]
    command += ["--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
    # The default control socket lives in $HOME and would clash with any other gunicorn there.
    command += ["--no-control-socket", "--error-logfile", str(log), "--log-level", "warning"]
    say(f"starting gunicorn ({workers} sync workers) on {base_url}")
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, start_new_session=True)
    try:

        def ready() -> bool:
            if process.poll() is not None:
                tail = log.read_text()[-3000:] if log.exists() else ""
                raise BenchmarkError(f"gunicorn exited with {process.returncode}:\n{tail}")
            try:
                return request(base_url, "GET", BARE_PATH)[0] == 200
            except OSError:
                return False

        wait_for("gunicorn to answer /bench/bare", ready, timeout=60)
        yield base_url
    finally:
        stop_process(process, "gunicorn")


def stop_process(process: subprocess.Popen[bytes], name: str) -> None:
    """SIGTERM for a graceful stop, then SIGKILL to its whole process group (gunicorn's workers)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            say(f"{name} did not stop on SIGTERM; killing it")
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


# --- Django: schema, population, heartbeat (in this process, before gunicorn starts) ----------


@dataclass(frozen=True)
class Fixture:
    """Who the benchmark signs in as, picked from the population, and what they can read."""

    password: str
    parent_email: str
    child_email: str
    family_id: int
    child_id: int
    rupture_id: int


def prepare_database(env: dict[str, str], families: int) -> Fixture:
    """Migrate, populate (``manage.py populate``) up to ``families`` families, pick a parent and
    a teen of one family and give both a password."""
    os.environ.update(env)
    sys.path.insert(0, str(REPO_ROOT))
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connections
    from django.db.models import Count

    from accounts.models import Family, Membership, Role, User
    from familyrepair import health
    from ruptures.models import Rupture

    # Nothing is collected: the endpoints serve no static files, whitenoise only wants the folder.
    (Path(env["FAMILYREPAIR_DATA_DIR"]) / "static").mkdir(parents=True, exist_ok=True)
    say("migrating")
    call_command("migrate", interactive=False, verbosity=0)
    existing = Family.objects.count()
    if existing < families:
        say(f"populating {families - existing:,} families (manage.py populate)")
        call_command("populate", families=families - existing, verbosity=0)
    # The first family with a teen who signs in by email; its first parent.
    teen = (
        Membership.objects.filter(role=Role.CHILD, user__email__isnull=False)
        .select_related("user")
        .order_by("family_id", "user_id")
        .first()
    )
    if teen is None:
        raise BenchmarkError("the population has no teen with an email: populate more families")
    parent = (
        Membership.objects.filter(family_id=teen.family_id, role=Role.PARENT)
        .select_related("user")
        .order_by("user_id")
        .first()
    )
    if parent is None or not parent.user.email or not teen.user.email:
        raise BenchmarkError("the population's first family has no parent with an email")
    if removed := remove_written(teen.family_id):  # before the rupture to read is chosen
        say(f"removed {removed} ruptures an earlier run's writes left")
    rupture = (
        Rupture.objects.filter(parent=parent.user, child=teen.user)
        .annotate(n=Count("messages"))
        .order_by("-n", "-created_at")
        .first()
    )
    if rupture is None:
        raise BenchmarkError("the population's first family has no rupture between the two")
    password = secrets.token_urlsafe(24)
    User.objects.filter(pk__in=[parent.user_id, teen.user_id]).update(
        password=make_password(password)
    )
    # No beat or worker runs here: one stamp, valid for the whole run (BEAT_HEARTBEAT_SECONDS),
    # keeps /healthz's beat check green while it still reads the database and Redis each time.
    health.record_beat_heartbeat()
    connections.close_all()
    return Fixture(
        password=password,
        parent_email=parent.user.email,
        child_email=teen.user.email,
        family_id=teen.family_id,
        child_id=teen.user_id,
        rupture_id=rupture.pk,
    )


def population_size() -> str:
    from accounts.models import Family, User
    from ruptures.models import Rupture

    return (
        f"{Family.objects.count():,} families, {User.objects.count():,} users, "
        f"{Rupture.objects.count():,} ruptures"
    )


# --- HTTP and wrk ----------------------------------------------------------------------------


def request(
    base_url: str,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: object = None,
) -> tuple[int, bytes]:
    host, port = base_url.removeprefix("http://").rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        payload = None if body is None else json.dumps(body).encode()
        all_headers = {"Accept": "application/json", **(headers or {})}
        if payload is not None:
            all_headers["Content-Type"] = "application/json"
        connection.request(method, path, body=payload, headers=all_headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def log_in(base_url: str, email: str, password: str) -> tuple[str | None, str]:
    """allauth's app-client login: the session token, or None and why there is none."""
    status, body = request(
        base_url, "POST", LOGIN_PATH, body={"email": email, "password": password}
    )
    if status == 404:
        return None, f"{LOGIN_PATH} does not exist yet"
    if status != 200:
        return None, f"login answered {status}: {body[:200]!r}"
    token = json.loads(body).get("meta", {}).get("session_token")
    if not isinstance(token, str):
        return None, "login answered 200 without meta.session_token"
    return token, ""


_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def parse_duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNIT_MS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    total = re.search(r"^\s+(\d+) requests in", output, re.MULTILINE)
    if not (rps and p99 and total):
        raise BenchmarkError(f"cannot read wrk's output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if socket_errors:
        errors += sum(int(count) for count in socket_errors.groups())
    return WrkResult(
        requests_per_second=float(rps.group(1)),
        p99_ms=parse_duration_ms(p99.group(1)),
        requests=int(total.group(1)),
        errors=errors,
    )


def run_wrk(
    wrk: str, url: str, headers: dict[str, str], duration: int, connections: int
) -> WrkResult:
    command = [wrk, f"-t{WRK_THREADS}", f"-c{connections}", f"-d{duration}s", "--latency"]
    command += ["--timeout", "10s"]  # a busy machine is slow, not failing: wrk's default is 2 s
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    completed = subprocess.run(
        [*command, url], check=True, capture_output=True, text=True, timeout=duration + 30
    )
    return parse_wrk(completed.stdout)


@dataclass(frozen=True)
class Plan:
    """How each endpoint is measured in this run."""

    wrk: str
    base_url: str
    duration: int
    connections: int
    warmup: int = WARMUP_SECONDS


def probe(base_url: str, endpoint: Endpoint, token: str | None) -> tuple[dict[str, str], str]:
    """The headers to send, or why the endpoint cannot be measured (one request, before wrk)."""
    headers = {"Accept": "application/json"}
    if endpoint.authenticated:
        if token is None:
            return headers, "skipped: no session token"
        headers["X-Session-Token"] = token
    status, _ = request(base_url, "GET", endpoint.path, headers=headers)
    if status == 404:
        return headers, "skipped: answers 404 (not built yet?)"
    if not 200 <= status < 300:
        return headers, f"skipped: answers {status}"
    return headers, ""


def measure(plan: Plan, path: str, headers: dict[str, str]) -> WrkResult:
    say(f"wrk {path} ({plan.warmup} s warm-up, {plan.duration} s measured)")
    if plan.warmup:
        run_wrk(plan.wrk, plan.base_url + path, headers, plan.warmup, plan.connections)
    return run_wrk(plan.wrk, plan.base_url + path, headers, plan.duration, plan.connections)


def measure_all(
    plan: Plan, endpoints: Sequence[Endpoint], token: str | None
) -> tuple[list[Row], list[WrkResult]]:
    """Each endpoint between two runs of the bare view, its ratio taken to their mean, so a
    machine that speeds up or slows down during the run moves both sides of each ratio."""
    bare_headers = {"Accept": "application/json"}
    bares = [measure(plan, BARE_PATH, bare_headers)]
    rows = []
    for endpoint in endpoints:
        headers, skipped = probe(plan.base_url, endpoint, token)
        if skipped:
            rows.append(Row(endpoint, note=skipped))
            continue
        result = measure(plan, endpoint.path, headers)
        bares.append(measure(plan, BARE_PATH, bare_headers))
        local_bare = (bares[-2].requests_per_second + bares[-1].requests_per_second) / 2
        note = f"{result.errors} errors of {result.requests}" if result.errors else ""
        rows.append(Row(endpoint, result, result.requests_per_second / local_bare, note))
    return rows, bares


# --- Writes: each request on its own rupture, so they go through the driver, not wrk ----------

WRITE_NOTE = "A benchmark rupture."  # marks what the writes flag, to remove it afterwards


def remove_written(family_id: int) -> int:
    """The ruptures the writes flagged (their note marks them), with their notices: removed
    before the GETs and after the writes, so that each run on a database reads the same
    population (the parent's list and inbox grew by a hundred ruptures a run otherwise)."""
    from ruptures.models import Notification, Rupture

    written = list(
        Rupture.objects.filter(family_id=family_id, note=WRITE_NOTE).values_list("pk", flat=True)
    )
    Notification.objects.filter(rupture_id__in=written).delete()
    Rupture.objects.filter(pk__in=written).delete()
    return len(written)


async def _measure_writes(
    base_url: str, fixture: Fixture, parent_token: str, child_token: str, count: int, width: int
) -> list[tuple[str, driver.Stats, float]]:
    """flag (child), acknowledge (parent), message (child), confirm (child), each ``count``
    times at ``width`` concurrent requests, each between two driver runs of the bare view:
    (label, stats, ratio to the mean of those two bare runs)."""
    results: list[tuple[str, driver.Stats, float]] = []
    async with driver.new_session(width) as session:
        anonymous = driver.Client(session, base_url, driver.Recorder())
        child = driver.Client(session, base_url, driver.Recorder(), child_token)
        parent = driver.Client(session, base_url, driver.Recorder(), parent_token)
        ids: list[int] = []

        async def bare_rate() -> float:
            recorder = driver.Recorder()
            client = driver.Client(session, base_url, recorder)
            jobs = [lambda: client.call("bare", "GET", BARE_PATH) for _ in range(count)]
            elapsed = await driver.each(jobs, width, recorder)
            return count / elapsed

        async def flag(label: str) -> None:
            body = {
                "family": fixture.family_id,
                "parent": parent_id,
                "feelings": ["hurt", "sad"],
                "intensity": 3,
                "note": WRITE_NOTE,
            }
            status, answer = await child.call(label, "POST", "/api/v1/ruptures/", body)
            if status == 201 and isinstance(answer, dict):
                ids.append(int(answer["id"]))

        bare_before = 0.0

        async def timed(label: str, client: driver.Client, jobs: list[Any]) -> None:
            """One write endpoint between two bare runs; its stats and ratio join ``results``."""
            nonlocal bare_before
            say(f"driver: {label} x{len(jobs)}")
            recorder = client.recorder = driver.Recorder()
            elapsed = await driver.each(jobs, width, recorder)
            bare_after = await bare_rate()
            stats = recorder.get(label)
            stats.elapsed = elapsed
            results.append((label, stats, stats.rate / ((bare_before + bare_after) / 2)))
            bare_before = bare_after

        status, me = await parent.call("me", "GET", "/api/v1/me/")
        parent_id = int(me["id"]) if status == 200 and isinstance(me, dict) else 0
        await anonymous.call("warm", "GET", BARE_PATH)
        bare_before = await bare_rate()
        label = "POST /api/v1/ruptures/ (flag)"
        await timed(label, child, [partial(flag, label) for _ in range(count)])
        label = "POST /api/v1/ruptures/{id}/acknowledge/"
        await timed(
            label,
            parent,
            [
                partial(parent.call, label, "POST", f"/api/v1/ruptures/{pk}/acknowledge/")
                for pk in ids
            ],
        )
        label = "POST /api/v1/ruptures/{id}/messages/"
        body = {"body": "I'm ready to talk."}
        await timed(
            label,
            child,
            [
                partial(child.call, label, "POST", f"/api/v1/ruptures/{pk}/messages/", body)
                for pk in ids
            ],
        )
        label = "POST /api/v1/ruptures/{id}/confirm/"
        await timed(
            label,
            child,
            [partial(child.call, label, "POST", f"/api/v1/ruptures/{pk}/confirm/") for pk in ids],
        )
    return results


def format_writes(rows: Sequence[tuple[str, driver.Stats, float]]) -> str:
    lines = [
        "| write | req/s | p50 | p99 | ratio to bare | note |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for label, stats, ratio in rows:
        note = f"{stats.errors} non-2xx of {stats.count}: {stats.statuses}" if stats.errors else ""
        lines.append(
            f"| {label} | {stats.rate:,.0f} | {stats.percentile_ms(0.5):.1f} ms "
            f"| {stats.percentile_ms(0.99):.1f} ms | {ratio:.2f} | {note} |"
        )
    return "\n".join(lines)


# --- Report ----------------------------------------------------------------------------------


def format_table(rows: Sequence[Row], bares: Sequence[WrkResult]) -> str:
    rates = [bare.requests_per_second for bare in bares]
    mean_rate = sum(rates) / len(rates)
    mean_p99 = sum(bare.p99_ms for bare in bares) / len(bares)
    lines = [
        "| endpoint | req/s | p99 | ratio to bare | note |",
        "|---|---:|---:|---:|---|",
        f"| GET {BARE_PATH} | {mean_rate:,.0f} | {mean_p99:.1f} ms | 1.00 "
        f"| mean of {len(rates)} runs, {min(rates):,.0f} to {max(rates):,.0f} req/s |",
    ]
    for row in rows:
        if row.result is None or row.ratio is None:
            lines.append(f"| {row.endpoint.label} | - | - | - | {row.note} |")
            continue
        lines.append(
            f"| {row.endpoint.label} | {row.result.requests_per_second:,.0f} "
            f"| {row.result.p99_ms:.1f} ms | {row.ratio:.2f} | {row.note} |"
        )
    return "\n".join(lines)


def postgres_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        row = cursor.fetchone()
    connection.close()
    return str(row[0]).split()[0] if row else "?"


@dataclass(frozen=True)
class Options:
    duration: int = DEFAULT_DURATION_SECONDS
    connections: int = DEFAULT_CONNECTIONS
    families: int = DEFAULT_FAMILIES
    writes: int = DEFAULT_WRITES
    warmup: int = WARMUP_SECONDS
    paths: tuple[str, ...] = ()
    web_workers: int = GUNICORN_WORKERS


def bench_environment(stack: contextlib.ExitStack, workdir: Path) -> dict[str, str]:
    """Redis and PostgreSQL (the environment's, when DATABASE_URL / REDIS_URL are set, else
    throwaway ones) and the production-like settings gunicorn and this process run with."""
    redis_url = os.environ.get("REDIS_URL") or stack.enter_context(private_redis(workdir / "redis"))
    database_url = os.environ.get("DATABASE_URL") or stack.enter_context(
        throwaway_postgres(workdir / "pg")
    )
    if os.environ.get("DATABASE_URL"):
        say("using DATABASE_URL from the environment (migrated, populated, two passwords set)")
    return {
        **os.environ,
        "DJANGO_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "EMAIL_HOST": "127.0.0.1",  # benchmarks.settings writes mail to files instead
        "FAMILYREPAIR_DATA_DIR": str(workdir / "data"),
        "BEAT_HEARTBEAT_SECONDS": "3600",
        "LOG_LEVEL": "WARNING",
    }


def machine_line() -> str:
    import django

    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"PostgreSQL {postgres_version()}, Redis; Django {django.get_version()}, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average {load}"
    )


def benchmark(options: Options) -> int:
    wrk = ensure_command("wrk", "wrk")
    with contextlib.ExitStack() as stack:
        workdir = Path(tempfile.mkdtemp(prefix="familyrepair-bench-"))
        stack.callback(shutil.rmtree, workdir, ignore_errors=True)
        workdir.chmod(0o711)  # the postgres user must reach its cluster inside
        env = bench_environment(stack, workdir)
        fixture = prepare_database(env, options.families)
        population = population_size()
        base_url = stack.enter_context(gunicorn(env, workdir, options.web_workers))
        token, why = log_in(base_url, fixture.parent_email, fixture.password)
        child_token, _ = log_in(base_url, fixture.child_email, fixture.password)
        if token is None:
            print(f"note: authenticated endpoints skipped: {why}", flush=True)
        names = {"family": fixture.family_id, "child": fixture.child_id}
        names["rupture"] = fixture.rupture_id
        paths = options.paths or tuple(AUTHENTICATED_ENDPOINTS)
        endpoints = [
            Endpoint(f"GET {HEALTH_PATH}", HEALTH_PATH),
            *(Endpoint(f"GET {path}", path.format(**names), authenticated=True) for path in paths),
        ]
        plan = Plan(wrk, base_url, options.duration, options.connections, options.warmup)
        rows, bares = measure_all(plan, endpoints, token)
        writes: list[tuple[str, driver.Stats, float]] = []
        if options.writes and token and child_token:
            writes = asyncio.run(
                _measure_writes(
                    base_url, fixture, token, child_token, options.writes, options.connections
                )
            )
            say(f"removed the {remove_written(fixture.family_id)} ruptures the writes flagged")
        machine = machine_line()

    print(
        f"\ngunicorn {options.web_workers} sync workers, wrk -t{WRK_THREADS} "
        f"-c{options.connections} -d{options.duration}s on loopback; {population}; {machine}\n"
    )
    print(format_table(rows, bares))
    rates = [bare.requests_per_second for bare in bares]
    print("\nEach ratio is to the mean of the bare runs just before and after that endpoint.")
    if max(rates) > 1.2 * min(rates):
        print(
            "The bare view's speed varied by more than 20% during the run: the machine was busy, "
            "so read the ratios with caution and run again."
        )
    if writes:
        print(
            f"\nWrites, {options.writes} each on its own rupture, {options.connections} at a time "
            "(benchmarks/driver.py; the ratio is to the bare view through the same driver):\n"
        )
        print(format_writes(writes))
    return 0


def _exit_on_signal(signum: int, frame: FrameType | None) -> NoReturn:
    raise SystemExit(128 + signum)  # unwinds through the ExitStack, which stops every process


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--duration",
        type=int,
        default=DEFAULT_DURATION_SECONDS,
        help=f"seconds of wrk per endpoint (default {DEFAULT_DURATION_SECONDS})",
    )
    parser.add_argument(
        "--connections",
        type=int,
        default=DEFAULT_CONNECTIONS,
        help=f"concurrent connections (default {DEFAULT_CONNECTIONS})",
    )
    parser.add_argument(
        "--families",
        type=int,
        default=DEFAULT_FAMILIES,
        help=f"population size (default {DEFAULT_FAMILIES:,}; 100000 is the full population)",
    )
    parser.add_argument(
        "--writes",
        type=int,
        default=DEFAULT_WRITES,
        help=f"requests per write endpoint (default {DEFAULT_WRITES}; 0 skips writes)",
    )
    parser.add_argument(
        "--web-workers",
        type=int,
        default=GUNICORN_WORKERS,
        help=f"gunicorn sync workers (default {GUNICORN_WORKERS}, as issue 12 measured; the "
        "production image runs WEB_CONCURRENCY, 3 by default)",
    )
    parser.add_argument(
        "--only", action="append", default=[], metavar="PATH", help="measure only these GETs"
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help=f"a tiny run that checks the benchmark works ({SMOKE_FAMILIES} families, 1 s each)",
    )
    args = parser.parse_args(argv)
    options = Options(
        duration=args.duration,
        connections=args.connections,
        families=args.families,
        writes=args.writes,
        paths=tuple(args.only),
        web_workers=args.web_workers,
    )
    if args.smoke:
        options = Options(
            duration=1,
            connections=4,
            families=SMOKE_FAMILIES,
            writes=4,
            warmup=0,
            web_workers=args.web_workers,
        )
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGHUP, _exit_on_signal)
    try:
        return benchmark(options)
    except BenchmarkError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; every process this run started has been stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
