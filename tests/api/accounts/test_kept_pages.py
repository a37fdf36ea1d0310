"""Members, the care team, the reader's families and their own page come from kept statements
(``accounts.selectors``) rendered as plain dicts: they answer exactly what the documented
serializers answer over an ORM read (the selectors' where one remains, else one written here),
to the same readers, with the same refusals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts import selectors
from accounts.models import CareTeamGrant, Family, Membership, Role, User
from api.accounts.serializers import (
    CareFamilyOut,
    CareGrantOut,
    FamilyOut,
    MemberOut,
    MeOut,
    care_grant_rows,
    family_rows,
    me_body,
    member_rows,
)
from familyrepair.errors import Forbidden, NotFound
from tests.factories import enrol_totp
from tests.world import World, client_for, member

MEMBERS = ["parent", "other_parent", "child", "sibling", "child_profile"]
NOT_MEMBERS = ["other_family_parent", "therapist_details", "therapist_ungranted"]


def outcome(read: Any) -> Any:
    """What a read answers, or the error it raises (its class and code)."""
    try:
        return read()
    except (NotFound, Forbidden) as error:
        return type(error), error.code


@pytest.mark.parametrize("who", MEMBERS + NOT_MEMBERS)
def test_members_are_what_the_documented_serializer_answers(world: World, who: str) -> None:
    reader = world.actor(who)
    assert isinstance(reader, User)
    Membership.objects.filter(user=world.child).update(details_opt_out=True)
    # The other parent joined after the children: still listed before them.
    Membership.objects.filter(user=world.other_parent).update(
        joined_at=timezone.now() + dt.timedelta(minutes=1)
    )

    kept = outcome(
        lambda: member_rows(selectors.family_members(actor=reader, family_id=world.family.pk))
    )

    if who in NOT_MEMBERS:
        assert kept == (NotFound, "family_not_found")
        return
    # The family's memberships as the ORM reads them: parents first, then as they joined.
    memberships = (
        Membership.objects.filter(family=world.family)
        .select_related("user")
        .order_by("-role", "joined_at", "id")
    )
    assert kept == MemberOut(memberships, many=True).data  # type: ignore[arg-type]  # many=True: a list
    assert [row["role"] for row in kept] == [Role.PARENT] * 2 + [Role.CHILD] * 3
    assert next(row for row in kept if row["id"] == world.child.pk)["details_opt_out"] is True


# Who may read the family's care team: parents, and children once 13.
CARE_TEAM_READERS = {"parent", "other_parent", "child"}
AGE_RESTRICTED = {"sibling", "child_profile", "young"}  # 12, a young child's profile, 7


@pytest.mark.parametrize("who", [*MEMBERS, *NOT_MEMBERS, "young"])
def test_the_care_team_is_what_the_documented_serializer_answers(world: World, who: str) -> None:
    year = timezone.localdate().year
    reader = member(world.family, Role.CHILD, birth_year=year - 7) if who == "young" else None
    reader = reader or world.actor(who)
    assert isinstance(reader, User)
    CareTeamGrant.objects.filter(therapist=world.therapist_details).update(
        granted_at=timezone.now() - dt.timedelta(days=1)
    )
    # Neither a revoked grant nor one to a therapist staff never verified (Mx Vale) is listed.
    CareTeamGrant.objects.create(
        family=world.family,
        therapist=world.therapist_ungranted,
        granted_at=timezone.now() - dt.timedelta(days=3),
        revoked_at=timezone.now(),
    )

    kept = outcome(
        lambda: care_grant_rows(selectors.care_team(actor=reader, family_id=world.family.pk))
    )

    if who in AGE_RESTRICTED:
        assert kept == (Forbidden, "age_restricted")
        return
    if who not in CARE_TEAM_READERS:
        assert kept == (NotFound, "family_not_found")
        return
    # The grants in force to verified therapists as the ORM reads them, first granted first.
    grants = (
        CareTeamGrant.objects.filter(
            family=world.family,
            revoked_at__isnull=True,
            therapist__therapist_verified_at__isnull=False,
        )
        .select_related("therapist")
        .order_by("granted_at", "id")
    )
    assert kept == CareGrantOut(grants, many=True).data  # type: ignore[arg-type]  # many=True: a list
    assert [grant["therapist"]["display_name"] for grant in kept] == ["Dr Reyes", "Dr Osei"]


def test_a_care_team_with_no_one_in_force_is_empty(world: World) -> None:
    """A member's family with no grant in force, or only grants to unverified therapists, has an
    empty care team: 200 with no rows, never the 404 of a family that is not theirs."""
    CareTeamGrant.objects.filter(family=world.family).exclude(
        therapist=world.therapist_unverified
    ).update(revoked_at=timezone.now())

    assert selectors.care_team(actor=world.parent, family_id=world.family.pk) == []
    assert selectors.care_team(actor=world.child, family_id=world.family.pk) == []
    other = selectors.care_team(actor=world.other_family_parent, family_id=world.other_family.pk)
    assert other == []
    with pytest.raises(NotFound):
        selectors.care_team(actor=world.other_family_parent, family_id=world.family.pk)


@pytest.mark.parametrize(("who", "status"), [("parent", 200), ("sibling", 403), ("child", 200)])
def test_the_care_team_is_one_statement_after_the_user(
    world: World, who: str, status: int, django_assert_num_queries: Any
) -> None:
    """The user, then the reader's membership with the team joined to it: the refusal of a
    younger child too."""
    client = client_for(world.actor(who))
    url = f"/api/v1/families/{world.family.pk}/care-team/"
    client.get("/api/v1/me/")  # warm the session

    with django_assert_num_queries(2):
        response = client.get(url)

    assert response.status_code == status


@pytest.mark.parametrize("who", [*MEMBERS, "therapist_details", "therapist_unverified"])
def test_me_is_what_the_documented_serializer_answers(world: World, who: str) -> None:
    reader = world.actor(who)
    assert isinstance(reader, User)
    if who == "parent":  # quiet hours, a second factor and two families
        User.objects.filter(pk=reader.pk).update(
            quiet_hours_start=dt.time(21, 30), quiet_hours_end=dt.time(7, 0)
        )
        enrol_totp(reader)
        member(world.other_family, Role.PARENT, user=reader)
    reader = User.objects.get(pk=reader.pk)
    context = {
        "families": list(selectors.families_for(reader)),
        "care_grants": list(selectors.care_families_for(reader)) if reader.is_therapist else [],
        "has_mfa": selectors.has_mfa(reader),
    }

    families, has_mfa = selectors.families_and_mfa(reader)
    body = me_body(
        reader,
        families=families,
        care_families=CareFamilyOut(context["care_grants"], many=True).data,  # type: ignore[arg-type]  # many=True: a list
        has_mfa=has_mfa,
    )

    assert body == MeOut(reader, context=context).data
    assert client_for(reader).get("/api/v1/me/").json() == MeOut(reader, context=context).data


@pytest.mark.parametrize("who", [*MEMBERS, *NOT_MEMBERS])
def test_families_are_what_the_selectors_and_serializer_answer(world: World, who: str) -> None:
    reader = world.actor(who)
    assert isinstance(reader, User)
    Family.objects.filter(pk=world.family.pk).update(reminder_minutes=[30, 120])
    if who == "parent":
        member(world.other_family, Role.PARENT, user=reader)

    families = selectors.families_for(reader)
    documented: list[Any] = FamilyOut(families, many=True).data  # type: ignore[arg-type, assignment]  # many=True: a list
    assert family_rows(selectors.family_list(actor=reader)) == documented

    def documented_one() -> Any:
        family, membership, _grant = selectors.family_for_reader(
            actor=reader, family_id=world.family.pk
        )
        assert membership is not None  # a therapist's read is not the kept statement's
        return FamilyOut(family, context={"role": membership.role}).data

    def kept_one() -> Any:
        return family_rows([selectors.family_of_member(actor=reader, family_id=world.family.pk)])[0]

    if reader.is_therapist:
        return
    assert outcome(kept_one) == outcome(documented_one)
    assert len(documented) == Membership.objects.filter(user=reader).count()


def test_me_is_one_statement_after_the_user(world: World, django_assert_num_queries: Any) -> None:
    """The user, then their families with whether they have a second factor (a therapist adds
    the families whose care team they are on)."""
    client = client_for(world.parent)
    client.get("/api/v1/me/")  # warm the session

    with django_assert_num_queries(2):
        assert len(client.get("/api/v1/me/").json()["families"]) == 1
