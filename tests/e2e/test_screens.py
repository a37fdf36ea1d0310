"""The screens the other browser tests do not pass through, each audited by axe-core: so that
"zero violations on every screen" covers every screen of the PWA, not only the loop's."""

from __future__ import annotations

import pytest
from django.db import transaction
from playwright.sync_api import expect

from accounts.services.invites import invite_create
from ruptures import services as ruptures
from tests.e2e.conftest import PhoneFactory
from tests.e2e.family import log_in, young_family

pytestmark = pytest.mark.browser


def test_the_remaining_screens_pass_axe(phone: PhoneFactory) -> None:
    world = young_family()
    with transaction.atomic():
        flagged = ruptures.rupture_flag(
            actor=world.child,
            flag=ruptures.FlagInput(
                family_id=world.family.pk, parent_id=world.parent.pk, feelings=["sad"], intensity=2
            ),
        )
    for actor, service in (
        (world.parent, ruptures.rupture_acknowledge),
        (world.parent, ruptures.rupture_confirm),
        (world.child, ruptures.rupture_confirm),
    ):
        with transaction.atomic():
            service(actor=actor, rupture_id=flagged.pk)
    with transaction.atomic():
        invite = invite_create(actor=world.parent, family_id=world.family.pk, role="parent")

    visitor = phone("visitor")
    visitor.open("/reset-password")
    visitor.screen("screen-reset-password")
    visitor.open(f"/invite/{invite.code}")
    visitor.screen("screen-invite")
    expect(visitor.by_id("invite-signup")).to_be_visible()
    visitor.open("/no/such/page")
    visitor.screen("screen-not-found")

    parent = phone("parent")
    log_in(parent, world.parent)
    parent.tap("history-link")
    parent.screen("screen-history")
    expect(parent.by_id(f"history-item-{flagged.pk}")).to_be_visible()
    parent.go("/privacy")
    parent.screen("screen-privacy")
    parent.go("/")
    parent.screen("screen-home")
    parent.tap("make-right-start")
    parent.screen("screen-make-right")
    expect(parent.by_id("make-right-submit")).to_be_visible()
    parent.go("/invite")
    parent.screen("screen-invite")
