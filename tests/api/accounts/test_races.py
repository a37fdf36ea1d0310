"""Two devices racing with one pairing code, or two people with one single-use invite: exactly one
wins (a conditional UPDATE under real concurrency, PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts import services
from accounts.models import CareTeamGrant, Membership, Role
from tests.factories import (
    ChildProfileFactory,
    FamilyFactory,
    MembershipFactory,
    TherapistFactory,
    UserFactory,
)
from tests.world import client_for

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


def _race(calls: list[Callable[[], int]]) -> list[int]:
    barrier = threading.Barrier(len(calls))
    results: list[int] = []

    def run(call: Callable[[], int]) -> None:
        barrier.wait()
        try:
            results.append(call())
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(results)


def test_one_pairing_code_signs_in_one_device() -> None:
    family = FamilyFactory.create()
    parent = MembershipFactory.create(family=family).user
    child = MembershipFactory.create(
        family=family, user=ChildProfileFactory.create(), role=Role.CHILD
    )
    _, code = services.pairing_code_create(
        actor=parent, family_id=family.pk, child_id=child.user_id
    )

    def pair() -> int:
        return APIClient().post("/api/v1/pairing/", {"code": code}, format="json").status_code

    assert _race([pair] * 4) == [200, 400, 400, 400]


def test_single_use_invite_admits_one() -> None:
    family = FamilyFactory.create()
    parent = MembershipFactory.create(family=family).user
    code = services.invite_create(actor=parent, family_id=family.pk, role="child").code
    joiners = [UserFactory.create() for _ in range(3)]

    def accept(user_index: int) -> Callable[[], int]:
        return lambda: (
            client_for(joiners[user_index]).post(f"/api/v1/invites/{code}/accept/").status_code
        )

    assert _race([accept(i) for i in range(3)]) == [201, 409, 409]
    assert Membership.objects.filter(family=family).count() == 2


def test_joining_and_being_added_to_the_care_team_at_once_admits_one() -> None:
    family = FamilyFactory.create()
    parent = MembershipFactory.create(family=family).user
    therapist = TherapistFactory.create()
    code = services.invite_create(actor=parent, family_id=family.pk, role="parent").code

    def join() -> int:
        return client_for(therapist).post(f"/api/v1/invites/{code}/accept/").status_code

    def add() -> int:
        return (
            client_for(parent)
            .post(
                f"/api/v1/families/{family.pk}/care-team/",
                {"share_code": therapist.therapist_share_code},
                format="json",
            )
            .status_code
        )

    assert _race([join, add]) == [201, 409]
    members = Membership.objects.filter(family=family, user=therapist).count()
    grants = CareTeamGrant.objects.filter(family=family, therapist=therapist).count()
    assert members + grants == 1
