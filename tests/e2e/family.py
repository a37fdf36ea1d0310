"""A family set up through the services, for browser tests whose subject starts after sign-up (the
whole-loop test does sign-up and set-up through the PWA itself)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Family, User
from accounts.services.children import child_profile_create, pairing_code_create
from accounts.services.families import family_create, family_update
from tests.e2e.phone import Phone, poll
from tests.factories import PASSWORD, UserFactory, verified_email


@dataclass
class YoungFamily:
    family: Family
    parent: User
    child: User


@transaction.atomic  # as a request would be: the services lock rows
def young_family(
    *, family_name: str = "The Okafors", child_name: str = "Mia", child_age: int = 7
) -> YoungFamily:
    """Ada (a parent with no quiet hours) and Mia (7, paired by code); no calm-down wait."""
    parent = verified_email(
        UserFactory.create(
            email="ada@example.com",
            display_name="Ada",
            quiet_hours_start=None,
            quiet_hours_end=None,
        )
    )
    family = family_create(actor=parent, name=family_name)
    family_update(actor=parent, family_id=family.pk, changes={"calm_down_minutes": 0})
    child = child_profile_create(
        actor=parent,
        family_id=family.pk,
        display_name=child_name,
        birth_year=timezone.localdate().year - child_age,
    )
    return YoungFamily(family=family, parent=parent, child=child)


def pair_child(device: Phone, world: YoungFamily) -> None:
    """Open the pairing link a parent's QR code carries; the app pairs at once and goes home."""
    with transaction.atomic():
        _, code = pairing_code_create(
            actor=world.parent, family_id=world.family.pk, child_id=world.child.pk
        )
    device.open(f"/pair/{code}")
    device.screen("screen-home")
    expect(device.by_id("flag-start")).to_contain_text("Tell Ada I'm hurt")  # after its picture


def log_in(device: Phone, user: User) -> None:
    device.open("/login")
    device.screen("screen-login")
    device.fill("login-email", str(user.email))
    device.fill("login-password", PASSWORD)
    device.tap("login-submit")
    device.screen("screen-home")


def wait_for_service_worker(device: Phone) -> None:
    """The service worker is active and controls the page (it claims the page on first install)."""
    device.page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    poll(
        f"{device.who}: a service worker controlling the page",
        lambda: device.page.evaluate("() => navigator.serviceWorker.controller !== null"),
        timeout=10,
        every=0.1,
    )
