"""Every accounts endpoint x every kind of caller x both clients (browser, app) -> the expected
status, generated from a table.

Callers outside the family get 404 (ids leak nothing); 403 only inside it; anonymous 401.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from allauth.usersessions.models import UserSession
from django.urls import resolve
from rest_framework.test import APIClient

from accounts.models import Invite, TherapistAccessLog
from accounts.services.children import pairing_code_create
from accounts.services.invites import invite_create
from tests.world import ClientKind, World, client_for

CALLERS = (
    "anonymous",
    "parent",
    "child_profile",
    "child",
    "other_family_parent",
    "other_family_child_profile",
    "therapist_metrics",
    "therapist_ungranted",
    "therapist_unverified",
)
INSIDE = {"parent", "child_profile", "child"}


def rule_open(caller: str, ok: int) -> int:
    return ok


def rule_signed_in(caller: str, ok: int) -> int:
    return 401 if caller == "anonymous" else ok


def rule_member(caller: str, ok: int) -> int:
    return rule_signed_in(caller, ok if caller in INSIDE else 404)


def rule_member_or_care_team(caller: str, ok: int) -> int:
    return ok if caller == "therapist_metrics" else rule_member(caller, ok)


def rule_parent(caller: str, ok: int) -> int:
    return 403 if caller in {"child_profile", "child"} else rule_member(caller, ok)


def rule_any_parent(caller: str, ok: int) -> int:
    """The parent's own settings: any family's parent, nobody else."""
    return rule_signed_in(caller, ok if caller in {"parent", "other_family_parent"} else 403)


def rule_thirteen_plus(caller: str, ok: int) -> int:
    return 403 if caller == "child_profile" else rule_member(caller, ok)


Path = Callable[[World], str]
Body = Callable[[World], dict[str, Any] | None]


@dataclasses.dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: Path
    rule: Callable[[str, int], int]
    ok: int
    body: Body = lambda w: None
    overrides: tuple[tuple[str, int], ...] = ()

    def expected(self, caller: str) -> int:
        return dict(self.overrides).get(caller, self.rule(caller, self.ok))


def fam(w: World) -> str:
    return f"/api/v1/families/{w.family.pk}/"


def paired_device(w: World) -> int:
    """Sign a device in as the child through the real pairing endpoint; its session id."""
    _, code = pairing_code_create(
        actor=w.parent, family_id=w.family.pk, child_id=w.child_profile.pk
    )
    assert APIClient().post("/api/v1/pairing/", {"code": code}, format="json").status_code == 200
    return int(UserSession.objects.get(user=w.child_profile).pk)


def fresh_pairing_code(w: World) -> dict[str, Any]:
    _, code = pairing_code_create(
        actor=w.parent, family_id=w.family.pk, child_id=w.child_profile.pk
    )
    return {"code": code}


def invite_code(w: World) -> str:
    return invite_create(actor=w.parent, family_id=w.family.pk, role="child").code


def an_invite(w: World) -> int:
    return int(Invite.objects.get(code=invite_code(w)).pk)


ENDPOINTS = (
    Endpoint("me", "get", lambda w: "/api/v1/me/", rule_signed_in, 200),
    Endpoint(
        "me-update",
        "patch",
        lambda w: "/api/v1/me/",
        rule_signed_in,
        200,
        body=lambda w: {"display_name": "New name"},
    ),
    Endpoint("me-export", "get", lambda w: "/api/v1/me/export/", rule_signed_in, 200),
    Endpoint("me-reflection", "get", lambda w: "/api/v1/me/reflection/", rule_any_parent, 200),
    Endpoint(
        "me-reflection",
        "put",
        lambda w: "/api/v1/me/reflection/",
        rule_any_parent,
        200,
        body=lambda w: {"enabled": True, "time": "20:30"},
    ),
    Endpoint(
        "me-reflection-dismiss",
        "post",
        lambda w: "/api/v1/me/reflection/dismiss/",
        rule_any_parent,
        409,  # allowed, and answered: it is off, so there is nothing to dismiss
    ),
    Endpoint(
        "me-delete",
        "delete",
        lambda w: "/api/v1/me/",
        rule_signed_in,
        204,
        overrides=(
            ("child_profile", 403),
            ("other_family_child_profile", 403),
            ("other_family_parent", 409),
        ),
    ),
    Endpoint("privacy", "get", lambda w: "/api/v1/privacy/", rule_open, 200),
    Endpoint("families", "get", lambda w: "/api/v1/families/", rule_signed_in, 200),
    Endpoint(
        "family-create",
        "post",
        lambda w: "/api/v1/families/",
        rule_signed_in,
        201,
        body=lambda w: {"name": "Our home"},
        overrides=(("child_profile", 403), ("other_family_child_profile", 403)),
    ),
    Endpoint("family", "get", fam, rule_member_or_care_team, 200),
    Endpoint("family-update", "patch", fam, rule_parent, 200, body=lambda w: {"name": "Renamed"}),
    Endpoint("members", "get", lambda w: f"{fam(w)}members/", rule_member, 200),
    Endpoint(
        "member-remove",
        "delete",
        lambda w: f"{fam(w)}members/{w.other_parent.pk}/",
        rule_parent,
        204,
    ),
    Endpoint(
        "member-update",
        "patch",
        lambda w: f"{fam(w)}members/{w.parent.pk}/",
        rule_parent,
        200,
        body=lambda w: {"details_opt_out": True},
    ),
    Endpoint(
        "child-create",
        "post",
        lambda w: f"{fam(w)}children/",
        rule_parent,
        201,
        body=lambda w: {"display_name": "Kit", "birth_year": 2019},
    ),
    Endpoint(
        "pairing-code",
        "post",
        lambda w: f"{fam(w)}children/{w.child_profile.pk}/pairing-codes/",
        rule_parent,
        201,
    ),
    Endpoint(
        "devices",
        "get",
        lambda w: f"{fam(w)}children/{w.child_profile.pk}/devices/",
        rule_parent,
        200,
    ),
    Endpoint(
        "device-revoke",
        "delete",
        lambda w: f"{fam(w)}children/{w.child_profile.pk}/devices/{paired_device(w)}/",
        rule_parent,
        204,
    ),
    Endpoint(
        "pairing", "post", lambda w: "/api/v1/pairing/", rule_open, 200, body=fresh_pairing_code
    ),
    Endpoint(
        "invite-create",
        "post",
        lambda w: f"{fam(w)}invites/",
        rule_parent,
        201,
        body=lambda w: {"role": "child"},
    ),
    Endpoint("invites", "get", lambda w: f"{fam(w)}invites/", rule_parent, 200),
    Endpoint(
        "invite-revoke", "delete", lambda w: f"{fam(w)}invites/{an_invite(w)}/", rule_parent, 204
    ),
    Endpoint(
        "invite-accept",
        "post",
        lambda w: f"/api/v1/invites/{invite_code(w)}/accept/",
        rule_signed_in,
        201,
        # a member is never on the care team: therapists with a grant here cannot join it
        overrides=(
            ("parent", 409),
            ("child_profile", 409),
            ("child", 409),
            ("therapist_metrics", 409),
            ("therapist_unverified", 409),
        ),
    ),
    Endpoint("care-team", "get", lambda w: f"{fam(w)}care-team/", rule_thirteen_plus, 200),
    Endpoint(
        "care-team-add",
        "post",
        lambda w: f"{fam(w)}care-team/",
        rule_parent,
        201,
        body=lambda w: {"share_code": w.therapist_ungranted.therapist_share_code},
    ),
    Endpoint(
        "care-team-revoke",
        "delete",
        lambda w: f"{fam(w)}care-team/{w.therapist_metrics_grant.pk}/",
        rule_parent,
        204,
    ),
    Endpoint("access-log", "get", lambda w: f"{fam(w)}access-log/", rule_thirteen_plus, 200),
    Endpoint(
        "child-erase",
        "delete",
        lambda w: f"{fam(w)}children/{w.child_profile.pk}/",
        rule_parent,
        204,
    ),
)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_permission_matrix(
    world: World, endpoint: Endpoint, caller: str, client_kind: ClientKind
) -> None:
    path = endpoint.path(world)
    body = endpoint.body(world)
    client = client_for(world.actor(caller), client_kind)
    logged_before = TherapistAccessLog.objects.count()

    response = getattr(client, endpoint.method)(path, body, format="json")

    expected = endpoint.expected(caller)
    assert response.status_code == expected, response.content
    if expected >= 400:
        payload = response.json()
        assert payload["status"] == expected
        assert len(payload["errors"]) == 1
        assert set(payload["errors"][0]) == {"code", "message", "param"}
    if expected == 404:
        assert response.json()["errors"][0]["code"].endswith("not_found")
    # a therapist's read of family data always leaves a row; nobody else's does
    logged = TherapistAccessLog.objects.count() - logged_before
    therapist_read = caller == "therapist_metrics" and endpoint.name == "family"
    assert logged == (1 if therapist_read else 0)


def test_matrix_covers_every_accounts_route(world: World) -> None:
    from api.accounts.urls import urlpatterns

    routes = {(resolve(e.path(world)).url_name, e.method) for e in ENDPOINTS}
    names = {getattr(pattern, "name", None) for pattern in urlpatterns}

    assert {name for name, _method in routes} == names
