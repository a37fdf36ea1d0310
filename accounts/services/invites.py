"""Invites: a parent invites someone to join the family with a role; they accept by code."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors
from accounts.models import INVITE_MAX_USES, AgeBand, CareTeamGrant, Invite, Membership, Role, User
from accounts.selectors import Actor
from accounts.services.codes import normalize_code, random_code
from accounts.services.common import lock_family, require_user
from familyrepair.errors import Conflict, ErrorCode, InvalidInput, NotFound, Unprocessable

INVITE_CODE_LENGTH = 8


INVITE_TTL = dt.timedelta(days=7)


def _check_not_on_care_team(*, family_id: int, user: User) -> None:
    """One person is a member of a family or on its care team, never both (409 ``on_care_team``);
    call with the family locked. The database holds the same rule (accounts migration 0004)."""
    if CareTeamGrant.objects.filter(
        family_id=family_id, therapist=user, revoked_at__isnull=True
    ).exists():
        raise Conflict(
            _("You are on this family's care team; someone on it cannot also be a member."),
            code=ErrorCode.ON_CARE_TEAM,
        )


@transaction.atomic
def invite_create(
    *,
    actor: Actor,
    family_id: int,
    role: str,
    max_uses: int = 1,
    now: dt.datetime | None = None,
) -> Invite:
    """A parent invites someone to join with ``role``; valid 7 days, single use by default."""
    family = selectors.access_family(actor=actor, family_id=family_id, require_parent=True)
    if role not in Role.values:
        raise InvalidInput(code=ErrorCode.INVALID_CHOICE, param="role")
    if not 1 <= max_uses <= INVITE_MAX_USES:
        raise InvalidInput(code=ErrorCode.OUT_OF_RANGE, param="max_uses")
    now = now or timezone.now()
    invite = Invite(
        family=family,
        role=role,
        created_by=require_user(actor),
        created_at=now,
        expires_at=now + INVITE_TTL,
        max_uses=max_uses,
    )
    for _attempt in range(5):
        invite.code = random_code(INVITE_CODE_LENGTH)
        if not Invite.objects.filter(code=invite.code).exists():
            break
    invite.full_clean()
    invite.save()
    return invite


@transaction.atomic
def invite_accept(*, actor: Actor, code: str, now: dt.datetime | None = None) -> Membership:
    """Join the invite's family with its role.

    404 ``invite_not_found`` for an unknown code; 409 ``invite_revoked``, ``invite_expired``,
    ``invite_used``, ``already_member`` or ``on_care_team`` (someone on the care team cannot also
    be a member); 422 ``too_young_for_parent_role`` when a child would join as a parent.
    """
    user = require_user(actor)
    now = now or timezone.now()
    invite = (
        Invite.objects.select_for_update(of=("self",))
        .select_related("family")
        .filter(code=normalize_code(code)[:16])
        .first()
    )
    if invite is None:
        raise NotFound(_("No invite has that code."), code=ErrorCode.INVITE_NOT_FOUND, param="code")
    if invite.revoked_at is not None:
        raise Conflict(_("This invite was withdrawn."), code=ErrorCode.INVITE_REVOKED)
    if invite.expires_at <= now:
        raise Conflict(
            _("This invite has expired; ask for a new one."), code=ErrorCode.INVITE_EXPIRED
        )
    if invite.uses >= invite.max_uses:
        raise Conflict(_("This invite has already been used."), code=ErrorCode.INVITE_USED)
    lock_family(invite.family_id)
    if Membership.objects.filter(family=invite.family, user=user).exists():
        raise Conflict(_("You are already in this family."), code=ErrorCode.ALREADY_MEMBER)
    _check_not_on_care_team(family_id=invite.family_id, user=user)
    if invite.role == Role.PARENT and (
        user.is_child_profile or user.age_band(today=now.date()) in (AgeBand.UNDER_13, AgeBand.TEEN)
    ):
        raise Unprocessable(
            _("A child cannot join as a parent."), code=ErrorCode.TOO_YOUNG_FOR_PARENT_ROLE
        )
    spent = Invite.objects.filter(pk=invite.pk, uses__lt=F("max_uses")).update(uses=F("uses") + 1)
    if not spent:
        raise Conflict(_("This invite has already been used."), code=ErrorCode.INVITE_USED)
    return Membership.objects.create(
        family=invite.family, user=user, role=invite.role, joined_at=now
    )


@transaction.atomic
def invite_revoke(
    *, actor: Actor, family_id: int, invite_id: int, now: dt.datetime | None = None
) -> None:
    selectors.access_family(actor=actor, family_id=family_id, require_parent=True)
    updated = Invite.objects.filter(
        pk=invite_id, family_id=family_id, revoked_at__isnull=True
    ).update(revoked_at=now or timezone.now())
    if not updated:
        raise NotFound(code=ErrorCode.INVITE_NOT_FOUND)
