"""The therapist's screens under a real caseload: server time of the caseload and of one family's
dashboard, as ratios to the bare Django view measured in the same run, and their query counts.

    .venv/bin/python benchmarks/dashboard/run.py [--families 200] [--weeks 104] [--repeats 60]
    .venv/bin/python benchmarks/dashboard/run.py --smoke    # a tiny run that checks it works

Starts a throwaway PostgreSQL cluster (or uses DATABASE_URL) and a private Redis (or REDIS_URL),
as benchmarks/http/run.py does, with the production settings plus ``/bench/bare``. One verified
therapist with MFA holds every family's grant; each family has about three ruptures a week over
the history, with their events, messages and prompts (``manage.py populate``'s generator, written
with COPY). Requests go through Django's full stack in this process (the test client: no
network, so the time is the server's), each endpoint interleaved with the bare view; the ratios
are what to compare between runs and machines.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from benchmarks.http.run import (  # run as a script: the repository root first
    BenchmarkError,
    _exit_on_signal,
    bench_environment,
    machine_line,
    say,
)

DEFAULT_FAMILIES = 200
DEFAULT_WEEKS = 104  # two years
DEFAULT_REPEATS = 60
RUPTURES_PER_WEEK = 3
SMOKE = {"families": 3, "weeks": 8, "repeats": 3}
HOST = "localhost"


@dataclass(frozen=True)
class Options:
    families: int = DEFAULT_FAMILIES
    weeks: int = DEFAULT_WEEKS
    repeats: int = DEFAULT_REPEATS


@dataclass(frozen=True)
class Timing:
    label: str
    median_ms: float
    p95_ms: float
    queries: int
    status: int


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def earlier_caseload(families: int) -> int | None:
    """A therapist an earlier run on the same database built (with MFA and a caseload of exactly
    ``families``), so a populated ``DATABASE_URL`` is measured again as it is."""
    from allauth.mfa.models import Authenticator
    from django.db.models import Count, Q

    from accounts.models import User

    found: int | None = (
        User.objects.filter(
            is_therapist=True,
            pk__in=Authenticator.objects.filter(type=Authenticator.Type.TOTP).values("user_id"),
        )
        .annotate(n=Count("care_grants", filter=Q(care_grants__revoked_at__isnull=True)))
        .filter(n=families)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    return found


def build(options: Options) -> tuple[int, int]:
    """Migrate and write the caseload (unless an earlier run did, on the same database); returns
    (therapist id, the first family's id)."""
    from allauth.mfa.models import Authenticator
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import User
    from ruptures.management.commands.populate import Population, copy_population

    days = options.weeks * 7
    per_family = options.weeks * RUPTURES_PER_WEEK

    class Caseload(Population):
        ruptures_per_family = (per_family * 9 // 10, per_family * 11 // 10)
        family_age_days = (days, days)
        caseload_every = 1  # every family on the one therapist's caseload
        made_therapists: list[int] = []

        def therapists(self) -> list[int]:
            self.made_therapists = super().therapists()
            return self.made_therapists

    say("migrating")
    call_command("migrate", interactive=False, verbosity=0)
    earlier = earlier_caseload(options.families)
    if earlier is not None:
        say(f"measuring the caseload an earlier run built (therapist {earlier})")
        return earlier, _first_family(earlier)
    started = time.monotonic()
    population = Caseload(families=options.families, seed=11, now=timezone.now())
    copy_population(population, batch=50)
    say(
        f"populated {options.families} families over {options.weeks} weeks in "
        f"{time.monotonic() - started:.1f} s"
    )
    therapist_id = population.made_therapists[0]
    therapist = User.objects.get(pk=therapist_id)
    Authenticator.objects.create(
        user=therapist, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    return therapist_id, _first_family(therapist_id)


def _first_family(therapist_id: int) -> int:
    from accounts.models import CareTeamGrant

    grant = CareTeamGrant.objects.filter(therapist_id=therapist_id).order_by("family_id").first()
    assert grant is not None  # the population gave every family a grant
    return grant.family_id


def measure(options: Options, therapist_id: int, family_id: int) -> tuple[list[Timing], str]:
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from ruptures.models import Rupture

    client = Client(HTTP_HOST=HOST, secure=True)
    client.force_login(User.objects.get(pk=therapist_id))
    care = "/api/v1/care/families/"
    requests: list[tuple[str, str, dict[str, str]]] = [
        ("GET /bench/bare", "/bench/bare", {}),
        ("GET caseload", care, {}),
        ("GET dashboard (90 days)", f"{care}{family_id}/dashboard/", {}),
        (
            "GET dashboard (365 days, compare)",
            f"{care}{family_id}/dashboard/",
            {"period": "365", "compare": "true"},
        ),
        ("GET export (365 days, CSV)", f"{care}{family_id}/export/", {"period": "365"}),
    ]

    executed: list[tuple[str, float]] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            executed.append((sql, time.perf_counter() - started))

    def once(path: str, params: dict[str, str]) -> tuple[float, int, int]:
        executed.clear()
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            response = client.get(path, params)
            elapsed = time.perf_counter() - started
        if os.environ.get("BENCH_SHOW_QUERIES"):
            for sql, seconds in executed:
                print(f"{seconds * 1000:8.1f} ms  {sql[:160]}", file=sys.stderr)
        return elapsed, len(executed), response.status_code

    for _, path, params in requests:  # warm: session, imports, plans
        once(path, params)
    samples: dict[str, list[float]] = {label: [] for label, _, _ in requests}
    counts: dict[str, tuple[int, int]] = {}
    for _ in range(options.repeats):
        for label, path, params in requests:  # interleaved, so load changes touch all alike
            elapsed, queries, status = once(path, params)
            samples[label].append(elapsed * 1000)
            counts[label] = (queries, status)
    timings = [
        Timing(label, statistics.median(values), p95(values), *counts[label])
        for label, values in samples.items()
    ]
    size = (
        f"{options.families} families on one caseload, {Rupture.objects.count():,} ruptures "
        f"over {options.weeks} weeks"
    )
    return timings, size


def format_table(timings: Sequence[Timing]) -> str:
    bare = timings[0]
    lines = [
        "| request | median | p95 | median / bare | p95 / bare | queries | status |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for t in timings:
        lines.append(
            f"| {t.label} | {t.median_ms:.1f} ms | {t.p95_ms:.1f} ms "
            f"| {t.median_ms / bare.median_ms:.1f} | {t.p95_ms / bare.p95_ms:.1f} "
            f"| {t.queries} | {t.status} |"
        )
    return "\n".join(lines)


def benchmark(options: Options) -> int:
    with contextlib.ExitStack() as stack:
        workdir = Path(tempfile.mkdtemp(prefix="familyrepair-dashboard-"))
        stack.callback(shutil.rmtree, workdir, ignore_errors=True)
        workdir.chmod(0o711)  # the postgres user must reach its cluster inside
        env = bench_environment(stack, workdir)
        env["DEBUG"] = "false"
        os.environ.update(env)
        import django

        django.setup()
        (Path(env["FAMILYREPAIR_DATA_DIR"]) / "static").mkdir(parents=True, exist_ok=True)
        therapist_id, family_id = build(options)
        timings, size = measure(options, therapist_id, family_id)
        machine = machine_line()
        from django.db import connections

        connections.close_all()
    bad = [t for t in timings if t.status != 200]
    print(f"\n{size}; {options.repeats} requests each, in process; {machine}\n")
    print(format_table(timings))
    print("\nEach ratio is to the bare Django view measured in the same loop.")
    if bad:
        print("error: " + ", ".join(f"{t.label} answered {t.status}" for t in bad))
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--families", type=int, default=DEFAULT_FAMILIES)
    parser.add_argument("--weeks", type=int, default=DEFAULT_WEEKS, help="history per family")
    parser.add_argument("--repeats", type=int, default=DEFAULT_REPEATS)
    parser.add_argument("--smoke", action="store_true", help="a tiny run that checks it works")
    args = parser.parse_args(argv)
    options = Options(args.families, args.weeks, args.repeats)
    if args.smoke:
        options = Options(**SMOKE)
    handler: Callable[[int, Any], Any] = _exit_on_signal
    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGHUP, handler)
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
