"""Writes on ruptures: flag (either direction), acknowledge, repair steps, messages, confirm, not
yet, withdraw, the pair's plan, the follow-up.

Each service takes an explicit actor and an injectable ``now``, runs in one transaction, locks the
rupture row, asks the state machine (``ruptures.states.decide``) before writing, and appends one
event per change to the rupture's timeline. Prompts and notifications that a change causes are
written in the same transaction by ``ruptures.prompts``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Role, User
from accounts.selectors import family_membership
from accounts.services.care_team import therapist_access_record
from familyrepair.errors import Conflict, ErrorCode, Forbidden, InvalidInput, NotFound
from ruptures import feelings, prompts, reflection, repair_guide, safety_reviews
from ruptures.models import (
    MESSAGE_MAX_LENGTH,
    NOT_YET_REASON_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    PLAN_MAX_LENGTH,
    Direction,
    EventKind,
    FollowUpAnswer,
    Message,
    Need,
    Party,
    PromptKind,
    RepairStep,
    Rupture,
    RuptureEvent,
    SafetyReview,
    Size,
    Status,
)
from ruptures.selectors import access_rupture, party_of
from ruptures.states import Action, decide, initial_status

SPACE_MAX = dt.timedelta(days=7)
OCCURRED_FUTURE_TOLERANCE = dt.timedelta(minutes=5)
OCCURRED_MAX_AGE = dt.timedelta(days=365)


def _event(
    rupture: Rupture,
    kind: EventKind,
    *,
    actor: User | None,
    from_status: str,
    now: dt.datetime,
    data: dict[str, Any] | None = None,
) -> RuptureEvent:
    return RuptureEvent.objects.create(
        rupture=rupture,
        kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=rupture.status,
        data=data or {},
        created_at=now,
    )


def _other_member(*, family_id: int, user_id: int | None, role: Role, param: str) -> User:
    if user_id is None:
        message = (
            _("Say which child this is about.")
            if role == Role.CHILD
            else _("Say which parent this is about.")
        )
        raise InvalidInput(message, code=ErrorCode.REQUIRED, param=param)
    membership = (
        Membership.objects.select_related("user")
        .filter(family_id=family_id, user_id=user_id, role=role)
        .first()
    )
    if membership is None:
        code = ErrorCode.CHILD_NOT_FOUND if role == Role.CHILD else ErrorCode.PARENT_NOT_FOUND
        message = (
            _("No such child in this family.")
            if role == Role.CHILD
            else _("No such parent in this family.")
        )
        raise NotFound(message, code=code, param=param)
    return membership.user


def _validate_feelings(codes: Sequence[str], *, unsafe: bool) -> list[str]:
    """At least one feeling, except when a child says they feel unsafe: that is enough."""
    if not codes and unsafe:
        return ["scared"]
    if not codes:
        raise InvalidInput(
            _("Choose at least one feeling."), code=ErrorCode.REQUIRED, param="feelings"
        )
    if len(codes) > feelings.MAX_FEELINGS:
        raise InvalidInput(
            _("Choose up to %(count)d feelings.") % {"count": feelings.MAX_FEELINGS},
            code=ErrorCode.TOO_MANY,
            param="feelings",
        )
    for index, code in enumerate(codes):
        if code not in feelings.CODES:
            raise InvalidInput(
                _("%(feeling)r is not in the feelings list.") % {"feeling": code},
                code=ErrorCode.UNKNOWN_FEELING,
                param=f"feelings.{index}",
            )
    return list(dict.fromkeys(codes))


@dataclass(frozen=True)
class FlagInput:
    family_id: int
    feelings: Sequence[str]
    intensity: int
    parent_id: int | None = None
    child_id: int | None = None
    size: str = ""
    need: str = ""
    note: str = ""
    occurred_at: dt.datetime | None = None
    needs_space_until: dt.datetime | None = None
    unsafe: bool = False
    direction: str = Direction.PARENT_REPAIRS
    started_from_nudge: bool = False


def _check_direction(flag: FlagInput, *, started_by: Party) -> None:
    """A child's "I want to make it right" goes to one parent and asks for nothing back."""
    if flag.direction not in Direction.values:
        raise InvalidInput(
            _("Direction is parent_repairs or child_repairs."),
            code=ErrorCode.INVALID_CHOICE,
            param="direction",
        )
    if flag.direction != Direction.CHILD_REPAIRS:
        return
    if started_by == Party.PARENT:
        raise InvalidInput(
            _(
                "A child starts making it right toward a parent; a parent's own repair is "
                "parent_repairs."
            ),
            code=ErrorCode.INVALID,
            param="direction",
        )
    for param, value in (
        ("unsafe", flag.unsafe),
        ("need", flag.need),
        ("needs_space_until", flag.needs_space_until),
    ):
        if value:
            raise InvalidInput(
                _("That goes with telling a parent they upset you, not with making it right."),
                code=ErrorCode.INCONSISTENT,
                param=param,
            )


def _check_flag(flag: FlagInput, *, started_by: Party, now: dt.datetime) -> None:
    if not 1 <= flag.intensity <= 5:
        raise InvalidInput(
            _("Intensity goes from 1 to 5."), code=ErrorCode.OUT_OF_RANGE, param="intensity"
        )
    if flag.size and flag.size not in Size.values:
        raise InvalidInput(
            _("Size is small, medium or big."), code=ErrorCode.INVALID_CHOICE, param="size"
        )
    if flag.need and flag.need not in Need.values:
        raise InvalidInput(_("Unknown need."), code=ErrorCode.INVALID_CHOICE, param="need")
    if len(flag.note) > NOTE_MAX_LENGTH:
        raise InvalidInput(
            _("At most %(count)d characters.") % {"count": NOTE_MAX_LENGTH},
            code=ErrorCode.MAX_LENGTH,
            param="note",
        )
    if flag.occurred_at and not (
        now - OCCURRED_MAX_AGE <= flag.occurred_at <= now + OCCURRED_FUTURE_TOLERANCE
    ):
        raise InvalidInput(
            _("When it happened must be within the last year, not in the future."),
            code=ErrorCode.OUT_OF_RANGE,
            param="occurred_at",
        )
    if flag.needs_space_until is not None:
        if not now < flag.needs_space_until <= now + SPACE_MAX:
            raise InvalidInput(
                _("Space can be asked for up to a week ahead."),
                code=ErrorCode.OUT_OF_RANGE,
                param="needs_space_until",
            )
        if flag.need not in ("", Need.SPACE):
            raise InvalidInput(
                _("'Space until' goes with needing space."),
                code=ErrorCode.INCONSISTENT,
                param="needs_space_until",
            )
    if flag.unsafe and started_by == Party.PARENT:
        raise InvalidInput(
            _("Only a child can ask for safety help here."), code=ErrorCode.INVALID, param="unsafe"
        )
    if flag.started_from_nudge and started_by != Party.PARENT:
        raise InvalidInput(
            _("Only a parent's own flag starts from their evening reflection."),
            code=ErrorCode.INVALID,
            param="started_from_nudge",
        )


_RUPTURE_KEYS = ["family", "child", "parent", "follow_up_of"]


@transaction.atomic
def rupture_flag(
    *,
    actor: User,
    flag: FlagInput,
    now: dt.datetime | None = None,
    follow_up_of: Rupture | None = None,
) -> Rupture:
    """A child flags "you upset me" to one parent, or a parent flags their own rupture.

    A child names ``parent_id``; a parent names ``child_id``; both must be members of the family
    in that role (else 404). A flag marked unsafe goes to safety review: the parent is never
    told, linked therapists are alerted. A child may instead start making it right toward the
    parent (``direction=child_repairs``): acknowledged by being made, the parent gets a gentle
    heads-up. Raises InvalidInput, NotFound.
    """
    now = now or timezone.now()
    membership = family_membership(actor=actor, family_id=flag.family_id)
    started_by = Party.CHILD if membership.role == Role.CHILD else Party.PARENT
    if started_by == Party.CHILD:
        if flag.child_id not in (None, actor.pk):
            raise InvalidInput(
                _("A child flags for themselves."), code=ErrorCode.INVALID, param="child"
            )
        parent = _other_member(
            family_id=flag.family_id, user_id=flag.parent_id, role=Role.PARENT, param="parent"
        )
        child = actor
    else:
        if flag.parent_id not in (None, actor.pk):
            raise InvalidInput(
                _("A parent flags their own moment."), code=ErrorCode.INVALID, param="parent"
            )
        child = _other_member(
            family_id=flag.family_id, user_id=flag.child_id, role=Role.CHILD, param="child"
        )
        parent = actor
    _check_direction(flag, started_by=started_by)
    codes = _validate_feelings(flag.feelings, unsafe=flag.unsafe)
    _check_flag(flag, started_by=started_by, now=now)

    direction = Direction(flag.direction)
    status = initial_status(started_by=started_by, unsafe=flag.unsafe, direction=direction)
    words_withheld = Membership.objects.filter(
        family_id=flag.family_id, user=child, details_opt_out=True
    ).exists()
    rupture = Rupture(
        family_id=flag.family_id,
        child=child,
        parent=parent,
        started_by=started_by,
        direction=direction,
        status=status,
        feelings=codes,
        intensity=flag.intensity,
        size=flag.size,
        need=flag.need or (Need.SPACE if flag.needs_space_until else ""),
        note=flag.note.strip(),
        occurred_at=flag.occurred_at or now,
        needs_space_until=flag.needs_space_until,
        unsafe=flag.unsafe,
        started_from_nudge=flag.started_from_nudge,
        words_withheld=words_withheld,
        follow_up_of=follow_up_of,
        acknowledged_at=now if status == Status.ACKNOWLEDGED else None,
        created_at=now,
        updated_at=now,
    )
    # Field by field only. The keys, the primary key and the table's check constraints are the
    # database's to enforce on the INSERT: Django would first run a query for each, the checks in
    # savepoints (19 of a flag's 35 statements, a third of its time), on values this service has
    # just checked or set.
    rupture.full_clean(exclude=_RUPTURE_KEYS, validate_unique=False, validate_constraints=False)
    rupture.save()
    kind = EventKind.SAFETY_REVIEW if flag.unsafe else EventKind.FLAGGED
    data: dict[str, str] = {"started_by": started_by}
    if direction == Direction.CHILD_REPAIRS:
        data["direction"] = direction
    _event(rupture, kind, actor=actor, from_status="", now=now, data=data)
    prompts.on_flagged(rupture, now=now)
    if rupture.started_from_nudge:
        reflection.on_started_from_nudge(actor)
    if rupture.status == Status.SAFETY_REVIEW:
        safety_reviews.review_open(rupture, now=now)
    return rupture


def _transition(
    rupture: Rupture, *, to: Status, now: dt.datetime, fields: Sequence[str] = ()
) -> str:
    previous = rupture.status
    rupture.status = to
    rupture.updated_at = now
    rupture.save(update_fields=["status", "updated_at", *fields])
    return previous


@transaction.atomic
def rupture_acknowledge(*, actor: User, rupture_id: int, now: dt.datetime | None = None) -> Rupture:
    """The named parent has seen it; the child sees that it was seen; pending prompts stop."""
    now = now or timezone.now()
    rupture, party = access_rupture(actor=actor, rupture_id=rupture_id, for_update=True)
    to = decide(rupture, Action.ACKNOWLEDGE, _party(party))
    rupture.acknowledged_at = now
    previous = _transition(rupture, to=to, now=now, fields=["acknowledged_at"])
    _event(rupture, EventKind.ACKNOWLEDGED, actor=actor, from_status=previous, now=now)
    prompts.on_acknowledged(rupture, now=now)
    return rupture


@dataclass(frozen=True)
class StepChange:
    step: str
    done: bool | None = None
    reflection: str | None = None


@transaction.atomic
def rupture_repair_steps_update(
    *, actor: User, rupture_id: int, changes: Sequence[StepChange], now: dt.datetime | None = None
) -> Rupture:
    """Whoever makes it right (the parent, or the child in their own repair) marks guided steps
    done (or not) and keeps private reflections on them. Marking the last step, "what I'll do
    differently", done asks the other side what would help next time."""
    now = now or timezone.now()
    rupture, party = access_rupture(actor=actor, rupture_id=rupture_id, for_update=True)
    decide(rupture, Action.REPAIR_STEPS, _party(party))
    if not changes:
        raise InvalidInput(_("Say which steps changed."), code=ErrorCode.REQUIRED, param="steps")
    own_steps = repair_guide.steps_of(rupture)
    seen: set[str] = set()
    for index, change in enumerate(changes):
        if change.step not in own_steps:
            raise InvalidInput(
                _("Unknown step."), code=ErrorCode.INVALID_CHOICE, param=f"steps.{index}.step"
            )
        if change.step in seen:
            raise InvalidInput(
                _("Each step once."), code=ErrorCode.DUPLICATE, param=f"steps.{index}.step"
            )
        if change.reflection is not None and len(change.reflection) > NOTE_MAX_LENGTH:
            raise InvalidInput(
                _("At most %(count)d characters.") % {"count": NOTE_MAX_LENGTH},
                code=ErrorCode.MAX_LENGTH,
                param=f"steps.{index}.reflection",
            )
        seen.add(change.step)

    existing = {s.step: s for s in rupture.repair_steps.select_for_update()}
    for change in changes:
        step = existing.get(change.step) or RepairStep(rupture=rupture, step=change.step)
        if change.reflection is not None:
            step.reflection = change.reflection.strip()
        if change.done is not None and change.done != (step.done_at is not None):
            step.done_at = now if change.done else None
            kind = EventKind.STEP_DONE if change.done else EventKind.STEP_UNDONE
            data = {"step": change.step}
            _event(rupture, kind, actor=actor, from_status=rupture.status, now=now, data=data)
            if change.done and change.step == RepairStep.Code.CHANGE:
                prompts.on_change_step_done(rupture, now=now)
        step.updated_at = now
        step.save()
    rupture.updated_at = now
    rupture.save(update_fields=["updated_at"])
    return rupture


@transaction.atomic
def rupture_message_post(
    *, actor: User, rupture_id: int, body: str, now: dt.datetime | None = None
) -> Message:
    """The apology, the child's reply: words between the two people in the rupture only."""
    now = now or timezone.now()
    rupture, party = access_rupture(actor=actor, rupture_id=rupture_id, for_update=True)
    decide(rupture, Action.MESSAGE, _party(party))
    body = body.strip()
    if not body:
        raise InvalidInput(_("Write something first."), code=ErrorCode.BLANK, param="body")
    if len(body) > MESSAGE_MAX_LENGTH:
        raise InvalidInput(
            _("At most %(count)d characters.") % {"count": MESSAGE_MAX_LENGTH},
            code=ErrorCode.MAX_LENGTH,
            param="body",
        )
    message = Message.objects.create(rupture=rupture, author=actor, body=body, created_at=now)
    _event(
        rupture,
        EventKind.MESSAGE,
        actor=actor,
        from_status=rupture.status,
        now=now,
        data={"message": message.pk},
    )
    rupture.updated_at = now
    rupture.save(update_fields=["updated_at"])
    prompts.on_message(rupture, message, now=now)
    return message


@transaction.atomic
def rupture_confirm(*, actor: User, rupture_id: int, now: dt.datetime | None = None) -> Rupture:
    """One side feels reconnected; when both have said so, the rupture is repaired."""
    now = now or timezone.now()
    rupture, party = access_rupture(actor=actor, rupture_id=rupture_id, for_update=True)
    side = _party(party)
    to = decide(rupture, Action.CONFIRM, side)
    field = "child_confirmed_at" if side == Party.CHILD else "parent_confirmed_at"
    setattr(rupture, field, now)
    fields = [field]
    if to == Status.RECONNECTED:
        rupture.reconnected_at = rupture.closed_at = now
        fields += ["reconnected_at", "closed_at"]
    previous = _transition(rupture, to=to, now=now, fields=fields)
    _event(
        rupture,
        EventKind.CONFIRMED,
        actor=actor,
        from_status=previous,
        now=now,
        data={"side": side},
    )
    if to == Status.RECONNECTED:
        _event(rupture, EventKind.RECONNECTED, actor=None, from_status=previous, now=now)
    prompts.on_confirmed(rupture, side=side, now=now)
    return rupture


@transaction.atomic
def rupture_not_yet(
    *, actor: User, rupture_id: int, reason: str = "", now: dt.datetime | None = None
) -> Rupture:
    """The child is not OK yet: confirmations are cleared, it stays open, the parent hears why."""
    now = now or timezone.now()
    rupture, party = access_rupture(actor=actor, rupture_id=rupture_id, for_update=True)
    to = decide(rupture, Action.NOT_YET, _party(party))
    reason = reason.strip()
    if len(reason) > NOT_YET_REASON_MAX_LENGTH:
        raise InvalidInput(
            _("At most %(count)d characters.") % {"count": NOT_YET_REASON_MAX_LENGTH},
            code=ErrorCode.MAX_LENGTH,
            param="reason",
        )
    rupture.child_confirmed_at = rupture.parent_confirmed_at = None
    previous = _transition(
        rupture, to=to, now=now, fields=["child_confirmed_at", "parent_confirmed_at"]
    )
    _event(
        rupture,
        EventKind.NOT_YET,
        actor=actor,
        from_status=previous,
        now=now,
        data={"reason": reason} if reason else {},
    )
    prompts.on_not_yet(rupture, now=now)
    return rupture


@transaction.atomic
def rupture_withdraw(*, actor: User, rupture_id: int, now: dt.datetime | None = None) -> Rupture:
    """Whoever started it may take it back while it is open; pending prompts are cancelled."""
    now = now or timezone.now()
    rupture, party = access_rupture(actor=actor, rupture_id=rupture_id, for_update=True)
    to = decide(rupture, Action.WITHDRAW, _party(party))
    rupture.closed_at = now
    previous = _transition(rupture, to=to, now=now, fields=["closed_at"])
    _event(rupture, EventKind.WITHDRAWN, actor=actor, from_status=previous, now=now)
    prompts.on_closed(rupture, now=now)
    return rupture


@transaction.atomic
def rupture_plan_say(
    *, actor: User, rupture_id: int, words: str, now: dt.datetime | None = None
) -> Rupture:
    """One side's part of "what we'll do differently": the one who made it right says what they
    will do, the other what would help next time. Either may say it (or change it) while the
    repair is open and once reconnected; it is seen by the two of them only (never a therapist,
    never a notification). Raises InvalidInput (blank, too long) and the state machine's errors."""
    now = now or timezone.now()
    rupture, party = access_rupture(actor=actor, rupture_id=rupture_id, for_update=True)
    side = _party(party)
    decide(rupture, Action.PLAN, side)
    words = words.strip()
    if not words:
        raise InvalidInput(_("Write something first."), code=ErrorCode.BLANK, param="words")
    if len(words) > PLAN_MAX_LENGTH:
        raise InvalidInput(
            _("At most %(count)d characters.") % {"count": PLAN_MAX_LENGTH},
            code=ErrorCode.MAX_LENGTH,
            param="words",
        )
    field = "plan_by_child" if side == Party.CHILD else "plan_by_parent"
    setattr(rupture, field, words)
    rupture.plan_updated_at = rupture.updated_at = now
    rupture.save(update_fields=[field, "plan_updated_at", "updated_at"])
    _event(
        rupture,
        EventKind.PLAN,
        actor=actor,
        from_status=rupture.status,
        now=now,
        data={"side": side},
    )
    prompts.cancel(Q(rupture=rupture, kind=PromptKind.PLAN_ASK, recipient=actor), reason="answered")
    return rupture


def has_plan(rupture: Rupture) -> bool:
    return bool(rupture.plan_by_parent or rupture.plan_by_child)


@transaction.atomic
def rupture_follow_up_answer(
    *,
    actor: User,
    rupture_id: int,
    answer: str,
    plan_helped: bool | None = None,
    now: dt.datetime | None = None,
) -> Rupture:
    """ "Are you two still OK?" (and, when the two made a plan, "Did our plan help?"). "Not
    really" reopens the conversation as a new rupture linked to this one, started by whoever
    answered; never blame: a child who was making it right goes on making it right (reopened
    the other way it would read as the parent having upset them), and a parent reaches out as
    a parent's own repair, whichever way the first one ran. Returns the rupture to show next.
    Raises InvalidInput (``no_plan`` for ``plan_helped`` without a plan), Conflict
    ``already_answered``."""
    now = now or timezone.now()
    rupture, party = access_rupture(actor=actor, rupture_id=rupture_id, for_update=True)
    side = _party(party)
    decide(rupture, Action.FOLLOW_UP, side)
    if answer not in FollowUpAnswer.values:
        raise InvalidInput(
            _("Answer ok or not_really."), code=ErrorCode.INVALID_CHOICE, param="answer"
        )
    if plan_helped is not None and not has_plan(rupture):
        raise InvalidInput(
            _("There is no plan to ask about."), code=ErrorCode.NO_PLAN, param="plan_helped"
        )
    if rupture.events.filter(kind=EventKind.FOLLOW_UP, actor=actor).exists():
        raise Conflict(
            _("You have already answered this check-in."), code=ErrorCode.ALREADY_ANSWERED
        )
    data: dict[str, Any] = {"answer": answer}
    if plan_helped is not None:
        data["plan_helped"] = plan_helped
    _event(
        rupture,
        EventKind.FOLLOW_UP,
        actor=actor,
        from_status=rupture.status,
        now=now,
        data=data,
    )
    prompts.cancel(
        Q(rupture=rupture, kind=PromptKind.FOLLOW_UP, recipient=actor), reason="answered"
    )
    if answer == FollowUpAnswer.OK:
        return rupture
    reopened = FlagInput(
        family_id=rupture.family_id,
        feelings=rupture.feelings,
        intensity=rupture.intensity,
        parent_id=rupture.parent_id if side == Party.CHILD else None,
        child_id=rupture.child_id if side == Party.PARENT else None,
        direction=rupture.direction if side == Party.CHILD else Direction.PARENT_REPAIRS,
    )
    return rupture_flag(actor=actor, flag=reopened, now=now, follow_up_of=rupture)


def _child_decides_on_held(
    actor: User, rupture_id: int, action: Action
) -> tuple[Rupture, SafetyReview, Status]:
    """The shared gate of the child's answer to "Would you like {parent} to see this now?": the
    rupture and its review locked, and where ``action`` leads (403 ``child_only``; the state
    machine's 409s; ``release_not_offered`` for a flag never held)."""
    rupture, party = access_rupture(actor=actor, rupture_id=rupture_id, for_update=True)
    if party is None:
        raise Forbidden(
            _("Only the child decides whether their parent sees this."), code=ErrorCode.CHILD_ONLY
        )
    review = SafetyReview.objects.select_for_update().filter(rupture=rupture).first()
    if review is None:  # never held: nothing to decide (the state machine says which 409 first)
        decide(rupture, action, party)
        raise Conflict(
            _("There is nothing waiting for you to share."), code=ErrorCode.RELEASE_NOT_OFFERED
        )
    rupture.safety_review = review
    return rupture, review, decide(rupture, action, party)


@transaction.atomic
def rupture_release(*, actor: User, rupture_id: int, now: dt.datetime | None = None) -> Rupture:
    """The child lets the parent see a flag whose review found no safety concern: it becomes an
    ordinary child's flag (``flagged``), and the parent is told as for any flag. Only the child
    (403 ``child_only``), only then (409 ``rupture_in_safety_review`` while under review,
    ``release_not_offered`` otherwise); 404 out of reach."""
    now = now or timezone.now()
    rupture, review, to = _child_decides_on_held(actor, rupture_id, Action.RELEASE)
    previous = rupture.status
    rupture.status, rupture.updated_at = to, now
    rupture.save(update_fields=["status", "updated_at"])
    review.released_at = now
    review.save(update_fields=["released_at"])
    _event(
        rupture,
        EventKind.RELEASED,
        actor=actor,
        from_status=previous,
        now=now,
        data={"started_by": Party.CHILD},
    )
    prompts.on_released(rupture, now=now)
    return rupture


@transaction.atomic
def rupture_keep_held(*, actor: User, rupture_id: int, now: dt.datetime | None = None) -> Rupture:
    """The child's "no" to "Would you like {parent} to see this now?": the flag stays held and
    the question is not asked again (its prompt is cancelled); sharing it later stays the
    child's (``release``). Nothing reaches the parent. 403 ``child_only``; 409
    ``rupture_in_safety_review`` while under review, ``release_not_offered`` otherwise (asked
    and answered already, or never held); 404 out of reach."""
    now = now or timezone.now()
    rupture, review, _to = _child_decides_on_held(actor, rupture_id, Action.KEEP_HELD)
    review.release_declined_at = now
    review.save(update_fields=["release_declined_at"])
    _event(
        rupture,
        EventKind.RELEASE_DECLINED,
        actor=actor,
        from_status=rupture.status,
        now=now,
        data={},
    )
    prompts.on_release_declined(rupture, now=now)
    return rupture


def therapist_reads_record(
    *, reader: User, ruptures: Sequence[Rupture], action: str, per_family: bool = False
) -> None:
    """Every read a therapist makes of ruptures leaves an access-log row: one per rupture, or one
    per family for a list (``per_family``). The two people in a rupture are not logged."""
    if not reader.is_therapist:
        return
    seen: set[int] = set()
    for rupture in ruptures:
        key = rupture.family_id if per_family else rupture.pk
        if key in seen or party_of(rupture, reader) is not None:
            continue
        seen.add(key)
        therapist_access_record(
            therapist=reader,
            family=rupture.family,
            action=action,
            object_type="" if per_family else "rupture",
            object_id="" if per_family else str(rupture.pk),
        )


def _party(party: Party | None) -> Party:
    """A therapist may read a rupture but is never a party to it."""
    if party is None:
        raise Forbidden(_("Only the two people in it can do that."), code=ErrorCode.NOT_A_PARTY)
    return party
