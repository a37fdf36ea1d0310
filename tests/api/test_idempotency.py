"""Idempotency-Key: a phone retrying a POST (or an offline queue replaying it days later) creates
one record; the same key with another body is 422; while the first is in flight, 409."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from api import idempotency
from api.models import IdempotencyKey
from ruptures.models import Message, Rupture
from tests.world import World, client_for, flag

URL = "/api/v1/ruptures/"


def body(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "family": world.family.pk,
        "parent": world.parent.pk,
        "feelings": ["hurt"],
        "intensity": 3,
    } | extra


def test_a_retry_returns_the_first_response_and_creates_nothing(world: World) -> None:
    client = client_for(world.child)

    first = client.post(URL, body(world), format="json", HTTP_IDEMPOTENCY_KEY="flag-1")
    retry = client.post(URL, body(world), format="json", HTTP_IDEMPOTENCY_KEY="flag-1")

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert Rupture.objects.count() == 1


def test_a_replay_a_week_later_still_creates_nothing(world: World) -> None:
    client = client_for(world.child)
    client.post(URL, body(world), format="json", HTTP_IDEMPOTENCY_KEY="offline-1")
    IdempotencyKey.objects.update(created_at=timezone.now() - dt.timedelta(days=8))

    replay = client.post(URL, body(world), format="json", HTTP_IDEMPOTENCY_KEY="offline-1")
    purged = idempotency.purge_expired()

    assert replay.status_code == 201
    assert Rupture.objects.count() == 1
    assert purged == 0


def test_keys_older_than_the_retention_are_purged(world: World) -> None:
    client_for(world.child).post(URL, body(world), format="json", HTTP_IDEMPOTENCY_KEY="old")
    IdempotencyKey.objects.update(created_at=timezone.now() - dt.timedelta(days=10))

    assert idempotency.purge_expired() == 1


def test_the_same_key_with_another_body_is_422(world: World) -> None:
    client = client_for(world.child)
    client.post(URL, body(world), format="json", HTTP_IDEMPOTENCY_KEY="k")

    response = client.post(URL, body(world, intensity=5), format="json", HTTP_IDEMPOTENCY_KEY="k")

    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "code": "idempotency_key_reused",
        "message": "This Idempotency-Key was already used for a different request.",
        "param": "Idempotency-Key",
    }
    assert Rupture.objects.count() == 1


def test_the_same_key_on_another_endpoint_is_422(world: World) -> None:
    rupture = flag(world)
    client = client_for(world.child)
    client.post(URL, body(world), format="json", HTTP_IDEMPOTENCY_KEY="k")

    response = client.post(
        f"{URL}{rupture.pk}/messages/", {"body": "hi"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )

    assert response.status_code == 422
    assert Message.objects.count() == 0


def test_keys_belong_to_one_user(world: World) -> None:
    rupture = flag(world)
    path = f"{URL}{rupture.pk}/messages/"

    child = client_for(world.child).post(
        path, {"body": "hi"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    parent = client_for(world.parent).post(
        path, {"body": "hi"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )

    assert child.status_code == parent.status_code == 201
    assert Message.objects.count() == 2


def test_while_the_first_is_in_flight_a_retry_is_409(world: World) -> None:
    client = client_for(world.child)
    client.post(URL, body(world), format="json", HTTP_IDEMPOTENCY_KEY="k")
    IdempotencyKey.objects.update(
        state=IdempotencyKey.State.IN_FLIGHT, response_status=None, response_body=None
    )

    response = client.post(URL, body(world), format="json", HTTP_IDEMPOTENCY_KEY="k")

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "idempotency_request_in_flight"
    assert Rupture.objects.count() == 1


def test_a_claim_whose_request_died_is_taken_over(world: World) -> None:
    client = client_for(world.child)
    request_body = body(world)
    client.post(URL, request_body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    Rupture.objects.all().delete()  # as if the first request had died before committing
    IdempotencyKey.objects.update(
        state=IdempotencyKey.State.IN_FLIGHT,
        claimed_at=timezone.now() - idempotency.LEASE - dt.timedelta(seconds=1),
    )

    response = client.post(URL, request_body, format="json", HTTP_IDEMPOTENCY_KEY="k")

    assert response.status_code == 201
    assert Rupture.objects.count() == 1


def test_a_failed_request_releases_its_key(world: World) -> None:
    client = client_for(world.child)

    bad = client.post(URL, body(world, intensity=9), format="json", HTTP_IDEMPOTENCY_KEY="k")
    bad_again = client.post(URL, body(world, intensity=9), format="json", HTTP_IDEMPOTENCY_KEY="k")

    assert bad.status_code == bad_again.status_code == 400
    assert IdempotencyKey.objects.count() == 0


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there"])
def test_malformed_keys_are_400(world: World, key: str) -> None:
    response = client_for(world.child).post(
        URL, body(world), format="json", HTTP_IDEMPOTENCY_KEY=key
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid_idempotency_key"
    assert Rupture.objects.count() == 0


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_posts_create_one_rupture(world: World) -> None:
    assert connection.vendor == "postgresql"
    request_body = body(world)
    start = threading.Barrier(8)
    statuses: list[int] = []

    def post() -> None:
        client = client_for(world.child)
        start.wait()
        try:
            response = client.post(URL, request_body, format="json", HTTP_IDEMPOTENCY_KEY="race")
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert Rupture.objects.count() == 1
    assert len(statuses) == 8
    assert set(statuses) <= {201, 409}
    assert statuses.count(201) >= 1


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("/api/v1/families/", {"name": "Second home"}),
        ("/api/v1/families/{family}/children/", {"display_name": "Rae", "birth_year": 2019}),
        ("/api/v1/families/{family}/invites/", {"role": "parent"}),
    ],
)
def test_every_post_honours_the_key(world: World, path: str, payload: dict[str, Any]) -> None:
    from accounts.models import Family, Invite, User

    client = client_for(world.parent)
    url = path.format(family=world.family.pk)
    counts = (Family.objects.count(), User.objects.count(), Invite.objects.count())

    first = client.post(url, payload, format="json", HTTP_IDEMPOTENCY_KEY="account-1")
    retry = client.post(url, payload, format="json", HTTP_IDEMPOTENCY_KEY="account-1")

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    after = (Family.objects.count(), User.objects.count(), Invite.objects.count())
    assert sum(after) - sum(counts) == 1


# --- a replay answers no more than the caller may see now ----------------------------------------
def _leave(world: World, who: str) -> None:
    user = getattr(world, who)
    left = client_for(user).delete(f"/api/v1/families/{world.family.pk}/members/{user.pk}/")
    assert left.status_code == 204


def test_a_replay_after_leaving_the_family_is_404_never_the_stored_body(world: World) -> None:
    client = client_for(world.child)
    note = body(world, note="He hit the wall next to me.")
    first = client.post(URL, note, format="json", HTTP_IDEMPOTENCY_KEY="flag-gone")
    _leave(world, "child")

    replay = client.post(URL, note, format="json", HTTP_IDEMPOTENCY_KEY="flag-gone")

    assert first.status_code == 201
    assert (replay.status_code, replay.json()) == (
        404,
        {
            "status": 404,
            "errors": [{"code": "rupture_not_found", "message": "No such rupture.", "param": None}],
        },
    )
    assert "Idempotent-Replayed" not in replay
    assert Rupture.objects.count() == 1


def test_a_parents_replayed_action_is_404_once_they_are_removed(world: World) -> None:
    rupture = flag(world)
    parent = client_for(world.parent)
    url = f"{URL}{rupture.pk}/messages/"
    first = parent.post(url, {"body": "I'm sorry."}, format="json", HTTP_IDEMPOTENCY_KEY="m-1")
    removed = client_for(world.other_parent).delete(
        f"/api/v1/families/{world.family.pk}/members/{world.parent.pk}/"
    )

    replay = parent.post(url, {"body": "I'm sorry."}, format="json", HTTP_IDEMPOTENCY_KEY="m-1")

    assert (first.status_code, removed.status_code, replay.status_code) == (201, 204, 404)
    assert replay.json()["errors"][0]["code"] == "rupture_not_found"
    assert Message.objects.count() == 1


def test_a_replayed_invite_is_404_once_the_parent_left(world: World) -> None:
    parent = client_for(world.parent)
    url = f"/api/v1/families/{world.family.pk}/invites/"
    first = parent.post(url, {"role": "parent"}, format="json", HTTP_IDEMPOTENCY_KEY="inv-1")
    _leave(world, "parent")

    replay = parent.post(url, {"role": "parent"}, format="json", HTTP_IDEMPOTENCY_KEY="inv-1")

    assert (first.status_code, replay.status_code) == (201, 404)
    assert replay.json()["errors"][0]["code"] == "family_not_found"
