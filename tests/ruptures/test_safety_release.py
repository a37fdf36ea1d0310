"""The hold on an unsafe flag, exhaustively: every (hold, transition, actor) -> outcome, through
the API. A reviewer (staff, or a therapist the flag was alerted to) closes the review; closed as
"no safety concern", only the child can let the parent see it, and then it is an ordinary flag;
or say "not now" (keep_held), once: it stays held and they are not asked again.

Written out by hand, independently of ``ruptures.states``, like tests/ruptures/test_state_machine.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import TestCase
from django.utils import timezone

from accounts.models import User
from ruptures import delivery, safety_reviews
from ruptures.models import (
    EventKind,
    Prompt,
    PromptKind,
    PromptStatus,
    Rupture,
    RuptureEvent,
    SafetyReview,
    Status,
)
from tests.world import World, client_for, flag

HOLDS = ["under_review", "held", "releasable", "kept", "released"]
OK = "ok"
SAFETY = "rupture_in_safety_review"
NOT_OFFERED = "release_not_offered"
HIDDEN = "rupture_not_found"
REVIEW_CLOSED = "safety_review_closed"
NO_REVIEW = "safety_review_not_found"

# (transition, actor) -> outcome per hold, in HOLDS order.
EXPECTED: dict[tuple[str, str], list[str]] = {
    ("release", "child"): [SAFETY, NOT_OFFERED, OK, OK, NOT_OFFERED],
    ("release", "parent"): [HIDDEN, HIDDEN, HIDDEN, HIDDEN, "child_only"],
    ("release", "other_parent"): [HIDDEN] * 5,
    ("release", "sibling"): [HIDDEN] * 5,
    ("release", "therapist_details"): ["child_only"] * 5,  # reads it, never a party
    ("release", "therapist_metrics"): [HIDDEN] * 5,
    ("release", "other_family_child"): [HIDDEN] * 5,
    ("keep-held", "child"): [SAFETY, NOT_OFFERED, OK, NOT_OFFERED, NOT_OFFERED],
    ("keep-held", "parent"): [HIDDEN, HIDDEN, HIDDEN, HIDDEN, "child_only"],
    ("keep-held", "other_parent"): [HIDDEN] * 5,
    ("keep-held", "therapist_details"): ["child_only"] * 5,
    ("keep-held", "therapist_metrics"): [HIDDEN] * 5,
    ("keep-held", "other_family_child"): [HIDDEN] * 5,
    ("close", "therapist_details"): [OK] + [REVIEW_CLOSED] * 4,
    ("close", "therapist_metrics"): [OK] + [REVIEW_CLOSED] * 4,
    ("close", "therapist_ungranted"): [NO_REVIEW] * 5,
    ("close", "therapist_unverified"): ["therapist_unverified"] * 5,
    ("close", "parent"): ["not_a_therapist"] * 5,
    ("close", "child"): ["not_a_therapist"] * 5,
    ("message", "child"): [SAFETY, SAFETY, SAFETY, SAFETY, OK],
    ("acknowledge", "parent"): [HIDDEN, HIDDEN, HIDDEN, HIDDEN, OK],
    ("withdraw", "child"): [SAFETY, SAFETY, SAFETY, SAFETY, OK],
}
STATUS_OF = {
    "rupture_in_safety_review": 409,
    "release_not_offered": 409,
    "safety_review_closed": 409,
    "rupture_not_found": 404,
    "safety_review_not_found": 404,
}


def deliver_due(now: dt.datetime | None = None) -> None:
    claimed: list[tuple[int, str]] = []
    with TestCase.captureOnCommitCallbacks(execute=True):
        delivery.prompts_claim_due(
            now=now or timezone.now(), enqueue=lambda pk, t: claimed.append((pk, t))
        )
    for pk, token in claimed:
        delivery.prompt_deliver(prompt_id=pk, claim_token=token, now=now or timezone.now())


def held_flag(world: World, hold: str) -> Rupture:
    """An unsafe flag, its alerts sent, brought to ``hold`` the way a reviewer and child would."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        rupture = flag(world, unsafe=True, note="I am scared.")
    deliver_due()
    if hold == "under_review":
        return rupture
    outcome = "contacted_family" if hold == "held" else "no_safety_concern"
    with TestCase.captureOnCommitCallbacks(execute=True):
        safety_reviews.safety_review_close(
            actor=world.therapist_details,
            review_id=SafetyReview.objects.get(rupture=rupture).pk,
            outcome=outcome,
            note="Spoke with them.",
        )
    if hold == "kept":
        client_for(world.child).post(f"/api/v1/ruptures/{rupture.pk}/keep-held/")
    if hold == "released":
        client_for(world.child).post(f"/api/v1/ruptures/{rupture.pk}/release/")
    rupture.refresh_from_db()
    return rupture


def perform(world: World, transition: str, actor: str, rupture: Rupture) -> Any:
    client = client_for(world.actor(actor))
    base = f"/api/v1/ruptures/{rupture.pk}"
    if transition == "close":
        return client.post(
            f"/api/v1/care/safety-reviews/{rupture.pk}/close/",
            {"outcome": "no_safety_concern", "note": "Checked."},
            format="json",
        )
    if transition == "message":
        return client.post(f"{base}/messages/", {"body": "Hi."}, format="json")
    return client.post(f"{base}/{transition}/", {}, format="json")


CASES = [
    pytest.param(hold, transition, actor, EXPECTED[(transition, actor)][i],
                 id=f"{hold}-{transition}-{actor}")
    for (transition, actor) in EXPECTED
    for i, hold in enumerate(HOLDS)
]  # fmt: skip


@pytest.mark.parametrize(("hold", "transition", "actor", "outcome"), CASES)
def test_every_hold_transition_actor(
    world: World, hold: str, transition: str, actor: str, outcome: str
) -> None:
    rupture = held_flag(world, hold)
    before = Rupture.objects.filter(pk=rupture.pk).values().get()
    review_before = SafetyReview.objects.filter(rupture=rupture).values().get()
    events_before = RuptureEvent.objects.filter(rupture=rupture).count()

    response = perform(world, transition, actor, rupture)

    if outcome == OK:
        assert response.status_code in (200, 201), response.json()
        assert RuptureEvent.objects.filter(rupture=rupture).count() > events_before
        return
    assert response.status_code == STATUS_OF.get(outcome, 403), response.json()
    assert response.json()["errors"][0]["code"] == outcome
    assert Rupture.objects.filter(pk=rupture.pk).values().get() == before
    assert SafetyReview.objects.filter(rupture=rupture).values().get() == review_before
    assert RuptureEvent.objects.filter(rupture=rupture).count() == events_before


def test_closing_with_no_concern_asks_the_child_and_nobody_else(world: World) -> None:
    User.objects.update(quiet_hours_start=None, quiet_hours_end=None)
    rupture = held_flag(world, "releasable")

    asked = Prompt.objects.filter(rupture=rupture, kind=PromptKind.RELEASE_QUESTION)
    assert list(asked.values_list("recipient_id", flat=True)) == [world.child.pk]
    view = client_for(world.child).get(f"/api/v1/ruptures/{rupture.pk}/").json()
    assert view["allowed_actions"] == ["release", "keep_held"]
    assert view["release_question"] == "Would you like Ada to see this now?"
    assert view["status"] == "safety_review"
    deliver_due()
    assert asked.get().status == PromptStatus.SENT
    assert not Prompt.objects.filter(rupture=rupture, recipient=world.parent).exists()


@pytest.mark.parametrize(
    "outcome",
    ["spoke_with_child", "contacted_family", "referred_to_services", "contacted_authorities"],
)
def test_any_other_outcome_keeps_it_held_and_asks_nobody(world: World, outcome: str) -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        rupture = flag(world, unsafe=True)
    deliver_due()

    response = client_for(world.therapist_details).post(
        f"/api/v1/care/safety-reviews/{rupture.pk}/close/", {"outcome": outcome}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["hold"] == "held"
    assert not Prompt.objects.filter(rupture=rupture, kind=PromptKind.RELEASE_QUESTION).exists()
    view = client_for(world.child).get(f"/api/v1/ruptures/{rupture.pk}/").json()
    assert (view["allowed_actions"], view["release_question"]) == ([], None)
    parent = client_for(world.parent).get(f"/api/v1/ruptures/{rupture.pk}/")
    assert parent.status_code == 404


def test_a_released_flag_is_an_ordinary_flag_for_the_parent(world: World) -> None:
    rupture = held_flag(world, "releasable")

    response = client_for(world.child).post(f"/api/v1/ruptures/{rupture.pk}/release/")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "flagged"
    assert response.json()["release_question"] is None
    review = SafetyReview.objects.get(rupture=rupture)
    assert review.released_at is not None
    parent_view = client_for(world.parent).get(f"/api/v1/ruptures/{rupture.pk}/").json()
    assert parent_view["status"] == "flagged"
    assert parent_view["unsafe"] is False
    assert parent_view["allowed_actions"] == ["acknowledge", "message"]
    assert parent_view["timeline"] == []  # the review's events stay with the child and reviewers
    child_kinds = [e["kind"] for e in response.json()["timeline"]]
    assert child_kinds == [EventKind.SAFETY_REVIEW, EventKind.REVIEW_CLOSED, EventKind.RELEASED]
    parent_prompts = Prompt.objects.filter(rupture=rupture, recipient=world.parent)
    assert set(parent_prompts.values_list("kind", flat=True)) == {
        PromptKind.HEADS_UP,
        PromptKind.REPAIR_PROMPT,
    }
    assert Rupture.objects.get(pk=rupture.pk).status == Status.FLAGGED


@pytest.mark.parametrize(
    ("path", "recorded"),
    [("release", EventKind.RELEASED), ("keep-held", EventKind.RELEASE_DECLINED)],
)
def test_the_childs_answer_replayed_with_its_key_counts_once(
    world: World, path: str, recorded: EventKind
) -> None:
    """Release and "not now" alike: the same Idempotency-Key replays the first answer; a new key
    is a second answer to a question already answered (409)."""
    rupture = held_flag(world, "releasable")
    client = client_for(world.child)
    url = f"/api/v1/ruptures/{rupture.pk}/{path}/"

    first = client.post(url, HTTP_IDEMPOTENCY_KEY=f"{path}-1")
    again = client.post(url, HTTP_IDEMPOTENCY_KEY=f"{path}-1")
    fresh = client.post(url, HTTP_IDEMPOTENCY_KEY=f"{path}-2")

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert fresh.status_code == 409
    assert fresh.json()["errors"][0]["code"] == NOT_OFFERED
    assert RuptureEvent.objects.filter(rupture=rupture, kind=recorded).count() == 1


def test_not_now_keeps_it_held_and_the_child_is_not_asked_again(world: World) -> None:
    User.objects.update(quiet_hours_start=None, quiet_hours_end=None)
    rupture = held_flag(world, "releasable")
    asked = Prompt.objects.filter(rupture=rupture, kind=PromptKind.RELEASE_QUESTION)

    response = client_for(world.child).post(f"/api/v1/ruptures/{rupture.pk}/keep-held/")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["release_question"]) == ("safety_review", None)
    assert body["allowed_actions"] == ["release"]  # changing their mind stays theirs
    assert [e["kind"] for e in body["timeline"]] == [
        EventKind.SAFETY_REVIEW,
        EventKind.REVIEW_CLOSED,
        EventKind.RELEASE_DECLINED,
    ]
    assert asked.get().status == PromptStatus.CANCELLED
    deliver_due(timezone.now() + dt.timedelta(days=3))
    assert asked.get().status == PromptStatus.CANCELLED
    assert SafetyReview.objects.get(rupture=rupture).release_declined_at is not None
    assert client_for(world.parent).get(f"/api/v1/ruptures/{rupture.pk}/").status_code == 404
    assert not Prompt.objects.filter(rupture=rupture, recipient=world.parent).exists()
    review = client_for(world.therapist_details).get(f"/api/v1/care/safety-reviews/{rupture.pk}/")
    assert review.json()["hold"] == "kept"

    later = client_for(world.child).post(f"/api/v1/ruptures/{rupture.pk}/release/")
    assert later.status_code == 200, later.json()
    assert later.json()["status"] == "flagged"
