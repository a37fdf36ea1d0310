"""Invites (single use, expiring, by role) and the care team (share codes, scopes, access log)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import CareTeamGrant, Invite, Membership, TherapistAccessLog
from accounts.services.care_team import therapist_access_record, therapist_verify
from accounts.services.invites import invite_create
from tests.factories import TherapistFactory, UserFactory, enrol_totp
from tests.world import World, client_for, other_family_grant

pytestmark = pytest.mark.django_db


def _invite(world: World, role: str = "child", **extra: Any) -> dict[str, Any]:
    response = client_for(world.parent).post(
        f"/api/v1/families/{world.family.pk}/invites/", {"role": role, **extra}, format="json"
    )
    assert response.status_code == 201, response.content
    return dict(response.json())


def test_invite_shape(world: World) -> None:
    body = _invite(world, role="parent")

    assert body == {
        "id": body["id"],
        "code": body["code"],
        "url": f"http://localhost:8000/#/invite/{body['code']}",
        "role": "parent",
        "expires_at": body["expires_at"],
        "max_uses": 1,
        "uses": 0,
        "revoked": False,
    }
    assert len(body["code"]) == 8
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert dt.timedelta(days=6, hours=23) < expires - timezone.now() <= dt.timedelta(days=7)


def test_adult_child_joins_by_invite(world: World) -> None:
    grown_up = UserFactory.create(birth_year=timezone.localdate().year - 30)
    code = _invite(world)["code"]

    response = client_for(grown_up).post(f"/api/v1/invites/{code.lower()}/accept/")

    assert response.status_code == 201
    assert (response.json()["id"], response.json()["role"]) == (world.family.pk, "child")
    assert Membership.objects.get(family=world.family, user=grown_up).role == "child"
    assert Invite.objects.get(code=code).uses == 1


def test_invite_is_single_use_by_default(world: World) -> None:
    code = _invite(world)["code"]
    assert (
        client_for(world.other_family_parent).post(f"/api/v1/invites/{code}/accept/").status_code
        == 201
    )
    latecomer = UserFactory.create()

    response = client_for(latecomer).post(f"/api/v1/invites/{code}/accept/")

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "invite_used"
    assert not Membership.objects.filter(user=latecomer).exists()


def test_multi_use_invite(world: World) -> None:
    code = _invite(world, max_uses=2)["code"]
    for user in (UserFactory.create(), UserFactory.create()):
        assert client_for(user).post(f"/api/v1/invites/{code}/accept/").status_code == 201

    third = client_for(UserFactory.create()).post(f"/api/v1/invites/{code}/accept/")
    assert third.json()["errors"][0]["code"] == "invite_used"


def test_expired_and_revoked_invites(world: World) -> None:
    expired = invite_create(
        actor=world.parent,
        family_id=world.family.pk,
        role="child",
        now=timezone.now() - dt.timedelta(days=8),
    )
    revoked = _invite(world)
    parent = client_for(world.parent)
    assert (
        parent.delete(f"/api/v1/families/{world.family.pk}/invites/{revoked['id']}/").status_code
        == 204
    )
    joiner = client_for(UserFactory.create())

    cases = [(expired.code, 409, "invite_expired"), (revoked["code"], 409, "invite_revoked")]
    cases.append(("NOPE2345", 404, "invite_not_found"))
    for code, status, error in cases:
        response = joiner.post(f"/api/v1/invites/{code}/accept/")
        assert (response.status_code, response.json()["errors"][0]["code"]) == (status, error)
    assert Membership.objects.filter(family=world.family).count() == 5


def test_child_cannot_join_as_parent(world: World) -> None:
    code = _invite(world, role="parent")["code"]

    response = client_for(world.other_family_child_profile).post(f"/api/v1/invites/{code}/accept/")

    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "too_young_for_parent_role"
    assert Invite.objects.get(code=code).uses == 0


@pytest.mark.parametrize(
    ("body", "code", "param"),
    [
        ({}, "required", "role"),
        ({"role": "therapist"}, "invalid_choice", "role"),
        ({"role": "child", "max_uses": 0}, "min_value", "max_uses"),
        ({"role": "child", "max_uses": 21}, "max_value", "max_uses"),
        ({"role": "child", "max_uses": "many"}, "invalid", "max_uses"),
    ],
)
def test_invite_bad_input(world: World, body: dict[str, Any], code: str, param: str) -> None:
    response = client_for(world.parent).post(
        f"/api/v1/families/{world.family.pk}/invites/", body, format="json"
    )

    assert response.status_code == 400
    assert (response.json()["errors"][0]["code"], response.json()["errors"][0]["param"]) == (
        code,
        param,
    )
    assert not Invite.objects.exists()


def test_invite_accept_is_rate_limited(world: World) -> None:
    joiner = client_for(UserFactory.create())
    statuses = [joiner.post(f"/api/v1/invites/WRONG{n:03d}/accept/").status_code for n in range(20)]

    blocked = joiner.post(f"/api/v1/invites/{_invite(world)['code']}/accept/")

    assert statuses == [404] * 20
    assert blocked.status_code == 429


# --- Care team -------------------------------------------------------------------------------


def test_parent_adds_therapist_by_share_code(world: World) -> None:
    code = world.therapist_ungranted.therapist_share_code
    assert code

    response = client_for(world.other_parent).post(
        f"/api/v1/families/{world.family.pk}/care-team/",
        {"share_code": f" {code.lower()} ", "scope": "details"},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "therapist": {"id": world.therapist_ungranted.pk, "display_name": "Dr Lind"},
        "scope": "details",
        "granted_at": body["granted_at"],
    }
    grant = CareTeamGrant.objects.get(pk=body["id"])
    assert grant.granted_by == world.other_parent


def test_scope_defaults_to_metrics(world: World) -> None:
    response = client_for(world.parent).post(
        f"/api/v1/families/{world.family.pk}/care-team/",
        {"share_code": world.therapist_ungranted.therapist_share_code},
        format="json",
    )

    assert response.json()["scope"] == "metrics"


@pytest.mark.parametrize(
    ("share_code", "scope", "status", "code", "param"),
    [
        ("NOSUCHCODE", "metrics", 400, "invalid_share_code", "share_code"),
        ("", "metrics", 400, "blank", "share_code"),
        ("x" * 33, "metrics", 400, "max_length", "share_code"),
        ("therapist_ungranted", "everything", 400, "invalid_choice", "scope"),
        ("therapist_unverified", "metrics", 400, "invalid_share_code", "share_code"),
        ("therapist_metrics", "metrics", 409, "already_on_care_team", None),
    ],
)
def test_care_team_bad_input(
    world: World, share_code: str, scope: str, status: int, code: str, param: str | None
) -> None:
    therapist = getattr(world, share_code, None)
    body = {
        "share_code": therapist.therapist_share_code if therapist else share_code,
        "scope": scope,
    }
    before = CareTeamGrant.objects.count()

    response = client_for(world.parent).post(
        f"/api/v1/families/{world.family.pk}/care-team/", body, format="json"
    )

    assert response.status_code == status
    assert (response.json()["errors"][0]["code"], response.json()["errors"][0]["param"]) == (
        code,
        param,
    )
    assert CareTeamGrant.objects.count() == before


def test_any_parent_revokes_and_therapist_loses_access(world: World) -> None:
    therapist = client_for(world.therapist_metrics)
    assert therapist.get(f"/api/v1/families/{world.family.pk}/").status_code == 200

    response = client_for(world.other_parent).delete(
        f"/api/v1/families/{world.family.pk}/care-team/{world.therapist_metrics_grant.pk}/"
    )

    assert response.status_code == 204
    world.therapist_metrics_grant.refresh_from_db()
    assert (
        world.therapist_metrics_grant.revoked_by,
        world.therapist_metrics_grant.revoked_at is not None,
    ) == (
        world.other_parent,
        True,
    )
    assert therapist.get(f"/api/v1/families/{world.family.pk}/").status_code == 404
    again = client_for(world.parent).delete(
        f"/api/v1/families/{world.family.pk}/care-team/{world.therapist_metrics_grant.pk}/"
    )
    assert again.status_code == 404


def test_revoking_other_familys_grant_is_404(world: World) -> None:
    other_grant = other_family_grant(world)

    response = client_for(world.parent).delete(
        f"/api/v1/families/{world.family.pk}/care-team/{other_grant.pk}/"
    )

    assert response.status_code == 404
    other_grant.refresh_from_db()
    assert other_grant.revoked_at is None


def test_care_team_visible_to_13_plus_only_verified_listed(world: World) -> None:
    teen_view = client_for(world.child).get(f"/api/v1/families/{world.family.pk}/care-team/")
    child_view = client_for(world.child_profile).get(
        f"/api/v1/families/{world.family.pk}/care-team/"
    )

    assert teen_view.status_code == 200
    assert [row["therapist"]["id"] for row in teen_view.json()["results"]] == [
        world.therapist_metrics.pk,  # granted first
        world.therapist_details.pk,
    ]
    assert child_view.status_code == 403
    assert child_view.json()["errors"][0]["code"] == "age_restricted"


def test_therapist_without_mfa_is_refused_family_data(world: World) -> None:
    no_mfa = TherapistFactory.create()
    CareTeamGrant.objects.create(family=world.family, therapist=no_mfa)

    response = client_for(no_mfa).get(f"/api/v1/families/{world.family.pk}/")

    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "mfa_required"
    assert not TherapistAccessLog.objects.filter(therapist=no_mfa).exists()
    enrol_totp(no_mfa)
    assert client_for(no_mfa).get(f"/api/v1/families/{world.family.pk}/").status_code == 200


def test_access_log_lists_therapist_reads_for_parents(world: World) -> None:
    other_family_grant(world)
    therapist = client_for(world.therapist_metrics)
    therapist.get(f"/api/v1/families/{world.family.pk}/")
    therapist.get(f"/api/v1/families/{world.other_family.pk}/")

    response = client_for(world.parent).get(f"/api/v1/families/{world.family.pk}/access-log/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row == {
        "id": row["id"],
        "therapist": {"id": world.therapist_metrics.pk, "display_name": "Dr Reyes"},
        "action": "family.view",
        "object_type": "",
        "object_id": "",
        "created_at": row["created_at"],
    }


def test_access_log_query_count_does_not_grow(world: World, django_assert_num_queries: Any) -> None:
    for _ in range(50):
        therapist_access_record(
            therapist=world.therapist_metrics, family=world.family, action="rupture.view"
        )
    client = client_for(world.parent)
    client.get("/api/v1/me/")

    # the user, the membership check, the page with its count
    with django_assert_num_queries(3):
        response = client.get(f"/api/v1/families/{world.family.pk}/access-log/", {"page_size": 100})
    assert response.json()["count"] == 50


def test_staff_verification_gives_a_share_code() -> None:
    applicant = UserFactory.create(is_therapist=True)

    therapist_verify(therapist=applicant)

    applicant.refresh_from_db()
    assert applicant.is_verified_therapist
    assert applicant.therapist_share_code
    assert len(applicant.therapist_share_code) == 10
