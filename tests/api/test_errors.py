"""One JSON error envelope for every failure, and a failed request leaves nothing written.

Each test goes through a real endpoint and a real transaction (``transaction=True``: what a test
sees was committed): the services own their transactions, and a POST with an Idempotency-Key
commits its change together with the stored response, or neither.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection
from django.db.models.signals import post_save
from rest_framework.test import APIClient

from accounts.models import CareTeamGrant, Family, Invite, Membership, PairingCode, Role, User
from accounts.services.invites import invite_create
from accounts.signals import account_deleting
from api.models import IdempotencyKey
from tests.factories import ChildProfileFactory, MembershipFactory
from tests.world import World, client_for

pytestmark = pytest.mark.django_db(transaction=True)


def _unguarded(user: User) -> APIClient:
    """A client that gets the 500 answer instead of the test raising the server's exception."""
    client = client_for(user)
    client.raise_request_exception = False
    return client


class Broken:
    """A signal receiver that fails, after noting that the request got that far."""

    def __init__(self) -> None:
        self.reached = 0

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        self.reached += 1
        raise RuntimeError("a receiver broke half way through")


def test_a_refusal_after_a_write_rolls_the_write_back(world: World) -> None:
    """Spending a pairing code is an UPDATE before the checks that can still refuse it."""
    kid = ChildProfileFactory.create(display_name="Pip")
    MembershipFactory.create(family=world.family, user=kid, role=Role.CHILD)
    url = f"/api/v1/families/{world.family.pk}/children/{kid.pk}/pairing-codes/"
    code = client_for(world.parent).post(url).json()["code"]
    User.objects.filter(pk=kid.pk).update(is_active=False)

    response = APIClient().post("/api/v1/pairing/", {"code": code}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "status": 400,
        "errors": [
            {
                "code": "invalid_pairing_code",
                "message": "That code does not work. Ask a parent for a new one.",
                "param": "code",
            }
        ],
    }
    assert PairingCode.objects.get(child=kid).used_at is None


def test_an_unexpected_error_is_a_500_envelope_and_rolls_everything_back(world: World) -> None:
    """Deleting an account revokes a therapist's grants before other apps are told; a receiver
    failing after that leaves the grants, the names and the account as they were."""
    therapist = world.therapist_details
    grants_before = list(CareTeamGrant.objects.filter(therapist=therapist).values())
    broken = Broken()
    account_deleting.connect(broken, dispatch_uid="test_errors")
    try:
        response = _unguarded(therapist).delete("/api/v1/me/")
    finally:
        account_deleting.disconnect(dispatch_uid="test_errors")

    assert response.status_code == 500
    assert response.json()["status"] == 500
    assert response.json()["errors"][0]["code"] == "server_error"
    assert broken.reached == 1  # after the grants were revoked and renamed
    assert User.objects.filter(pk=therapist.pk).exists()
    assert list(CareTeamGrant.objects.filter(therapist=therapist).values()) == grants_before


def test_a_failed_idempotent_write_keeps_neither_the_change_nor_the_key(world: World) -> None:
    """The family row is written before its first membership; the membership fails. The claim on
    the key goes with the change, so the retry runs the request for real, and is then replayed."""
    client = _unguarded(world.parent)
    home = {"name": "Second home"}
    broken = Broken()
    post_save.connect(broken, sender=Membership, dispatch_uid="test_errors")
    try:
        failed = client.post("/api/v1/families/", home, format="json", HTTP_IDEMPOTENCY_KEY="h")
    finally:
        post_save.disconnect(sender=Membership, dispatch_uid="test_errors")

    assert failed.status_code == 500
    assert broken.reached == 1
    assert not Family.objects.filter(name="Second home").exists()
    assert not IdempotencyKey.objects.exists()

    retry = client.post("/api/v1/families/", home, format="json", HTTP_IDEMPOTENCY_KEY="h")
    replay = client.post("/api/v1/families/", home, format="json", HTTP_IDEMPOTENCY_KEY="h")

    assert (retry.status_code, replay.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in retry
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == retry.json()
    assert Family.objects.filter(name="Second home").count() == 1
    assert IdempotencyKey.objects.get().state == IdempotencyKey.State.DONE


def test_a_change_is_kept_only_with_its_stored_response(world: World) -> None:
    """The service commits inside the key's transaction: when storing the response fails (the
    database refuses the write), the new family goes too, and the retry creates it once."""

    def refuse_storing(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.startswith('UPDATE "api_idempotencykey"'):
            raise DatabaseError("the database went away")
        return execute(sql, params, many, context)

    client = _unguarded(world.parent)
    home = {"name": "Second home"}
    with connection.execute_wrapper(refuse_storing):
        failed = client.post("/api/v1/families/", home, format="json", HTTP_IDEMPOTENCY_KEY="h")

    assert failed.status_code == 500
    assert not Family.objects.filter(name="Second home").exists()
    assert not IdempotencyKey.objects.exists()
    retry = client.post("/api/v1/families/", home, format="json", HTTP_IDEMPOTENCY_KEY="h")
    assert retry.status_code == 201
    assert Family.objects.filter(name="Second home").count() == 1


def test_a_domain_conflict_with_a_key_is_409_and_releases_the_key(world: World) -> None:
    invite = invite_create(actor=world.parent, family_id=world.family.pk, role=Role.PARENT)

    response = client_for(world.parent).post(
        f"/api/v1/invites/{invite.code}/accept/", HTTP_IDEMPOTENCY_KEY="join"
    )

    assert response.status_code == 409
    assert response.json() == {
        "status": 409,
        "errors": [
            {"code": "already_member", "message": "You are already in this family.", "param": None}
        ],
    }
    assert Invite.objects.get(pk=invite.pk).uses == 0
    assert not IdempotencyKey.objects.exists()


def test_validation_errors_name_each_field_and_write_nothing(world: World) -> None:
    response = client_for(world.parent).patch(
        f"/api/v1/families/{world.family.pk}/",
        {"name": "x" * 81, "reminder_minutes": [5, "two"]},
        format="json",
    )

    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400
    assert {(e["code"], e["param"]) for e in body["errors"]} == {
        ("max_length", "name"),
        ("invalid", "reminder_minutes.1"),
    }
    assert Family.objects.get(pk=world.family.pk).name == "Okafor"


def test_success_commits(world: World) -> None:
    response = client_for(world.parent).post("/api/v1/families/", {"name": "Home"}, format="json")

    assert response.status_code == 201
    assert Membership.objects.filter(family__name="Home", user=world.parent).exists()


def test_malformed_json_is_400_and_writes_nothing(world: World) -> None:
    families = Family.objects.count()

    response = client_for(world.parent).post(
        "/api/v1/families/", "{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parse_error"
    assert Family.objects.count() == families


def test_unsupported_media_type_is_415(world: World) -> None:
    response = client_for(world.parent).post(
        "/api/v1/families/", "name=x", content_type="text/plain"
    )

    assert response.status_code == 415
    assert response.json()["errors"][0]["code"] == "unsupported_media_type"


def test_wrong_method_is_405(world: World) -> None:
    response = client_for(world.parent).delete("/api/v1/families/")

    assert response.status_code == 405
    assert response.json() == {
        "status": 405,
        "errors": [
            {"code": "method_not_allowed", "message": 'Method "DELETE" not allowed.', "param": None}
        ],
    }


def test_anonymous_is_401_with_challenge(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Session"
    assert response.json()["errors"][0]["code"] == "not_authenticated"


def test_throttled_is_429_with_retry_after(api_client: APIClient) -> None:
    for _ in range(10):  # the pairing rate: 10 an hour from one address
        guess = api_client.post("/api/v1/pairing/", {"code": "ABCDE-FGHJK"}, format="json")
        assert guess.status_code == 400

    response = api_client.post("/api/v1/pairing/", {"code": "ABCDE-FGHJK"}, format="json")

    assert response.status_code == 429
    assert response.json()["errors"][0]["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_unknown_url_is_404_envelope(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {
        "status": 404,
        "errors": [{"code": "not_found", "message": "Not found.", "param": None}],
    }
