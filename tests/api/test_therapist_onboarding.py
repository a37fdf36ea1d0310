"""Signing up as a therapist: the claims staff check (name, profession, registration body and
number, jurisdiction), locked once verified; staff verify in admin; until then, nothing of any
family, and the API says why."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from tests.factories import UserFactory
from tests.world import World, client_for

CLAIMS = {
    "full_name": "Dr Jo Banks",
    "profession": "Clinical psychologist",
    "registration_body": "HCPC",
    "registration_number": "PYL12345",
    "jurisdiction": "England",
}


def patch(user: User, body: Any) -> Any:
    return client_for(user).patch("/api/v1/me/", body, format="json")


def test_signing_up_states_the_claims(db: None) -> None:
    user = UserFactory.create()

    response = patch(user, {"is_therapist": True, "therapist_claims": CLAIMS})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["is_therapist"], body["therapist_verified"]) == (True, False)
    assert body["therapist_claims"] == CLAIMS | {"complete": True, "editable": True}
    user.refresh_from_db()
    assert user.therapist_registration_number == "PYL12345"


@pytest.mark.parametrize(
    ("had", "sent", "shown"),
    [
        ("", {}, "Dr Jo Banks"),  # no name yet: the claims' name
        ("  ", {}, "Dr Jo Banks"),
        ("Jo", {}, "Jo"),  # a name of their own is kept
        ("", {"display_name": "Jo B."}, "Jo B."),  # as is one sent with the claims
    ],
)
def test_the_display_name_comes_from_the_claims_when_there_is_none(
    db: None, had: str, sent: dict[str, str], shown: str
) -> None:
    user = UserFactory.create(display_name=had)

    response = patch(user, {"is_therapist": True, "therapist_claims": CLAIMS} | sent)

    assert response.status_code == 200, response.json()
    assert response.json()["display_name"] == shown
    user.refresh_from_db()
    assert user.display_name == shown


def test_a_claim_without_the_name_leaves_an_empty_display_name(db: None) -> None:
    user = UserFactory.create(display_name="", is_therapist=True)

    body = patch(user, {"therapist_claims": {"profession": "Counsellor"}}).json()

    assert body["display_name"] == ""


def test_claims_can_be_corrected_until_verified_then_are_locked(db: None) -> None:
    user = UserFactory.create(is_therapist=True)
    patch(user, {"therapist_claims": CLAIMS})
    fixed = patch(user, {"therapist_claims": CLAIMS | {"registration_number": " PYL54321 "}})
    assert fixed.json()["therapist_claims"]["registration_number"] == "PYL54321"
    User.objects.filter(pk=user.pk).update(therapist_verified_at="2026-01-01T00:00:00Z")

    locked = patch(user, {"therapist_claims": CLAIMS})

    assert locked.status_code == 409
    assert locked.json()["errors"][0] == {
        "code": "therapist_claims_locked",
        "message": "Your details were checked when you were verified; ask us to change them.",
        "param": "therapist_claims",
    }
    assert client_for(user).get("/api/v1/me/").json()["therapist_claims"]["editable"] is False


@pytest.mark.parametrize(
    ("body", "status", "code", "param"),
    [
        ({"therapist_claims": CLAIMS}, 400, "not_a_therapist", "therapist_claims"),
        ({"is_therapist": True, "therapist_claims": "HCPC"}, 400, "invalid", "therapist_claims"),
        (
            {"is_therapist": True, "therapist_claims": {**CLAIMS, "jurisdiction": ""}},
            400,
            "blank",
            "therapist_claims.jurisdiction",
        ),
        (
            {"is_therapist": True, "therapist_claims": {**CLAIMS, "profession": "x" * 101}},
            400,
            "max_length",
            "therapist_claims.profession",
        ),
        (
            {"is_therapist": True, "therapist_claims": {**CLAIMS, "full_name": ["Jo"]}},
            400,
            "invalid",
            "therapist_claims.full_name",
        ),
    ],
)
def test_bad_claims_write_nothing(
    db: None, body: dict[str, Any], status: int, code: str, param: str
) -> None:
    user = UserFactory.create(display_name="")
    display_name = user.display_name

    response = patch(user, body)

    assert response.status_code == status, response.json()
    error = response.json()["errors"][0]
    assert (error["code"], error["param"]) == (code, param)
    user.refresh_from_db()
    assert (user.is_therapist, user.therapist_full_name) == (False, "")
    assert user.display_name == display_name


def test_a_patch_may_correct_one_claim(db: None) -> None:
    user = UserFactory.create(is_therapist=True)
    patch(user, {"therapist_claims": CLAIMS})

    response = patch(user, {"therapist_claims": {"registration_body": "BPS"}})

    assert response.status_code == 200
    assert response.json()["therapist_claims"] == CLAIMS | {
        "registration_body": "BPS",
        "complete": True,
        "editable": True,
    }


def test_claims_left_blank_are_incomplete(db: None) -> None:
    user = UserFactory.create()

    body = patch(user, {"is_therapist": True}).json()

    assert body["therapist_claims"] == dict.fromkeys(CLAIMS, "") | {
        "complete": False,
        "editable": True,
    }


def test_an_unverified_therapist_sees_no_family_and_is_told_why(world: World) -> None:
    client = client_for(world.therapist_unverified)
    family = f"/api/v1/families/{world.family.pk}/"

    assert client.get(family).status_code == 404  # ids leak nothing, granted or not
    assert client.get(f"{family}check-ins/").status_code == 404
    assert client.get("/api/v1/ruptures/").json()["count"] == 0
    queue = client.get("/api/v1/care/safety-reviews/")
    assert queue.status_code == 403
    assert queue.json()["errors"][0]["code"] == "therapist_unverified"
    assert client.get("/api/v1/me/").json()["care_families"] == []


def test_staff_verify_only_complete_claims(staff_client: Client, db: None) -> None:
    complete = UserFactory.create(
        is_therapist=True, **{f"therapist_{k}": v for k, v in CLAIMS.items()}
    )
    incomplete = UserFactory.create(is_therapist=True, therapist_full_name="Sam")

    response = staff_client.post(
        "/admin/accounts/user/",
        {"action": "verify_therapists", "_selected_action": [complete.pk, incomplete.pk]},
        follow=True,
    )

    assert response.status_code == 200
    complete.refresh_from_db()
    incomplete.refresh_from_db()
    assert complete.is_verified_therapist
    assert complete.therapist_share_code
    assert not incomplete.is_verified_therapist
    assert b"claims are incomplete" in response.content
    page = staff_client.get(f"/admin/accounts/user/{complete.pk}/change/")
    assert b"PYL12345" in page.content
