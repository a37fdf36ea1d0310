"""A mixed load on the deployed stack: parents and children using the app at once.

    .venv/bin/python benchmarks/load/run.py                 # 8 families (16 people), 30 s of load
    .venv/bin/python benchmarks/load/run.py --families-online 8 --duration 60 --families 100000

Starts gunicorn (2 sync workers, ``benchmarks.settings``), PostgreSQL and Redis as the HTTP
benchmark does (throwaway ones unless DATABASE_URL / REDIS_URL are set), populates with
``manage.py populate``, signs in a parent and a teen of each of ``--families-online`` families
through allauth's app API, and runs one closed-loop virtual user per person (no think time) for
``--duration`` seconds: children flag, read and write messages, confirm; parents list, read,
acknowledge, write, confirm; both read their notifications. Before and after the mix, the bare
view is driven for the same time at the same concurrency by the same driver; the report gives
throughput and p50/p95/p99 per endpoint beside the bare view's. Loopback only; everything it
started is stopped on exit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import secrets
import shutil
import signal
import sys
import tempfile
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from benchmarks import driver  # run as a script: the repository root first
from benchmarks.http import run as http

DEFAULT_FAMILIES_ONLINE = 8
DEFAULT_DURATION = 30
SEED = 12

# What each side does, with weights: a realistic day is mostly reading.
PARENT_MIX = {
    "list": 30,
    "read": 20,
    "notifications": 15,
    "messages": 10,
    "acknowledge": 8,
    "message": 7,
    "confirm": 5,
    "me": 5,
}
CHILD_MIX = {
    "list": 25,
    "read": 15,
    "notifications": 10,
    "messages": 10,
    "flag": 12,
    "message": 10,
    "confirm": 8,
    "me": 5,
    "feelings": 5,
}
LABELS = {
    "list": "GET /api/v1/ruptures/",
    "read": "GET /api/v1/ruptures/{id}/",
    "messages": "GET /api/v1/ruptures/{id}/messages/",
    "notifications": "GET /api/v1/notifications/",
    "me": "GET /api/v1/me/",
    "feelings": "GET /api/v1/feelings/",
    "flag": "POST /api/v1/ruptures/ (flag)",
    "acknowledge": "POST /api/v1/ruptures/{id}/acknowledge/",
    "message": "POST /api/v1/ruptures/{id}/messages/",
    "confirm": "POST /api/v1/ruptures/{id}/confirm/",
}


@dataclass
class Household:
    """One family online: its parent and teen, and the ruptures between them as they move."""

    family_id: int
    parent_id: int
    child_id: int
    parent_email: str
    child_email: str
    known: deque[int] = field(default_factory=lambda: deque(maxlen=40))
    flagged: deque[int] = field(default_factory=deque)  # waiting for the parent
    acknowledged: deque[int] = field(default_factory=deque)  # open: messages, confirm
    child_confirmed: deque[int] = field(default_factory=deque)  # waiting for the parent's confirm


def households(count: int, password: str) -> list[Household]:
    """The first ``count`` families with a parent and a teen who sign in by email; sets both
    passwords (one hash for all) and knows the ruptures between them, to read. Acknowledging,
    messages and confirming act on the mix's own flags only, which are removed after the run (and
    any an interrupted run left, here): the population reads the same from one run to the next."""
    from django.contrib.auth.hashers import make_password
    from django.db import connections

    from accounts.models import Membership, Role, User
    from ruptures.models import Rupture, Status

    found: list[Household] = []
    teens = (
        Membership.objects.filter(role=Role.CHILD, user__email__isnull=False)
        .select_related("user")
        .order_by("family_id", "user_id")
    )
    seen: set[int] = set()
    for teen in teens.iterator():
        if teen.family_id in seen:
            continue
        parent = (
            Membership.objects.filter(family_id=teen.family_id, role=Role.PARENT)
            .select_related("user")
            .order_by("user_id")
            .first()
        )
        if parent is None or not parent.user.email or not teen.user.email:
            continue
        seen.add(teen.family_id)
        home = Household(
            teen.family_id, parent.user_id, teen.user_id, parent.user.email, teen.user.email
        )
        if removed := http.remove_written(teen.family_id):
            http.say(f"removed {removed} ruptures an earlier run's writes left")
        between = Rupture.objects.filter(parent_id=parent.user_id, child_id=teen.user_id)
        home.known.extend(between.exclude(status=Status.SAFETY_REVIEW).values_list("pk", flat=True))
        found.append(home)
        if len(found) == count:
            break
    if len(found) < count:
        raise http.BenchmarkError(f"only {len(found)} families with a teen: populate more")
    emails = [h.parent_email for h in found] + [h.child_email for h in found]
    User.objects.filter(email__in=emails).update(password=make_password(password))
    connections.close_all()
    return found


class Person:
    """A virtual user: picks an action by weight, and does it as the PWA would."""

    def __init__(
        self, client: driver.Client, home: Household, *, parent: bool, rnd: random.Random
    ) -> None:
        self.client, self.home, self.parent, self.rnd = client, home, parent, rnd
        mix = PARENT_MIX if parent else CHILD_MIX
        self.actions, self.weights = list(mix), list(mix.values())

    async def step(self) -> None:
        action = self.rnd.choices(self.actions, self.weights)[0]
        home, label = self.home, LABELS[action]
        if action == "list":
            status, page = await self.client.call(label, "GET", "/api/v1/ruptures/")
            if status == 200 and isinstance(page, dict):
                # Both of them read what they know of: only what is between the two of them
                # (a teen's list also holds ruptures with the other parent, a parent's those
                # with the teen's brothers and sisters) and not held for safety review (the
                # child's alone): the other one would rightly get 404.
                home.known.extend(
                    row["id"]
                    for row in page["results"][:5]
                    if row["status"] != "safety_review"
                    and row["parent"]["id"] == home.parent_id
                    and row["child"]["id"] == home.child_id
                )
        elif action in ("read", "messages"):
            if not home.known:
                await self.client.call(LABELS["list"], "GET", "/api/v1/ruptures/")
                return
            pk = self.rnd.choice(home.known)
            suffix = "" if action == "read" else "messages/"
            await self.client.call(label, "GET", f"/api/v1/ruptures/{pk}/{suffix}")
        elif action in ("notifications", "me", "feelings"):
            await self.client.call(label, "GET", f"/api/v1/{action}/")
        elif action == "flag":
            body = {
                "family": home.family_id,
                "parent": home.parent_id,
                "feelings": self.rnd.sample(["hurt", "sad", "angry", "worried"], 2),
                "intensity": self.rnd.randint(1, 5),
                "note": http.WRITE_NOTE,  # removed after the run, with all that follows from it
            }
            status, rupture = await self.client.call(label, "POST", "/api/v1/ruptures/", body)
            if status == 201 and isinstance(rupture, dict):
                home.flagged.append(rupture["id"])
                home.known.append(rupture["id"])
        elif action == "acknowledge" and home.flagged:
            pk = home.flagged.popleft()
            status, _ = await self.client.call(label, "POST", f"/api/v1/ruptures/{pk}/acknowledge/")
            if status == 200:
                home.acknowledged.append(pk)
        elif action == "message" and home.acknowledged:
            pk = self.rnd.choice(home.acknowledged)
            body = {"body": "Can we talk after dinner?"}
            await self.client.call(label, "POST", f"/api/v1/ruptures/{pk}/messages/", body)
        elif action == "confirm":
            queue = home.child_confirmed if self.parent else home.acknowledged
            if queue:
                pk = queue.popleft()
                path = f"/api/v1/ruptures/{pk}/confirm/"
                status, _ = await self.client.call(label, "POST", path)
                if status == 200 and not self.parent:
                    home.child_confirmed.append(pk)
        else:  # nothing to act on yet: read the list, as the app does on opening
            await self.client.call(LABELS["list"], "GET", "/api/v1/ruptures/")


async def drive(
    base_url: str, homes: Sequence[Household], password: str, duration: float
) -> tuple[driver.Recorder, list[driver.Stats]]:
    concurrency = 2 * len(homes)
    async with driver.new_session(concurrency) as session:
        recorder = driver.Recorder()
        people: list[Person] = []
        rnd = random.Random(SEED)  # a reproducible mix, not a secret
        for home in homes:
            for email, parent in ((home.parent_email, True), (home.child_email, False)):
                token, why = await asyncio.to_thread(http.log_in, base_url, email, password)
                if token is None:
                    raise http.BenchmarkError(f"cannot sign in {email}: {why}")
                client = driver.Client(session, base_url, recorder, token)
                people.append(Person(client, home, parent=parent, rnd=rnd))

        async def bare() -> driver.Stats:
            bare_recorder = driver.Recorder()
            client = driver.Client(session, base_url, bare_recorder)
            step: Callable[[], Awaitable[object]] = lambda: client.call(  # noqa: E731
                "bare", "GET", http.BARE_PATH
            )
            elapsed = await driver.for_duration([step] * concurrency, duration)
            stats = bare_recorder.get("bare")
            stats.elapsed = elapsed
            return stats

        http.say(f"bare view, {concurrency} at a time, {duration:.0f} s")
        before = await bare()
        http.say(f"the mix: {len(people)} people, {duration:.0f} s")
        elapsed = await driver.for_duration([person.step for person in people], duration)
        recorder.set_elapsed(elapsed)
        http.say(f"bare view again, {duration:.0f} s")
        after = await bare()
    return recorder, [before, after]


def report(recorder: driver.Recorder, bares: Sequence[driver.Stats], header: str) -> str:
    bare_rate = sum(b.rate for b in bares) / len(bares)
    lines = [
        header,
        "",
        "| endpoint | requests | req/s | p50 | p95 | p99 | non-2xx |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for stats in bares:
        lines.append(_row("GET /bench/bare (bare view, before/after)", stats))
    ordered = sorted(recorder.stats.values(), key=lambda s: -s.count)
    everything = driver.Stats("all of the mix")
    for stats in ordered:
        lines.append(_row(stats.label, stats))
        everything.latencies += stats.latencies
        everything.errors += stats.errors
        everything.elapsed = stats.elapsed
    lines.append(_row("**all of the mix**", everything))
    lines.append("")
    lines.append(
        f"The mix's throughput is {everything.rate / bare_rate:.2f}x the bare view's "
        f"({everything.rate:,.0f} against {bare_rate:,.0f} req/s, same concurrency, same driver)."
    )
    spread = [b.rate for b in bares]
    if max(spread) > 1.2 * min(spread):
        lines.append(
            "The bare view's speed varied by more than 20% between before and after: the machine "
            "was busy, so read the figures with caution and run again."
        )
    return "\n".join(lines)


def _row(label: str, stats: driver.Stats) -> str:
    errors = ", ".join(f"{n}x {code}" for code, n in sorted(stats.statuses.items()) if code >= 300)
    return (
        f"| {label} | {stats.count:,} | {stats.rate:,.1f} | {stats.percentile_ms(0.5):.1f} ms "
        f"| {stats.percentile_ms(0.95):.1f} ms | {stats.percentile_ms(0.99):.1f} ms "
        f"| {errors or stats.errors or ''} |"
    )


def benchmark(*, families: int, online: int, duration: float) -> int:
    with contextlib.ExitStack() as stack:
        workdir = Path(tempfile.mkdtemp(prefix="familyrepair-load-"))
        stack.callback(shutil.rmtree, workdir, ignore_errors=True)
        workdir.chmod(0o711)  # the postgres user must reach its cluster inside
        env = http.bench_environment(stack, workdir)
        http.prepare_database(env, families)
        password = secrets.token_urlsafe(24)
        homes = households(online, password)
        population = http.population_size()
        base_url = stack.enter_context(http.gunicorn(env, workdir, http.GUNICORN_WORKERS))
        recorder, bares = asyncio.run(drive(base_url, homes, password, duration))
        removed = sum(http.remove_written(home.family_id) for home in homes)
        http.say(f"removed the {removed:,} ruptures the mix flagged")
        header = (
            f"gunicorn {http.GUNICORN_WORKERS} sync workers on loopback; {population}; "
            f"{online} families online ({2 * online} people, closed loop, no think time), "
            f"{duration:.0f} s; {http.machine_line()}"
        )
    print()
    print(report(recorder, bares, header))
    return 0


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through the ExitStack, which stops every process


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--duration", type=float, default=DEFAULT_DURATION, help="seconds")
    parser.add_argument(
        "--families-online",
        type=int,
        default=DEFAULT_FAMILIES_ONLINE,
        help=f"families using the app at once, a parent and a teen each "
        f"(default {DEFAULT_FAMILIES_ONLINE})",
    )
    parser.add_argument(
        "--families",
        type=int,
        default=http.DEFAULT_FAMILIES,
        help=f"population size (default {http.DEFAULT_FAMILIES:,})",
    )
    parser.add_argument("--smoke", action="store_true", help="a tiny run: 2 families, 3 s")
    args = parser.parse_args(argv)
    families, online, duration = args.families, args.families_online, args.duration
    if args.smoke:
        families, online, duration = http.SMOKE_FAMILIES, 2, 3.0
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGHUP, _exit_on_signal)
    try:
        return benchmark(families=families, online=online, duration=duration)
    except http.BenchmarkError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; every process this run started has been stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
