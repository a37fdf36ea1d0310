"""A family with every kind of caller around it, shared by allowed and denied cases alike."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import CareScope, CareTeamGrant, Family, Role, User
from tests.factories import (
    CareTeamGrantFactory,
    ChildProfileFactory,
    FamilyFactory,
    MembershipFactory,
    TeenFactory,
    TherapistFactory,
    UserFactory,
    enrol_totp,
    verified_email,
)


@dataclasses.dataclass
class World:
    family: Family
    parent: User
    second_parent: User
    child: User  # a child profile under 13, no email
    teen: User  # a 15-year-old with their own email account
    other_family: Family
    other_parent: User
    other_child: User
    granted_therapist: User  # verified, MFA enrolled, active grant
    ungranted_therapist: User  # verified, MFA enrolled, no grant here
    unverified_therapist: User  # has a grant row, but staff never verified them
    grant: CareTeamGrant

    def caller(self, name: str) -> User | None:
        user: User | None = None if name == "anonymous" else getattr(self, name)
        return user


@pytest.fixture
def world(db: None) -> World:
    family = FamilyFactory.create(name="The Rivers")
    parent = verified_email(UserFactory.create(display_name="Maya"))
    second_parent = verified_email(UserFactory.create(display_name="Sam"))
    child = ChildProfileFactory.create(display_name="Ada")
    teen = verified_email(TeenFactory.create(display_name="Leo"))
    for user, role in (
        (parent, Role.PARENT),
        (second_parent, Role.PARENT),
        (child, Role.CHILD),
        (teen, Role.CHILD),
    ):
        MembershipFactory.create(family=family, user=user, role=role)
    other_family = FamilyFactory.create(name="The Hills")
    other_parent = verified_email(UserFactory.create(display_name="Noor"))
    other_child = ChildProfileFactory.create(display_name="Ben")
    MembershipFactory.create(family=other_family, user=other_parent, role=Role.PARENT)
    MembershipFactory.create(family=other_family, user=other_child, role=Role.CHILD)

    granted = verified_email(TherapistFactory.create(display_name="Dr Okafor"))
    enrol_totp(granted)
    grant = CareTeamGrantFactory.create(
        family=family,
        therapist=granted,
        scope=CareScope.METRICS,
        granted_by=parent,
        granted_at=timezone.now() - dt.timedelta(days=2),
    )
    CareTeamGrantFactory.create(family=other_family, therapist=granted)
    ungranted = verified_email(TherapistFactory.create(display_name="Dr Lind"))
    enrol_totp(ungranted)
    unverified = verified_email(
        TherapistFactory.create(display_name="Mx Vale", therapist_verified_at=None)
    )
    enrol_totp(unverified)
    CareTeamGrantFactory.create(family=family, therapist=unverified)
    return World(
        family=family,
        parent=parent,
        second_parent=second_parent,
        child=child,
        teen=teen,
        other_family=other_family,
        other_parent=other_parent,
        other_child=other_child,
        granted_therapist=granted,
        ungranted_therapist=ungranted,
        unverified_therapist=unverified,
        grant=grant,
    )


def client_for(user: User | None) -> APIClient:
    """A browser-session client signed in as ``user`` (anonymous when None)."""
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client
