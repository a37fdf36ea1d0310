"""The rupture state machine: the one place that says which action may happen in which state,
by whom, and what state follows. Services ask ``decide`` before they write anything.

    flagged --acknowledge(parent)--> acknowledged --confirm(one side)--> awaiting_confirmation
    awaiting_confirmation --confirm(other side)--> reconnected
    acknowledged | awaiting_confirmation --not_yet(child)--> acknowledged (confirmations cleared)
    flagged | acknowledged | awaiting_confirmation --withdraw(whoever started it)--> withdrawn
    reconnected --follow_up(either side; "not really" opens a new, linked rupture)--> reconnected
    acknowledged | awaiting_confirmation | reconnected --plan(either side, their own part)--> same
    (a flag made with "I feel unsafe" starts in safety_review, where nothing moves but staff)

Who was hurt and who makes it right is the rupture's ``direction``. ``RULES`` are written for a
parent's repair (a child's flag, or a parent's own); in a child's repair toward a parent
(``child_repairs``, started by the child, acknowledged by being made) the two trade places in
every one-sided rule: the child works through the steps, the parent may say "not yet".

The hold on a flag in safety_review has its own small machine (``Hold``), moved by whoever reviews
it (staff, or a therapist it was alerted to) and then by the child alone:

    under_review --close(outcome)--> held                      (any outcome but no_safety_concern)
    under_review --close(no_safety_concern)--> releasable
    releasable | kept --release(child)--> released   (the rupture: safety_review --> flagged, and
                                                     from there the ordinary repair flow)
    releasable --keep_held(child)--> kept   (the child said no: it stays held, and they are not
                                            asked again; sharing it later stays theirs)

A flag is shown to the parent only by the child's release; nothing else leaves safety_review.

A party that may never take an action gets 403; a party that may, in a state that forbids it,
gets 409 with a code saying why.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from familyrepair.errors import ApplicationError, Conflict, ErrorCode, Forbidden, InvalidInput
from ruptures.models import Direction, Party, Rupture, SafetyOutcome, SafetyReview, Status

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


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
    PLAN = "plan"
    RELEASE = "release"
    KEEP_HELD = "keep_held"


class Hold(StrEnum):
    """Where the hold on a flag made because a child feels unsafe stands."""

    UNDER_REVIEW = "under_review"
    HELD = "held"
    RELEASABLE = "releasable"
    KEPT = "kept"
    RELEASED = "released"


OPEN = frozenset({Status.FLAGGED, Status.ACKNOWLEDGED, Status.AWAITING_CONFIRMATION})
CLOSED = frozenset({Status.RECONNECTED, Status.WITHDRAWN})
IN_REPAIR = frozenset({Status.ACKNOWLEDGED, Status.AWAITING_CONFIRMATION})
BOTH = frozenset({Party.CHILD, Party.PARENT})
PLANNING = IN_REPAIR | {Status.RECONNECTED}


@dataclass(frozen=True)
class Rule:
    parties: frozenset[Party]
    from_states: frozenset[Status]
    role_code: ErrorCode
    role_message: StrPromise


RULES: dict[Action, Rule] = {
    Action.ACKNOWLEDGE: Rule(
        frozenset({Party.PARENT}), frozenset({Status.FLAGGED}),
        ErrorCode.PARENT_ONLY,
        gettext_lazy("Only the parent it was flagged to can acknowledge it."),
    ),
    Action.REPAIR_STEPS: Rule(
        frozenset({Party.PARENT}), IN_REPAIR,
        ErrorCode.PARENT_ONLY,
        gettext_lazy("The repair steps are the parent's to work through."),
    ),
    Action.MESSAGE: Rule(
        BOTH, OPEN,
        ErrorCode.NOT_A_PARTY,
        gettext_lazy("Only the two people in it can write here."),
    ),
    Action.CONFIRM: Rule(
        BOTH, IN_REPAIR,
        ErrorCode.NOT_A_PARTY,
        gettext_lazy("Only the two people in it can confirm."),
    ),
    Action.NOT_YET: Rule(
        frozenset({Party.CHILD}), IN_REPAIR,
        ErrorCode.CHILD_ONLY,
        gettext_lazy("Only the child can say it is not OK yet."),
    ),
    Action.WITHDRAW: Rule(
        BOTH, OPEN,
        ErrorCode.ONLY_STARTER_CAN_WITHDRAW,
        gettext_lazy("Only the one who started it can withdraw it."),
    ),
    Action.FOLLOW_UP: Rule(
        BOTH, frozenset({Status.RECONNECTED}),
        ErrorCode.NOT_A_PARTY,
        gettext_lazy("Only the two people in it."),
    ),
    Action.PLAN: Rule(
        BOTH, PLANNING,
        ErrorCode.NOT_A_PARTY,
        gettext_lazy("Only the two people in it make their plan."),
    ),
    Action.RELEASE: Rule(
        frozenset({Party.CHILD}), frozenset({Status.SAFETY_REVIEW}),
        ErrorCode.CHILD_ONLY,
        gettext_lazy("Only the child decides whether their parent sees this."),
    ),
    Action.KEEP_HELD: Rule(
        frozenset({Party.CHILD}), frozenset({Status.SAFETY_REVIEW}),
        ErrorCode.CHILD_ONLY,
        gettext_lazy("Only the child decides whether their parent sees this."),
    ),
}  # fmt: skip


# The child's answer to "Would you like {parent} to see this now?": never traded by direction.
HOLD_ACTIONS = frozenset({Action.RELEASE, Action.KEEP_HELD})

# --- direction: who was hurt, who makes it right ------------------------------------------------
OTHER_SIDE = {Party.CHILD: Party.PARENT, Party.PARENT: Party.CHILD}

# A one-sided rule's refusal in a child's repair, where its side is the other one.
CHILD_REPAIRS_ROLE_MESSAGES: dict[Action, StrPromise] = {
    Action.ACKNOWLEDGE: gettext_lazy("Only the child making it right can acknowledge it."),
    Action.REPAIR_STEPS: gettext_lazy("The repair steps are the child's to work through."),
    Action.NOT_YET: gettext_lazy("Only the parent can say it is not OK yet."),
}


def repairer(rupture: Rupture) -> Party:
    """The side that makes it right."""
    return Party.CHILD if rupture.direction == Direction.CHILD_REPAIRS else Party.PARENT


def hurt_side(rupture: Rupture) -> Party:
    """The side that was hurt, who says when they feel OK again (or not yet)."""
    return OTHER_SIDE[repairer(rupture)]


def _parties(rule: Rule, action: Action, rupture: Rupture) -> frozenset[Party]:
    # Only the repair's own one-sided rules trade sides; releasing a held flag stays the child's.
    if rupture.direction == Direction.CHILD_REPAIRS and action not in HOLD_ACTIONS:
        return frozenset(OTHER_SIDE[party] for party in rule.parties)
    return rule.parties


def _role_refusal(rule: Rule, action: Action, rupture: Rupture) -> Forbidden:
    parties = _parties(rule, action, rupture)
    if action in CHILD_REPAIRS_ROLE_MESSAGES and rupture.direction == Direction.CHILD_REPAIRS:
        (only,) = parties
        code = ErrorCode.CHILD_ONLY if only == Party.CHILD else ErrorCode.PARENT_ONLY
        return Forbidden(CHILD_REPAIRS_ROLE_MESSAGES[action], code=code)
    return Forbidden(rule.role_message, code=rule.role_code)


# --- the hold on a flag under safety review -------------------------------------------------------
def _review(rupture: Rupture) -> SafetyReview | None:
    if rupture._state.adding:  # not saved yet (``decide`` on its own): no review row to read
        return None
    try:
        return rupture.safety_review
    except SafetyReview.DoesNotExist:
        return None


def hold_of(rupture: Rupture) -> Hold | None:
    """None for a rupture that never went to safety review. A flag in safety_review always has
    its review (opened in the flag's transaction); one not read yet counts as under review."""
    review = _review(rupture)
    if review is None:
        return Hold.UNDER_REVIEW if rupture.status == Status.SAFETY_REVIEW else None
    return hold_of_review(review)


def hold_of_review(review: SafetyReview) -> Hold:
    if review.closed_at is None:
        return Hold.UNDER_REVIEW
    if review.released_at is not None:
        return Hold.RELEASED
    if review.outcome == SafetyOutcome.NO_SAFETY_CONCERN:
        return Hold.KEPT if review.release_declined_at is not None else Hold.RELEASABLE
    return Hold.HELD


def decide_review_close(rupture: Rupture, outcome: str) -> Hold:
    """The hold after a reviewer closes the review with ``outcome`` (the rupture itself stays in
    safety_review): 409 ``safety_review_closed`` unless under review, 400 ``invalid_choice``."""
    if hold_of(rupture) != Hold.UNDER_REVIEW or rupture.status != Status.SAFETY_REVIEW:
        raise Conflict(_("This review is already closed."), code=ErrorCode.SAFETY_REVIEW_CLOSED)
    if outcome not in SafetyOutcome.values:
        raise InvalidInput(code=ErrorCode.INVALID_CHOICE, param="outcome")
    return Hold.RELEASABLE if outcome == SafetyOutcome.NO_SAFETY_CONCERN else Hold.HELD


def _in_review() -> Conflict:
    return Conflict(
        _("This is being looked at by someone whose job is to keep children safe."),
        code=ErrorCode.RUPTURE_IN_SAFETY_REVIEW,
    )


def _state_conflict(rupture: Rupture, action: Action) -> Conflict:
    if action in HOLD_ACTIONS:
        return Conflict(
            _("There is nothing waiting for you to share."), code=ErrorCode.RELEASE_NOT_OFFERED
        )
    if rupture.status == Status.SAFETY_REVIEW:
        return _in_review()
    if action == Action.FOLLOW_UP:
        return Conflict(
            _("The check-in comes once you've reconnected."), code=ErrorCode.RUPTURE_NOT_RECONNECTED
        )
    if rupture.status in CLOSED:
        return Conflict(_("This moment is already closed."), code=ErrorCode.RUPTURE_CLOSED)
    if action == Action.ACKNOWLEDGE:
        return Conflict(
            _("This has already been acknowledged."), code=ErrorCode.RUPTURE_ALREADY_ACKNOWLEDGED
        )
    return Conflict(
        _("This needs to be acknowledged first."), code=ErrorCode.RUPTURE_NOT_ACKNOWLEDGED
    )


# A refusal, built only when it is raised: ``allowed_actions`` asks about every action on every
# rupture page, and most are refused (a translated message each, never shown).
Refusal = Callable[[], ApplicationError]


def decide(rupture: Rupture, action: Action, party: Party) -> Status:
    """The status after ``party`` takes ``action``, or the error forbidding it (nothing written)."""
    verdict = _verdict(rupture, action, party)
    if isinstance(verdict, Status):
        return verdict
    raise verdict()


def _verdict(rupture: Rupture, action: Action, party: Party) -> Status | Refusal:
    rule = RULES[action]
    if action == Action.WITHDRAW and party != rupture.started_by:
        return functools.partial(Forbidden, rule.role_message, code=rule.role_code)
    if party not in _parties(rule, action, rupture):
        return functools.partial(_role_refusal, rule, action, rupture)
    if rupture.status not in rule.from_states:
        return functools.partial(_state_conflict, rupture, action)

    if action == Action.ACKNOWLEDGE:
        return Status.ACKNOWLEDGED
    if action == Action.CONFIRM:
        mine, theirs = (
            (rupture.child_confirmed_at, rupture.parent_confirmed_at)
            if party == Party.CHILD
            else (rupture.parent_confirmed_at, rupture.child_confirmed_at)
        )
        if mine is not None:
            return _already_confirmed
        return Status.RECONNECTED if theirs is not None else Status.AWAITING_CONFIRMATION
    if action == Action.NOT_YET:
        return Status.ACKNOWLEDGED
    if action == Action.WITHDRAW:
        return Status.WITHDRAWN
    if action == Action.RELEASE:
        hold = hold_of(rupture)
        if hold == Hold.UNDER_REVIEW:
            return _in_review
        if hold not in (Hold.RELEASABLE, Hold.KEPT):
            return functools.partial(_state_conflict, rupture, action)
        return Status.FLAGGED
    if action == Action.KEEP_HELD:
        hold = hold_of(rupture)
        if hold == Hold.UNDER_REVIEW:
            return _in_review
        if hold != Hold.RELEASABLE:  # asked once: a "no" is not asked for again
            return functools.partial(_state_conflict, rupture, action)
        return Status.SAFETY_REVIEW
    return Status(rupture.status)  # steps and messages leave the state as it is


def _already_confirmed() -> Conflict:
    return Conflict(_("You have already confirmed."), code=ErrorCode.ALREADY_CONFIRMED)


def initial_status(
    *, started_by: Party, unsafe: bool, direction: Direction = Direction.PARENT_REPAIRS
) -> Status:
    """A child's flag waits to be seen; a repair started by the one who makes it right (a
    parent's own flag, a child's "I want to make it right") is acknowledged by being made."""
    if unsafe:
        return Status.SAFETY_REVIEW
    started_by_repairer = started_by == (
        Party.CHILD if direction == Direction.CHILD_REPAIRS else Party.PARENT
    )
    return Status.ACKNOWLEDGED if started_by_repairer else Status.FLAGGED


def allowed_actions(rupture: Rupture, party: Party | None) -> list[Action]:
    """What ``party`` may do now, for the PWA to show only the buttons that will work."""
    if party is None:
        return []
    return [action for action in Action if isinstance(_verdict(rupture, action, party), Status)]
