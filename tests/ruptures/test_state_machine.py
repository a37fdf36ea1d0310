"""The state machine, exhaustively, through the API: every (direction, state, action, actor) ->
outcome, for a parent's repair (a child's flag) and a child's own repair toward a parent.

The expected tables are written out here by hand, independently of ``ruptures.states``, so a
change to the rules has to be made twice on purpose. States a child's repair never reaches
(flagged, safety review) are checked on ``decide`` itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from familyrepair.errors import Conflict, Forbidden
from ruptures import services
from ruptures.models import Direction, Party, Rupture, RuptureEvent, Status
from ruptures.states import Action, allowed_actions, decide
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
    "acknowledge", "repair_steps", "message", "confirm", "not_yet", "withdraw", "follow_up", "plan",
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
    ("plan", "parent"): [NOT_ACK, OK, OK, OK, CLOSED, HIDDEN],
    ("plan", "child"): [NOT_ACK, OK, OK, OK, CLOSED, SAFETY],
    # Releasing a held flag to the parent: see tests/ruptures/test_safety_release.py for the
    # states of the hold once the review is closed.
    ("release", "parent"): ["child_only"] * 5 + [HIDDEN],
    ("release", "child"): [NOT_OFFERED] * 5 + [SAFETY],
}

# A child's own repair toward a parent, in every state (in STATES order), as ``decide`` answers.
# It starts acknowledged and is never unsafe: flagged and safety_review are never reached, the
# API test below runs the four it does reach. The child does what the parent does in theirs
# (steps, confirming first) and the parent what the child does (not yet); withdrawing stays with
# whoever started it.
CHILD_REPAIRS: dict[tuple[str, str], list[str]] = {
    ("acknowledge", "parent"): ["child_only"] * 6,
    ("acknowledge", "child"): [OK, ALREADY_ACK, ALREADY_ACK, CLOSED, CLOSED, SAFETY],
    ("repair_steps", "parent"): ["child_only"] * 6,
    ("repair_steps", "child"): [NOT_ACK, OK, OK, CLOSED, CLOSED, SAFETY],
    ("message", "parent"): [OK, OK, OK, CLOSED, CLOSED, SAFETY],
    ("message", "child"): [OK, OK, OK, CLOSED, CLOSED, SAFETY],
    ("confirm", "parent"): [NOT_ACK, OK, OK, CLOSED, CLOSED, SAFETY],
    ("confirm", "child"): [NOT_ACK, OK, ALREADY_CONFIRMED, CLOSED, CLOSED, SAFETY],
    ("not_yet", "parent"): [NOT_ACK, OK, OK, CLOSED, CLOSED, SAFETY],
    ("not_yet", "child"): ["parent_only"] * 6,
    ("withdraw", "parent"): ["only_starter_can_withdraw"] * 6,
    ("withdraw", "child"): [OK, OK, OK, CLOSED, CLOSED, SAFETY],
    ("follow_up", "parent"): [NOT_RECONNECTED] * 3 + [OK, NOT_RECONNECTED, SAFETY],
    ("follow_up", "child"): [NOT_RECONNECTED] * 3 + [OK, NOT_RECONNECTED, SAFETY],
    ("plan", "parent"): [NOT_ACK, OK, OK, OK, CLOSED, SAFETY],
    ("plan", "child"): [NOT_ACK, OK, OK, OK, CLOSED, SAFETY],
}
CHILD_REPAIRS_REACHED = ["acknowledged", "awaiting_confirmation", "reconnected", "withdrawn"]

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
# In a child's repair the child confirms first; the parent's confirm closes it.
NEXT_STATUS_CHILD_REPAIRS = NEXT_STATUS


def child_repair_in(world: World, state: str) -> Rupture:
    """A child's "I want to make it right" toward the parent, brought to ``state``."""
    rupture = flag(world, direction=Direction.CHILD_REPAIRS, note="I slammed the door.")
    if state == "withdrawn":
        return services.rupture_withdraw(actor=world.child, rupture_id=rupture.pk)
    if state in {"awaiting_confirmation", "reconnected"}:
        services.rupture_confirm(actor=world.child, rupture_id=rupture.pk)
    if state == "reconnected":
        services.rupture_confirm(actor=world.parent, rupture_id=rupture.pk)
    rupture.refresh_from_db()
    assert rupture.status == state
    assert rupture.direction == Direction.CHILD_REPAIRS
    return rupture


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
    if action == "repair_steps":  # "acknowledge" is a step of both sides' guides
        return client.patch(
            f"{base}/repair-steps/", {"steps": [{"step": "acknowledge", "done": True}]},
            format="json",
        )  # fmt: skip
    if action == "plan":
        return client.post(f"{base}/plan/", {"words": "Ask for a break."}, format="json")
    if action == "message":
        return client.post(f"{base}/messages/", {"body": "I'm sorry."}, format="json")
    if action == "follow_up":
        return client.post(f"{base}/follow-up/", {"answer": "ok"}, format="json")
    return client.post(f"{base}/{action.replace('_', '-')}/", {}, format="json")


CASES = [
    pytest.param(
        direction, state, action, actor, table[(action, actor)][i],
        id=f"{direction}-{state}-{action}-{actor}",
    )
    for direction, table, states in (
        (Direction.PARENT_REPAIRS, EXPECTED, STATES),
        (Direction.CHILD_REPAIRS, CHILD_REPAIRS, CHILD_REPAIRS_REACHED),
    )
    for (action, actor) in table
    for i, state in enumerate(STATES)
    if state in states
]  # fmt: skip


@pytest.mark.parametrize(("direction", "state", "action", "actor", "outcome"), CASES)
def test_every_direction_state_action_actor(
    world: World, direction: str, state: str, action: str, actor: str, outcome: str
) -> None:
    if direction == Direction.CHILD_REPAIRS:
        rupture = child_repair_in(world, state)
    else:
        rupture = rupture_in(world, state)
    events_before = RuptureEvent.objects.filter(rupture=rupture).count()
    before = Rupture.objects.filter(pk=rupture.pk).values().get()

    response = perform(world, action, actor, rupture)

    if outcome == OK:
        assert response.status_code == (201 if action == "message" else 200), response.json()
        if action != "message":
            assert response.json()["direction"] == direction
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

    assert child_view["allowed_actions"] == ["message", "confirm", "not_yet", "withdraw", "plan"]
    assert parent_view["allowed_actions"] == ["update_steps", "message", "confirm", "plan"]


STEP_ACTION = {"repair_steps": Action.REPAIR_STEPS}


def unsaved(direction: str, state: str) -> Rupture:
    """A rupture in any state, even one its direction never reaches, for ``decide`` alone."""
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    child_repairs = direction == Direction.CHILD_REPAIRS
    first = "child_confirmed_at" if child_repairs else "parent_confirmed_at"
    return Rupture(
        direction=direction,
        started_by="child",
        status=state,
        **({first: now} if state == "awaiting_confirmation" else {}),
    )


def _as_decided(outcome: str, first: str) -> str:
    """The parent's 404 on a held flag is the selector's: ``decide`` answers a 403 for what they
    never may (their row's answer in every state) and the safety-review 409 otherwise."""
    if outcome != HIDDEN:
        return outcome
    return first if first.endswith(("_only", "_withdraw")) else SAFETY


DECIDE_CASES = [
    pytest.param(
        direction, state, action, actor, outcome, id=f"{direction}-{state}-{action}-{actor}",
    )
    for direction, table in (
        # The parent's table as ``decide`` answers: the 404 is the selector's, not the machine's.
        (Direction.PARENT_REPAIRS,
         {k: [_as_decided(o, v[0]) for o in v] for k, v in EXPECTED.items()}),
        (Direction.CHILD_REPAIRS, CHILD_REPAIRS),
    )
    for (action, actor), outcomes in table.items()
    for state, outcome in zip(STATES, outcomes, strict=True)
]  # fmt: skip


@pytest.mark.parametrize(("direction", "state", "action", "actor", "outcome"), DECIDE_CASES)
def test_decide_in_every_direction_state_action_actor(
    direction: str, state: str, action: str, actor: str, outcome: str
) -> None:
    rupture = unsaved(direction, state)
    act = STEP_ACTION.get(action) or Action(action)
    party = Party(actor)
    if outcome == OK:
        decide(rupture, act, party)
        assert act in allowed_actions(rupture, party)
        return
    forbidden = outcome.endswith(("_only", "_withdraw"))
    with pytest.raises(Forbidden if forbidden else Conflict) as refusal:
        decide(rupture, act, party)
    assert refusal.value.code == outcome
    assert act not in allowed_actions(rupture, party)


def test_nobody_outside_the_two_may_do_anything_in_either_direction() -> None:
    for direction in Direction.values:
        for state in STATES:
            assert allowed_actions(unsaved(direction, state), None) == []


def test_a_childs_repair_shows_each_side_its_own_buttons(world: World) -> None:
    rupture = child_repair_in(world, "acknowledged")

    child_view = client_for(world.child).get(f"/api/v1/ruptures/{rupture.pk}/").json()
    parent_view = client_for(world.parent).get(f"/api/v1/ruptures/{rupture.pk}/").json()

    assert child_view["allowed_actions"] == [
        "update_steps",
        "message",
        "confirm",
        "withdraw",
        "plan",
    ]
    assert parent_view["allowed_actions"] == ["message", "confirm", "not_yet", "plan"]
    assert child_view["direction"] == parent_view["direction"] == "child_repairs"
    assert child_view["started_by"] == "child"
