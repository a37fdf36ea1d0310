"""The evening reflection: a parent's own opt-in nudge ("Was there a moment today you'd like to
make right?"), one a day at the local time they choose. What separates struggling families from
well-functioning ones is whether the parent starts the repair.

- Off by default; suggested once, after the parent's first repair (``suggest``), until they
  answer either way.
- A prompt of kind ``reflection`` (about no rupture), delivered like any other by the sweep;
  when it is done (sent, or dropped because it fell in quiet hours: it is never delivered in
  them, nor moved to the morning) the next evening's is scheduled. One pending at most.
- One tap opens the parent's own flag for a child (``started_from_nudge``, which resets the
  count of dismissals); one tap dismisses. Three dismissals in a row: ``ask_pause``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Role, User
from familyrepair.errors import Conflict, ErrorCode, Forbidden
from ruptures.models import Prompt, PromptKind, PromptStatus, Rupture, Status
from ruptures.quiet_hours import local_instant, zone

ASK_PAUSE_AFTER = 3


@dataclass(frozen=True)
class ReflectionState:
    enabled: bool
    time: dt.time
    dismissals_in_row: int
    ask_pause: bool
    suggest: bool


def next_at(user: User, *, now: dt.datetime) -> dt.datetime:
    """The next instant after ``now`` at which the parent's clock shows their reflection time."""
    local_day = now.astimezone(zone(user.time_zone)).date()
    for offset in range(3):
        at = local_instant(
            local_day + dt.timedelta(days=offset), user.reflection_time, user.time_zone
        )
        if at > now:
            return at
    raise AssertionError("a wall-clock time recurs within three days")  # pragma: no cover


def _is_parent(user: User) -> bool:
    return Membership.objects.filter(user=user, role=Role.PARENT).exists()


def require_parent(user: User) -> None:
    """403 ``parent_only`` for anyone a parent in no family (asked before the body is read)."""
    if not _is_parent(user):
        raise Forbidden(_("The evening reflection is for parents."), code=ErrorCode.PARENT_ONLY)


def state(*, actor: User) -> ReflectionState:
    """Where the parent's reflection stands, and whether to suggest it (once, after their first
    repair: a rupture of theirs reconnected)."""
    require_parent(actor)
    suggest = (
        not actor.reflection_enabled
        and actor.reflection_answered_at is None
        and Rupture.objects.filter(parent=actor, status=Status.RECONNECTED).exists()
    )
    return ReflectionState(
        enabled=actor.reflection_enabled,
        time=actor.reflection_time,
        dismissals_in_row=actor.reflection_dismissals,
        ask_pause=actor.reflection_enabled and actor.reflection_dismissals >= ASK_PAUSE_AFTER,
        suggest=suggest,
    )


@transaction.atomic
def reflection_update(
    *, actor: User, enabled: bool, at: dt.time | None = None, now: dt.datetime | None = None
) -> ReflectionState:
    """Turn the reflection on (at ``at``, else the time already set) or off; parents only (403
    ``parent_only``). Answers the suggestion either way; turning on starts the count of
    dismissals again. The pending reflection is replaced by one at the new time, or dropped."""
    now = now or timezone.now()
    require_parent(actor)
    user = User.objects.select_for_update().get(pk=actor.pk)
    user.reflection_enabled = enabled
    if at is not None:
        user.reflection_time = at.replace(second=0, microsecond=0, tzinfo=None)
    if enabled:
        user.reflection_dismissals = 0
    if user.reflection_answered_at is None:
        user.reflection_answered_at = now
    user.full_clean()
    user.save(
        update_fields=[
            "reflection_enabled",
            "reflection_time",
            "reflection_dismissals",
            "reflection_answered_at",
        ]
    )
    Prompt.objects.filter(
        recipient=user, kind=PromptKind.REFLECTION, status=PromptStatus.PENDING
    ).update(status=PromptStatus.CANCELLED, cancelled_reason="reflection_changed")
    if enabled:
        Prompt.objects.create(
            recipient=user,
            kind=PromptKind.REFLECTION,
            due_at=next_at(user, now=now),
            created_at=now,
        )
    _copy(user, actor)
    return state(actor=actor)


@transaction.atomic
def reflection_dismiss(*, actor: User) -> ReflectionState:
    """ "Not today": one more dismissal in a row (409 ``reflection_off`` when it is off)."""
    require_parent(actor)
    user = User.objects.select_for_update().get(pk=actor.pk)
    if not user.reflection_enabled:
        raise Conflict(_("The evening reflection is off."), code=ErrorCode.REFLECTION_OFF)
    user.reflection_dismissals += 1
    user.save(update_fields=["reflection_dismissals"])
    _copy(user, actor)
    return state(actor=actor)


def on_started_from_nudge(parent: User) -> None:
    """A repair begun from the reflection: the dismissals in a row start again."""
    User.objects.filter(pk=parent.pk).update(reflection_dismissals=0)


def schedule_next(recipient_ids: Iterable[int], *, now: dt.datetime) -> None:
    """Tomorrow's reflection for each parent whose reflection just finished, if still on and
    none is pending: one SELECT, one INSERT."""
    ids = set(recipient_ids)
    if not ids:
        return
    users = User.objects.filter(pk__in=ids, reflection_enabled=True).exclude(
        prompts__kind=PromptKind.REFLECTION, prompts__status=PromptStatus.PENDING
    )
    Prompt.objects.bulk_create(
        Prompt(
            recipient=user,
            kind=PromptKind.REFLECTION,
            due_at=next_at(user, now=now),
            created_at=now,
        )
        for user in users
    )


def _copy(source: User, target: User) -> None:
    for field in (
        "reflection_enabled",
        "reflection_time",
        "reflection_dismissals",
        "reflection_answered_at",
    ):
        setattr(target, field, getattr(source, field))
