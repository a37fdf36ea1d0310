"""The family's everyday on a phone: a flag in the parent's quiet hours is in their inbox at once
(push and email wait); the need reads as a sentence and the repair steps as one line; a family
turns reminders off; the evening reflection is suggested after a first repair, opens "I want to
make this right" for the child, and asks to pause after three "not today"s."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Family, User
from ruptures import delivery, reflection
from ruptures import services as ruptures
from ruptures.models import Notification, Prompt, PromptKind, PromptStatus, RepairStep, Rupture
from tests.e2e.conftest import PhoneFactory
from tests.e2e.family import YoungFamily, log_in, pair_child, young_family

pytestmark = pytest.mark.browser


def deliver_now() -> list[str]:
    """The sweep and a worker's delivery, in this process (no worker needed)."""
    claimed: list[tuple[int, str]] = []
    delivery.prompts_claim_due(enqueue=lambda pk, token: claimed.append((pk, token)))
    return [delivery.prompt_deliver(prompt_id=pk, claim_token=t) for pk, t in claimed]


def _child_flags(world: YoungFamily, **extra: Any) -> Rupture:
    with transaction.atomic():
        return ruptures.rupture_flag(
            actor=world.child,
            flag=ruptures.FlagInput(
                family_id=world.family.pk,
                parent_id=world.parent.pk,
                feelings=["sad"],
                intensity=2,
                **extra,
            ),
        )


def test_quiet_hours_silence_but_the_inbox_shows_it_at_once(phone: PhoneFactory) -> None:
    world = young_family()
    now = timezone.now().astimezone(dt.UTC)
    User.objects.filter(pk=world.parent.pk).update(
        time_zone="UTC",
        quiet_hours_start=(now - dt.timedelta(hours=1)).time().replace(second=0, microsecond=0),
        quiet_hours_end=(now + dt.timedelta(hours=2)).time().replace(second=0, microsecond=0),
    )
    rupture = _child_flags(world, need="talk")

    assert deliver_now() == ["deferred", "deferred"]  # heads-up and repair prompt: no wait set
    assert mail.outbox == []

    parent = phone("parent")
    log_in(parent, world.parent)
    parent.tap("inbox-link")
    parent.screen("screen-inbox")
    expect(parent.page.get_by_text("Nothing new. All is quiet.")).to_have_count(0)
    expect(parent.page.get_by_text("Mia flagged a moment with you")).to_be_visible()

    with transaction.atomic():
        ruptures.rupture_acknowledge(actor=world.parent, rupture_id=rupture.pk)
    with transaction.atomic():
        ruptures.rupture_repair_steps_update(
            actor=world.parent,
            rupture_id=rupture.pk,
            changes=[ruptures.StepChange(step=code, done=True) for code in RepairStep.Code.values],
        )
    parent.go(f"/ruptures/{rupture.pk}")
    parent.screen("screen-rupture")
    expect(parent.by_id("rupture-need")).to_have_text("Mia would like you to help them understand.")
    timeline = parent.by_id("rupture-timeline")
    expect(timeline).to_contain_text("Ada worked through the repair steps")
    expect(timeline).not_to_contain_text("did a repair step")

    child = phone("child")
    pair_child(child, world)
    child.go(f"/ruptures/{rupture.pk}")
    child.screen("screen-rupture")
    expect(child.by_id("rupture-need")).to_have_text("You asked Ada to help you understand.")
    expect(child.by_id("rupture-timeline")).to_contain_text("Ada worked through the repair steps")


def test_a_family_turns_reminders_off(phone: PhoneFactory) -> None:
    world = young_family()
    parent = phone("parent")
    log_in(parent, world.parent)
    parent.go(f"/families/{world.family.pk}")
    parent.screen("screen-family-settings")
    expect(parent.by_id("reminders-enabled")).to_be_checked()

    parent.tap("reminders-enabled")
    parent.tap("save-family")
    parent.announced("Family saved.")

    family = Family.objects.get(pk=world.family.pk)
    assert (family.reminders_enabled, family.reminder_minutes) == (False, [])
    parent.reload()
    parent.screen("screen-family-settings")
    expect(parent.by_id("reminders-enabled")).not_to_be_checked()


def test_the_evening_reflection_from_suggestion_to_repair_and_pause(phone: PhoneFactory) -> None:
    world = young_family()
    first = _child_flags(world)
    for actor, service in (
        (world.parent, ruptures.rupture_acknowledge),
        (world.parent, ruptures.rupture_confirm),
        (world.child, ruptures.rupture_confirm),
    ):
        with transaction.atomic():
            service(actor=actor, rupture_id=first.pk)

    deliver_now()  # what the first repair brought (reconnected, ...): out of the way
    parent = phone("parent")
    log_in(parent, world.parent)
    expect(parent.by_id("reflection-suggestion")).to_be_visible()
    parent.audit()
    parent.tap("reflection-suggestion-yes")
    expect(parent.by_id("reflection-suggestion")).to_have_count(0)
    world.parent.refresh_from_db()
    assert world.parent.reflection_enabled is True

    # This evening's reflection comes due: in the inbox, one tap opens it.
    Prompt.objects.filter(kind=PromptKind.REFLECTION, status=PromptStatus.PENDING).update(
        due_at=timezone.now()
    )
    assert deliver_now() == ["sent"]
    note = Notification.objects.get(kind=PromptKind.REFLECTION)
    parent.go("/inbox")
    parent.screen("screen-inbox")
    parent.tap(f"notification-{note.pk}")
    parent.screen("screen-reflection")
    expect(
        parent.page.get_by_text("Was there a moment today you'd like to make right?")
    ).to_be_visible()
    parent.tap(f"reflection-child-{world.child.pk}")
    parent.screen("screen-make-right")
    parent.tap("make-right-feeling-sad")
    parent.tap("make-right-submit")
    parent.screen("screen-repair-steps")
    made = Rupture.objects.exclude(pk=first.pk).get()
    assert (made.started_by, made.child_id, made.started_from_nudge) == (
        "parent",
        world.child.pk,
        True,
    )

    # "Not today" three times in a row: it asks whether to pause.
    for _ in range(2):
        with transaction.atomic():
            reflection.reflection_dismiss(actor=world.parent)
    parent.go("/reflection")
    parent.screen("screen-reflection")
    parent.tap("reflection-dismiss")
    parent.screen("screen-reflection", heading="Pause the evening reflection?")
    parent.tap("reflection-pause")
    parent.screen("screen-home")
    paused = type(world.parent).objects.get(pk=world.parent.pk)  # a fresh read, after the tap
    assert paused.reflection_enabled is False
    assert not Prompt.objects.filter(
        kind=PromptKind.REFLECTION, status=PromptStatus.PENDING
    ).exists()
