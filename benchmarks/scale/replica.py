"""The therapist dashboard's reads on a streaming replica: a primary and a replica on loopback.

    .venv/bin/python benchmarks/scale/replica.py [--grants 200] [--rounds 200]
    .venv/bin/python benchmarks/scale/replica.py --smoke

Starts two throwaway PostgreSQL servers, a primary and a streaming replica of it made with
``pg_basebackup -R`` (both as the ``postgres`` user when run as root, like ``scripts/services.sh``),
points Django at both (``DATABASE_URL``, ``DATABASE_REPLICA_URL``), migrates the primary (the
replica follows through WAL), writes a therapist with ``--grants`` family grants, then checks:

- reads inside ``familyrepair.db.replica_reads()`` run on the replica (``pg_is_in_recovery()``
  there), reads outside it and every write run on the primary, even inside the block;
- the replica refuses a write (it is read-only), so nothing can be written there by mistake;
- how long a write on the primary takes to be readable on the replica (``--rounds`` times:
  p50/p99/max), and the caseload selector's time on each server.

Prints a table; exits 1 when a check fails. Everything it started is stopped on exit.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from tests.support.processes import PostgresServer  # noqa: E402  # needs the repo on sys.path


def say(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)


def setup_django(primary: str, replica: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="familyrepair.settings.test",
        DATABASE_URL=primary,
        DATABASE_REPLICA_URL=replica,
        SECRET_KEY="benchmark-only-insecure-key",  # noqa: S106  # a throwaway local run
    )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)  # the router keeps it off the replica


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--grants", type=int, default=200, help="families in the caseload")
    parser.add_argument("--rounds", type=int, default=200, help="lag and read samples")
    parser.add_argument("--smoke", action="store_true", help="a tiny run: 5 grants, 10 rounds")
    args = parser.parse_args()
    if args.smoke:
        args.grants, args.rounds = 5, 10
    checks: list[tuple[str, bool]] = []

    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="fr-replica-")))
        say("starting a primary and a streaming replica")
        primary = stack.enter_context(PostgresServer(tmp / "primary"))
        replica = stack.enter_context(PostgresServer(tmp / "replica", standby_of=primary))
        say("migrating the primary")
        setup_django(primary.url, replica.url)

        from django.db import connections
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from accounts.models import CareTeamGrant, Family, User
        from accounts.selectors import care_families_for
        from familyrepair.db import replica_reads

        def in_recovery(alias: str) -> bool:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT pg_is_in_recovery()")
                return bool(cursor.fetchone()[0])

        checks.append(
            (
                "the replica is a standby, the primary is not",
                in_recovery("replica") and not in_recovery("default"),
            )
        )

        therapist = User.objects.create(
            email="therapist@bench.familyrepair.localhost",
            display_name="T",
            is_therapist=True,
            therapist_verified_at=timezone.now(),
            password="!",  # noqa: S106  # unusable
        )
        families = Family.objects.bulk_create(
            Family(name=f"Replica {i}") for i in range(args.grants)
        )
        CareTeamGrant.objects.bulk_create(
            CareTeamGrant(family=f, therapist=therapist) for f in families
        )

        # Lag: a write on the primary, then poll the replica until it is there.
        lags: list[float] = []
        for i in range(args.rounds):
            written = time.perf_counter()
            family = Family.objects.create(name=f"Lag {i}")
            while not Family.objects.using("replica").filter(pk=family.pk).exists():
                if time.perf_counter() - written > 10:
                    break
            lags.append((time.perf_counter() - written) * 1000)
        checks.append(("every write reached the replica within 10 s", max(lags) < 10_000))

        # Routing: the caseload read in and out of replica_reads(); a write inside it.
        with (
            CaptureQueriesContext(connections["replica"]) as on_replica,
            CaptureQueriesContext(connections["default"]) as on_primary,
        ):
            with replica_reads():
                caseload = list(care_families_for(therapist))
                Family.objects.create(name="written inside replica_reads")
            outside = list(care_families_for(therapist))

        def reads(queries: CaptureQueriesContext) -> int:
            return sum("accounts_careteamgrant" in q["sql"] for q in queries)

        def inserts(queries: CaptureQueriesContext) -> int:
            return sum(q["sql"].startswith("INSERT") for q in queries)

        checks += [
            (
                "inside replica_reads() the caseload is read on the replica",
                len(caseload) == args.grants and reads(on_replica) == 1,
            ),
            (
                "a write inside replica_reads() goes to the primary",
                inserts(on_primary) == 1 and inserts(on_replica) == 0,
            ),
            (
                "outside it the caseload is read on the primary",
                len(outside) == args.grants and reads(on_primary) == 1,
            ),
        ]

        refused = False
        try:
            Family.objects.using("replica").create(name="must fail")
        except Exception as exc:  # any refusal will do; its words say which
            refused = "read-only" in str(exc)
        checks.append(("the replica refuses writes (read-only transaction)", refused))

        timings: dict[str, list[float]] = {"default": [], "replica": []}
        for _ in range(args.rounds):
            for alias in timings:
                started = time.perf_counter()
                list(care_families_for(therapist).using(alias))
                timings[alias].append((time.perf_counter() - started) * 1000)
        load = os.getloadavg()[0]
        connections.close_all()

    print()
    print(
        "primary + streaming replica on loopback (PostgreSQL, pg_basebackup -R); caseload of "
        f"{args.grants} families; {args.rounds} samples; {os.cpu_count()} cores, load {load:.1f}"
    )
    print()
    print("| check | result |\n|---|---|")
    for label, ok in checks:
        print(f"| {label} | {'ok' if ok else '**FAILED**'} |")
    print()
    print("| measure | p50 | p99 | max |\n|---|---:|---:|---:|")
    print(
        "| replication lag (write on primary to readable on replica) "
        f"| {percentile(lags, 0.5):.1f} ms | {percentile(lags, 0.99):.1f} ms "
        f"| {max(lags):.1f} ms |"
    )
    for alias, label in (("default", "primary"), ("replica", "replica")):
        values = timings[alias]
        print(
            f"| caseload selector on the {label} | {statistics.median(values):.1f} ms "
            f"| {percentile(values, 0.99):.1f} ms | {max(values):.1f} ms |"
        )
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
