"""Families and their memberships: create, settings, leaving and removal, and the end of a family
left with nobody (deleted, or dissolved while something in it is held)."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors
from accounts.models import (
    CALM_DOWN_MAX_MINUTES,
    FOLLOW_UP_MAX_DAYS,
    REMINDER_MAX_MINUTES,
    REMINDERS_MAX,
    CareTeamGrant,
    Family,
    Invite,
    Membership,
    PairingCode,
    Role,
    User,
)
from accounts.selectors import Actor
from accounts.services.children import child_profile_erase_locked
from accounts.services.common import lock_family, name_of, require_user, tell_reviewers
from accounts.signals import details_opted_out, family_holds, family_releasing
from familyrepair.errors import Conflict, ErrorCode, Forbidden, InvalidInput, NotFound


def _is_held(family_id: int) -> bool:
    return any(held for _receiver, held in family_holds.send(sender=Family, family_id=family_id))


def family_end(family: Family, *, actor: User | None, now: dt.datetime) -> None:
    """A family left with nobody is deleted, unless something in it is held (a flag under safety
    review): then it is dissolved instead, kept and seen by nobody (no members, no invites, no
    pairing codes, no active care team) until ``dissolved_families_purge`` finds nothing held.
    The caller cannot tell the two apart."""
    tell_reviewers(
        [family.pk],
        kind="family_deleted",
        actor=actor,
        now=now,
        detail=f"{name_of(actor)} left {family.name} with nobody in it; the family is dissolved.",
    )
    family_releasing.send(sender=Family, family_id=family.pk)
    if not _is_held(family.pk):
        family.delete()
        return
    family.dissolved_at = now
    family.save(update_fields=["dissolved_at"])
    Invite.objects.filter(family=family).delete()
    PairingCode.objects.filter(family=family).delete()
    CareTeamGrant.objects.filter(family=family, revoked_at__isnull=True).update(revoked_at=now)


@transaction.atomic
def dissolved_families_purge(*, now: dt.datetime | None = None) -> int:
    """Delete dissolved families nothing holds any more (their last safety review closed).
    Safe to run any number of times; returns how many went."""
    purged = 0
    for family in Family.objects.select_for_update().filter(dissolved_at__isnull=False):
        family_releasing.send(sender=Family, family_id=family.pk)
        if not _is_held(family.pk):
            family.delete()
            purged += 1
    return purged


@transaction.atomic
def family_create(*, actor: Actor, name: str, now: dt.datetime | None = None) -> Family:
    """Create a family with the actor as its first parent. Child profiles cannot (403
    ``child_profile``)."""
    selectors.may_create_family(actor=actor)
    user = require_user(actor)
    now = now or timezone.now()
    family = Family(name=name.strip(), created_by=user, created_at=now)
    family.full_clean()
    family.save()
    Membership.objects.create(family=family, user=user, role=Role.PARENT, joined_at=now)
    return family


def validate_reminder_minutes(value: list[int]) -> None:
    if len(value) > REMINDERS_MAX:
        raise InvalidInput(
            _("At most %(count)d reminders.") % {"count": REMINDERS_MAX},
            code=ErrorCode.TOO_MANY_REMINDERS,
            param="reminder_minutes",
        )
    previous = 0
    for minutes in value:
        if minutes <= previous or minutes > REMINDER_MAX_MINUTES:
            raise InvalidInput(
                _(
                    "Reminder intervals must be positive, each longer than the one before, and at "
                    "most a week."
                ),
                code=ErrorCode.REMINDERS_NOT_GROWING,
                param="reminder_minutes",
            )
        previous = minutes


class FamilyChanges(TypedDict, total=False):
    name: str
    calm_down_minutes: int
    reminder_minutes: list[int]
    reminders_enabled: bool
    follow_up_days: int


@transaction.atomic
def family_update(*, actor: Actor, family_id: int, changes: FamilyChanges) -> Family:
    """Rename the family or change its prompt settings; parents only (403 ``parent_only``).

    ``reminder_minutes`` must grow (400 ``reminders_not_growing``); bounds are 400 with the field.
    ``reminders_enabled`` false means no reminders at all (pending ones are dropped when due);
    an empty ``reminder_minutes`` still means the default schedule.
    """
    selectors.access_family(actor=actor, family_id=family_id, require_parent=True)
    family = lock_family(family_id)
    if "name" in changes:
        family.name = changes["name"].strip()
    if "calm_down_minutes" in changes:
        if not 0 <= changes["calm_down_minutes"] <= CALM_DOWN_MAX_MINUTES:
            raise InvalidInput(code=ErrorCode.OUT_OF_RANGE, param="calm_down_minutes")
        family.calm_down_minutes = changes["calm_down_minutes"]
    if "reminder_minutes" in changes:
        validate_reminder_minutes(changes["reminder_minutes"])
        family.reminder_minutes = list(changes["reminder_minutes"])
    if "reminders_enabled" in changes:
        family.reminders_enabled = changes["reminders_enabled"]
    if "follow_up_days" in changes:
        if not 0 <= changes["follow_up_days"] <= FOLLOW_UP_MAX_DAYS:
            raise InvalidInput(code=ErrorCode.OUT_OF_RANGE, param="follow_up_days")
        family.follow_up_days = changes["follow_up_days"]
    family.full_clean()
    family.save(update_fields=list(changes))
    return family


def check_parent_leaving(family: Family, leaving: Membership) -> None:
    """The last parent cannot leave while children remain (409 ``last_parent``)."""
    if leaving.role != Role.PARENT:
        return
    memberships = Membership.objects.filter(family=family).exclude(pk=leaving.pk)
    if not memberships.filter(role=Role.PARENT).exists() and memberships.exists():
        raise Conflict(
            _(
                "You are the last parent in %(family)s: add another parent, or remove the "
                "children first."
            )
            % {"family": family.name},
            code=ErrorCode.LAST_PARENT,
        )


@transaction.atomic
def member_remove(
    *, actor: Actor, family_id: int, user_id: int, now: dt.datetime | None = None
) -> None:
    """A member leaves (anyone may), or a parent removes a member (403 ``parent_only`` for
    children removing others). A child profile left in no family is erased with its data (see
    ``child_profile_erase``): nobody could reach it again. The safety reviewer hears of it."""
    own = selectors.family_membership(actor=actor, family_id=family_id)
    if own.user_id != user_id and own.role != Role.PARENT:
        raise Forbidden(_("Only a parent can remove someone else."), code=ErrorCode.PARENT_ONLY)
    now = now or timezone.now()
    family = lock_family(family_id)
    target = (
        Membership.objects.select_related("user").filter(family=family, user_id=user_id).first()
    )
    if target is None:
        raise NotFound(code=ErrorCode.MEMBER_NOT_FOUND)
    check_parent_leaving(family, target)
    leaving = "left" if own.user_id == user_id else f"was removed by {name_of(own.user)}"
    tell_reviewers(
        [family.pk],
        kind="member_removed",
        actor=own.user,
        now=now,
        user_id=user_id,
        detail=f"{name_of(target.user)} ({target.role}) {leaving}.",
    )
    target.delete()
    if target.user.is_child_profile and not Membership.objects.filter(user=target.user).exists():
        child_profile_erase_locked(target.user, family=family, actor=own.user, now=now)


@transaction.atomic
def membership_update(
    *, actor: Actor, family_id: int, user_id: int, details_opt_out: bool
) -> Membership:
    """A member aged 13 or over keeps (or stops keeping) their ruptures' words from therapists
    with ``details`` scope. Only for oneself (403 ``own_membership_only``).

    Opting out also withholds what they already wrote in this family (``details_opted_out``);
    opting back in applies to what they write from then on: nothing already withheld reopens."""
    own = selectors.own_membership_to_update(actor=actor, family_id=family_id, user_id=user_id)
    own.details_opt_out = details_opt_out
    own.save(update_fields=["details_opt_out"])
    if details_opt_out:
        details_opted_out.send(sender=Membership, membership=own)
    return own
