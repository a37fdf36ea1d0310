"""A small world for rupture tests: two families and every kind of caller around them (a plugin)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import CareScope, CareTeamGrant, Family, Role, User
from ruptures import services
from ruptures.models import Rupture
from tests.factories import FamilyFactory, MembershipFactory, UserFactory


@dataclass
class World:
    family: Family
    parent: User
    other_parent: User
    child: User
    sibling: User
    other_family: Family
    other_family_parent: User
    other_family_child: User
    therapist_details: User
    therapist_metrics: User
    therapist_ungranted: User
    therapist_unverified: User

    def actor(self, name: str) -> User | None:
        return None if name == "anonymous" else getattr(self, name)


def therapist(*, verified: bool = True, mfa: bool = True) -> User:
    user = UserFactory.create(
        is_therapist=True, therapist_verified_at=timezone.now() if verified else None
    )
    if mfa:
        Authenticator.objects.create(
            user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
        )
    return user


@pytest.fixture
def world(db: None) -> World:
    family = FamilyFactory.create(name="Okafor")
    parent = MembershipFactory.create(
        family=family, role=Role.PARENT, user__display_name="Ada"
    ).user
    other_parent = MembershipFactory.create(family=family, role=Role.PARENT).user
    child = MembershipFactory.create(
        family=family, role=Role.CHILD, user__display_name="Maya", user__birth_year=2012
    ).user
    sibling = MembershipFactory.create(family=family, role=Role.CHILD, user__birth_year=2014).user
    other_family = FamilyFactory.create(name="Other")
    other_family_parent = MembershipFactory.create(family=other_family, role=Role.PARENT).user
    other_family_child = MembershipFactory.create(family=other_family, role=Role.CHILD).user
    details, metrics = therapist(), therapist()
    CareTeamGrant.objects.create(family=family, therapist=details, scope=CareScope.DETAILS)
    CareTeamGrant.objects.create(family=family, therapist=metrics, scope=CareScope.METRICS)
    unverified = therapist(verified=False)
    CareTeamGrant.objects.create(family=family, therapist=unverified, scope=CareScope.DETAILS)
    return World(
        family=family,
        parent=parent,
        other_parent=other_parent,
        child=child,
        sibling=sibling,
        other_family=other_family,
        other_family_parent=other_family_parent,
        other_family_child=other_family_child,
        therapist_details=details,
        therapist_metrics=metrics,
        therapist_ungranted=therapist(),
        therapist_unverified=unverified,
    )


def flag(world: World, *, by: str = "child", **overrides: Any) -> Rupture:
    """A rupture flagged through the service, by the child (to the parent) or the parent."""
    actor = world.child if by == "child" else world.parent
    fields: dict[str, Any] = {
        "family_id": world.family.pk,
        "feelings": ["hurt", "embarrassed"],
        "intensity": 3,
        "note": "You shouted at me in front of my friends.",
    }
    fields |= {"parent_id": world.parent.pk} if by == "child" else {"child_id": world.child.pk}
    fields |= overrides
    return services.rupture_flag(actor=actor, flag=services.FlagInput(**fields))


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def later(minutes: int = 1) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)
