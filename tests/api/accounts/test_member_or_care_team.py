"""One person is a member of a family or on its care team, never both (issue 9, item 3): by invite,
by share code, and in the database itself."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from accounts import services
from accounts.models import CareScope, CareTeamGrant, Membership, Role
from tests.factories import MembershipFactory
from tests.world import World, client_for

ON_CARE_TEAM = {
    "status": 409,
    "errors": [
        {
            "code": "on_care_team",
            "message": "You are on this family's care team; someone on it cannot also be a member.",
            "param": None,
        }
    ],
}


def _invite(world: World, role: str) -> str:
    return services.invite_create(actor=world.parent, family_id=world.family.pk, role=role).code


@pytest.mark.parametrize("role", [Role.PARENT, Role.CHILD])
@pytest.mark.parametrize("scope", [CareScope.DETAILS, CareScope.METRICS])
def test_a_therapist_on_the_care_team_cannot_join_the_family(
    world: World, role: str, scope: str
) -> None:
    CareTeamGrant.objects.filter(pk=world.therapist_metrics_grant.pk).update(scope=scope)
    code = _invite(world, role)

    response = client_for(world.therapist_metrics).post(f"/api/v1/invites/{code}/accept/")

    assert (response.status_code, response.json()) == (409, ON_CARE_TEAM)
    assert not Membership.objects.filter(user=world.therapist_metrics).exists()


def test_once_the_grant_is_revoked_the_therapist_may_join(world: World) -> None:
    revoked = client_for(world.parent).delete(
        f"/api/v1/families/{world.family.pk}/care-team/{world.therapist_metrics_grant.pk}/"
    )
    code = _invite(world, Role.PARENT)

    response = client_for(world.therapist_metrics).post(f"/api/v1/invites/{code}/accept/")

    assert (revoked.status_code, response.status_code) == (204, 201)


def test_a_member_cannot_be_added_to_the_care_team(world: World) -> None:
    MembershipFactory.create(family=world.family, user=world.therapist_ungranted, role=Role.PARENT)

    response = client_for(world.parent).post(
        f"/api/v1/families/{world.family.pk}/care-team/",
        {"share_code": world.therapist_ungranted.therapist_share_code, "scope": "details"},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "therapist_is_member"
    assert not CareTeamGrant.objects.filter(therapist=world.therapist_ungranted).exists()


def test_the_database_refuses_a_member_on_the_care_team(world: World) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(family=world.family, user=world.therapist_metrics, role="parent")
    with pytest.raises(IntegrityError), transaction.atomic():
        CareTeamGrant.objects.create(family=world.family, therapist=world.other_parent)
    grant = CareTeamGrant.objects.create(
        family=world.family,
        therapist=world.other_parent,
        revoked_at=world.therapist_metrics_grant.granted_at,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        CareTeamGrant.objects.filter(pk=grant.pk).update(revoked_at=None)
