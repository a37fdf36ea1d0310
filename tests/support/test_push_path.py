"""The outside channels end to end, in process: a due prompt claimed and delivered as a worker
would, to a real local Web Push service (VAPID checked, payload decrypted) and a real SMTP server.
The same path under real workers, Redis and faults is in ``tests/prompts_fault``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone
from pytest_django.fixtures import Settings

from accounts.models import User
from ruptures import delivery
from ruptures.models import (
    Channel,
    DeliveryStatus,
    Notification,
    Prompt,
    PromptDelivery,
    PromptKind,
    PromptStatus,
    PushSubscription,
)
from tests.support.push_server import BrowserSubscription, PushServer
from tests.support.smtp_server import SmtpServer
from tests.world import World, flag


def deliver_due(now: dt.datetime) -> list[str]:
    """Run the sweep and deliver what it claimed, as beat and a worker would."""
    claimed: list[tuple[int, str]] = []
    with TestCase.captureOnCommitCallbacks(execute=True):  # the test's transaction never commits
        delivery.prompts_claim_due(now=now, enqueue=lambda pk, token: claimed.append((pk, token)))
    return [delivery.prompt_deliver(prompt_id=pk, claim_token=t, now=now) for pk, t in claimed]


def subscribe(user: User, browser: BrowserSubscription) -> PushSubscription:
    """What the PWA's subscribe call stores: the browser's ``toJSON()``."""
    info = browser.info
    return PushSubscription.objects.create(
        user=user,
        endpoint=info["endpoint"],
        p256dh=info["keys"]["p256dh"],
        auth=info["keys"]["auth"],
    )


@pytest.fixture(autouse=True)
def _daytime(world: World) -> None:
    User.objects.update(quiet_hours_start=None, quiet_hours_end=None)


def heads_up(world: World) -> Prompt:
    rupture = flag(world)
    return Prompt.objects.get(rupture=rupture, kind=PromptKind.HEADS_UP)


def test_a_prompt_reaches_the_push_service_signed_encrypted_and_tagged(
    world: World, push_server: PushServer, webpush_settings: Settings
) -> None:
    browser = push_server.subscribe()
    subscription = subscribe(world.parent, browser)
    prompt = heads_up(world)

    assert deliver_due(timezone.now()) == ["sent"]

    [push] = push_server.delivered(browser)
    rupture_id = prompt.rupture_id
    notification = Notification.objects.get(prompt=prompt)
    assert push.payload == {
        "title": "Maya flagged a moment with you",
        "body": "Maya felt hurt, embarrassed. Take a breath first; we'll help you make it right.",
        "url": f"/#/ruptures/{rupture_id}",
        "tag": f"rupture-{rupture_id}",
        "kind": "heads_up",
        "rupture": rupture_id,
    }
    assert (notification.title, notification.body, notification.url) == (
        push.payload["title"],
        push.payload["body"],
        push.payload["url"],
    )
    assert (push.topic, push.urgency, push.ttl) == (f"rupture-{rupture_id}", "high", 86400)
    assert push.vapid_claims is not None
    assert push.vapid_claims["aud"] == push_server.origin
    assert push.vapid_claims["sub"] == "mailto:push-tests@familyrepair.localhost"
    assert push_server.refused() == []
    assert mail.outbox == []  # the push got through: no email on top
    [row] = PromptDelivery.objects.filter(prompt=prompt)
    assert (row.channel, row.target, row.status, row.attempts) == (
        Channel.PUSH,
        str(subscription.pk),
        DeliveryStatus.SENT,
        1,
    )
    subscription.refresh_from_db()
    assert subscription.last_success_at is not None


def test_every_subscription_of_the_recipient_gets_the_push(
    world: World, push_server: PushServer, webpush_settings: Settings
) -> None:
    phone, laptop = push_server.subscribe(), push_server.subscribe()
    subscribe(world.parent, phone)
    subscribe(world.parent, laptop)
    heads_up(world)

    assert deliver_due(timezone.now()) == ["sent"]

    assert len(push_server.delivered(phone)) == len(push_server.delivered(laptop)) == 1


@pytest.mark.parametrize("status", [404, 410])
def test_a_subscription_the_push_service_says_is_gone_is_removed(
    world: World, push_server: PushServer, webpush_settings: Settings, status: int
) -> None:
    gone, working = push_server.subscribe(status=status), push_server.subscribe()
    gone_row = subscribe(world.parent, gone)
    subscribe(world.parent, working)
    prompt = heads_up(world)

    assert deliver_due(timezone.now()) == ["sent"]

    assert not PushSubscription.objects.filter(pk=gone_row.pk).exists()
    assert PushSubscription.objects.filter(user=world.parent).count() == 1
    assert PromptDelivery.objects.get(prompt=prompt, target=str(gone_row.pk)).status == "gone"
    assert len(push_server.delivered(working)) == 1
    assert mail.outbox == []


def test_a_failing_push_service_retries_later_without_a_second_notification_or_email(
    world: World,
    push_server: PushServer,
    webpush_settings: Settings,
    smtp_settings: Settings,
    smtp_server: SmtpServer,
) -> None:
    browser = push_server.subscribe(status=500)
    subscribe(world.parent, browser)
    prompt = heads_up(world)
    now = timezone.now()

    assert deliver_due(now) == ["retry"]

    prompt.refresh_from_db()
    assert prompt.status == PromptStatus.PENDING
    assert prompt.due_at > now
    assert prompt.claim_token is None
    assert Notification.objects.filter(prompt=prompt).count() == 1
    assert [r.status for r in push_server.requests] == [500]
    assert len(smtp_server.to(str(world.parent.email))) == 1  # no push got through: email now

    push_server.respond(browser, 201)
    assert deliver_due(now) == []  # not before its backoff
    assert deliver_due(prompt.due_at) == ["sent"]

    prompt.refresh_from_db()
    assert (prompt.status, prompt.attempts, prompt.reclaims, prompt.resumed) == (
        PromptStatus.SENT,
        2,
        0,
        0,  # a retry after a refusal is not a resumed death
    )
    assert Notification.objects.filter(prompt=prompt).count() == 1
    assert len(push_server.delivered(browser)) == 1
    assert len(smtp_server.to(str(world.parent.email))) == 1  # the retry sent no second email


def test_without_working_push_the_email_goes_through_smtp_once_even_on_a_new_claim(
    world: World,
    push_server: PushServer,
    webpush_settings: Settings,
    smtp_settings: Settings,
    smtp_server: SmtpServer,
) -> None:
    prompt = heads_up(world)  # the parent has no push subscription
    now = timezone.now()

    assert deliver_due(now) == ["sent"]

    [email] = smtp_server.messages
    assert email.rcpt_tos == (world.parent.email,)
    assert email.subject == "Maya flagged a moment with you"
    assert f"/#/ruptures/{prompt.rupture_id}" in email.text()
    assert "hurt" in email.text()
    assert "in front of my friends" not in email.text()  # never the child's own words

    # The worker died after sending, before its finishing update landed: the lease runs out and
    # another worker takes the prompt over with a new claim.
    Prompt.objects.filter(pk=prompt.pk).update(
        status=PromptStatus.CLAIMED, sent_at=None, lease_expires_at=now
    )
    later = now + dt.timedelta(seconds=1)
    assert deliver_due(later) == ["sent"]

    prompt.refresh_from_db()
    assert (prompt.status, prompt.reclaims, prompt.attempts) == (PromptStatus.SENT, 1, 2)
    assert len(smtp_server.messages) == 1
    assert Notification.objects.filter(prompt=prompt).count() == 1
    assert push_server.requests == []


def test_the_push_service_refuses_a_push_signed_with_another_vapid_key(
    world: World, push_server: PushServer, webpush_settings: Settings
) -> None:
    from ruptures.management.commands.generate_vapid_keys import generate_vapid_keys

    stranger = generate_vapid_keys()
    webpush_settings.WEBPUSH_VAPID_PUBLIC_KEY = stranger.public_key
    webpush_settings.WEBPUSH_VAPID_PRIVATE_KEY = stranger.private_key
    subscribe(world.parent, push_server.subscribe())
    prompt = heads_up(world)

    assert deliver_due(timezone.now()) == ["retry"]

    [refused] = push_server.refused()
    assert (refused.status, refused.payload) == (403, None)
    assert "VAPID key" in refused.error
    assert PromptDelivery.objects.get(prompt=prompt, channel=Channel.PUSH).status == "retrying"


@pytest.mark.parametrize("ruptures", [1, 12])
def test_a_batch_of_pushes_costs_the_same_queries_whatever_its_size(
    world: World,
    push_server: PushServer,
    webpush_settings: Settings,
    ruptures: int,
    django_assert_num_queries: Any,
) -> None:
    """A heads-up and a repair prompt per rupture to a parent with one browser, in one batch of
    at most ``delivery.PUSH_CHUNK`` pushes: the sending marks and the results are written once
    per chunk, not once per push."""
    User.objects.update(notify_email=False)
    browser = push_server.subscribe()
    subscribe(world.parent, browser)
    for _ in range(ruptures):
        flag(world)
    now = timezone.now() + dt.timedelta(minutes=1)
    Prompt.objects.filter(recipient=world.parent).update(due_at=now)
    Prompt.objects.exclude(recipient=world.parent).delete()
    claimed: list[tuple[int, str]] = []
    with TestCase.captureOnCommitCallbacks(execute=True):
        delivery.prompts_claim_due(now=now, enqueue=lambda pk, t: claimed.append((pk, t)))
    ((token,),) = {(t,) for _, t in claimed}
    assert len(claimed) == 2 * ruptures <= delivery.PUSH_CHUNK

    with django_assert_num_queries(18):
        outcomes = delivery.prompts_deliver(
            prompt_ids=[pk for pk, _ in claimed], claim_token=token, now=now
        )

    assert sorted(outcomes.values()) == ["sent"] * 2 * ruptures
    assert len(push_server.delivered(browser)) == 2 * ruptures
    assert set(
        PromptDelivery.objects.filter(prompt_id__in=outcomes).values_list("status", "attempts")
    ) == {(DeliveryStatus.SENT, 1)}
