"""Prompt delivery under faults, with real processes: a thousand due prompts, Celery workers and
beat on Redis and PostgreSQL, Web Push to a local push service and email through a local SMTP
server; then a worker SIGKILLed mid-batch, Redis flushed and restarted mid-batch, or two beats and
extra dispatchers racing. Whatever happens, at the end:

- every prompt that still makes sense is ``sent``, with exactly one in-app notification;
- a repeat at the push service or the SMTP server only ever follows a lease reclaim
  (for each prompt, the times one target saw it, minus one, is at most ``prompt.reclaims``),
  and every reclaim is logged;
- no prompt was claimed twice at once (``attempts == 1 + reclaims``);
- prompts inside the recipient's quiet hours show in the inbox at once (one notification) and
  wait, pending, for the window's end before any push or email;
- nothing about a flag held for safety review reaches the parent it names (those prompts end
  ``cancelled``), while their other prompts go out as anyone's would.

Lease 5 s, a sweep every second claiming one batch of 50; a process that dies on its own is
restarted as compose's ``restart: unless-stopped`` would (see ``Rig.supervise``). The module takes
about two minutes on a busy two-core machine.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter

import pytest
import redis
from django.db import transaction

from familyrepair.celery_app import EnqueuedInsideTransaction, app
from ruptures.models import Notification, Prompt, PromptStatus, PushSubscription
from ruptures.tasks import deliver_prompt
from tests.prompts_fault.population import Population, build, seen
from tests.prompts_fault.rig import Rig
from tests.support.processes import RedisServer

pytestmark = pytest.mark.processes  # Celery workers, beat and redis-server: run serially
SETTLE_TIMEOUT = 90


def statuses(population: Population) -> Counter[str]:
    return Counter(
        Prompt.objects.filter(pk__in=population.prompt_ids).values_list("status", flat=True)
    )


def wait_for_sent(rig: Rig, population: Population, *, at_least: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while statuses(population)[PromptStatus.SENT] < at_least:
        assert time.monotonic() < deadline, f"fewer than {at_least} sent: {statuses(population)}"
        rig.supervise()
        time.sleep(0.1)


def every_pool_process_waits_on_a_push(
    rig: Rig, population: Population, *, pool_processes: int, hold: float = 4.0
) -> None:
    """Makes the push service answer after ``hold`` seconds, and returns once ``pool_processes``
    pushes are waiting for their answers at the same time: one per pool process, since each sends
    one push at a time (the push client's timeout is longer than ``hold``)."""
    for subscription in population.subscription_owner:
        rig.push.respond(subscription, 201, delay=hold)
    since = time.time()
    deadline = time.monotonic() + 30
    while True:
        now = time.time()
        waiting = [r for r in rig.push.requests if r.received_at >= max(since, now - hold + 0.5)]
        if len(waiting) >= pool_processes:
            return
        assert time.monotonic() < deadline, f"only {len(waiting)} pushes waiting at once"
        rig.supervise()
        time.sleep(0.02)


def wait_until_settled(population: Population, rig: Rig) -> float:
    """Until every prompt has its final state; returns the seconds it took."""
    started = time.monotonic()
    expected = Counter(
        {
            PromptStatus.SENT: len(population.sent),
            PromptStatus.PENDING: len(population.deferred),
            PromptStatus.CANCELLED: len(population.held),
        }
    )
    while (now := statuses(population)) != expected:
        assert time.monotonic() - started < SETTLE_TIMEOUT, (
            f"not settled after {SETTLE_TIMEOUT} s: {dict(now)} (want {dict(expected)}); "
            f"logs in {rig.directory}"
        )
        rig.supervise()
        time.sleep(0.25)
    return time.monotonic() - started


def assert_delivered_exactly_as_promised(population: Population, rig: Rig) -> None:
    # Warm shutdown first: a task still running may yet push a repeat, which must be counted.
    rig.stop_all()
    prompts = {p.pk: p for p in Prompt.objects.filter(pk__in=population.prompt_ids)}

    for pk in population.sent:
        assert prompts[pk].status == PromptStatus.SENT, prompts[pk]
    for pk, until in population.deferred.items():
        prompt = prompts[pk]
        assert (prompt.status, prompt.due_at, prompt.claim_token) == (
            PromptStatus.PENDING,
            until,
            None,
        ), prompt
    for pk in population.held:
        assert (prompts[pk].status, prompts[pk].cancelled_reason) == (
            PromptStatus.CANCELLED,
            "safety_review",
        )

    notified = Counter(
        Notification.objects.filter(prompt_id__in=population.prompt_ids).values_list(
            "prompt_id", flat=True
        )
    )
    assert set(notified) == population.sent | set(population.deferred)  # quiet hours never hide
    assert set(notified.values()) == {1}

    outside = seen(population, rig.push, rig.smtp)
    assert outside.strays == []
    assert rig.push.refused() == []  # every push carried a valid VAPID signature and encryption
    subscriptions_of: dict[int, set[str]] = {}
    for sub_id, owner in population.subscription_owner.items():
        subscriptions_of.setdefault(owner, set()).add(sub_id)
    for pk, prompt in prompts.items():
        pushes = outside.pushes.get(pk, Counter())
        emails = outside.emails[pk]
        if population.expects_push(pk):
            assert prompt.recipient_id is not None
            assert set(pushes) == subscriptions_of[prompt.recipient_id], prompt
        else:
            assert not pushes, f"{prompt} must not reach the push service"
        if population.expects_email(pk):
            assert emails >= 1, f"{prompt} needed an email"
        else:
            assert emails == 0, f"{prompt} must not be emailed"
        repeats = max([*pushes.values(), emails, 1]) - 1
        assert repeats <= prompt.reclaims + prompt.resumed, (
            f"{prompt}: {repeats} repeats, {prompt.reclaims} reclaims, {prompt.resumed} resumed"
        )
        assert prompt.attempts == 1 + prompt.reclaims, f"{prompt} claimed twice at once"

    assert PushSubscription.objects.count() == len(population.subscription_owner)
    reclaims = sum(p.reclaims for p in prompts.values())
    resumed = sum(p.resumed for p in prompts.values())
    assert rig.logs().count("prompt lease reclaim") >= reclaims
    assert rig.logs().count("prompt delivery resumed") >= resumed


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_thousand_prompts_through_racing_beats_a_killed_worker_and_a_flushed_redis(
    rig: Rig,
) -> None:
    population = build(rig.push, parents=100)
    # (c) Two beats and extra dispatchers, all started together with two workers.
    rig.beat("beat-a")
    rig.beat("beat-b")
    doomed = rig.worker("w1")
    rig.worker("w2")
    for _ in range(4):
        rig.publish("ruptures.dispatch_due_prompts")

    # (a) SIGKILL a worker mid-batch (pool and all: nothing acked, nothing said), start another.
    # It is killed while each of its pool processes waits on the push service, so it certainly
    # holds claimed prompts: their leases must run out and another worker take them over.
    wait_for_sent(rig, population, at_least=200)
    every_pool_process_waits_on_a_push(rig, population, pool_processes=4)  # two workers, 2 each
    doomed.kill()
    rig.worker("w3")
    for subscription in population.subscription_owner:
        rig.push.respond(subscription, 201)

    # (b) Flush Redis and restart it mid-batch: every queued delivery is gone.
    wait_for_sent(rig, population, at_least=500)
    rig.redis.flush()
    rig.redis.restart()

    wait_until_settled(population, rig)
    assert_delivered_exactly_as_promised(population, rig)
    # What the killed worker held and what Redis lost came back through lease reclaims.
    assert Prompt.objects.filter(pk__in=population.sent, reclaims__gt=0).exists()


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fault", ["kill_worker", "flush_redis"])
def test_each_fault_alone_loses_nothing(rig: Rig, fault: str) -> None:
    population = build(rig.push, parents=20)
    rig.beat("beat")
    worker = rig.worker("w1")
    wait_for_sent(rig, population, at_least=40)

    if fault == "kill_worker":
        worker.kill()
        rig.worker("w2")
    else:
        rig.redis.flush()
        rig.redis.restart()

    wait_until_settled(population, rig)
    assert_delivered_exactly_as_promised(population, rig)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_pool_process_killed_mid_push_repeats_only_as_a_logged_resume(rig: Rig) -> None:
    population = build(rig.push, parents=1)  # one parent with push: ten prompts
    [subscription] = population.subscription_owner
    rig.push.respond(subscription, 201, delay=3)  # catch the sender waiting for the answer
    rig.beat("beat")
    worker = rig.worker("w1", pushes_at_once=4)  # as in production: killed with several in flight
    deadline = time.monotonic() + 30
    while not rig.push.requests:
        assert time.monotonic() < deadline, "no push arrived"
        time.sleep(0.05)

    for pid in worker.pool_pids():
        os.kill(pid, signal.SIGKILL)
    rig.push.respond(subscription, 201)
    wait_until_settled(population, rig)

    assert_delivered_exactly_as_promised(population, rig)


@pytest.mark.django_db(transaction=True)
def test_tasks_reach_the_broker_only_once_the_transaction_commits(
    private_redis: RedisServer,
) -> None:
    broker = redis.Redis(unix_socket_path=str(private_redis.socket))
    queued = lambda: broker.llen("celery")  # noqa: E731  # kombu's Redis list for the queue
    with app.connection_for_write(private_redis.broker_url) as connection:
        producer = connection.Producer()
        with pytest.raises(EnqueuedInsideTransaction), transaction.atomic():
            deliver_prompt.apply_async((1, "token"), producer=producer)
        assert queued() == 0

        with transaction.atomic():
            transaction.on_commit(
                lambda: deliver_prompt.apply_async((1, "token"), producer=producer)
            )
            assert queued() == 0
        assert queued() == 1
