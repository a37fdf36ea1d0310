"""A parent naming another family's (or an unknown) id in their own family's URLs gets 404 and
nothing is written: generated over every write that takes an id."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from allauth.usersessions.models import UserSession
from rest_framework.test import APIClient

from accounts import services
from accounts.models import (
    CareTeamGrant,
    Invite,
    Membership,
    PairingCode,
    TherapistAccessLog,
    User,
)
from tests.world import ClientKind, World, client_for, other_family_grant

pytestmark = pytest.mark.django_db

UNKNOWN = 987_654


def _other_device(w: World) -> int:
    _, code = services.pairing_code_create(
        actor=w.other_family_parent,
        family_id=w.other_family.pk,
        child_id=w.other_family_child_profile.pk,
    )
    APIClient().post("/api/v1/pairing/", {"code": code}, format="json")
    return int(UserSession.objects.get(user=w.other_family_child_profile).pk)


def _other_invite(w: World) -> int:
    return services.invite_create(
        actor=w.other_family_parent, family_id=w.other_family.pk, role="child"
    ).pk


def _other_grant(w: World) -> int:
    return int(other_family_grant(w).pk)


FOREIGN: list[tuple[str, str, Callable[[World], str]]] = [
    ("remove-member", "delete", lambda w: f"members/{w.other_family_child_profile.pk}/"),
    ("remove-unknown-member", "delete", lambda w: f"members/{UNKNOWN}/"),
    ("update-member", "patch", lambda w: f"members/{w.other_family_parent.pk}/"),
    (
        "pair-other-child",
        "post",
        lambda w: f"children/{w.other_family_child_profile.pk}/pairing-codes/",
    ),
    ("pair-unknown-child", "post", lambda w: f"children/{UNKNOWN}/pairing-codes/"),
    (
        "devices-other-child",
        "get",
        lambda w: f"children/{w.other_family_child_profile.pk}/devices/",
    ),
    (
        "revoke-other-device",
        "delete",
        lambda w: f"children/{w.child_profile.pk}/devices/{_other_device(w)}/",
    ),
    (
        "revoke-unknown-device",
        "delete",
        lambda w: f"children/{w.child_profile.pk}/devices/{UNKNOWN}/",
    ),
    ("revoke-other-invite", "delete", lambda w: f"invites/{_other_invite(w)}/"),
    ("revoke-unknown-invite", "delete", lambda w: f"invites/{UNKNOWN}/"),
    ("revoke-other-grant", "delete", lambda w: f"care-team/{_other_grant(w)}/"),
    ("revoke-unknown-grant", "delete", lambda w: f"care-team/{UNKNOWN}/"),
]


def _state() -> tuple[object, ...]:
    return (
        User.objects.count(),
        Membership.objects.count(),
        PairingCode.objects.count(),
        Invite.objects.filter(revoked_at__isnull=True).count(),
        CareTeamGrant.objects.filter(revoked_at__isnull=True).count(),
        TherapistAccessLog.objects.count(),
        UserSession.objects.count(),
        tuple(Membership.objects.order_by("pk").values_list("details_opt_out", flat=True)),
    )


@pytest.mark.parametrize(("name", "method", "tail"), FOREIGN, ids=[f[0] for f in FOREIGN])
def test_foreign_or_unknown_ids_are_404_and_change_nothing(
    world: World, name: str, method: str, tail: Callable[[World], str], client_kind: ClientKind
) -> None:
    url = f"/api/v1/families/{world.family.pk}/{tail(world)}"
    before = _state()

    response = getattr(client_for(world.parent, client_kind), method)(
        url, {"details_opt_out": True}, format="json"
    )

    assert response.status_code == 404, response.content
    assert response.json()["status"] == 404
    assert response.json()["errors"][0]["code"].endswith("not_found")
    assert _state() == before


@pytest.mark.parametrize("family_id", ["other", "unknown"])
def test_another_familys_id_in_the_family_position_is_404(
    world: World, family_id: str, client_kind: ClientKind
) -> None:
    fid = world.other_family.pk if family_id == "other" else UNKNOWN
    before = _state()
    client = client_for(world.parent, client_kind)

    responses = [
        client.patch(f"/api/v1/families/{fid}/", {"name": "Mine now"}, format="json"),
        client.post(f"/api/v1/families/{fid}/invites/", {"role": "parent"}, format="json"),
        client.post(
            f"/api/v1/families/{fid}/care-team/",
            {"share_code": world.therapist_ungranted.therapist_share_code},
            format="json",
        ),
        client.delete(f"/api/v1/families/{fid}/members/{world.other_family_child_profile.pk}/"),
    ]

    assert [r.status_code for r in responses] == [404] * 4
    assert _state() == before
    world.other_family.refresh_from_db()
    assert world.other_family.name == "Other"
