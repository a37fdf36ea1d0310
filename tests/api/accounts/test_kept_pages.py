"""Members, the care team and the reader's own page come from kept statements
(``api.accounts.pages``) and plain dicts: they answer exactly what the selectors and the
documented serializers answer, to the same readers, with the same refusals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts import selectors
from accounts.models import CareTeamGrant, Family, Membership, Role, User
from api.accounts import pages
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
def test_members_are_what_the_selector_and_serializer_answer(world: World, who: str) -> None:
    reader = world.actor(who)
    assert isinstance(reader, User)
    Membership.objects.filter(user=world.child).update(details_opt_out=True)

    def documented() -> Any:
        memberships = selectors.family_members(actor=reader, family_id=world.family.pk)
        return MemberOut(memberships, many=True).data  # type: ignore[arg-type]  # many=True: a list

    def kept() -> Any:
        return member_rows(pages.members(actor=reader, family_id=world.family.pk))

    expected = outcome(documented)
    assert outcome(kept) == expected
    assert len(expected) == 5 if who in MEMBERS else expected[1] == "family_not_found"


@pytest.mark.parametrize("who", [*MEMBERS, *NOT_MEMBERS, "young"])
def test_the_care_team_is_what_the_selector_and_serializer_answer(world: World, who: str) -> None:
    year = timezone.localdate().year
    reader = member(world.family, Role.CHILD, birth_year=year - 7) if who == "young" else None
    reader = reader or world.actor(who)
    assert isinstance(reader, User)
    CareTeamGrant.objects.filter(therapist=world.therapist_details).update(
        granted_at=timezone.now() - dt.timedelta(days=1)
    )

    def documented() -> Any:
        grants = selectors.care_team(actor=reader, family_id=world.family.pk)
        return CareGrantOut(grants, many=True).data  # type: ignore[arg-type]  # many=True: a list

    def kept() -> Any:
        return care_grant_rows(pages.care_team(actor=reader, family_id=world.family.pk))

    expected = outcome(documented)
    assert outcome(kept) == expected
    if who in {"sibling", "young"}:
        assert expected == (Forbidden, "age_restricted")
    if who in ("parent", "child"):  # the sibling is 12: refused, as the young child
        assert [grant["therapist"]["display_name"] for grant in expected] == [
            "Dr Reyes",
            "Dr Osei",
        ]


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

    families, has_mfa = pages.me(reader)
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
    assert family_rows(pages.families(reader)) == documented

    def documented_one() -> Any:
        family, membership, _grant = selectors.family_for_reader(
            actor=reader, family_id=world.family.pk
        )
        assert membership is not None  # a therapist's read is not the kept statement's
        return FamilyOut(family, context={"role": membership.role}).data

    def kept_one() -> Any:
        return family_rows([pages.family_of_member(actor=reader, family_id=world.family.pk)])[0]

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
