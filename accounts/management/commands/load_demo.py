"""``manage.py load_demo``: a demo family to click around in, created through the services.

Idempotent: running it again finds the family and changes nothing. Other areas (ruptures) extend
``Command.handle`` with their own demo data after the family exists.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Family, Membership, User
from accounts.services.children import child_profile_create
from accounts.services.families import family_create
from accounts.services.invites import invite_accept, invite_create

DEMO_PASSWORD = "repair-together-demo"  # noqa: S105  # a published demo password, local only
DEMO_FAMILY = "The Demo Family"
PARENT_EMAIL = "alex@demo.familyrepair.localhost"
SECOND_PARENT_EMAIL = "jordan@demo.familyrepair.localhost"
TEEN_EMAIL = "sam@demo.familyrepair.localhost"


def _account(email: str, display_name: str, *, birth_year: int | None = None) -> User:
    """A signed-up account with a verified address, as allauth's signup would leave it."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, display_name=display_name, birth_year=birth_year
        )
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


class Command(BaseCommand):
    help = "Create a demo family (two parents, a young child, a teen) and print how to sign in."

    def handle(self, *args: Any, **options: Any) -> None:
        family = self.demo_family()
        self.stdout.write(self.style.SUCCESS(f"Demo family ready: {family.name} (id {family.pk})"))
        self.stdout.write(
            f"Sign in at {settings.SITE_URL}/ with any of these, password {DEMO_PASSWORD!r}:\n"
            f"  parent  {PARENT_EMAIL}\n"
            f"  parent  {SECOND_PARENT_EMAIL}\n"
            f"  teen    {TEEN_EMAIL}\n"
            "The young child (Mia) has no password: as a parent, open the family, choose Mia and\n"
            "'Pair a device'; enter the code on the child's device (it works once, for 10 minutes)."
        )

    @transaction.atomic
    def demo_family(self) -> Family:
        parent = _account(PARENT_EMAIL, "Alex")
        existing = Family.objects.filter(name=DEMO_FAMILY, memberships__user=parent).first()
        if existing is not None:
            return existing
        now = timezone.now()
        family = family_create(actor=parent, name=DEMO_FAMILY, now=now)
        second_parent = _account(SECOND_PARENT_EMAIL, "Jordan")
        teen = _account(TEEN_EMAIL, "Sam", birth_year=now.year - 15)
        for user, role in ((second_parent, "parent"), (teen, "child")):
            if not Membership.objects.filter(family=family, user=user).exists():
                invite = invite_create(actor=parent, family_id=family.pk, role=role)
                invite_accept(actor=user, code=invite.code)
        child_profile_create(
            actor=parent, family_id=family.pk, display_name="Mia", birth_year=now.year - 8
        )
        return family
