"""GET/PATCH/DELETE /api/v1/me/ and the export: full bodies; bad input leaves nothing written."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.utils import timezone

from accounts.models import (
    CareTeamGrant,
    Family,
    Invite,
    Membership,
    ParentalConsent,
    Role,
    TherapistAccessLog,
    User,
)
from accounts.signals import account_deleting
from tests.factories import FamilyFactory, MembershipFactory, UserFactory
from tests.world import World, client_for, other_family_grant

pytestmark = pytest.mark.django_db


def test_me_full_body(world: World) -> None:
    response = client_for(world.parent).get("/api/v1/me/")

    assert response.status_code == 200
    assert response.json() == {
        "id": world.parent.pk,
        "email": world.parent.email,
        "display_name": "Ada",
        "time_zone": "UTC",
        "quiet_hours": {"start": "21:00", "end": "07:00"},
        "locale": "en",
        "birth_year": None,
        "age_band": "unknown",
        "young_child": False,
        "notify_email": True,
        "notify_push": True,
        "is_child_profile": False,
        "is_therapist": False,
        "therapist_verified": False,
        "therapist_share_code": None,
        "mfa_enabled": False,
        "families": [{"id": world.family.pk, "name": "Okafor", "role": "parent"}],
        "care_families": [],
    }


def test_me_of_a_therapist_lists_care_families(world: World) -> None:
    other_family_grant(world)

    body = client_for(world.therapist_metrics).get("/api/v1/me/").json()

    assert body["therapist_verified"] is True
    assert body["mfa_enabled"] is True
    assert body["therapist_share_code"] == world.therapist_metrics.therapist_share_code
    assert body["care_families"] == [
        {"id": world.family.pk, "name": "Okafor", "scope": "metrics"},
        {"id": world.other_family.pk, "name": "Other", "scope": "metrics"},
    ]


def test_me_of_a_user_in_two_families_lists_both_roles(world: World) -> None:
    MembershipFactory.create(family=world.other_family, user=world.child, role=Role.CHILD)

    families = client_for(world.child).get("/api/v1/me/").json()["families"]

    assert families == [
        {"id": world.family.pk, "name": "Okafor", "role": "child"},
        {"id": world.other_family.pk, "name": "Other", "role": "child"},
    ]


def test_patch_me_updates_preferences(world: World) -> None:
    response = client_for(world.parent).patch(
        "/api/v1/me/",
        {
            "display_name": "  Ada O.  ",
            "time_zone": "Europe/London",
            "quiet_hours": {"start": "22:30", "end": "06:45"},
            "locale": "en-gb",
            "notify_email": False,
            "notify_push": False,
        },
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["display_name"], body["time_zone"], body["locale"]) == (
        "Ada O.",
        "Europe/London",
        "en-gb",
    )
    assert body["quiet_hours"] == {"start": "22:30", "end": "06:45"}
    assert (body["notify_email"], body["notify_push"]) == (False, False)
    world.parent.refresh_from_db()
    assert world.parent.time_zone == "Europe/London"


def test_patch_me_null_quiet_hours_disables_them(world: World) -> None:
    response = client_for(world.parent).patch("/api/v1/me/", {"quiet_hours": None}, format="json")

    assert response.status_code == 200
    assert response.json()["quiet_hours"] is None
    world.parent.refresh_from_db()
    assert (world.parent.quiet_hours_start, world.parent.quiet_hours_end) == (None, None)


def test_self_declared_birth_year_sets_age_band_once(world: World) -> None:
    client = client_for(world.parent)
    year = timezone.localdate().year - 40

    assert client.patch("/api/v1/me/", {"birth_year": year}, format="json").json()["age_band"] == (
        "adult"
    )
    response = client.patch("/api/v1/me/", {"birth_year": year + 1}, format="json")

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "birth_year_set"


def test_therapist_status_can_be_requested_not_self_verified(world: World) -> None:
    client = client_for(world.parent)

    body = client.patch("/api/v1/me/", {"is_therapist": True}, format="json").json()

    assert (body["is_therapist"], body["therapist_verified"]) == (True, False)
    response = client.patch("/api/v1/me/", {"is_therapist": False}, format="json")
    assert response.json()["errors"][0]["code"] == "therapist_status_by_staff"


def _snapshot(user: User) -> dict[str, Any]:
    user.refresh_from_db()
    return {
        f: getattr(user, f)
        for f in (
            "display_name",
            "time_zone",
            "quiet_hours_start",
            "quiet_hours_end",
            "locale",
            "notify_email",
            "notify_push",
            "birth_year",
            "is_therapist",
        )
    }


BAD_ME = [
    ({"time_zone": "Mars/Olympus"}, "invalid_time_zone", "time_zone"),
    ({"time_zone": "x" * 65}, "max_length", "time_zone"),
    ({"time_zone": ["UTC"]}, "invalid", "time_zone"),
    ({"display_name": "x" * 81}, "max_length", "display_name"),
    ({"display_name": ""}, "blank", "display_name"),
    ({"display_name": None}, "null", "display_name"),
    ({"quiet_hours": "late"}, "invalid", "quiet_hours.non_field_errors"),
    ({"quiet_hours": {"start": "25:00", "end": "07:00"}}, "invalid", "quiet_hours.start"),
    ({"quiet_hours": {"start": "21:00"}}, "required", "quiet_hours.end"),
    ({"quiet_hours": {"start": "21:00", "end": "21:00"}}, "invalid_quiet_hours", "quiet_hours"),
    ({"locale": "klingon"}, "invalid_choice", "locale"),
    ({"notify_email": "maybe"}, "invalid", "notify_email"),
    ({"notify_push": None}, "null", "notify_push"),
    ({"birth_year": "soon"}, "invalid", "birth_year"),
    ({"birth_year": 1850}, "min_value", "birth_year"),
    ({"birth_year": 3000}, "invalid_birth_year", "birth_year"),
    ({"birth_year": timezone.localdate().year - 9}, "under_13_needs_parent", "birth_year"),
]


@pytest.mark.parametrize(("body", "code", "param"), BAD_ME, ids=[c for _, c, _ in BAD_ME])
def test_patch_me_bad_input_changes_nothing(
    world: World, body: dict[str, Any], code: str, param: str
) -> None:
    before = _snapshot(world.parent)

    response = client_for(world.parent).patch("/api/v1/me/", body, format="json")

    assert response.status_code in (400, 422)
    payload = response.json()
    assert payload["status"] == response.status_code
    assert (payload["errors"][0]["code"], payload["errors"][0]["param"]) == (
        code,
        param.removesuffix(".non_field_errors"),
    )
    assert _snapshot(world.parent) == before


def test_export_holds_everything_about_me(world: World) -> None:
    response = client_for(world.parent).get("/api/v1/me/export/")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="familyrepair-me.json"'
    body = response.json()
    assert set(body) == {
        "profile",
        "email_addresses",
        "memberships",
        "parental_consents_about_me",
        "parental_consents_given",
        "invites_created",
        "care_team_grants_given",
        "care_team_grants_received",
        "therapist_access_log",
        "sessions",
        "authenticators",
        "ruptures",  # the sections below come from ruptures.account_data
        "messages_written",
        "notifications",
        "push_subscriptions",
    }
    assert body["profile"]["email"] == world.parent.email
    assert body["email_addresses"] == [
        {"email": world.parent.email, "verified": True, "primary": True}
    ]
    assert body["memberships"] == [
        {
            "family_id": world.family.pk,
            "family_name": "Okafor",
            "role": "parent",
            "joined_at": body["memberships"][0]["joined_at"],
            "details_opt_out": False,
        }
    ]
    assert body["care_team_grants_given"][0]["therapist_id"] == world.therapist_metrics.pk
    assert body["ruptures"] == []


def test_delete_me_removes_account_and_signals_others(world: World) -> None:
    seen: list[int] = []

    def anonymise(sender: object, user: User, **kwargs: object) -> None:
        seen.append(user.pk)

    account_deleting.connect(anonymise)
    try:
        response = client_for(world.other_parent).delete("/api/v1/me/")
    finally:
        account_deleting.disconnect(anonymise)

    assert response.status_code == 204
    assert seen == [world.other_parent.pk]
    assert not User.objects.filter(pk=world.other_parent.pk).exists()
    assert Membership.objects.filter(family=world.family).count() == 4


def test_delete_me_deletes_a_family_left_empty() -> None:
    loner = UserFactory.create()
    family = FamilyFactory.create()
    MembershipFactory.create(family=family, user=loner)

    assert client_for(loner).delete("/api/v1/me/").status_code == 204

    assert not Family.objects.filter(pk=family.pk).exists()


def test_last_parent_cannot_delete_account_while_children_remain(world: World) -> None:
    users_before = User.objects.count()

    response = client_for(world.other_family_parent).delete("/api/v1/me/")

    assert response.status_code == 409
    assert response.json() == {
        "status": 409,
        "errors": [
            {
                "code": "last_parent",
                "message": "You are the last parent in Other: add another parent, or remove "
                "the children first.",
                "param": None,
            }
        ],
    }
    assert User.objects.count() == users_before


def test_child_profile_cannot_delete_itself(world: World) -> None:
    response = client_for(world.child_profile).delete("/api/v1/me/")

    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "child_profile"
    assert User.objects.filter(pk=world.child_profile.pk).exists()


def test_deleted_account_sessions_end(world: World) -> None:
    client = client_for(world.other_parent)
    assert client.delete("/api/v1/me/").status_code == 204

    assert client.get("/api/v1/me/").status_code == 401


def _iso(value: dt.datetime | dt.time | None) -> str | None:
    """The export writes times as Python's ISO 8601 (``+00:00``, not DRF's ``Z``)."""
    return value.isoformat() if value is not None else None


def test_export_pins_every_section_and_field(world: World) -> None:
    """The whole accounts part of the export, field by field, for a parent who has done a bit of
    everything and a therapist who has read the family: the shape cannot drift unnoticed."""
    parent, therapist = world.parent, world.therapist_metrics
    User.objects.filter(pk=parent.pk).update(
        birth_year=1985, quiet_hours_start=dt.time(21, 30), quiet_hours_end=dt.time(7, 0)
    )
    family = f"/api/v1/families/{world.family.pk}/"
    client = client_for(parent)
    assert client.post(f"{family}invites/", {"role": "parent"}, format="json").status_code == 201
    young = {"display_name": "Kit", "birth_year": timezone.now().year - 6}
    assert client.post(f"{family}children/", young, format="json").status_code == 201
    assert client_for(therapist).get(family).status_code == 200
    now = timezone.now()
    UserSession.objects.create(
        user=parent,
        ip="192.0.2.7",
        user_agent="Phone",
        session_key="pin",
        created_at=now,
        last_seen_at=now,
        data={},
    )
    parent.refresh_from_db()

    mine = client_for(parent).get("/api/v1/me/export/").json()
    theirs = client_for(therapist).get("/api/v1/me/export/").json()

    consent = ParentalConsent.objects.get(given_by=parent)
    invite = Invite.objects.get(created_by=parent)
    session = UserSession.objects.get(user=parent)
    membership = Membership.objects.get(user=parent)
    assert {k: v for k, v in mine.items() if k not in RUPTURE_SECTIONS} == {
        "profile": {
            "id": parent.pk,
            "email": parent.email,
            "display_name": "Ada",
            "birth_year": 1985,
            "age_band": "adult",
            "time_zone": parent.time_zone,
            "quiet_hours": {"start": "21:30:00", "end": "07:00:00"},
            "locale": parent.locale,
            "notify_email": parent.notify_email,
            "notify_push": parent.notify_push,
            "is_child_profile": False,
            "is_therapist": False,
            "therapist_verified_at": None,
            "date_joined": _iso(parent.date_joined),
            "last_login": _iso(parent.last_login),
        },
        "email_addresses": [{"email": parent.email, "verified": True, "primary": True}],
        "memberships": [
            {
                "family_id": world.family.pk,
                "family_name": "Okafor",
                "role": "parent",
                "joined_at": _iso(membership.joined_at),
                "details_opt_out": False,
            }
        ],
        "parental_consents_about_me": [],
        "parental_consents_given": [
            {
                "child_id": consent.child_id,
                "family_id": world.family.pk,
                "privacy_notice_version": consent.privacy_notice_version,
                "given_at": _iso(consent.given_at),
            }
        ],
        "invites_created": [
            {
                "family_id": world.family.pk,
                "role": "parent",
                "created_at": _iso(invite.created_at),
                "expires_at": _iso(invite.expires_at),
                "uses": 0,
                "max_uses": 1,
            }
        ],
        "care_team_grants_given": [
            {
                "family_id": world.family.pk,
                "therapist_id": therapist.pk,
                "scope": "metrics",
                "granted_at": _iso(world.therapist_metrics_grant.granted_at),
                "revoked_at": None,
            }
        ],
        "care_team_grants_received": [],
        "therapist_access_log": [],
        "sessions": [
            {
                "ip": "192.0.2.7",
                "user_agent": "Phone",
                "created_at": _iso(session.created_at),
                "last_seen_at": _iso(session.last_seen_at),
            }
        ],
        "authenticators": [],
    }
    assert set(mine) - set(EXPORT_ACCOUNT_SECTIONS) == set(RUPTURE_SECTIONS)
    assert list(mine)[: len(EXPORT_ACCOUNT_SECTIONS)] == EXPORT_ACCOUNT_SECTIONS

    grants = CareTeamGrant.objects.filter(therapist=therapist).order_by("id")
    log = TherapistAccessLog.objects.get(therapist=therapist)
    totp = Authenticator.objects.get(user=therapist)
    assert theirs["profile"]["is_therapist"] is True
    assert theirs["profile"]["therapist_verified_at"] == _iso(therapist.therapist_verified_at)
    assert theirs["care_team_grants_received"] == [
        {
            "family_id": g.family_id,
            "scope": g.scope,
            "granted_at": _iso(g.granted_at),
            "revoked_at": None,
        }
        for g in grants
    ]
    assert theirs["therapist_access_log"] == [
        {
            "family_id": world.family.pk,
            "action": "family.view",
            "object_type": "",
            "object_id": "",
            "created_at": _iso(log.created_at),
        }
    ]
    assert theirs["authenticators"] == [
        {"type": "totp", "created_at": _iso(totp.created_at), "last_used_at": None}
    ]


EXPORT_ACCOUNT_SECTIONS = [
    "profile",
    "email_addresses",
    "memberships",
    "parental_consents_about_me",
    "parental_consents_given",
    "invites_created",
    "care_team_grants_given",
    "care_team_grants_received",
    "therapist_access_log",
    "sessions",
    "authenticators",
]
RUPTURE_SECTIONS = ("ruptures", "messages_written", "notifications", "push_subscriptions")
