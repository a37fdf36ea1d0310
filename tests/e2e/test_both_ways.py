"""Repair in both directions, at a phone's viewport: a child's own "I want to make it right" toward
a parent (their four steps, the parent's gentle notice, the parent's part of the plan and their
confirm), and a plan made together after a parent's repair, brought back at the follow-up."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.test import TestCase
from django.utils import timezone
from playwright.sync_api import expect

from ruptures import delivery
from ruptures import services as ruptures
from ruptures.models import Direction, EventKind, Rupture, RuptureEvent
from tests.e2e.conftest import PhoneFactory
from tests.e2e.family import log_in, pair_child, young_family

pytestmark = pytest.mark.browser


def deliver_due() -> None:
    """What the beat and a worker would do now (their own processes are the whole loop's test)."""
    now = timezone.now()
    claimed: list[tuple[int, str]] = []
    with TestCase.captureOnCommitCallbacks(execute=True):
        delivery.prompts_claim_due(now=now, enqueue=lambda pk, t: claimed.append((pk, t)))
    for pk, token in claimed:
        delivery.prompt_deliver(prompt_id=pk, claim_token=token, now=now)


def test_a_child_makes_it_right_with_a_parent(phone: PhoneFactory) -> None:
    world = young_family()
    child = phone("child")
    pair_child(child, world)

    expect(child.by_id("child-make-right-start")).to_have_text("I want to make it right with Ada")
    child.tap("child-make-right-start")
    child.screen("screen-make-right", heading="Making it right with Ada")
    expect(child.page.locator("legend")).to_have_text("How do you think Ada felt?")
    child.fill("make-right-note", "I threw my shoe.")
    child.page.locator('label[for="mr-sad"]').tap()
    child.tap("make-right-submit")

    # Mia is 7: her four steps, in words for her age.
    child.screen("screen-repair-steps", heading="Step 1 of 4: What happened?")
    child.fill("repair-steps-reflection", "I was cross about bedtime.")
    child.tap("repair-steps-next")
    child.screen("screen-repair-steps", heading="Step 2 of 4: Say sorry")
    child.tap("repair-steps-next")
    child.screen("screen-repair-steps", heading="Step 3 of 4: How did Ada feel?")
    child.tap("repair-steps-next")
    child.screen("screen-repair-steps", heading="Step 4 of 4: Next time")
    expect(child.by_id("repair-steps-reflection")).to_have_count(0)  # her plan is the step itself
    child.fill("repair-steps-plan", "Take a big breath.")
    child.tap("repair-steps-next")
    child.screen("screen-rupture", heading="You and Ada")
    expect(child.by_id("plan-child")).to_have_text("You: Take a big breath.")
    child.tap("action-confirm")
    child.announced("You said you are OK now.")
    expect(child.by_id("rupture-waiting-other")).to_be_visible()
    rupture = Rupture.objects.get()
    assert rupture.direction == Direction.CHILD_REPAIRS

    deliver_due()
    parent = phone("parent")
    log_in(parent, world.parent)
    parent.go("/inbox")
    parent.screen("screen-inbox")
    expect(parent.page.get_by_text("Mia wants to make something right with you")).to_be_visible()
    expect(parent.page.get_by_text("What would help next time?").first).to_be_visible()
    parent.go(f"/ruptures/{rupture.pk}")
    parent.screen("screen-rupture", heading="You and Mia")
    expect(parent.by_id("rupture-child-repairs")).to_contain_text("Mia wants to make something")
    expect(parent.page.get_by_text("I was cross about bedtime.")).to_have_count(0)  # hers alone
    expect(parent.by_id("action-repair-steps")).to_have_count(0)
    expect(parent.by_id("action-not-yet")).to_be_visible()
    parent.fill("plan-words", "Tell me when you need a minute.")
    parent.tap("plan-save")
    parent.announced("Added to your plan.")
    expect(parent.by_id("plan-parent")).to_have_text("You: Tell me when you need a minute.")
    expect(parent.by_id("plan-child")).to_have_text("Mia: Take a big breath.")
    parent.audit()
    parent.tap("action-confirm")
    expect(parent.by_id("rupture-status")).to_have_text("Reconnected")

    child.reload()
    child.screen("screen-rupture", heading="You and Ada")
    expect(child.by_id("rupture-status")).to_have_text("Reconnected")
    expect(child.by_id("plan-parent")).to_have_text("Ada: Tell me when you need a minute.")


def test_a_plan_made_together_comes_back_at_the_follow_up(phone: PhoneFactory) -> None:
    world = young_family()
    with transaction.atomic():
        flagged = ruptures.rupture_flag(
            actor=world.child,
            flag=ruptures.FlagInput(
                family_id=world.family.pk, parent_id=world.parent.pk, feelings=["sad"], intensity=2
            ),
        )
    with transaction.atomic():
        ruptures.rupture_acknowledge(actor=world.parent, rupture_id=flagged.pk)

    parent = phone("parent")
    log_in(parent, world.parent)
    parent.go(f"/ruptures/{flagged.pk}/repair-steps/6")
    parent.screen("screen-repair-steps", heading="Step 6 of 6")
    parent.fill("repair-steps-reflection", "I was tired; that's mine to handle.")
    parent.fill("repair-steps-plan", "I'll stop and breathe before I answer.")
    parent.tap("repair-steps-next")
    parent.screen("screen-rupture", heading="You and Mia")
    expect(parent.by_id("plan-parent")).to_have_text("You: I'll stop and breathe before I answer.")
    expect(parent.by_id("plan-ask")).to_have_count(0)  # the question is the child's

    child = phone("child")
    pair_child(child, world)
    child.go(f"/ruptures/{flagged.pk}")
    child.screen("screen-rupture", heading="You and Ada")
    expect(child.by_id("plan-ask")).to_contain_text("What would help you next time Ada and you")
    expect(child.page.get_by_text("I was tired")).to_have_count(0)  # the parent's alone
    child.fill("plan-words", "Sit next to me.")
    child.tap("plan-save")
    child.announced("Added to your plan.")
    expect(child.by_id("plan-child")).to_have_text("You: Sit next to me.")
    child.tap("plans-link")
    child.screen("screen-plans")
    expect(child.by_id(f"plan-row-{flagged.pk}")).to_contain_text("Ada: I'll stop and breathe")
    expect(child.by_id(f"plan-row-{flagged.pk}")).to_contain_text("You: Sit next to me.")

    for actor in (world.parent, world.child):
        with transaction.atomic():
            ruptures.rupture_confirm(actor=actor, rupture_id=flagged.pk)
    Rupture.objects.filter(pk=flagged.pk).update(
        reconnected_at=timezone.now() - dt.timedelta(days=3)
    )

    child.go("/")
    child.screen("screen-home")
    child.go(f"/ruptures/{flagged.pk}")
    child.screen("screen-rupture", heading="You and Ada")
    expect(child.by_id("follow-up-plan")).to_contain_text("Did our plan help?")
    expect(child.by_id("follow-up-plan")).to_contain_text("Sit next to me.")
    child.page.locator('label[for="plan-helped-true"]').tap()
    child.tap("follow-up-ok")
    child.announced("Thank you for checking in.")
    answer = RuptureEvent.objects.get(rupture=flagged, kind=EventKind.FOLLOW_UP)
    assert answer.data == {"answer": "ok", "plan_helped": True}

    parent.go("/")
    parent.screen("screen-home")
    parent.tap("plans-home-link")
    parent.screen("screen-plans")
    expect(parent.page.get_by_role("heading", name="You and Mia")).to_be_visible()
