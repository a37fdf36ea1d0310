"""Prompts: what each change schedules and cancels, quiet hours, reminders, and delivery to the
in-app inbox and email (Web Push against a real local push service lives in its own tests)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from accounts.models import CareTeamGrant, Family, User
from ruptures import delivery, notifications, services
from ruptures.models import (
    Notification,
    Prompt,
    PromptDelivery,
    PromptKind,
    PromptStatus,
    Rupture,
)
from tests.world import World, flag

MIN = dt.timedelta(minutes=1)


def pending(rupture: Rupture | None = None, **filters: Any) -> list[tuple[str, int | None]]:
    prompts = Prompt.objects.filter(status=PromptStatus.PENDING, **filters)
    if rupture is not None:
        prompts = prompts.filter(rupture=rupture)
    return sorted((p.kind, p.recipient_id) for p in prompts)


def deliver_due(now: dt.datetime) -> list[str]:
    """Run the sweep and deliver what it claimed, as beat and a worker would."""
    claimed = claim(now=now)
    return [delivery.prompt_deliver(prompt_id=pk, claim_token=t, now=now) for pk, t in claimed]


def claim(now: dt.datetime | None = None) -> list[tuple[int, str]]:
    """The sweep's claims, as the enqueue-on-commit callback hands them to the worker."""
    claimed: list[tuple[int, str]] = []
    with TestCase.captureOnCommitCallbacks(execute=True):
        delivery.prompts_claim_due(now=now, enqueue=lambda pk, t: claimed.append((pk, t)))
    return claimed


@pytest.fixture(autouse=True)
def _no_quiet_hours(world: World) -> None:
    """Daytime for everyone unless a test says otherwise."""
    User.objects.update(quiet_hours_start=None, quiet_hours_end=None)


# --- scheduling ---------------------------------------------------------------------------------
def test_a_childs_flag_sends_a_heads_up_now_and_the_prompt_after_the_calm_down(
    world: World,
) -> None:
    now = timezone.now()
    rupture = services.rupture_flag(
        actor=world.child,
        flag=services.FlagInput(
            family_id=world.family.pk, parent_id=world.parent.pk, feelings=["hurt"], intensity=2
        ),
        now=now,
    )

    prompts = {p.kind: p for p in Prompt.objects.filter(rupture=rupture)}

    assert set(prompts) == {PromptKind.HEADS_UP, PromptKind.REPAIR_PROMPT}
    assert {p.recipient_id for p in prompts.values()} == {world.parent.pk}
    assert prompts[PromptKind.HEADS_UP].due_at == now
    assert prompts[PromptKind.REPAIR_PROMPT].due_at == now + 20 * MIN


@pytest.mark.parametrize(
    ("calm", "space_minutes", "expected_minutes"), [(0, None, 0), (20, 90, 90), (45, 10, 45)]
)
def test_the_prompt_waits_for_calm_down_and_never_before_space_until(
    world: World, calm: int, space_minutes: int | None, expected_minutes: int
) -> None:
    Family.objects.filter(pk=world.family.pk).update(calm_down_minutes=calm)
    now = timezone.now()
    space = now + space_minutes * MIN if space_minutes else None

    rupture = services.rupture_flag(
        actor=world.child,
        flag=services.FlagInput(
            family_id=world.family.pk,
            parent_id=world.parent.pk,
            feelings=["hurt"],
            intensity=2,
            needs_space_until=space,
        ),
        now=now,
    )

    prompt = Prompt.objects.get(rupture=rupture, kind=PromptKind.REPAIR_PROMPT)
    assert prompt.due_at == now + expected_minutes * MIN


def test_a_parents_own_flag_prompts_at_once_and_tells_the_child_gently(world: World) -> None:
    rupture = flag(world, by="parent")

    assert pending(rupture) == sorted(
        [(PromptKind.REPAIR_PROMPT, world.parent.pk), (PromptKind.HEADS_UP, world.child.pk)]
    )


def test_an_unsafe_flag_alerts_linked_therapists_and_holds_only_itself(world: World) -> None:
    earlier = flag(world)
    before = pending(earlier)

    unsafe = flag(world, unsafe=True)

    assert pending(earlier) == before
    assert pending(unsafe) == [
        (PromptKind.SAFETY_ALERT, world.therapist_details.pk),
        (PromptKind.SAFETY_ALERT, world.therapist_metrics.pk),
    ]
    assert not Prompt.objects.filter(recipient=world.parent, rupture=unsafe).exists()


def test_acknowledging_cancels_the_heads_up_and_starts_reminders(world: World) -> None:
    rupture = flag(world)
    now = timezone.now()

    services.rupture_acknowledge(actor=world.parent, rupture_id=rupture.pk, now=now)

    assert pending(rupture) == sorted(
        [
            (PromptKind.REPAIR_PROMPT, world.parent.pk),
            (PromptKind.REMINDER, world.parent.pk),
            (PromptKind.ACKNOWLEDGED, world.child.pk),
        ]
    )
    reminder = Prompt.objects.get(rupture=rupture, kind=PromptKind.REMINDER)
    assert reminder.due_at == now + dt.timedelta(hours=4)


def test_confirming_prompts_the_other_side_and_reconnecting_schedules_the_follow_up(
    world: World,
) -> None:
    rupture = flag(world)
    services.rupture_acknowledge(actor=world.parent, rupture_id=rupture.pk)

    services.rupture_confirm(actor=world.parent, rupture_id=rupture.pk)
    after_parent = pending(rupture)
    now = timezone.now()
    services.rupture_confirm(actor=world.child, rupture_id=rupture.pk, now=now)

    assert (PromptKind.CONFIRM_PROMPT, world.child.pk) in after_parent
    assert (PromptKind.REMINDER, world.parent.pk) not in after_parent
    assert pending(rupture) == sorted(
        [
            (PromptKind.RECONNECTED, world.parent.pk),
            (PromptKind.FOLLOW_UP, world.child.pk),
            (PromptKind.FOLLOW_UP, world.parent.pk),
        ]
    )
    follow_up = Prompt.objects.filter(rupture=rupture, kind=PromptKind.FOLLOW_UP).first()
    assert follow_up is not None
    assert follow_up.due_at == now + dt.timedelta(days=3)


def test_not_yet_tells_the_parent_and_withdrawing_cancels_everything(world: World) -> None:
    rupture = flag(world)
    services.rupture_acknowledge(actor=world.parent, rupture_id=rupture.pk)
    services.rupture_confirm(actor=world.parent, rupture_id=rupture.pk)

    services.rupture_not_yet(actor=world.child, rupture_id=rupture.pk, reason="still sad")
    after_not_yet = pending(rupture)
    services.rupture_withdraw(actor=world.child, rupture_id=rupture.pk)

    assert (PromptKind.NOT_YET, world.parent.pk) in after_not_yet
    assert (PromptKind.CONFIRM_PROMPT, world.child.pk) not in after_not_yet
    assert (PromptKind.REMINDER, world.parent.pk) in after_not_yet
    assert pending(rupture) == []


def test_reminders_grow_then_become_weekly_then_stop(world: World) -> None:
    Family.objects.filter(pk=world.family.pk).update(reminder_minutes=[60, 120])
    Family.objects.filter(pk=world.family.pk).update(calm_down_minutes=0)
    now = timezone.now()
    rupture = services.rupture_flag(
        actor=world.child,
        flag=services.FlagInput(
            family_id=world.family.pk, parent_id=world.parent.pk, feelings=["hurt"], intensity=2
        ),
        now=now,
    )
    gaps = []
    clock = now
    for _ in range(15):
        outcomes = deliver_due(clock)
        assert "sent" in outcomes or not outcomes
        nxt = Prompt.objects.filter(
            rupture=rupture, kind=PromptKind.REMINDER, status=PromptStatus.PENDING
        ).first()
        if nxt is None:
            break
        gaps.append(round((nxt.due_at - clock) / MIN))
        clock = nxt.due_at

    week = 7 * 24 * 60
    assert gaps == [60, 120] + [week] * 8


def test_a_family_with_reminders_off_gets_the_prompt_and_no_reminders(world: World) -> None:
    Family.objects.filter(pk=world.family.pk).update(calm_down_minutes=0, reminder_minutes=[60])
    now = timezone.now()
    earlier = _child_flags_at(world, now)
    deliver_due(now)
    assert pending(earlier) == [(PromptKind.REMINDER, world.parent.pk)]  # from before: pending

    Family.objects.filter(pk=world.family.pk).update(reminders_enabled=False)
    later = _child_flags_at(world, now + MIN)
    outcomes = deliver_due(now + 2 * MIN)
    assert sorted(outcomes) == ["sent", "sent"]  # the new flag's heads-up and repair prompt
    assert pending(later) == []

    assert deliver_due(now + 61 * MIN) == ["cancelled"]
    reminder = Prompt.objects.get(rupture=earlier, kind=PromptKind.REMINDER)
    assert (reminder.status, reminder.cancelled_reason) == (PromptStatus.CANCELLED, "reminders_off")
    assert not Prompt.objects.filter(status=PromptStatus.PENDING).exists()


# --- delivery ---------------------------------------------------------------------------------
def test_delivery_writes_one_in_app_notification_without_the_childs_words(world: World) -> None:
    rupture = flag(world)

    outcomes = deliver_due(timezone.now())

    assert outcomes == ["sent"]
    note = Notification.objects.get(recipient=world.parent)
    assert (note.kind, note.rupture_id, note.title) == (
        PromptKind.HEADS_UP,
        rupture.pk,
        "Maya flagged a moment with you",
    )
    assert "shouted" not in note.body
    assert note.url == f"/#/ruptures/{rupture.pk}"


def _child_flags_at(world: World, now: dt.datetime) -> Rupture:
    return services.rupture_flag(
        actor=world.child,
        flag=services.FlagInput(
            family_id=world.family.pk, parent_id=world.parent.pk, feelings=["hurt"], intensity=2
        ),
        now=now,
    )


def test_quiet_hours_silence_but_never_hide(world: World) -> None:
    """In quiet hours the notice is in the inbox at once; the email waits for the window's end."""
    now = timezone.now().replace(hour=23, minute=0, second=0, microsecond=0)
    world.parent.time_zone = "UTC"
    world.parent.quiet_hours_start, world.parent.quiet_hours_end = dt.time(22), dt.time(7)
    world.parent.save()
    _child_flags_at(world, now)

    outcomes = deliver_due(now)

    heads_up = Prompt.objects.get(kind=PromptKind.HEADS_UP)
    assert outcomes == ["deferred"]
    assert heads_up.status == PromptStatus.PENDING
    assert heads_up.due_at == (now + dt.timedelta(days=1)).replace(hour=7)
    note = Notification.objects.get()
    assert (note.prompt_id, note.created_at, note.read_at) == (heads_up.pk, now, None)
    assert mail.outbox == []
    assert not PromptDelivery.objects.exists()

    assert deliver_due(heads_up.due_at) == ["sent", "sent"]  # the heads-up and the repair prompt
    assert Notification.objects.filter(prompt=heads_up).count() == 1  # nothing twice
    assert sorted(m.subject for m in mail.outbox) == [
        "Maya flagged a moment with you",
        "Ready to make it right with Maya?",
    ]


@pytest.mark.parametrize("how", ["read", "acknowledged", "unread"])
def test_push_and_email_are_skipped_when_the_notice_was_seen_in_quiet_hours(
    world: World, how: str
) -> None:
    now = timezone.now().replace(hour=23, minute=0, second=0, microsecond=0)
    Family.objects.filter(pk=world.family.pk).update(calm_down_minutes=0)
    User.objects.filter(pk=world.parent.pk).update(
        time_zone="UTC", quiet_hours_start=dt.time(22), quiet_hours_end=dt.time(7)
    )
    rupture = _child_flags_at(world, now)
    assert deliver_due(now) == ["deferred", "deferred"]
    note = Notification.objects.get(kind=PromptKind.REPAIR_PROMPT)
    if how == "read":
        notifications.notification_read(actor=world.parent, notification_id=note.pk, now=now + MIN)
    elif how == "acknowledged":
        services.rupture_acknowledge(actor=world.parent, rupture_id=rupture.pk, now=now + MIN)
    end = (now + dt.timedelta(days=1)).replace(hour=7)

    claimed = claim(now=end)
    outcomes = {
        Prompt.objects.get(pk=pk).kind: delivery.prompt_deliver(
            prompt_id=pk, claim_token=t, now=end
        )
        for pk, t in claimed
    }

    prompt = Prompt.objects.get(kind=PromptKind.REPAIR_PROMPT)
    assert prompt.status == PromptStatus.SENT
    subjects = sorted(m.subject for m in mail.outbox)
    if how == "unread":
        assert outcomes == {PromptKind.HEADS_UP: "sent", PromptKind.REPAIR_PROMPT: "sent"}
        assert subjects == ["Maya flagged a moment with you", "Ready to make it right with Maya?"]
    elif how == "read":  # the heads-up was not read
        assert outcomes == {PromptKind.HEADS_UP: "sent", PromptKind.REPAIR_PROMPT: "seen"}
        assert subjects == ["Maya flagged a moment with you"]
    else:  # acknowledging cancelled the heads-up and saw the repair prompt
        assert outcomes[PromptKind.REPAIR_PROMPT] == "seen"
        assert PromptKind.HEADS_UP not in outcomes
        assert "Ready to make it right with Maya?" not in subjects
    assert (
        Notification.objects.filter(
            recipient=world.parent, kind__in=[PromptKind.HEADS_UP, PromptKind.REPAIR_PROMPT]
        ).count()
        == 2
    )


def test_quiet_hours_at_a_dst_boundary(world: World) -> None:
    """New York springs forward at 02:00 on 8 March 2026: a flag at 22:30 the evening before is
    in the inbox at 22:30, and its email goes at 07:00 daylight time (11:00 UTC, not 12:00)."""
    zone = zoneinfo.ZoneInfo("America/New_York")
    now = dt.datetime(2026, 3, 7, 22, 30, tzinfo=zone).astimezone(dt.UTC)
    User.objects.filter(pk=world.parent.pk).update(
        time_zone="America/New_York", quiet_hours_start=dt.time(21), quiet_hours_end=dt.time(7)
    )
    _child_flags_at(world, now)

    assert deliver_due(now) == ["deferred"]
    assert deliver_due(now + 20 * MIN) == ["deferred"]

    window_end = dt.datetime(2026, 3, 8, 11, 0, tzinfo=dt.UTC)
    assert window_end.astimezone(zone).hour == 7
    assert sorted(Notification.objects.values_list("kind", "created_at")) == [
        (PromptKind.HEADS_UP, now),
        (PromptKind.REPAIR_PROMPT, now + 20 * MIN),
    ]
    assert set(
        Prompt.objects.filter(
            status=PromptStatus.PENDING, kind__in=[PromptKind.HEADS_UP, PromptKind.REPAIR_PROMPT]
        ).values_list("due_at", flat=True)
    ) == {window_end}
    assert deliver_due(window_end - MIN) == []
    assert mail.outbox == []

    assert deliver_due(window_end) == ["sent", "sent"]
    assert len(mail.outbox) == 2
    assert Notification.objects.count() == 2


def test_safety_alerts_ignore_quiet_hours_and_carry_no_words(world: World) -> None:
    User.objects.filter(pk=world.therapist_details.pk).update(
        quiet_hours_start=dt.time(0), quiet_hours_end=dt.time(23, 59)
    )
    flag(world, unsafe=True, note="My dad hits me")

    outcomes = deliver_due(timezone.now())

    assert outcomes == ["sent", "sent"]
    alert = Notification.objects.get(recipient=world.therapist_details)
    assert alert.kind == PromptKind.SAFETY_ALERT
    assert "hits" not in alert.title + alert.body
    assert mail.outbox
    assert all("hits" not in m.body for m in mail.outbox)


def test_a_prompt_that_became_pointless_is_cancelled_at_delivery(world: World) -> None:
    rupture = flag(world)
    claimed = claim()
    services.rupture_acknowledge(
        actor=world.parent, rupture_id=rupture.pk
    )  # heads-up now pointless

    outcomes = [delivery.prompt_deliver(prompt_id=pk, claim_token=t) for pk, t in claimed]

    assert outcomes == ["cancelled"]
    assert Prompt.objects.get(kind=PromptKind.HEADS_UP).cancelled_reason == "acknowledged"


def test_a_safety_hold_does_not_reach_the_pairs_other_ruptures(world: World) -> None:
    rupture = flag(world)
    claimed = claim()
    flag(world, unsafe=True)  # the same child, about the same parent

    outcomes = [delivery.prompt_deliver(prompt_id=pk, claim_token=t) for pk, t in claimed]

    assert outcomes == ["sent"]
    assert Notification.objects.filter(recipient=world.parent, rupture=rupture).exists()


def test_a_stale_claim_token_delivers_nothing(world: World) -> None:
    flag(world)
    ((pk, token),) = claim()
    later = timezone.now() + dt.timedelta(seconds=300)
    reclaimed = claim(now=later)

    old = delivery.prompt_deliver(prompt_id=pk, claim_token=token, now=later)
    new = delivery.prompt_deliver(prompt_id=pk, claim_token=reclaimed[0][1], now=later)

    assert (old, new) == ("not_claimed", "sent")
    assert Prompt.objects.get(pk=pk).reclaims == 1
    assert Notification.objects.count() == 1


def _expire_claim(prompt: Prompt) -> None:
    """As if the worker holding it died: still claimed, lease run out."""
    Prompt.objects.filter(pk=prompt.pk).update(
        status=PromptStatus.CLAIMED, lease_expires_at=timezone.now() - MIN
    )


def test_email_falls_back_when_there_is_no_push_and_is_never_sent_twice(world: World) -> None:
    flag(world)
    deliver_due(timezone.now())
    heads_up = Prompt.objects.get(kind=PromptKind.HEADS_UP)

    _expire_claim(heads_up)
    deliver_due(timezone.now())

    assert [m.subject for m in mail.outbox] == ["Maya flagged a moment with you"]
    assert mail.outbox[0].to == [world.parent.email]
    html = mail.outbox[0].alternatives[0]  # type: ignore[attr-defined]  # EmailMultiAlternatives
    assert "Open FamilyRepair" in html[0]
    heads_up.refresh_from_db()
    assert (heads_up.status, heads_up.reclaims) == (PromptStatus.SENT, 1)
    assert Notification.objects.filter(prompt=heads_up).count() == 1


def test_an_email_a_dead_worker_left_sending_is_retried_and_the_repeat_is_logged(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    flag(world)
    deliver_due(timezone.now())
    heads_up = Prompt.objects.get(kind=PromptKind.HEADS_UP)
    PromptDelivery.objects.filter(prompt=heads_up).update(status="sending")

    _expire_claim(heads_up)
    deliver_due(timezone.now())

    assert [m.subject for m in mail.outbox].count("Maya flagged a moment with you") == 2
    heads_up.refresh_from_db()
    assert heads_up.reclaims == 1
    assert f"prompt lease reclaim: prompt={heads_up.pk}" in caplog.text


def test_no_email_when_the_person_turned_email_off(world: World) -> None:
    User.objects.filter(pk=world.parent.pk).update(notify_email=False)
    flag(world)

    deliver_due(timezone.now())

    assert mail.outbox == []
    assert Notification.objects.filter(recipient=world.parent).count() == 1


@pytest.mark.parametrize("ruptures", [1, 25])
def test_a_batch_costs_the_same_queries_whatever_its_size(
    world: World, ruptures: int, django_assert_num_queries: Any
) -> None:
    """Each rupture brings a heads-up, a repair prompt (its reminder is scheduled), a safety
    alert sent and one cancelled (grant revoked); in-app only, as an email is one per prompt."""
    User.objects.update(notify_email=False)
    for _ in range(ruptures):
        flag(world)
        flag(world, unsafe=True)
    CareTeamGrant.objects.filter(therapist=world.therapist_metrics).update(
        revoked_at=timezone.now()
    )
    now = timezone.now() + MIN
    Prompt.objects.update(due_at=now)
    claimed = claim(now=now)
    ((token,),) = {(t,) for _, t in claimed}

    with django_assert_num_queries(11):
        outcomes = delivery.prompts_deliver(
            prompt_ids=[pk for pk, _ in claimed], claim_token=token, now=now
        )

    assert sorted(outcomes.values()) == ["cancelled"] * ruptures + ["sent"] * 3 * ruptures
    assert Prompt.objects.filter(kind=PromptKind.REMINDER, status=PromptStatus.PENDING).count() == (
        ruptures
    )
