"""Child profiles, parental consent, pairing codes (single use, 10 minutes, rate-limited) and the
child's devices a parent can see and sign out."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from allauth.usersessions.models import UserSession
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Membership, PairingCode, ParentalConsent, User
from accounts.privacy import PRIVACY_NOTICE_VERSION
from accounts.services.children import pairing_code_create
from accounts.services.codes import random_code
from tests.world import World, client_for

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year


def _children_url(world: World) -> str:
    return f"/api/v1/families/{world.family.pk}/children/"


def test_parent_creates_child_profile_and_consent_is_recorded(world: World) -> None:
    world.parent.time_zone = "Europe/Paris"
    world.parent.save(update_fields=["time_zone"])

    response = client_for(world.parent).post(
        _children_url(world),
        {
            "display_name": "Kit",
            "birth_year": THIS_YEAR - 6,
            "privacy_notice_version": PRIVACY_NOTICE_VERSION,
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "display_name": "Kit",
        "role": "child",
        "age_band": "under_13",
        "young_child": True,
        "birth_year": THIS_YEAR - 6,
        "is_child_profile": True,
        "joined_at": body["joined_at"],
        "details_opt_out": False,
        "time_zone": "Europe/Paris",
        "locale": "en",
    }
    child = User.objects.get(pk=body["id"])
    assert (child.email, child.has_usable_password(), child.is_child_profile) == (None, False, True)
    consent = ParentalConsent.objects.get(child=child)
    assert (consent.given_by, consent.given_by_email, consent.privacy_notice_version) == (
        world.parent,
        world.parent.email,
        PRIVACY_NOTICE_VERSION,
    )


def test_teen_profile_needs_no_coppa_consent(world: World) -> None:
    response = client_for(world.parent).post(
        _children_url(world), {"display_name": "Jo", "birth_year": THIS_YEAR - 14}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["age_band"] == "13_17"
    assert not ParentalConsent.objects.filter(child_id=response.json()["id"]).exists()


BAD_CHILD = [
    ({"birth_year": THIS_YEAR - 5}, 400, "required", "display_name"),
    ({"display_name": "Kit"}, 400, "required", "birth_year"),
    ({"display_name": "x" * 81, "birth_year": THIS_YEAR - 5}, 400, "max_length", "display_name"),
    ({"display_name": "Kit", "birth_year": "five"}, 400, "invalid", "birth_year"),
    ({"display_name": "Kit", "birth_year": THIS_YEAR + 1}, 400, "invalid_birth_year", "birth_year"),
    ({"display_name": "Kit", "birth_year": 1800}, 400, "min_value", "birth_year"),
    (
        {"display_name": "Kit", "birth_year": THIS_YEAR - 30},
        422,
        "adult_must_join_by_invite",
        "birth_year",
    ),
    (
        {
            "display_name": "Kit",
            "birth_year": THIS_YEAR - 5,
            "privacy_notice_version": "2001-01-01",
        },
        409,
        "privacy_notice_outdated",
        "privacy_notice_version",
    ),
]


@pytest.mark.parametrize(
    ("body", "status", "code", "param"), BAD_CHILD, ids=[c[2] for c in BAD_CHILD]
)
def test_create_child_bad_input_writes_nothing(
    world: World, body: dict[str, Any], status: int, code: str, param: str
) -> None:
    counts = (User.objects.count(), Membership.objects.count(), ParentalConsent.objects.count())

    response = client_for(world.parent).post(_children_url(world), body, format="json")

    assert response.status_code == status
    assert response.json()["errors"][0]["code"] == code
    assert response.json()["errors"][0]["param"] == param
    assert (
        User.objects.count(),
        Membership.objects.count(),
        ParentalConsent.objects.count(),
    ) == counts


def test_create_child_in_other_family_is_404(world: World) -> None:
    response = client_for(world.parent).post(
        f"/api/v1/families/{world.other_family.pk}/children/",
        {"display_name": "Kit", "birth_year": THIS_YEAR - 5},
        format="json",
    )

    assert response.status_code == 404
    assert User.objects.filter(display_name="Kit").count() == 0


# --- Pairing codes ---------------------------------------------------------------------------


def _new_code(world: World, client: APIClient | None = None) -> dict[str, Any]:
    response = (client or client_for(world.parent)).post(
        f"/api/v1/families/{world.family.pk}/children/{world.child_profile.pk}/pairing-codes/"
    )
    assert response.status_code == 201, response.content
    return dict(response.json())


def test_pairing_code_shape(world: World) -> None:
    before = timezone.now()

    body = _new_code(world)

    assert set(body) == {"code", "expires_at", "child", "url", "qr_svg"}
    assert len(body["code"]) == 10
    assert body["child"] == {"id": world.child_profile.pk, "display_name": "Zoe"}
    assert body["url"].endswith(f"/#/pair/{body['code']}")
    assert body["qr_svg"].startswith("<svg")
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert dt.timedelta(minutes=9) < expires - before <= dt.timedelta(minutes=10, seconds=5)
    # only a hash is stored
    assert not PairingCode.objects.filter(code_hash=body["code"]).exists()


def test_browser_pairing_signs_device_in_as_child(world: World) -> None:
    code = _new_code(world)["code"]
    device = APIClient(HTTP_USER_AGENT="Kids Tablet")

    response = device.post(
        "/api/v1/pairing/", {"code": code.lower()[:5] + "-" + code[5:]}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["user"]["id"] == world.child_profile.pk
    assert "session_token" not in response.json()
    me = device.get("/api/v1/me/")
    assert me.json()["display_name"] == "Zoe"
    assert me.json()["families"] == [{"id": world.family.pk, "name": "Okafor", "role": "child"}]


def test_app_pairing_returns_session_token_like_allauth_app_client(world: World) -> None:
    code = _new_code(world)["code"]
    device = APIClient()

    response = device.post("/api/v1/pairing/", {"code": code, "client": "app"}, format="json")

    assert response.status_code == 200
    token = response.json()["session_token"]
    assert "sessionid" not in response.cookies or not response.cookies["sessionid"].value
    app = APIClient()
    assert app.get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token).json()["id"] == world.child_profile.pk
    # allauth's own app-client endpoints accept the same token
    session = app.get("/_allauth/app/v1/auth/session", HTTP_X_SESSION_TOKEN=token)
    assert session.status_code == 200
    assert session.json()["data"]["user"]["id"] == world.child_profile.pk


def test_browser_pairing_enforces_csrf(world: World, csrf_client: APIClient) -> None:
    code = _new_code(world)["code"]

    refused = csrf_client.post("/api/v1/pairing/", {"code": code}, format="json")
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["code"] == "permission_denied"

    csrf_client.get("/_allauth/browser/v1/config")  # sets the csrftoken cookie, as the PWA does
    token = csrf_client.cookies["csrftoken"].value
    accepted = csrf_client.post(
        "/api/v1/pairing/", {"code": code}, format="json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 200


def test_pairing_code_is_single_use(world: World) -> None:
    code = _new_code(world)["code"]
    assert APIClient().post("/api/v1/pairing/", {"code": code}, format="json").status_code == 200

    replay = APIClient().post("/api/v1/pairing/", {"code": code}, format="json")

    assert replay.status_code == 400
    assert replay.json() == {
        "status": 400,
        "errors": [
            {
                "code": "invalid_pairing_code",
                "message": "That code does not work. Ask a parent for a new one.",
                "param": "code",
            }
        ],
    }
    assert UserSession.objects.filter(user=world.child_profile).count() == 1


def test_pairing_code_expires_after_ten_minutes(world: World) -> None:
    _, code = pairing_code_create(
        actor=world.parent,
        family_id=world.family.pk,
        child_id=world.child_profile.pk,
        now=timezone.now() - dt.timedelta(minutes=10, seconds=1),
    )

    response = APIClient().post("/api/v1/pairing/", {"code": code}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid_pairing_code"
    assert not UserSession.objects.filter(user=world.child_profile).exists()


def test_new_code_replaces_the_unused_one(world: World) -> None:
    first = _new_code(world)["code"]
    _new_code(world)

    response = APIClient().post("/api/v1/pairing/", {"code": first}, format="json")

    assert response.json()["errors"][0]["code"] == "invalid_pairing_code"


def test_code_of_a_child_removed_since_does_not_work(world: World) -> None:
    code = _new_code(world)["code"]
    Membership.objects.filter(user=world.child_profile).delete()

    response = APIClient().post("/api/v1/pairing/", {"code": code}, format="json")

    assert response.json()["errors"][0]["code"] == "invalid_pairing_code"
    assert PairingCode.objects.get().used_at is None  # the failed request rolled back


@pytest.mark.parametrize(
    ("body", "code", "param"),
    [
        ({}, "required", "code"),
        ({"code": ""}, "blank", "code"),
        ({"code": 1234567890}, "invalid_pairing_code", "code"),
        ({"code": "x" * 33}, "max_length", "code"),
        ({"code": ["ABCDEFGHJK"]}, "invalid", "code"),
        ({"code": "ABCDEFGHJK", "client": "tv"}, "invalid_choice", "client"),
    ],
)
def test_pairing_bad_input(world: World, body: dict[str, Any], code: str, param: str) -> None:
    response = APIClient().post("/api/v1/pairing/", body, format="json")

    assert response.status_code == 400
    assert (response.json()["errors"][0]["code"], response.json()["errors"][0]["param"]) == (
        code,
        param,
    )
    assert not UserSession.objects.exists()


def test_brute_force_is_rate_limited(world: World) -> None:
    """Guessing is cut off after 10 tries an hour from one address, even with the right code."""
    real = _new_code(world)["code"]
    attacker = APIClient(REMOTE_ADDR="203.0.113.9")
    guesses = [random_code(10) for _ in range(10)]

    statuses = [
        attacker.post("/api/v1/pairing/", {"code": g}, format="json").status_code for g in guesses
    ]
    blocked = attacker.post("/api/v1/pairing/", {"code": real}, format="json")

    assert statuses == [400] * 10
    assert blocked.status_code == 429
    assert blocked.json()["errors"][0]["code"] == "throttled"
    assert int(blocked["Retry-After"]) > 0
    assert not UserSession.objects.filter(user=world.child_profile).exists()
    # another address is not blocked, and the real code still works there
    assert (
        APIClient(REMOTE_ADDR="198.51.100.7")
        .post("/api/v1/pairing/", {"code": real}, format="json")
        .status_code
        == 200
    )


def test_cannot_pair_a_child_with_own_account(world: World) -> None:
    response = client_for(world.parent).post(
        f"/api/v1/families/{world.family.pk}/children/{world.child.pk}/pairing-codes/"
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "not_a_child_profile"
    assert not PairingCode.objects.exists()


@pytest.mark.parametrize("target", ["parent", "other_family_child_profile"])
def test_pairing_code_for_non_child_is_404(world: World, target: str) -> None:
    response = client_for(world.parent).post(
        f"/api/v1/families/{world.family.pk}/children/{getattr(world, target).pk}/pairing-codes/"
    )

    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "child_not_found"
    assert not PairingCode.objects.exists()


# --- Devices ---------------------------------------------------------------------------------


def _pair(world: World, user_agent: str, client: str = "browser") -> tuple[APIClient, str | None]:
    code = _new_code(world)["code"]
    device = APIClient(HTTP_USER_AGENT=user_agent)
    body = device.post("/api/v1/pairing/", {"code": code, "client": client}, format="json").json()
    return device, body.get("session_token")


def test_parent_lists_and_revokes_child_devices(world: World) -> None:
    tablet, _ = _pair(world, "Tablet")
    _phone, token = _pair(world, "Phone", client="app")
    devices_url = f"/api/v1/families/{world.family.pk}/children/{world.child_profile.pk}/devices/"
    parent = client_for(world.parent)

    listed = parent.get(devices_url).json()

    assert listed["count"] == 2
    assert {d["user_agent"] for d in listed["results"]} == {"Tablet", "Phone"}
    assert set(listed["results"][0]) == {"id", "user_agent", "ip", "created_at", "last_seen_at"}
    phone_id = next(d["id"] for d in listed["results"] if d["user_agent"] == "Phone")

    assert parent.delete(f"{devices_url}{phone_id}/").status_code == 204

    assert APIClient().get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token).status_code == 401
    assert tablet.get("/api/v1/me/").status_code == 200
    assert [d["user_agent"] for d in parent.get(devices_url).json()["results"]] == ["Tablet"]


def test_revoking_someone_elses_device_is_404(world: World) -> None:
    _pair(world, "Tablet")
    session = UserSession.objects.get(user=world.child_profile)
    other_child = world.other_family_child_profile
    other = f"/api/v1/families/{world.other_family.pk}/children/{other_child.pk}/devices/"

    for url in (
        f"{other}{session.pk}/",
        f"/api/v1/families/{world.family.pk}/children/{world.child_profile.pk}/devices/999999/",
    ):
        assert client_for(world.parent).delete(url).status_code == 404
    assert client_for(world.other_family_parent).delete(f"{other}{session.pk}/").status_code == 404
    assert UserSession.objects.filter(user=world.child_profile).count() == 1


def test_adult_child_devices_are_their_own(world: World) -> None:
    world.child.birth_year = THIS_YEAR - 25
    world.child.save(update_fields=["birth_year"])

    response = client_for(world.parent).get(
        f"/api/v1/families/{world.family.pk}/children/{world.child.pk}/devices/"
    )

    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "own_account"


@pytest.mark.parametrize("age", [15, 25])
def test_parents_cannot_list_or_end_the_sessions_of_a_child_with_their_own_account(
    world: World, age: int
) -> None:
    world.child.birth_year = THIS_YEAR - age
    world.child.save(update_fields=["birth_year"])
    teen = APIClient()
    teen.force_login(world.child)
    session = UserSession.objects.create(
        user=world.child,
        ip="203.0.113.9",
        session_key=teen.session.session_key,
        user_agent="Leo's phone",
    )
    devices = f"/api/v1/families/{world.family.pk}/children/{world.child.pk}/devices/"
    parent = client_for(world.parent)

    listed = parent.get(devices)
    ended = parent.delete(f"{devices}{session.pk}/")

    assert (listed.status_code, ended.status_code) == (403, 403)
    assert (
        listed.json()
        == ended.json()
        == {
            "status": 403,
            "errors": [
                {"code": "own_account", "message": "They manage their own devices.", "param": None}
            ],
        }
    )
    assert UserSession.objects.filter(pk=session.pk).exists()
    assert teen.get("/api/v1/me/").status_code == 200
