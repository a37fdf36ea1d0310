"""Prompt delivery: N prompts due at the same instant, one Celery worker, a real beat sweep.

    .venv/bin/python benchmarks/prompts/run.py [--prompts 10000] [--sweep 1] [--timeout 70]

Starts a throwaway PostgreSQL cluster (or uses ``DATABASE_URL``), a private Redis on a Unix
socket, the local Web Push service from ``tests/support`` (VAPID checked, payload decrypted, as a
browser vendor's would), one worker (``--pool prefork --concurrency 2 --prefetch-multiplier 1
-O fair``) and one beat. Then, for each channel mix, writes N prompts due now in one commit and
waits until all are ``sent``:

- in-app only: the recipients have push and email turned off;
- in-app + Web Push: each recipient has one browser subscription on the local push service.

Reports the time until the last one was delivered, the rate, and lateness (``sent_at - due_at``)
p50/p99/max with the beat interval used; every process it started is stopped on exit.
Figures depend on the machine and on whatever else runs on it: compare runs on one machine.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from tests.support.processes import (  # noqa: E402  # needs the repo on sys.path first
    CeleryProcess,
    PostgresServer,
    RedisServer,
    celery_env,
)
from tests.support.push_server import PushServer  # noqa: E402

RUPTURES_PER_PARENT = 5  # two prompts each: a heads-up and a repair prompt


@dataclass(frozen=True)
class Result:
    label: str
    prompts: int
    lateness: list[float]  # sent_at - due_at, seconds, per delivered prompt
    waited: float  # seconds from due until we stopped looking
    reclaims: int
    pushes: int

    @property
    def delivered(self) -> int:
        return len(self.lateness)

    def _percentile(self, fraction: float) -> str:
        """Over all prompts: one not delivered when we stopped is later than ``waited``."""
        rank = min(self.prompts - 1, int(self.prompts * fraction))
        ordered = sorted(self.lateness)
        return f"{ordered[rank]:.1f} s" if rank < len(ordered) else f"> {self.waited:.0f} s"

    def row(self) -> str:
        complete = self.delivered == self.prompts
        seconds = max(self.lateness) if complete else self.waited
        rate = self.delivered / seconds if seconds else 0.0
        all_sent = (
            f"{seconds:.1f} s" if complete
            else f"~{self.prompts / rate:.0f} s (projected)" if rate else "-"
        )  # fmt: skip
        return (
            f"| {self.label} | {self.delivered:,}/{self.prompts:,} | {all_sent} | {rate:.0f}/s "
            f"| {self._percentile(0.50)} | {self._percentile(0.99)} | {self.reclaims} "
            f"| {self.pushes:,} |"
        )


HEADER = (
    "| channels | delivered | time to deliver all | rate | lateness p50 | lateness p99 "
    "| reclaims | pushes accepted |\n"
    "|---|---|---|---|---|---|---|---|"
)


def say(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)


def setup_django(database_url: str, redis_url: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="tests.support.celery_settings",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SECRET_KEY="benchmark-only-insecure-key",  # noqa: S106  # a throwaway local run
    )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def make_recipients(parents: int, *, push: PushServer | None) -> list[tuple[int, int]]:
    """``parents`` parents, each with a child and five flagged ruptures: (parent, rupture) pairs."""
    from accounts.models import Family, Membership, Role, User
    from ruptures.models import Party, PushSubscription, Rupture

    tag = "push" if push else "inapp"
    families = Family.objects.bulk_create(
        Family(name=f"Bench {tag} {i}", calm_down_minutes=0) for i in range(parents)
    )
    users = {
        "notify_email": False, "notify_push": push is not None, "quiet_hours_start": None,
        "quiet_hours_end": None, "password": "!",  # unusable: nobody signs in
    }  # fmt: skip
    parent_users = User.objects.bulk_create(
        User(email=f"{tag}{i}@bench.familyrepair.localhost", display_name=f"P{i}", **users)
        for i in range(parents)
    )
    child_users = User.objects.bulk_create(
        User(display_name=f"C{i}", is_child_profile=True, **users) for i in range(parents)
    )
    Membership.objects.bulk_create(
        [Membership(family=f, user=u, role=Role.PARENT)
         for f, u in zip(families, parent_users, strict=True)]
        + [Membership(family=f, user=u, role=Role.CHILD)
           for f, u in zip(families, child_users, strict=True)]
    )  # fmt: skip
    if push is not None:
        subscriptions = []
        for parent in parent_users:
            browser = push.subscribe()
            subscriptions.append(PushSubscription(
                user=parent, endpoint=browser.endpoint, p256dh=browser.p256dh, auth=browser.auth
            ))  # fmt: skip
        PushSubscription.objects.bulk_create(subscriptions)
    ruptures = Rupture.objects.bulk_create(
        Rupture(family=f, child=c, parent=p, started_by=Party.CHILD, feelings=["hurt"], intensity=3)
        for f, p, c in zip(families, parent_users, child_users, strict=True)
        for _ in range(RUPTURES_PER_PARENT)
    )
    return [(r.parent_id or 0, r.pk) for r in ruptures]


def run_scenario(
    label: str, recipients: list[tuple[int, int]], *, prompts: int, timeout: float,
    push: PushServer | None, redis: RedisServer,
) -> Result:  # fmt: skip
    from django.db.models import Sum
    from django.utils import timezone

    from ruptures.models import Prompt, PromptKind, PromptStatus

    kinds = (PromptKind.HEADS_UP, PromptKind.REPAIR_PROMPT)
    pushes_before = len(push.delivered()) if push else 0
    due = timezone.now()
    rows = [
        Prompt(recipient_id=parent, rupture_id=rupture, kind=kind, due_at=due, created_at=due)
        for parent, rupture in recipients
        for kind in kinds
    ][:prompts]
    Prompt.objects.bulk_create(rows, batch_size=2000)
    say(f"{label}: {len(rows):,} prompts due at once; waiting up to {timeout:.0f} s")
    ours = Prompt.objects.filter(created_at=due, kind__in=kinds)
    deadline = time.monotonic() + timeout
    while (sent := ours.filter(status=PromptStatus.SENT).count()) < len(rows):
        if time.monotonic() > deadline:
            say(f"{label}: stopped waiting after {timeout:.0f} s ({sent:,} sent)")
            break
        time.sleep(0.5)
    waited = (timezone.now() - due).total_seconds()
    sent_at = ours.filter(status=PromptStatus.SENT).values_list("sent_at", flat=True)
    lateness = [(s - due).total_seconds() for s in sent_at if s is not None]
    reclaims = ours.aggregate(n=Sum("reclaims"))["n"] or 0
    pushes = (len(push.delivered()) - pushes_before) if push else 0
    # Leave nothing of this mix for the next one: drop the queue, retire what was not sent.
    redis.client().delete("celery")
    ours.exclude(status=PromptStatus.SENT).update(
        status=PromptStatus.CANCELLED, cancelled_reason="benchmark_cutoff", claim_token=None
    )
    time.sleep(2)  # the worker finishes the tasks it had already taken
    return Result(
        label=label, prompts=len(rows), lateness=lateness, waited=waited,
        reclaims=int(reclaims), pushes=pushes,
    )  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prompts", type=int, default=10_000, help="prompts per channel mix")
    parser.add_argument("--sweep", type=float, default=1.0, help="beat interval, seconds")
    parser.add_argument("--lease", type=int, default=120, help="PROMPT_LEASE_SECONDS")
    parser.add_argument("--concurrency", type=int, default=2, help="worker pool processes")
    parser.add_argument(
        "--timeout", type=float, default=70,
        help="seconds to wait for each mix (keeps the run under 3 minutes); what is not sent by "
        "then is reported as such, with the time to deliver all projected from the rate",
    )  # fmt: skip
    parser.add_argument("--logs", type=Path, help="copy the worker and beat logs to this folder")
    args = parser.parse_args()
    parents = -(-args.prompts // (2 * RUPTURES_PER_PARENT))
    started = time.monotonic()

    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="fr-bench-prompts-")))
        database_url = os.environ.get("DATABASE_URL", "")
        if not database_url.startswith("postgres"):
            say("starting a throwaway PostgreSQL")
            database_url = stack.enter_context(PostgresServer(tmp / "pg")).url
        redis = stack.enter_context(RedisServer(tmp / "redis"))
        say("migrating")
        setup_django(database_url, redis.url)

        from ruptures.management.commands.generate_vapid_keys import generate_vapid_keys

        keys = generate_vapid_keys()
        push = stack.enter_context(PushServer(vapid_public_key=keys.public_key))
        say(f"creating {parents:,} families per channel mix")
        in_app = make_recipients(parents, push=None)
        with_push = make_recipients(parents, push=push)

        env = celery_env(
            database_url=database_url, redis_url=redis.url, data_dir=tmp,
            vapid_public_key=keys.public_key, vapid_private_key=keys.private_key,
            lease_seconds=args.lease, sweep_seconds=args.sweep,
        )  # fmt: skip
        worker = CeleryProcess.worker("bench", env=env, directory=tmp, concurrency=args.concurrency)
        beat = CeleryProcess.beat("beat", env=env, directory=tmp)
        if args.logs:
            args.logs.mkdir(parents=True, exist_ok=True)
            for process in (worker, beat):
                stack.callback(shutil.copy, process.log, args.logs / process.log.name)
        stack.callback(beat.stop)
        stack.callback(worker.stop)
        say("starting one worker and beat")
        worker.start().wait_ready()
        beat.start().wait_ready()

        load = os.getloadavg()[0]
        results = [
            run_scenario("in-app only", in_app, prompts=args.prompts, timeout=args.timeout,
                         push=None, redis=redis),
            run_scenario("in-app + Web Push", with_push, prompts=args.prompts,
                         timeout=args.timeout, push=push, redis=redis),
        ]  # fmt: skip
        refused = len(push.refused())

    print()
    print(
        f"{args.prompts:,} prompts due at once; 1 worker (prefork, concurrency "
        f"{args.concurrency}, prefetch 1, -O fair); beat every {args.sweep:g} s; lease "
        f"{args.lease} s; claim batch 200; {os.cpu_count()} cores, load {load:.1f} at start"
    )
    print()
    print(HEADER)
    for result in results:
        print(result.row())
    print()
    total = time.monotonic() - started
    print(f"pushes refused by the push service: {refused}; whole run {total:.0f} s")
    return 0 if all(r.delivered == r.prompts for r in results) and not refused else 1


if __name__ == "__main__":
    sys.exit(main())
