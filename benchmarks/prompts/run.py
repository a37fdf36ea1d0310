"""Prompt delivery: N prompts due at the same instant, and a steady stream, through real Celery
workers and a real beat sweep.

    .venv/bin/python benchmarks/prompts/run.py [--prompts 10000] [--sweep 1] [--timeout 70]
    .venv/bin/python benchmarks/prompts/run.py --mode steady --rate 50 --seconds 30
    .venv/bin/python benchmarks/prompts/run.py --workers 2      # two worker nodes, one database
    .venv/bin/python benchmarks/prompts/run.py --smoke          # tiny: does it still run?

Starts a throwaway PostgreSQL cluster (or uses ``DATABASE_URL``), a private Redis on a Unix
socket, the local Web Push service from ``tests/support`` (VAPID checked, payload decrypted, as a
browser vendor's would), ``--workers`` worker nodes (each ``--pool prefork --concurrency 2
--prefetch-multiplier 1 -O fair``) and one beat. Then:

- burst (``--mode burst``), for each channel mix, writes N prompts due now in one commit and
  waits until all are ``sent``: in-app only (push and email off), then in-app + Web Push (one
  browser subscription per parent on the local push service);
- steady (``--mode steady``) writes ``--rate`` prompts a second, due as they are written, for
  ``--seconds``, in-app + Web Push, and waits for the last.

Reports the time until the last one was delivered, the rate, lateness (``sent_at - due_at``)
p50/p99, reclaims, pushes accepted, and whether each prompt reached the inbox and the push service
exactly once; every process it started is stopped on exit. Figures depend on the machine and on
whatever else runs on it: compare runs on one machine.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import secrets
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    waited: float  # seconds from the first due instant until we stopped looking
    reclaims: int
    pushes: int
    once_each: bool  # one notification per sent prompt, one push per prompt meant to get one

    @property
    def delivered(self) -> int:
        return len(self.lateness)

    def percentile(self, fraction: float) -> float | None:
        """Over all prompts: one not delivered when we stopped counts as later than any."""
        rank = min(self.prompts - 1, int(self.prompts * fraction))
        ordered = sorted(self.lateness)
        return ordered[rank] if rank < len(ordered) else None

    def _late(self, fraction: float) -> str:
        value = self.percentile(fraction)
        return f"{value:.1f} s" if value is not None else f"> {self.waited:.0f} s"

    def row(self) -> str:
        complete = self.delivered == self.prompts
        seconds = self.waited
        rate = self.delivered / seconds if seconds else 0.0
        all_sent = (
            f"{seconds:.1f} s"
            if complete
            else f"~{self.prompts / rate:.0f} s (projected)"
            if rate
            else "-"
        )
        return (
            f"| {self.label} | {self.delivered:,}/{self.prompts:,} | {all_sent} | {rate:.0f}/s "
            f"| {self._late(0.50)} | {self._late(0.99)} | {self.reclaims} | {self.pushes:,} "
            f"| {'yes' if self.once_each else '**no**'} |"
        )


HEADER = (
    "| scenario | delivered | time to deliver all | rate | lateness p50 | lateness p99 "
    "| reclaims | pushes accepted | once each |\n"
    "|---|---|---|---|---|---|---|---|---|"
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


def others_falling_due(within_seconds: float) -> int:
    """Prompts already in the database (an earlier run's reminders, a populated database's
    schedule) that fall due before the run ends: the sweep would claim them alongside the run's
    own, and the figures would measure them too."""
    from django.utils import timezone

    from ruptures.models import Prompt, PromptStatus

    return Prompt.objects.filter(
        status__in=(PromptStatus.PENDING, PromptStatus.CLAIMED),
        due_at__lte=timezone.now() + dt.timedelta(seconds=within_seconds),
    ).count()


def make_recipients(parents: int, *, push: PushServer | None, tag: str) -> list[tuple[int, int]]:
    """``parents`` parents, each with a child and five flagged ruptures: (parent, rupture) pairs."""
    from accounts.models import Family, Membership, Role, User
    from ruptures.models import Party, PushSubscription, Rupture

    families = Family.objects.bulk_create(
        Family(name=f"Bench {tag} {i}", calm_down_minutes=0) for i in range(parents)
    )
    users = {
        "notify_email": False,
        "notify_push": push is not None,
        "quiet_hours_start": None,
        "quiet_hours_end": None,
        "password": "!",  # unusable: nobody signs in
    }
    run = secrets.token_hex(4)  # a database shared with an earlier run has its addresses
    parent_users = User.objects.bulk_create(
        User(email=f"{tag}{i}-{run}@bench.familyrepair.localhost", display_name=f"P{i}", **users)
        for i in range(parents)
    )
    child_users = User.objects.bulk_create(
        User(display_name=f"C{i}", is_child_profile=True, **users) for i in range(parents)
    )
    Membership.objects.bulk_create(
        [
            Membership(family=f, user=u, role=Role.PARENT)
            for f, u in zip(families, parent_users, strict=True)
        ]
        + [
            Membership(family=f, user=u, role=Role.CHILD)
            for f, u in zip(families, child_users, strict=True)
        ]
    )
    if push is not None:
        subscriptions = []
        for parent in parent_users:
            browser = push.subscribe()
            subscriptions.append(
                PushSubscription(
                    user=parent, endpoint=browser.endpoint, p256dh=browser.p256dh, auth=browser.auth
                )
            )
        PushSubscription.objects.bulk_create(subscriptions)
    ruptures = Rupture.objects.bulk_create(
        Rupture(family=f, child=c, parent=p, started_by=Party.CHILD, feelings=["hurt"], intensity=3)
        for f, p, c in zip(families, parent_users, child_users, strict=True)
        for _ in range(RUPTURES_PER_PARENT)
    )
    return [(r.parent_id or 0, r.pk) for r in ruptures]


def _prompts_for(
    recipients: list[tuple[int, int]], *, start: int, count: int, due: dt.datetime
) -> list[Any]:
    """``count`` prompts from the ``start``-th (parent, rupture, kind) slot on, due at ``due``."""
    from ruptures.models import Prompt, PromptKind

    kinds = (PromptKind.HEADS_UP, PromptKind.REPAIR_PROMPT)
    slots = [(parent, rupture, kind) for parent, rupture in recipients for kind in kinds]
    return [
        Prompt(recipient_id=parent, rupture_id=rupture, kind=kind, due_at=due, created_at=due)
        for parent, rupture, kind in slots[start : start + count]
    ]


def _sent(ids: list[int]) -> int:
    """How many of ``ids`` are sent: one array parameter, not 10,000 placeholders, as the poll
    shares the two cores with what it measures."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM ruptures_prompt WHERE id = ANY(%s) AND status = 'sent'", [ids]
        )
        (count,) = cursor.fetchone()
    return int(count)


def _wait_and_measure(
    label: str,
    ids: list[int],
    *,
    first_due: dt.datetime,
    timeout: float,
    push: PushServer | None,
    pushes_before: int,
    redis: RedisServer,
) -> Result:
    from django.db.models import Count, Sum
    from django.utils import timezone

    from ruptures.models import Notification, Prompt, PromptStatus

    ours = Prompt.objects.filter(pk__in=ids)
    deadline = time.monotonic() + timeout
    while (sent := _sent(ids)) < len(ids):
        if time.monotonic() > deadline:
            say(f"{label}: stopped waiting ({sent:,} sent)")
            break
        time.sleep(0.25)
    done = list(ours.filter(status=PromptStatus.SENT).values_list("pk", "due_at", "sent_at"))
    lateness = [(sent_at - due).total_seconds() for _, due, sent_at in done if sent_at]
    last = max((sent_at for _, _, sent_at in done if sent_at), default=timezone.now())
    complete = len(done) == len(ids)
    waited = ((last if complete else timezone.now()) - first_due).total_seconds()
    reclaims = ours.aggregate(n=Sum("reclaims"))["n"] or 0
    # Exactly once: one notification per sent prompt; one accepted push per (rupture, kind).
    sent_ids = [pk for pk, _, _ in done]
    notified = Notification.objects.filter(prompt_id__in=sent_ids).aggregate(n=Count("id"))["n"]
    once_each = notified == len(sent_ids)
    pushes = 0
    if push is not None:
        # A prompt's push goes out before its row is marked sent: at a cutoff, a few pushed
        # prompts are not sent yet. Once each = no (rupture, kind) pushed twice, none sent unpushed.
        accepted = push.delivered()[pushes_before:]
        pushes = len(accepted)
        keys = [((r.payload or {}).get("rupture"), (r.payload or {}).get("kind")) for r in accepted]
        sent_keys = set(ours.filter(pk__in=sent_ids).values_list("rupture_id", "kind"))
        once_each = once_each and len(keys) == len(set(keys)) and sent_keys <= set(keys)
    # Leave nothing of this scenario for the next one: drop the queue, retire what was not sent.
    redis.client().delete("celery")
    _retire(ours.exclude(status=PromptStatus.SENT))
    time.sleep(1)  # the workers finish the tasks they had already taken
    return Result(
        label=label,
        prompts=len(ids),
        lateness=lateness,
        waited=waited,
        reclaims=int(reclaims),
        pushes=pushes,
        once_each=once_each,
    )


def _retire(unsent: Any) -> None:
    """Cancel what was not sent, while the workers may still hold some of it: locked in id order
    (the order the sweep and the delivery lock in), and tried again if PostgreSQL still picks
    this transaction as a deadlock's victim."""
    from django.db import OperationalError, transaction

    from ruptures.models import Prompt, PromptStatus

    for attempt in range(10):
        try:
            with transaction.atomic():
                pks = list(unsent.select_for_update().order_by("pk").values_list("pk", flat=True))
                Prompt.objects.filter(pk__in=pks).exclude(status=PromptStatus.SENT).update(
                    status=PromptStatus.CANCELLED,
                    cancelled_reason="benchmark_cutoff",
                    claim_token=None,
                )
            return
        except OperationalError:
            if attempt == 9:
                raise
            time.sleep(0.5)


# How far ahead of their due instant a burst's prompts are written (10,000 take about a second).
BURST_LEAD_SECONDS = 3.0


def run_burst(
    label: str,
    recipients: list[tuple[int, int]],
    *,
    prompts: int,
    timeout: float,
    push: PushServer | None,
    redis: RedisServer,
) -> Result:
    from django.utils import timezone

    from ruptures.models import Prompt

    pushes_before = len(push.delivered()) if push else 0
    # As in the app, the prompts exist before they fall due (a calm-down delay ahead): written
    # in one commit, then all due at one instant a little later, from which the time runs.
    due = timezone.now() + dt.timedelta(seconds=BURST_LEAD_SECONDS)
    rows = Prompt.objects.bulk_create(
        _prompts_for(recipients, start=0, count=prompts, due=due), batch_size=2000
    )
    late = (timezone.now() - due).total_seconds()
    if late > 0:
        say(f"{label}: written {late:.1f} s after they fell due; the time still runs from then")
    say(f"{label}: {len(rows):,} prompts due at once; waiting up to {timeout:.0f} s")
    time.sleep(max(0.0, -late))
    return _wait_and_measure(
        label,
        [row.pk for row in rows],
        first_due=due,
        timeout=timeout,
        push=push,
        pushes_before=pushes_before,
        redis=redis,
    )


def run_steady(
    label: str,
    recipients: list[tuple[int, int]],
    *,
    rate: float,
    seconds: float,
    timeout: float,
    push: PushServer | None,
    redis: RedisServer,
) -> Result:
    """``rate`` prompts a second, each due the moment it is written, for ``seconds``."""
    from django.utils import timezone

    from ruptures.models import Prompt

    pushes_before = len(push.delivered()) if push else 0
    total = int(rate * seconds)
    say(f"{label}: {total:,} prompts at {rate:g}/s for {seconds:g} s")
    ids: list[int] = []
    first_due = timezone.now()
    began = time.monotonic()
    while len(ids) < total:
        owed = min(total, int(rate * (time.monotonic() - began)) + 1) - len(ids)
        if owed > 0:
            rows = Prompt.objects.bulk_create(
                _prompts_for(recipients, start=len(ids), count=owed, due=timezone.now())
            )
            ids.extend(row.pk for row in rows)
        time.sleep(0.02)
    return _wait_and_measure(
        label,
        ids,
        first_due=first_due,
        timeout=timeout,
        push=push,
        pushes_before=pushes_before,
        redis=redis,
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mode", choices=("all", "burst", "steady"), default="all")
    parser.add_argument("--prompts", type=int, default=10_000, help="burst: prompts per mix")
    parser.add_argument("--rate", type=float, default=50, help="steady: prompts a second")
    parser.add_argument("--seconds", type=float, default=30, help="steady: for how long")
    parser.add_argument("--sweep", type=float, default=1.0, help="beat interval, seconds")
    parser.add_argument("--lease", type=int, default=120, help="PROMPT_LEASE_SECONDS")
    parser.add_argument("--workers", type=int, default=1, help="worker nodes (processes)")
    parser.add_argument("--concurrency", type=int, default=2, help="pool processes per worker")
    parser.add_argument(
        "--timeout",
        type=float,
        default=70,
        help="seconds to wait for each scenario; what is not sent by then is reported as such, "
        "with the time to deliver all projected from the rate",
    )
    parser.add_argument("--smoke", action="store_true", help="a tiny run: 40 prompts, 3 s steady")
    parser.add_argument("--logs", type=Path, help="copy the worker and beat logs to this folder")
    args = parser.parse_args()
    if args.smoke:
        args.prompts, args.rate, args.seconds, args.timeout = 40, 10, 3, 30
    steady_prompts = int(args.rate * args.seconds)
    burst = args.mode in ("all", "burst")
    steady = args.mode in ("all", "steady")
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
        from django.conf import settings

        from ruptures.management.commands.generate_vapid_keys import generate_vapid_keys

        length = args.timeout * (2 if burst else 0) + (args.seconds + args.timeout if steady else 0)
        others = others_falling_due(length + 120)
        if others:
            say(
                f"{others:,} prompts already in this database fall due during the run; the sweep "
                "would deliver them with the benchmark's own. Use a fresh database (or none: a "
                "throwaway one is started)."
            )
            return 2
        keys = generate_vapid_keys()
        push = stack.enter_context(PushServer(vapid_public_key=keys.public_key))

        def parents_for(prompts: int) -> int:
            return -(-prompts // (2 * RUPTURES_PER_PARENT))

        say("creating families")
        in_app = make_recipients(parents_for(args.prompts), push=None, tag="inapp") if burst else []
        with_push = (
            make_recipients(parents_for(args.prompts), push=push, tag="push") if burst else []
        )
        streamed = (
            make_recipients(parents_for(steady_prompts), push=push, tag="steady") if steady else []
        )

        env = celery_env(
            database_url=database_url,
            redis_url=redis.url,
            data_dir=tmp,
            vapid_public_key=keys.public_key,
            vapid_private_key=keys.private_key,
            lease_seconds=args.lease,
            sweep_seconds=args.sweep,
        )
        workers = [
            CeleryProcess.worker(f"bench{n}", env=env, directory=tmp, concurrency=args.concurrency)
            for n in range(1, args.workers + 1)
        ]
        beat = CeleryProcess.beat("beat", env=env, directory=tmp)
        if args.logs:
            args.logs.mkdir(parents=True, exist_ok=True)
            for process in (*workers, beat):
                stack.callback(shutil.copy, process.log, args.logs / process.log.name)
        stack.callback(beat.stop)
        for worker in workers:
            stack.callback(worker.stop)
        say(f"starting {args.workers} worker node(s) and one beat")
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.wait_ready(timeout=60)
        beat.start().wait_ready(timeout=60)

        load = os.getloadavg()[0]
        results = []
        if burst:
            results += [
                run_burst(
                    f"burst of {args.prompts:,}, in-app only",
                    in_app,
                    prompts=args.prompts,
                    timeout=args.timeout,
                    push=None,
                    redis=redis,
                ),
                run_burst(
                    f"burst of {args.prompts:,}, in-app + Web Push",
                    with_push,
                    prompts=args.prompts,
                    timeout=args.timeout,
                    push=push,
                    redis=redis,
                ),
            ]
        if steady:
            results.append(
                run_steady(
                    f"steady {args.rate:g}/s for {args.seconds:g} s, in-app + Web Push",
                    streamed,
                    rate=args.rate,
                    seconds=args.seconds,
                    timeout=args.timeout,
                    push=push,
                    redis=redis,
                )
            )
        refused = len(push.refused())

    print()
    print(
        f"{args.workers} worker node(s) (prefork, concurrency {args.concurrency}, prefetch 1, "
        f"-O fair); beat every {args.sweep:g} s; lease {args.lease} s; claim batch "
        f"{settings.PROMPT_CLAIM_BATCH}, delivery batch {settings.PROMPT_DELIVER_BATCH}, "
        f"in flight {settings.PROMPT_MAX_IN_FLIGHT}; {os.cpu_count()} cores, load {load:.1f} "
        "at start"
    )
    print()
    print(HEADER)
    for result in results:
        print(result.row())
    print()
    total = time.monotonic() - started
    print(f"pushes refused by the push service: {refused}; whole run {total:.0f} s")
    # A smoke run asserts no figure: only that nothing went out twice or was refused.
    complete = args.smoke or all(r.delivered == r.prompts for r in results)
    ok = complete and all(r.once_each for r in results) and not refused
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
