"""The rupture state machine: the one place that says which action may happen in which state,
by whom, and what state follows. Services ask ``decide`` before they write anything.

    flagged --acknowledge(parent)--> acknowledged --confirm(one side)--> awaiting_confirmation
    awaiting_confirmation --confirm(other side)--> reconnected
    acknowledged | awaiting_confirmation --not_yet(child)--> acknowledged (confirmations cleared)
    flagged | acknowledged | awaiting_confirmation --withdraw(whoever started it)--> withdrawn
    reconnected --follow_up(either side; "not really" opens a new, linked rupture)--> reconnected
    (a flag made with "I feel unsafe" starts in safety_review, where nothing moves but staff)

A party that may never take an action gets 403; a party that may, in a state that forbids it,
gets 409 with a code saying why.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from familyrepair.errors import Conflict, ErrorCode, Forbidden
from ruptures.models import Party, Rupture, Status


class Action(StrEnum):
    """What a party does to a rupture; the values are the wire's ``allowed_actions``."""

    ACKNOWLEDGE = "acknowledge"
    # The repair steps (PATCH .../repair-steps/). "update_steps" is the value clients already
    # match on in allowed_actions, so the wire keeps it.
    REPAIR_STEPS = "update_steps"
    MESSAGE = "message"
    CONFIRM = "confirm"
    NOT_YET = "not_yet"
    WITHDRAW = "withdraw"
    FOLLOW_UP = "follow_up"


OPEN = frozenset({Status.FLAGGED, Status.ACKNOWLEDGED, Status.AWAITING_CONFIRMATION})
CLOSED = frozenset({Status.RECONNECTED, Status.WITHDRAWN})
IN_REPAIR = frozenset({Status.ACKNOWLEDGED, Status.AWAITING_CONFIRMATION})
BOTH = frozenset({Party.CHILD, Party.PARENT})


@dataclass(frozen=True)
class Rule:
    parties: frozenset[Party]
    from_states: frozenset[Status]
    role_code: ErrorCode
    role_message: str


RULES: dict[Action, Rule] = {
    Action.ACKNOWLEDGE: Rule(
        frozenset({Party.PARENT}), frozenset({Status.FLAGGED}),
        ErrorCode.PARENT_ONLY, "Only the parent it was flagged to can acknowledge it.",
    ),
    Action.REPAIR_STEPS: Rule(
        frozenset({Party.PARENT}), IN_REPAIR,
        ErrorCode.PARENT_ONLY, "The repair steps are the parent's to work through.",
    ),
    Action.MESSAGE: Rule(
        BOTH, OPEN,
        ErrorCode.NOT_A_PARTY, "Only the two people in it can write here.",
    ),
    Action.CONFIRM: Rule(
        BOTH, IN_REPAIR,
        ErrorCode.NOT_A_PARTY, "Only the two people in it can confirm.",
    ),
    Action.NOT_YET: Rule(
        frozenset({Party.CHILD}), IN_REPAIR,
        ErrorCode.CHILD_ONLY, "Only the child can say it is not OK yet.",
    ),
    Action.WITHDRAW: Rule(
        BOTH, OPEN,
        ErrorCode.ONLY_STARTER_CAN_WITHDRAW, "Only the one who started it can withdraw it.",
    ),
    Action.FOLLOW_UP: Rule(
        BOTH, frozenset({Status.RECONNECTED}),
        ErrorCode.NOT_A_PARTY, "Only the two people in it.",
    ),
}  # fmt: skip


def _state_conflict(rupture: Rupture, action: Action) -> Conflict:
    if rupture.status == Status.SAFETY_REVIEW:
        return Conflict(
            "This is being looked at by someone whose job is to keep children safe.",
            code=ErrorCode.RUPTURE_IN_SAFETY_REVIEW,
        )
    if action == Action.FOLLOW_UP:
        return Conflict(
            "The check-in comes once you've reconnected.", code=ErrorCode.RUPTURE_NOT_RECONNECTED
        )
    if rupture.status in CLOSED:
        return Conflict("This moment is already closed.", code=ErrorCode.RUPTURE_CLOSED)
    if action == Action.ACKNOWLEDGE:
        return Conflict(
            "This has already been acknowledged.", code=ErrorCode.RUPTURE_ALREADY_ACKNOWLEDGED
        )
    return Conflict("This needs to be acknowledged first.", code=ErrorCode.RUPTURE_NOT_ACKNOWLEDGED)


def decide(rupture: Rupture, action: Action, party: Party) -> Status:
    """The status after ``party`` takes ``action``, or the error forbidding it (nothing written)."""
    rule = RULES[action]
    if party not in rule.parties or (action == Action.WITHDRAW and party != rupture.started_by):
        raise Forbidden(rule.role_message, code=rule.role_code)
    if rupture.status not in rule.from_states:
        raise _state_conflict(rupture, action)

    if action == Action.ACKNOWLEDGE:
        return Status.ACKNOWLEDGED
    if action == Action.CONFIRM:
        mine, theirs = (
            (rupture.child_confirmed_at, rupture.parent_confirmed_at)
            if party == Party.CHILD
            else (rupture.parent_confirmed_at, rupture.child_confirmed_at)
        )
        if mine is not None:
            raise Conflict("You have already confirmed.", code=ErrorCode.ALREADY_CONFIRMED)
        return Status.RECONNECTED if theirs is not None else Status.AWAITING_CONFIRMATION
    if action == Action.NOT_YET:
        return Status.ACKNOWLEDGED
    if action == Action.WITHDRAW:
        return Status.WITHDRAWN
    return Status(rupture.status)  # steps and messages leave the state as it is


def initial_status(*, started_by: Party, unsafe: bool) -> Status:
    """A child's flag waits to be seen; a parent's own flag is acknowledged by being made."""
    if unsafe:
        return Status.SAFETY_REVIEW
    return Status.ACKNOWLEDGED if started_by == Party.PARENT else Status.FLAGGED


def allowed_actions(rupture: Rupture, party: Party | None) -> list[Action]:
    """What ``party`` may do now, for the PWA to show only the buttons that will work."""
    if party is None:
        return []
    allowed = []
    for action in Action:
        try:
            decide(rupture, action, party)
        except (Conflict, Forbidden):
            continue
        allowed.append(action)
    return allowed
