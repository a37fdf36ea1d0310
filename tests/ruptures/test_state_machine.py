"""The state machine, exhaustively, through the API: every (state, action, actor) -> outcome.

The expected table is written out here by hand, independently of ``ruptures.states``, so a change
to the rules has to be made twice on purpose.
"""

from __future__ import annotations

from typing import Any

import pytest

from ruptures import services
from ruptures.models import Rupture, RuptureEvent, Status
from tests.world import World, client_for, flag

STATES = [
    "flagged",
    "acknowledged",
    "awaiting_confirmation",
    "reconnected",
    "withdrawn",
    "safety_review",
]
ACTIONS = [
    "acknowledge", "repair_steps", "message", "confirm", "not_yet", "withdraw", "follow_up",
    "release",
]  # fmt: skip

OK = "ok"
CLOSED = "rupture_closed"
SAFETY = "rupture_in_safety_review"
NOT_ACK = "rupture_not_acknowledged"
ALREADY_ACK = "rupture_already_acknowledged"
ALREADY_CONFIRMED = "already_confirmed"
NOT_RECONNECTED = "rupture_not_reconnected"
NOT_OFFERED = "release_not_offered"
HIDDEN = "rupture_not_found"  # 404: the parent never sees a rupture held for safety review

# (action, actor) -> outcome per state, in STATES order. A 403 code means the actor never may.
EXPECTED: dict[tuple[str, str], list[str]] = {
    ("acknowledge", "parent"): [OK, ALREADY_ACK, ALREADY_ACK, CLOSED, CLOSED, HIDDEN],
    ("acknowledge", "child"): ["parent_only"] * 6,
    ("repair_steps", "parent"): [NOT_ACK, OK, OK, CLOSED, CLOSED, HIDDEN],
    ("repair_steps", "child"): ["parent_only"] * 6,
    ("message", "parent"): [OK, OK, OK, CLOSED, CLOSED, HIDDEN],
    ("message", "child"): [OK, OK, OK, CLOSED, CLOSED, SAFETY],
    ("confirm", "parent"): [NOT_ACK, OK, ALREADY_CONFIRMED, CLOSED, CLOSED, HIDDEN],
    ("confirm", "child"): [NOT_ACK, OK, OK, CLOSED, CLOSED, SAFETY],
    ("not_yet", "parent"): ["child_only"] * 5 + [HIDDEN],
    ("not_yet", "child"): [NOT_ACK, OK, OK, CLOSED, CLOSED, SAFETY],
    ("withdraw", "parent"): ["only_starter_can_withdraw"] * 5 + [HIDDEN],
    ("withdraw", "child"): [OK, OK, OK, CLOSED, CLOSED, SAFETY],
    ("follow_up", "parent"): [NOT_RECONNECTED] * 3 + [OK, NOT_RECONNECTED, HIDDEN],
    ("follow_up", "child"): [NOT_RECONNECTED] * 3 + [OK, NOT_RECONNECTED, SAFETY],
    # Releasing a held flag to the parent: see tests/ruptures/test_safety_release.py for the
    # states of the hold once the review is closed.
    ("release", "parent"): ["child_only"] * 5 + [HIDDEN],
    ("release", "child"): [NOT_OFFERED] * 5 + [SAFETY],
}

NEXT_STATUS = {
    ("acknowledge", "flagged"): "acknowledged",
    ("confirm", "acknowledged"): "awaiting_confirmation",
    ("confirm", "awaiting_confirmation"): "reconnected",  # the child answers the parent's confirm
    ("not_yet", "acknowledged"): "acknowledged",
    ("not_yet", "awaiting_confirmation"): "acknowledged",
    ("withdraw", "flagged"): "withdrawn",
    ("withdraw", "acknowledged"): "withdrawn",
    ("withdraw", "awaiting_confirmation"): "withdrawn",
}


def rupture_in(world: World, state: str) -> Rupture:
    """A child-started rupture brought to ``state`` by the services, the way people would."""
    if state == "safety_review":
        return flag(world, unsafe=True)
    rupture = flag(world)
    if state == "withdrawn":
        return services.rupture_withdraw(actor=world.child, rupture_id=rupture.pk)
    if state == "flagged":
        return rupture
    services.rupture_acknowledge(actor=world.parent, rupture_id=rupture.pk)
    if state in {"awaiting_confirmation", "reconnected"}:
        services.rupture_confirm(actor=world.parent, rupture_id=rupture.pk)
    if state == "reconnected":
        services.rupture_confirm(actor=world.child, rupture_id=rupture.pk)
    rupture.refresh_from_db()
    assert rupture.status == state
    return rupture


def perform(world: World, action: str, actor: str, rupture: Rupture) -> Any:
    client = client_for(world.actor(actor))
    base = f"/api/v1/ruptures/{rupture.pk}"
    if action == "repair_steps":
        return client.patch(
            f"{base}/repair-steps/", {"steps": [{"step": "calm", "done": True}]}, format="json"
        )
    if action == "message":
        return client.post(f"{base}/messages/", {"body": "I'm sorry."}, format="json")
    if action == "follow_up":
        return client.post(f"{base}/follow-up/", {"answer": "ok"}, format="json")
    return client.post(f"{base}/{action.replace('_', '-')}/", {}, format="json")


CASES = [
    pytest.param(state, action, actor, EXPECTED[(action, actor)][i], id=f"{state}-{action}-{actor}")
    for (action, actor) in EXPECTED
    for i, state in enumerate(STATES)
]


@pytest.mark.parametrize(("state", "action", "actor", "outcome"), CASES)
def test_every_state_action_actor(
    world: World, state: str, action: str, actor: str, outcome: str
) -> None:
    rupture = rupture_in(world, state)
    events_before = RuptureEvent.objects.filter(rupture=rupture).count()
    before = Rupture.objects.filter(pk=rupture.pk).values().get()

    response = perform(world, action, actor, rupture)

    if outcome == OK:
        assert response.status_code == (201 if action == "message" else 200), response.json()
        rupture.refresh_from_db()
        if (action, state) in NEXT_STATUS:
            assert rupture.status == NEXT_STATUS[(action, state)]
        else:
            assert rupture.status == state
        assert RuptureEvent.objects.filter(rupture=rupture).count() > events_before
        return
    expected_status = {HIDDEN: 404}.get(outcome) or (
        409 if outcome.startswith(("rupture_", "already_", "release_")) else 403
    )
    assert response.status_code == expected_status, response.json()
    assert response.json()["errors"][0]["code"] == outcome
    assert Rupture.objects.filter(pk=rupture.pk).values().get() == before
    assert RuptureEvent.objects.filter(rupture=rupture).count() == events_before


def test_confirmation_order_does_not_matter(world: World) -> None:
    rupture = rupture_in(world, "acknowledged")

    first = perform(world, "confirm", "child", rupture)
    again = perform(world, "confirm", "child", rupture)
    second = perform(world, "confirm", "parent", rupture)

    assert first.json()["status"] == "awaiting_confirmation"
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == ALREADY_CONFIRMED
    assert second.json()["status"] == "reconnected"
    assert second.json()["reconnected_at"] is not None
    kinds = [e["kind"] for e in second.json()["timeline"]]
    assert kinds == ["flagged", "acknowledged", "confirmed", "confirmed", "reconnected"]


def test_not_yet_clears_both_confirmations_and_tells_the_parent_why(world: World) -> None:
    rupture = rupture_in(world, "awaiting_confirmation")

    response = client_for(world.child).post(
        f"/api/v1/ruptures/{rupture.pk}/not-yet/", {"reason": "I'm still upset"}, format="json"
    )

    body = response.json()
    assert body["status"] == "acknowledged"
    assert body["confirmations"] == {"child": None, "parent": None}
    parent_view = client_for(world.parent).get(f"/api/v1/ruptures/{rupture.pk}/").json()
    assert parent_view["timeline"][-1]["kind"] == "not_yet"
    assert parent_view["timeline"][-1]["data"] == {"reason": "I'm still upset"}


def test_a_parents_own_flag_starts_acknowledged_and_only_they_may_withdraw(world: World) -> None:
    rupture = flag(world, by="parent")
    assert rupture.status == Status.ACKNOWLEDGED
    assert rupture.started_by == "parent"

    child_try = perform(world, "withdraw", "child", rupture)
    parent_try = perform(world, "withdraw", "parent", rupture)

    assert child_try.status_code == 403
    assert child_try.json()["errors"][0]["code"] == "only_starter_can_withdraw"
    assert parent_try.status_code == 200
    assert parent_try.json()["status"] == "withdrawn"


def test_allowed_actions_are_what_will_work(world: World) -> None:
    rupture = rupture_in(world, "acknowledged")

    child_view = client_for(world.child).get(f"/api/v1/ruptures/{rupture.pk}/").json()
    parent_view = client_for(world.parent).get(f"/api/v1/ruptures/{rupture.pk}/").json()

    assert child_view["allowed_actions"] == ["message", "confirm", "not_yet", "withdraw"]
    assert parent_view["allowed_actions"] == ["update_steps", "message", "confirm"]
