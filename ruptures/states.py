"""The rupture state machine: the one place that says which action may happen in which state,
by whom, and what state follows. Services ask ``decide`` before they write anything.

    flagged --acknowledge(parent)--> acknowledged --confirm(one side)--> awaiting_confirmation
    awaiting_confirmation --confirm(other side)--> reconnected
    acknowledged | awaiting_confirmation --not_yet(child)--> acknowledged (confirmations cleared)
    flagged | acknowledged | awaiting_confirmation --withdraw(whoever started it)--> withdrawn
    reconnected --follow_up(either side; "not really" opens a new, linked rupture)--> reconnected
    (a flag made with "I feel unsafe" starts in safety_review, where nothing moves but staff)

The hold on a flag in safety_review has its own small machine (``Hold``), moved by whoever reviews
it (staff, or a therapist it was alerted to) and then by the child alone:

    under_review --close(outcome)--> held                      (any outcome but no_safety_concern)
    under_review --close(no_safety_concern)--> releasable
    releasable --release(child)--> released   (the rupture: safety_review --> flagged, and from
                                              there the ordinary repair flow)

A flag is shown to the parent only by the child's release; nothing else leaves safety_review.

A party that may never take an action gets 403; a party that may, in a state that forbids it,
gets 409 with a code saying why.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from familyrepair.errors import Conflict, Forbidden, InvalidInput
from ruptures.models import Party, Rupture, SafetyOutcome, SafetyReview, Status


class Action(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    UPDATE_STEPS = "update_steps"
    MESSAGE = "message"
    CONFIRM = "confirm"
    NOT_YET = "not_yet"
    WITHDRAW = "withdraw"
    FOLLOW_UP = "follow_up"
    RELEASE = "release"


class Hold(StrEnum):
    """Where the hold on a flag made because a child feels unsafe stands."""

    UNDER_REVIEW = "under_review"
    HELD = "held"
    RELEASABLE = "releasable"
    RELEASED = "released"


OPEN = frozenset({Status.FLAGGED, Status.ACKNOWLEDGED, Status.AWAITING_CONFIRMATION})
CLOSED = frozenset({Status.RECONNECTED, Status.WITHDRAWN})
IN_REPAIR = frozenset({Status.ACKNOWLEDGED, Status.AWAITING_CONFIRMATION})
BOTH = frozenset({Party.CHILD, Party.PARENT})


@dataclass(frozen=True)
class Rule:
    parties: frozenset[Party]
    from_states: frozenset[Status]
    role_code: str
    role_message: str


RULES: dict[Action, Rule] = {
    Action.ACKNOWLEDGE: Rule(
        frozenset({Party.PARENT}), frozenset({Status.FLAGGED}),
        "parent_only", "Only the parent it was flagged to can acknowledge it.",
    ),
    Action.UPDATE_STEPS: Rule(
        frozenset({Party.PARENT}), IN_REPAIR,
        "parent_only", "The repair steps are the parent's to work through.",
    ),
    Action.MESSAGE: Rule(BOTH, OPEN, "not_a_party", "Only the two people in it can write here."),
    Action.CONFIRM: Rule(BOTH, IN_REPAIR, "not_a_party", "Only the two people in it can confirm."),
    Action.NOT_YET: Rule(
        frozenset({Party.CHILD}), IN_REPAIR,
        "child_only", "Only the child can say it is not OK yet.",
    ),
    Action.WITHDRAW: Rule(
        BOTH, OPEN, "only_starter_can_withdraw", "Only the one who started it can withdraw it.",
    ),
    Action.FOLLOW_UP: Rule(
        BOTH, frozenset({Status.RECONNECTED}), "not_a_party", "Only the two people in it.",
    ),
    Action.RELEASE: Rule(
        frozenset({Party.CHILD}), frozenset({Status.SAFETY_REVIEW}),
        "child_only", "Only the child decides whether their parent sees this.",
    ),
}  # fmt: skip


def _review(rupture: Rupture) -> SafetyReview | None:
    try:
        return rupture.safety_review
    except SafetyReview.DoesNotExist:
        return None


def hold_of(rupture: Rupture) -> Hold | None:
    """None for a rupture that never went to safety review."""
    review = _review(rupture)
    return None if review is None else hold_of_review(review)


def hold_of_review(review: SafetyReview) -> Hold:
    if review.closed_at is None:
        return Hold.UNDER_REVIEW
    if review.released_at is not None:
        return Hold.RELEASED
    if review.outcome == SafetyOutcome.NO_SAFETY_CONCERN:
        return Hold.RELEASABLE
    return Hold.HELD


def decide_review_close(rupture: Rupture, outcome: str) -> Hold:
    """The hold after a reviewer closes the review with ``outcome`` (the rupture itself stays in
    safety_review): 409 ``safety_review_closed`` unless under review, 400 ``invalid_choice``."""
    if hold_of(rupture) != Hold.UNDER_REVIEW or rupture.status != Status.SAFETY_REVIEW:
        raise Conflict("This review is already closed.", code="safety_review_closed")
    if outcome not in SafetyOutcome.values:
        raise InvalidInput(code="invalid_choice", param="outcome")
    return Hold.RELEASABLE if outcome == SafetyOutcome.NO_SAFETY_CONCERN else Hold.HELD


def _in_review() -> Conflict:
    return Conflict(
        "This is being looked at by someone whose job is to keep children safe.",
        code="rupture_in_safety_review",
    )


def _state_conflict(rupture: Rupture, action: Action) -> Conflict:
    if action == Action.RELEASE:
        return Conflict("There is nothing waiting for you to share.", code="release_not_offered")
    if rupture.status == Status.SAFETY_REVIEW:
        return _in_review()
    if action == Action.FOLLOW_UP:
        return Conflict(
            "The check-in comes once you've reconnected.", code="rupture_not_reconnected"
        )
    if rupture.status in CLOSED:
        return Conflict("This moment is already closed.", code="rupture_closed")
    if action == Action.ACKNOWLEDGE:
        return Conflict("This has already been acknowledged.", code="rupture_already_acknowledged")
    return Conflict("This needs to be acknowledged first.", code="rupture_not_acknowledged")


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
            raise Conflict("You have already confirmed.", code="already_confirmed")
        return Status.RECONNECTED if theirs is not None else Status.AWAITING_CONFIRMATION
    if action == Action.NOT_YET:
        return Status.ACKNOWLEDGED
    if action == Action.WITHDRAW:
        return Status.WITHDRAWN
    if action == Action.RELEASE:
        hold = hold_of(rupture)
        if hold == Hold.UNDER_REVIEW:
            raise _in_review()
        if hold != Hold.RELEASABLE:
            raise _state_conflict(rupture, action)
        return Status.FLAGGED
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
