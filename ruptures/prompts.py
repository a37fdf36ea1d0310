"""What each rupture change means for prompts: which to schedule (as rows, in the caller's
transaction), which it makes pointless (cancelled), and whether a prompt still makes sense when
its time comes. Delivery itself lives in ``ruptures.delivery``.

- A child's flag: a heads-up to the parent now, the repair prompt after the family's calm-down
  delay (never before the child's "space until"). A parent's own flag: the prompt at once, and a
  gentle heads-up to the child. A child's "I want to make it right": a gentle heads-up to the
  parent, nothing else (no calm-down prompt, no reminders: the child is not chased to repair).
- The one making it right marking their last step ("what I'll do differently") asks the other
  side "What would help next time?" once; answering cancels it.
- Repair prompts and reminders are followed by reminders at growing intervals (the family's
  ``reminder_minutes``, default 4 h, a day, 3 days), then a weekly nudge, until reconnected;
  none at all when the family turned reminders off (``reminders_enabled``).
- An unsafe flag: nothing to the parent about it, linked therapists alerted (their quiet hours do
  not apply). The hold is on that flag alone: every other prompt between the child and the
  parent (earlier ruptures, later flags either way) goes on exactly as it would have, so the
  parent cannot tell from what reaches them that a flag is held.
- A safety alert is re-checked when it is due: the grant still active, the therapist still
  verified and active; otherwise it is cancelled with the reason. It carries no words, so a
  therapist not yet enrolled in MFA is still told (reading the flag itself needs MFA).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import CareTeamGrant, Membership
from accounts.selectors import linked_therapists
from checkins.models import CheckInAnswer
from ruptures import reflection
from ruptures.models import (
    CHECK_IN_KINDS,
    Direction,
    Message,
    Party,
    Prompt,
    PromptKind,
    PromptStatus,
    Rupture,
    Status,
)
from ruptures.states import CLOSED, OPEN, PLANNING, hurt_side, repairer

DEFAULT_REMINDER_MINUTES = (4 * 60, 24 * 60, 3 * 24 * 60)
WEEKLY_NUDGE_MINUTES = 7 * 24 * 60
MAX_WEEKLY_NUDGES = 8


def schedule(
    rupture: Rupture,
    recipient_id: int | None,
    kind: PromptKind,
    due_at: dt.datetime,
    *,
    sequence: int = 0,
    now: dt.datetime,
) -> Prompt | None:
    if recipient_id is None:  # a former member: nobody to tell
        return None
    return Prompt.objects.create(
        rupture=rupture,
        recipient_id=recipient_id,
        kind=kind,
        due_at=due_at,
        sequence=sequence,
        created_at=now,
    )


def cancel(prompts: Q, *, reason: str) -> int:
    return Prompt.objects.filter(prompts, status=PromptStatus.PENDING).update(
        status=PromptStatus.CANCELLED, cancelled_reason=reason
    )


def _reminder_delay(rupture: Rupture, sequence: int) -> dt.timedelta | None:
    if not rupture.family.reminders_enabled:
        return None
    minutes = list(rupture.family.reminder_minutes or DEFAULT_REMINDER_MINUTES)
    if sequence < len(minutes):
        return dt.timedelta(minutes=minutes[sequence])
    if sequence - len(minutes) < MAX_WEEKLY_NUDGES:
        return dt.timedelta(minutes=WEEKLY_NUDGE_MINUTES)
    return None


def schedule_next_reminder(rupture: Rupture, *, sequence: int, now: dt.datetime) -> None:
    """Keep one pending reminder to the parent while repair is still open on their side."""
    _schedule_next_reminders([(rupture, sequence)], now=now)


def _schedule_next_reminders(wanted: Iterable[tuple[Rupture, int]], *, now: dt.datetime) -> None:
    """``schedule_next_reminder`` for many ruptures at once, in order: one query for the
    reminders already pending, one insert for the new ones (a rupture named twice gets one)."""
    open_ = [
        (rupture, sequence)
        for rupture, sequence in wanted
        if rupture.status in OPEN
        and rupture.parent_confirmed_at is None
        and rupture.direction == Direction.PARENT_REPAIRS
    ]
    if not open_:
        return
    has_pending = set(
        Prompt.objects.filter(
            rupture_id__in={rupture.pk for rupture, _ in open_},
            kind=PromptKind.REMINDER,
            status=PromptStatus.PENDING,
        ).values_list("rupture_id", flat=True)
    )
    reminders: list[Prompt] = []
    for rupture, sequence in open_:
        if rupture.pk in has_pending:
            continue
        delay = _reminder_delay(rupture, sequence)
        if delay is not None and rupture.parent_id is not None:  # None: a former member
            has_pending.add(rupture.pk)
            reminders.append(
                Prompt(
                    rupture=rupture,
                    recipient_id=rupture.parent_id,
                    kind=PromptKind.REMINDER,
                    due_at=now + delay,
                    sequence=sequence,
                    created_at=now,
                )
            )
    if reminders:
        Prompt.objects.bulk_create(reminders)


# --- the hooks services call, inside their transaction -----------------------------------------
def on_flagged(rupture: Rupture, *, now: dt.datetime) -> None:
    if rupture.status == Status.SAFETY_REVIEW:
        for therapist in linked_therapists(family_id=rupture.family_id):
            schedule(rupture, therapist.pk, PromptKind.SAFETY_ALERT, now, now=now)
        return
    if rupture.direction == Direction.CHILD_REPAIRS:
        schedule(rupture, rupture.parent_id, PromptKind.HEADS_UP, now, now=now)
        return
    if rupture.started_by == Party.CHILD:
        schedule(rupture, rupture.parent_id, PromptKind.HEADS_UP, now, now=now)
        due = now + dt.timedelta(minutes=rupture.family.calm_down_minutes)
        if rupture.needs_space_until and rupture.needs_space_until > due:
            due = rupture.needs_space_until
        schedule(rupture, rupture.parent_id, PromptKind.REPAIR_PROMPT, due, now=now)
    else:
        schedule(rupture, rupture.parent_id, PromptKind.REPAIR_PROMPT, now, now=now)
        schedule(rupture, rupture.child_id, PromptKind.HEADS_UP, now, now=now)


def on_acknowledged(rupture: Rupture, *, now: dt.datetime) -> None:
    cancel(
        Q(rupture=rupture, kind__in=[PromptKind.HEADS_UP, PromptKind.REMINDER]),
        reason="acknowledged",
    )
    schedule(rupture, rupture.child_id, PromptKind.ACKNOWLEDGED, now, now=now)
    schedule_next_reminder(rupture, sequence=0, now=now)


def on_message(rupture: Rupture, message: Message, *, now: dt.datetime) -> None:
    to = rupture.parent_id if message.author_id == rupture.child_id else rupture.child_id
    schedule(rupture, to, PromptKind.MESSAGE, now, now=now)


def on_confirmed(rupture: Rupture, *, side: Party, now: dt.datetime) -> None:
    other = rupture.parent_id if side == Party.CHILD else rupture.child_id
    if rupture.status == Status.RECONNECTED:
        cancel(Q(rupture=rupture), reason="reconnected")
        schedule(rupture, other, PromptKind.RECONNECTED, now, now=now)
        follow_up_at = now + dt.timedelta(days=rupture.family.follow_up_days)
        for person in (rupture.child_id, rupture.parent_id):
            schedule(rupture, person, PromptKind.FOLLOW_UP, follow_up_at, now=now)
        return
    if side == Party.PARENT:
        cancel(Q(rupture=rupture, kind=PromptKind.REMINDER), reason="parent_confirmed")
    schedule(rupture, other, PromptKind.CONFIRM_PROMPT, now, now=now)


def on_not_yet(rupture: Rupture, *, now: dt.datetime) -> None:
    cancel(Q(rupture=rupture, kind=PromptKind.CONFIRM_PROMPT), reason="not_yet")
    schedule(rupture, _person(rupture, repairer(rupture)), PromptKind.NOT_YET, now, now=now)
    schedule_next_reminder(rupture, sequence=0, now=now)


def on_change_step_done(rupture: Rupture, *, now: dt.datetime) -> None:
    """Ask the other side once what would help next time, unless they already said."""
    hurt = hurt_side(rupture)
    said = rupture.plan_by_child if hurt == Party.CHILD else rupture.plan_by_parent
    if said or Prompt.objects.filter(rupture=rupture, kind=PromptKind.PLAN_ASK).exists():
        return
    schedule(rupture, _person(rupture, hurt), PromptKind.PLAN_ASK, now, now=now)


def _person(rupture: Rupture, side: Party) -> int | None:
    return rupture.child_id if side == Party.CHILD else rupture.parent_id


def on_closed(rupture: Rupture, *, now: dt.datetime) -> None:
    cancel(Q(rupture=rupture), reason=str(rupture.status))


def on_review_closed(rupture: Rupture, *, releasable: bool, now: dt.datetime) -> None:
    """Closed with no safety concern: the child is asked, in the app, whether the parent may see
    the flag now. Nothing reaches the parent."""
    if releasable:
        schedule(rupture, rupture.child_id, PromptKind.RELEASE_QUESTION, now, now=now)


def on_released(rupture: Rupture, *, now: dt.datetime) -> None:
    """The child let the parent see it: from now on it is an ordinary child's flag."""
    cancel(Q(rupture=rupture, kind=PromptKind.RELEASE_QUESTION), reason="released")
    on_flagged(rupture, now=now)


def on_release_declined(rupture: Rupture, *, now: dt.datetime) -> None:
    """The child said no: the question is not asked again."""
    cancel(Q(rupture=rupture, kind=PromptKind.RELEASE_QUESTION), reason="declined")


def after_sent(prompt: Prompt, *, now: dt.datetime) -> None:
    after_sent_many([prompt], now=now)


def after_sent_many(sent: Sequence[Prompt], *, now: dt.datetime) -> None:
    """A sent repair prompt or reminder keeps the next reminder coming, a sent reflection brings
    tomorrow's (bulk, whatever the number of prompts)."""
    reflections = [p.recipient_id for p in sent if p.kind == PromptKind.REFLECTION]
    reflection.schedule_next([pk for pk in reflections if pk is not None], now=now)
    _schedule_next_reminders(
        [
            (prompt.rupture, prompt.sequence + 1 if prompt.kind == PromptKind.REMINDER else 0)
            for prompt in sent
            if prompt.kind in {PromptKind.REPAIR_PROMPT, PromptKind.REMINDER}
            and prompt.rupture is not None
        ],
        now=now,
    )


# --- does it still make sense? ------------------------------------------------------------------
@dataclass(frozen=True)
class _Facts:
    """What the rules need from outside the prompt and its rupture, read for a whole batch."""

    members: frozenset[tuple[int, int]]  # (family, user)
    grants: frozenset[tuple[int, int]]  # (family, therapist), not revoked
    answered: frozenset[tuple[int, int]]  # (check-in round, respondent)
    now: dt.datetime

    @classmethod
    def of(cls, prompts: Sequence[Prompt], *, now: dt.datetime | None = None) -> _Facts:
        """A query for each kind of fact some prompt needs: at most three, whatever the batch."""
        alerts = [
            p for p in prompts if p.kind == PromptKind.SAFETY_ALERT and p.recipient_id is not None
        ]
        others = [  # the evening reflection is about no family: nothing to look up
            p
            for p in prompts
            if p.kind not in {PromptKind.SAFETY_ALERT, PromptKind.REFLECTION}
            and p.recipient_id is not None
        ]
        return cls(
            members=_pairs(Membership.objects.all(), "user_id", others),
            grants=_pairs(
                CareTeamGrant.objects.filter(revoked_at__isnull=True), "therapist_id", alerts
            ),
            answered=_answered([p for p in prompts if p.kind == PromptKind.CHECK_IN_REMINDER]),
            now=now or timezone.now(),
        )


def family_of(prompt: Prompt) -> int:
    """The family a prompt is about (through its rupture or its check-in round)."""
    if prompt.check_in_round_id is not None:
        return prompt.check_in_round.family_id  # type: ignore[union-attr]  # set with the id
    return prompt.rupture.family_id  # type: ignore[union-attr]  # one of the two is set


def _answered(reminders: Sequence[Prompt]) -> frozenset[tuple[int, int]]:
    """(round, respondent) for the reminders' rounds where the recipient answered anything."""
    if not reminders:
        return frozenset()
    found = CheckInAnswer.objects.filter(
        round_id__in={p.check_in_round_id for p in reminders},
        respondent_id__in={p.recipient_id for p in reminders},
    )
    return frozenset(found.values_list("round_id", "respondent_id").distinct())


def _pairs(
    rows: QuerySet[Any], user_field: str, prompts: Sequence[Prompt]
) -> frozenset[tuple[int, int]]:
    """The (family, recipient) pairs of ``prompts`` found in ``rows``, in one query."""
    if not prompts:
        return frozenset()
    families = {family_of(p) for p in prompts}
    users = {p.recipient_id for p in prompts}
    found = rows.filter(family_id__in=families, **{f"{user_field}__in": users})
    return frozenset(found.values_list("family_id", user_field))


def _alert_pointless_because(prompt: Prompt, facts: _Facts) -> str | None:
    """A safety alert goes only to someone who may still act on it, checked at sending time."""
    therapist = prompt.recipient
    if therapist is None:
        return "recipient_gone"
    if (family_of(prompt), therapist.pk) not in facts.grants:
        return "grant_revoked"
    if not (therapist.is_active and therapist.is_verified_therapist):
        return "therapist_unverified"
    return None


def _check_in_pointless_because(prompt: Prompt, facts: _Facts) -> str | None:
    """A check-in asks once and reminds once, and only while it can still be answered."""
    round_ = prompt.check_in_round
    if round_ is None:
        return "round_gone"
    if not round_.family.check_ins_enabled:
        return "check_ins_off"
    if (round_.family_id, prompt.recipient_id) not in facts.members:
        return "not_a_member"
    if facts.now >= round_.closes_at:
        return "round_closed"
    if prompt.kind == PromptKind.CHECK_IN_REMINDER and (
        (round_.pk, prompt.recipient_id) in facts.answered
    ):
        return "answered"
    return None


def _pointless_because(prompt: Prompt, facts: _Facts) -> str | None:
    rupture, kind = prompt.rupture, prompt.kind
    if prompt.recipient is None:  # their account was deleted
        return "recipient_gone"
    if kind == PromptKind.REFLECTION:
        return None if prompt.recipient.reflection_enabled else "reflection_off"
    if kind in CHECK_IN_KINDS or rupture is None:
        return _check_in_pointless_because(prompt, facts)
    if kind == PromptKind.SAFETY_ALERT:
        return _alert_pointless_because(prompt, facts)
    if kind == PromptKind.RELEASE_QUESTION:  # the child's own question about their held flag
        if rupture.status != Status.SAFETY_REVIEW:
            return "released"
        if (rupture.family_id, prompt.recipient_id) not in facts.members:
            return "not_a_member"
        return None
    if rupture.status == Status.SAFETY_REVIEW:  # only this flag is held, nothing around it
        return "safety_review"
    if (rupture.family_id, prompt.recipient_id) not in facts.members:
        return "not_a_member"
    if kind == PromptKind.FOLLOW_UP:
        return None if rupture.status == Status.RECONNECTED else "not_reconnected"
    if kind == PromptKind.RECONNECTED:
        return None if rupture.status == Status.RECONNECTED else "not_reconnected"
    if kind == PromptKind.PLAN_ASK:
        return None if rupture.status in PLANNING else str(rupture.status)
    if rupture.status in CLOSED:
        return str(rupture.status)
    if (
        kind == PromptKind.HEADS_UP
        and rupture.started_by == Party.CHILD
        and rupture.direction == Direction.PARENT_REPAIRS
    ):
        return None if rupture.status == Status.FLAGGED else "acknowledged"
    if kind == PromptKind.REMINDER and rupture.parent_confirmed_at is not None:
        return "parent_confirmed"
    if kind == PromptKind.REMINDER and not rupture.family.reminders_enabled:
        return "reminders_off"
    if kind == PromptKind.CONFIRM_PROMPT:
        mine = (
            rupture.child_confirmed_at
            if prompt.recipient_id == rupture.child_id
            else rupture.parent_confirmed_at
        )
        return "already_confirmed" if mine else None
    return None


def pointless_because_many(
    prompts: Sequence[Prompt], *, now: dt.datetime | None = None
) -> dict[int, str | None]:
    """``pointless_because`` for each of ``prompts``, by id, in a constant number of queries
    (the prompts should come with their recipient, rupture and check-in round selected)."""
    facts = _Facts.of(prompts, now=now)
    return {prompt.pk: _pointless_because(prompt, facts) for prompt in prompts}


def pointless_because(prompt: Prompt, *, now: dt.datetime | None = None) -> str | None:
    """Why a prompt due now should not be delivered, or None if it still makes sense."""
    return _pointless_because(prompt, _Facts.of([prompt], now=now))
