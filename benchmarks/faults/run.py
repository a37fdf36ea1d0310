"""Fault drills: what was acknowledged against what is in the database, with real processes.

    .venv/bin/python benchmarks/faults/run.py                 # all three drills, ~3 minutes
    .venv/bin/python benchmarks/faults/run.py --drill redis   # postgres | redis | worker
    .venv/bin/python benchmarks/faults/run.py --smoke         # tiny: does it still run?

All on loopback, on a throwaway PostgreSQL cluster and a private Redis, every process stopped on
exit; each drill is bounded by ``--timeout``.

- **postgres**: requests flag ruptures through the whole Django stack (middleware, DRF, one
  transaction per request, the error handler) while PostgreSQL is restarted (``pg_ctl restart -m
  fast``). Every answer must be a 201 or our JSON error envelope; every 201 (acknowledged) must be
  in the database afterwards; requests must succeed again once PostgreSQL is back.
- **redis**: a burst of prompts delivered by a worker and beat (Web Push to the local push
  service) while Redis is SIGKILLed and started again, empty. The worker must not exit (it
  used to, with ``AttributeError: 'hostname'``); every prompt must end sent, once each.
- **worker**: the same burst, with the worker SIGKILLed mid-batch (pool and all) and another
  started: what it held comes back through lease reclaims, once each.

Prints one table; exits 1 when a drill lost or repeated anything.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from benchmarks.prompts.run import make_recipients, setup_django  # noqa: E402  # repo on sys.path
from tests.support.processes import (  # noqa: E402
    CeleryProcess,
    PostgresServer,
    RedisServer,
    celery_env,
)
from tests.support.push_server import PushServer  # noqa: E402

LEASE_SECONDS = 8  # short, so what a fault loses comes back within the drill
# Claims and delivery batches small enough that a fault lands mid-burst: with production's
# batches of 200, a smoke run's 100 prompts went out in one batch before the fault, and the drill
# saw nothing to recover.
DRILL_SETTINGS = {
    "PROMPT_MAX_IN_FLIGHT": "200",
    "PROMPT_CLAIM_BATCH": "100",
    "PROMPT_DELIVER_BATCH": "10",
}


@dataclass
class Row:
    drill: str
    acknowledged: int = 0  # 201s, or prompts committed
    in_database: int = 0  # of those, found afterwards (sent, for prompts)
    repeats: int = 0  # prompts notified or pushed more than once
    failed_cleanly: int = 0  # error answers in our JSON envelope
    failed_otherwise: int = 0  # anything else (must be 0)
    recovered_after: float | None = None  # seconds from the fault to the next success
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.acknowledged > 0
            and self.in_database == self.acknowledged
            and self.repeats == 0
            and self.failed_otherwise == 0
            and self.recovered_after is not None
        )

    def line(self) -> str:
        recovered = "-" if self.recovered_after is None else f"{self.recovered_after:.1f} s"
        return (
            f"| {self.drill} | {self.acknowledged:,} | {self.in_database:,} "
            f"| {self.acknowledged - self.in_database:,} | {self.repeats} | {self.failed_cleanly} "
            f"| {self.failed_otherwise} | {recovered} | {'ok' if self.ok else '**FAILED**'} "
            f"| {'; '.join(self.notes)} |"
        )


HEADER = (
    "| drill | acknowledged | in the database | lost | repeated | failed cleanly "
    "| failed otherwise | recovered after | verdict | notes |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---|---|"
)


def say(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)


# --- PostgreSQL restarted under load ------------------------------------------------------------
def drill_postgres(postgres: PostgresServer, *, seconds: float) -> Row:
    from django.conf import settings
    from django.db import close_old_connections
    from django.test import Client

    from accounts.models import Family, Membership, Role, User
    from ruptures.models import Rupture

    row = Row("PostgreSQL restarted under load")
    family = Family.objects.create(name="Drill", calm_down_minutes=0)
    parent = User.objects.create(email="drill-parent@familyrepair.localhost", display_name="P")
    child = User.objects.create(display_name="C", is_child_profile=True)
    Membership.objects.bulk_create(
        [
            Membership(family=family, user=parent, role=Role.PARENT),
            Membership(family=family, user=child, role=Role.CHILD),
        ]
    )
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the test client's host
    # The 503s (database unavailable, with Retry-After) are expected here; the table counts them,
    # their log lines would only drown it.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    client = Client(raise_request_exception=False)
    client.force_login(child)
    body = {"family": family.pk, "parent": parent.pk, "feelings": ["hurt"], "intensity": 3}

    acknowledged: list[int] = []
    statuses: Counter[int] = Counter()
    fault: dict[str, float] = {}

    def restart() -> None:
        fault["at"] = time.monotonic()
        say("restarting PostgreSQL")
        postgres.restart()
        fault["back"] = time.monotonic()

    thread = threading.Thread(target=restart, daemon=True)
    began = time.monotonic()

    def going() -> bool:
        """For ``seconds``, and until the first success after the restart (a minute at most)."""
        now = time.monotonic()
        waiting = "at" not in fault or row.recovered_after is None
        return now < began + seconds or (waiting and now < began + seconds + 60)

    while going():
        if (
            "at" not in fault
            and not thread.is_alive()
            and (sum(statuses.values()) >= 5 or time.monotonic() > began + seconds / 3)
        ):
            thread.start()  # in the background: requests keep coming while it restarts
        # What Django's request_started/finished do around every request of a real server
        # (a broken connection is dropped, a new one opened); the test client turns them off.
        close_old_connections()
        response = client.post("/api/v1/ruptures/", body, content_type="application/json")
        statuses[response.status_code] += 1
        if response.status_code == 201:
            acknowledged.append(response.json()["id"])
            if "at" in fault and row.recovered_after is None and "back" in fault:
                row.recovered_after = time.monotonic() - fault["at"]
            continue
        try:
            envelope = response.json()
            clean = envelope["status"] == response.status_code and envelope["errors"][0]["code"]
        except (ValueError, KeyError, IndexError, TypeError):
            clean = False
        if clean:
            row.failed_cleanly += 1
        else:
            row.failed_otherwise += 1
        time.sleep(0.05)
    if thread.ident is not None:
        thread.join(timeout=60)
    close_old_connections()
    row.acknowledged = len(acknowledged)
    row.in_database = Rupture.objects.filter(pk__in=acknowledged).count()
    row.notes.append(", ".join(f"{code}: {n}" for code, n in sorted(statuses.items())))
    return row


# --- prompts through a worker while something fails ---------------------------------------------
def drill_prompts(
    name: str,
    fault: Callable[[], None],
    *,
    recipients: list[tuple[int, int]],
    prompts: int,
    push: PushServer,
    workers: list[CeleryProcess],
    new_worker: Callable[[], CeleryProcess],
    timeout: float,
) -> Row:
    from django.db.models import Count, Sum
    from django.utils import timezone

    from ruptures.models import Notification, Prompt, PromptKind, PromptStatus

    row = Row(name)
    pushes_before = len(push.delivered())
    due = timezone.now()
    slots = [
        (p, r, k) for p, r in recipients for k in (PromptKind.HEADS_UP, PromptKind.REPAIR_PROMPT)
    ]
    rows = Prompt.objects.bulk_create(
        Prompt(recipient_id=p, rupture_id=r, kind=k, due_at=due, created_at=due)
        for p, r, k in slots[:prompts]
    )
    ids = [r.pk for r in rows]
    ours = Prompt.objects.filter(pk__in=ids)
    row.acknowledged = len(ids)

    def sent() -> int:
        return ours.filter(status=PromptStatus.SENT).count()

    deadline = time.monotonic() + timeout
    while sent() < len(ids) // 4 and time.monotonic() < deadline:
        time.sleep(0.1)
    at = time.monotonic()
    before_fault = sent()
    fault()
    crashed = 0
    while (done := sent()) < len(ids) and time.monotonic() < deadline:
        if row.recovered_after is None and done > before_fault:
            row.recovered_after = time.monotonic() - at
        for worker in list(workers):
            if not worker.alive():  # what compose's restart policy would do; counted
                crashed += 1
                workers.remove(worker)
                workers.append(new_worker())
        time.sleep(0.2)
    row.in_database = sent()
    if row.recovered_after is None and row.in_database > before_fault:
        row.recovered_after = time.monotonic() - at
    time.sleep(1)  # a push still on the wire is counted
    notified = Notification.objects.filter(prompt_id__in=ids).values("prompt_id")
    twice = notified.annotate(n=Count("id")).filter(n__gt=1).count()
    keys = Counter(
        ((r.payload or {}).get("rupture"), (r.payload or {}).get("kind"))
        for r in push.delivered()[pushes_before:]
    )
    pushed_twice = sum(1 for n in keys.values() if n > 1)
    reclaims = ours.aggregate(n=Sum("reclaims"))["n"] or 0
    resumed = ours.aggregate(n=Sum("resumed"))["n"] or 0
    # A repeat is allowed only where the lease ran out or a send was cut short (and logged).
    row.repeats = twice + max(0, pushed_twice - reclaims - resumed)
    row.notes.append(
        f"worker exits: {crashed}, reclaims: {reclaims}, resumed: {resumed}, "
        f"pushes repeated after a reclaim: {pushed_twice}"
    )
    return row


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--drill", choices=("all", "postgres", "redis", "worker"), default="all")
    parser.add_argument("--seconds", type=float, default=20, help="postgres: load duration")
    parser.add_argument("--prompts", type=int, default=2000, help="redis/worker: burst size")
    parser.add_argument("--timeout", type=float, default=90, help="per prompt drill, seconds")
    parser.add_argument("--smoke", action="store_true", help="tiny: 6 s of load, 100 prompts")
    args = parser.parse_args()
    if args.smoke:
        args.seconds, args.prompts, args.timeout = 6, 100, 90
    drills = ("postgres", "redis", "worker") if args.drill == "all" else (args.drill,)
    rows: list[Row] = []

    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="fr-faults-")))
        say("starting a throwaway PostgreSQL and a private Redis")
        postgres = stack.enter_context(PostgresServer(tmp / "pg"))
        redis = stack.enter_context(RedisServer(tmp / "redis"))
        setup_django(postgres.url, redis.url)
        if "postgres" in drills:
            say("drill: PostgreSQL restarted under load")
            rows.append(drill_postgres(postgres, seconds=args.seconds))
        prompt_drills = [d for d in drills if d != "postgres"]
        if prompt_drills:
            from ruptures.management.commands.generate_vapid_keys import generate_vapid_keys

            keys = generate_vapid_keys()
            push = stack.enter_context(PushServer(vapid_public_key=keys.public_key))
            env = celery_env(
                database_url=postgres.url,
                redis_url=redis.url,
                data_dir=tmp,
                vapid_public_key=keys.public_key,
                vapid_private_key=keys.private_key,
                lease_seconds=LEASE_SECONDS,
                sweep_seconds=1.0,
                extra=DRILL_SETTINGS,
            )
            started: list[CeleryProcess] = []

            def new_worker() -> CeleryProcess:
                worker = CeleryProcess.worker(f"w{len(started) + 1}", env=env, directory=tmp)
                started.append(worker)
                return worker.start()

            def stop_started() -> None:
                for process in started:
                    process.stop()

            stack.callback(stop_started)
            beat = CeleryProcess.beat("beat", env=env, directory=tmp)
            started.append(beat)
            workers = [new_worker().wait_ready(timeout=90)]
            beat.start().wait_ready(timeout=90)
            parents = -(-args.prompts // 10)
            for drill in prompt_drills:
                recipients = make_recipients(parents, push=push, tag=drill)
                if drill == "redis":
                    say("drill: Redis killed and restarted under load")

                    def kill_redis() -> None:
                        redis.kill()
                        time.sleep(2)
                        redis.start()

                    rows.append(
                        drill_prompts(
                            "Redis killed and restarted under load",
                            kill_redis,
                            recipients=recipients,
                            prompts=args.prompts,
                            push=push,
                            workers=workers,
                            new_worker=new_worker,
                            timeout=args.timeout,
                        )
                    )
                else:
                    say("drill: a worker killed mid-batch")

                    def kill_worker() -> None:
                        victim = workers.pop()
                        victim.kill()
                        workers.append(new_worker())

                    rows.append(
                        drill_prompts(
                            "worker SIGKILLed mid-batch",
                            kill_worker,
                            recipients=recipients,
                            prompts=args.prompts,
                            push=push,
                            workers=workers,
                            new_worker=new_worker,
                            timeout=args.timeout,
                        )
                    )
            logs = "".join(p.output() for p in started)
            if "'hostname'" in logs:
                rows[-1].notes.append("a worker log shows the AttributeError 'hostname'")
        load = os.getloadavg()[0]

    print()
    print(
        f"fault drills on loopback; lease {LEASE_SECONDS} s, beat every 1 s; "
        f"{os.cpu_count()} cores, load {load:.1f} at the end"
    )
    print()
    print(HEADER)
    for row in rows:
        print(row.line())
    return 0 if all(row.ok for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
