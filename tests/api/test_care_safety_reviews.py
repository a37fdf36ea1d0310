"""The therapist's safety-review queue: who gets it, what it shows, that every read is logged
where only those who see the flag can see the log row, and closing with every kind of bad input.
The transitions themselves are in tests/ruptures/test_safety_release.py."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from accounts.models import TherapistAccessLog
from ruptures.models import Rupture, RuptureEvent, SafetyReview
from tests.ruptures.test_safety_release import deliver_due
from tests.world import World, client_for, flag

URL = "/api/v1/care/safety-reviews/"


def unsafe_flag(world: World, **fields: Any) -> Rupture:
    with TestCase.captureOnCommitCallbacks(execute=True):
        rupture = flag(world, unsafe=True, note="I am scared.", **fields)
    deliver_due()
    return rupture


def test_the_queue_of_a_therapist_alerted_to_a_flag(world: World) -> None:
    rupture = unsafe_flag(world)

    body = client_for(world.therapist_details).get(URL).json()

    review = SafetyReview.objects.get(rupture=rupture)
    assert body == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "rupture": rupture.pk,
                "family": {"id": world.family.pk, "name": "Okafor"},
                "child": {"id": world.child.pk, "display_name": "Maya"},
                "parent": {"id": world.parent.pk, "display_name": "Ada"},
                "opened_at": body["results"][0]["opened_at"],
                "hold": "under_review",
                "closed_at": None,
                "outcome": "",
                "closed_by_name": "",
            }
        ],
    }
    assert review.opened_at.isoformat().startswith(body["results"][0]["opened_at"][:19])
    log = TherapistAccessLog.objects.get(therapist=world.therapist_details)
    assert (log.action, log.object_type, log.object_id) == (
        "safety_review.list",
        "rupture",
        str(rupture.pk),
    )


def test_opening_one_is_logged_and_shows_words_only_with_details(world: World) -> None:
    rupture = unsafe_flag(world)
    url = f"{URL}{rupture.pk}/"

    details = client_for(world.therapist_details).get(url).json()
    metrics = client_for(world.therapist_metrics).get(url).json()

    assert details["flag"]["note"] == "I am scared."
    assert details["flag"]["intensity"] == 3
    assert metrics["flag"] is None
    assert details["note"] == ""
    assert set(TherapistAccessLog.objects.values_list("therapist_id", "action", "object_id")) == {
        (world.therapist_details.pk, "safety_review.view", str(rupture.pk)),
        (world.therapist_metrics.pk, "safety_review.view", str(rupture.pk)),
    }
    parent_log = client_for(world.parent).get(f"/api/v1/families/{world.family.pk}/access-log/")
    assert parent_log.json()["count"] == 0  # the named parent never sees a row about it
    child_log = client_for(world.child).get(f"/api/v1/families/{world.family.pk}/access-log/")
    assert child_log.json()["count"] == 2


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("parent", 403, "not_a_therapist"),
        ("child", 403, "not_a_therapist"),
        ("therapist_unverified", 403, "therapist_unverified"),
    ],
)
def test_who_may_not_open_the_queue(world: World, who: str, status: int, code: str) -> None:
    unsafe_flag(world)

    response = client_for(world.actor(who)).get(URL)

    assert response.status_code == status
    assert response.json()["errors"][0]["code"] == code
    assert not TherapistAccessLog.objects.exists()


def test_a_therapist_without_a_second_factor_is_told_to_enrol(world: World) -> None:
    unsafe_flag(world)
    Authenticator.objects.filter(user=world.therapist_details).delete()

    response = client_for(world.therapist_details).get(URL)

    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "mfa_required"


def test_anonymous_is_401(world: World) -> None:
    assert client_for(None).get(URL).status_code in (401, 403)


def test_an_ungranted_or_revoked_therapist_has_an_empty_queue(world: World) -> None:
    rupture = unsafe_flag(world)
    world.family.care_team.filter(therapist=world.therapist_metrics).update(
        revoked_at=rupture.created_at
    )

    assert client_for(world.therapist_ungranted).get(URL).json()["count"] == 0
    assert client_for(world.therapist_metrics).get(URL).json()["count"] == 0  # metrics: not kept
    assert client_for(world.therapist_ungranted).get(f"{URL}{rupture.pk}/").status_code == 404


def test_the_queue_costs_the_same_for_one_flag_or_many(world: World) -> None:
    client = client_for(world.therapist_details)
    unsafe_flag(world)
    client.get(URL)
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    for _ in range(5):
        unsafe_flag(world)
    with CaptureQueriesContext(connection) as six:
        assert client.get(URL).json()["count"] == 6
    # One access-log row per flag listed (each is about its own rupture); nothing else grows.
    assert len(six.captured_queries) == len(one.captured_queries) + 5


# --- closing --------------------------------------------------------------------------------------
def close(
    world: World, rupture: Rupture, body: Any, who: str = "therapist_details", **kw: Any
) -> Any:
    return client_for(world.actor(who)).post(f"{URL}{rupture.pk}/close/", body, format="json", **kw)


def test_closing_records_what_was_done(world: World) -> None:
    rupture = unsafe_flag(world)

    response = close(world, rupture, {"outcome": "referred_to_services", "note": " Referred. "})

    body = response.json()
    assert response.status_code == 200
    assert (body["hold"], body["outcome"], body["note"]) == (
        "held",
        "referred_to_services",
        "Referred.",
    )
    assert body["closed_by_name"]
    event = RuptureEvent.objects.filter(rupture=rupture).last()
    assert event is not None
    assert (event.kind, event.actor_id, event.data) == (
        "review_closed",
        world.therapist_details.pk,
        {"outcome": "referred_to_services"},
    )
    assert Rupture.objects.get(pk=rupture.pk).status == "safety_review"


BAD = [
    ({}, "outcome", "required"),
    ({"outcome": "all_good"}, "outcome", "invalid_choice"),
    ({"outcome": None}, "outcome", "null"),
    ({"outcome": ["no_safety_concern"]}, "outcome", "invalid_choice"),
    ({"outcome": "no_safety_concern", "note": "x" * 4001}, "note", "max_length"),
    ({"outcome": "no_safety_concern", "note": {"a": 1}}, "note", "invalid"),
]


@pytest.mark.parametrize(("body", "param", "code"), BAD)
def test_bad_input_is_400_and_closes_nothing(
    world: World, body: dict[str, Any], param: str, code: str
) -> None:
    rupture = unsafe_flag(world)

    response = close(world, rupture, body)

    assert response.status_code == 400, response.json()
    assert (response.json()["errors"][0]["param"], response.json()["errors"][0]["code"]) == (
        param,
        code,
    )
    assert SafetyReview.objects.get(rupture=rupture).closed_at is None


def test_authorization_comes_before_validation(world: World) -> None:
    rupture = unsafe_flag(world)
    other = flag(world)  # an ordinary flag: no review

    for who, target, status, code in [
        ("therapist_ungranted", rupture, 404, "safety_review_not_found"),
        ("therapist_details", other, 404, "safety_review_not_found"),
        ("parent", rupture, 403, "not_a_therapist"),
        ("therapist_unverified", rupture, 403, "therapist_unverified"),
    ]:
        response = close(world, target, {"outcome": "bogus"}, who=who)
        assert (response.status_code, response.json()["errors"][0]["code"]) == (status, code)
    nowhere = client_for(world.therapist_details).post(f"{URL}{2**52}/close/", {}, format="json")
    assert nowhere.status_code == 404


def test_a_close_replayed_with_its_key_closes_once(world: World) -> None:
    rupture = unsafe_flag(world)
    body = {"outcome": "no_safety_concern"}

    first = close(world, rupture, body, HTTP_IDEMPOTENCY_KEY="close-1")
    again = close(world, rupture, body, HTTP_IDEMPOTENCY_KEY="close-1")
    fresh = close(world, rupture, body, HTTP_IDEMPOTENCY_KEY="close-2")

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json()
    assert (fresh.status_code, fresh.json()["errors"][0]["code"]) == (409, "safety_review_closed")
    assert RuptureEvent.objects.filter(rupture=rupture, kind="review_closed").count() == 1
