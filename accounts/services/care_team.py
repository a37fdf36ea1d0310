"""Therapists and the care team: verification by staff, grants by parents, and the access log every
therapist read leaves."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors
from accounts.models import (
    CareScope,
    CareTeamGrant,
    Family,
    Membership,
    TherapistAccessLog,
    User,
    verified_therapist,
)
from accounts.selectors import Actor
from accounts.services.codes import normalize_code, random_code
from accounts.services.common import lock_family, name_of, require_user, tell_reviewers
from familyrepair.errors import Conflict, ErrorCode, InvalidInput, NotFound, Unprocessable

SHARE_CODE_LENGTH = 10


@transaction.atomic
def therapist_verify(*, therapist: User, now: dt.datetime | None = None) -> User:
    """Site staff mark a therapist verified; they get a share code to give families."""
    if not therapist.is_therapist:
        raise Unprocessable(
            _("Only a therapist account can be verified."), code=ErrorCode.NOT_A_THERAPIST
        )
    therapist.therapist_verified_at = therapist.therapist_verified_at or now or timezone.now()
    if not therapist.therapist_share_code:
        code = random_code(SHARE_CODE_LENGTH)
        while User.objects.filter(therapist_share_code=code).exists():
            code = random_code(SHARE_CODE_LENGTH)
        therapist.therapist_share_code = code
    therapist.save(update_fields=["therapist_verified_at", "therapist_share_code"])
    return therapist


@transaction.atomic
def therapist_unverify(*, therapist: User) -> User:
    """Withdraw verification: every grant stops working at once (selectors check it)."""
    therapist.therapist_verified_at = None
    therapist.save(update_fields=["therapist_verified_at"])
    return therapist


@transaction.atomic
def care_grant_create(
    *,
    actor: Actor,
    family_id: int,
    share_code: str,
    scope: str = CareScope.METRICS,
    now: dt.datetime | None = None,
) -> CareTeamGrant:
    """A parent adds a verified therapist by share code (400 ``invalid_share_code`` otherwise);
    409 ``already_on_care_team`` while an earlier grant is active, 409 ``therapist_is_member``
    for a member of the family (checked with the family locked)."""
    selectors.access_family(actor=actor, family_id=family_id, require_parent=True)
    family = lock_family(family_id)
    if scope not in CareScope.values:
        raise InvalidInput(code=ErrorCode.INVALID_CHOICE, param="scope")
    therapist = User.objects.filter(
        verified_therapist(),
        therapist_share_code=normalize_code(share_code)[:16],
        is_active=True,
    ).first()
    if therapist is None:
        raise InvalidInput(
            _("No verified therapist has that share code."),
            code=ErrorCode.INVALID_SHARE_CODE,
            param="share_code",
        )
    if Membership.objects.filter(family=family, user=therapist).exists():
        raise Conflict(
            _("A member of the family cannot be on its care team."),
            code=ErrorCode.THERAPIST_IS_MEMBER,
        )
    grant = CareTeamGrant(
        family=family,
        therapist=therapist,
        therapist_name=name_of(therapist),
        scope=scope,
        granted_by=require_user(actor),
        granted_at=now or timezone.now(),
    )
    try:
        with transaction.atomic():
            grant.save()
    except IntegrityError:
        raise Conflict(
            _("This therapist is already on the care team."), code=ErrorCode.ALREADY_ON_CARE_TEAM
        ) from None
    return grant


@transaction.atomic
def care_grant_revoke(
    *, actor: Actor, family_id: int, grant_id: int, now: dt.datetime | None = None
) -> None:
    """Any parent removes a therapist from the care team; the row stays for the record. A
    therapist alerted to a flag under safety review keeps that one flag (``ruptures.selectors``)
    and the safety reviewer hears of the revocation."""
    selectors.access_family(actor=actor, family_id=family_id, require_parent=True)
    user = require_user(actor)
    now = now or timezone.now()
    grant = (
        CareTeamGrant.objects.select_for_update(of=("self",))
        .select_related("therapist")
        .filter(pk=grant_id, family_id=family_id, revoked_at__isnull=True)
        .first()
    )
    if grant is None:
        raise NotFound(code=ErrorCode.CARE_GRANT_NOT_FOUND)
    grant.revoked_at, grant.revoked_by = now, user
    grant.save(update_fields=["revoked_at", "revoked_by"])
    tell_reviewers(
        [family_id],
        kind="therapist_revoked",
        actor=user,
        now=now,
        user_id=grant.therapist_id,
        detail=f"{name_of(user)} removed {grant.therapist_name or name_of(grant.therapist)} "
        "from the care team.",
    )


def therapist_access_record(
    *,
    therapist: User,
    family: Family,
    action: str,
    object_type: str = "",
    object_id: str | int = "",
    now: dt.datetime | None = None,
) -> TherapistAccessLog:
    """Every read a therapist makes of family data leaves this row; the family's parents list it."""
    return TherapistAccessLog.objects.create(
        therapist=therapist,
        therapist_name=name_of(therapist),
        family=family,
        action=action[:64],
        object_type=object_type[:32],
        object_id=str(object_id)[:64],
        created_at=now or timezone.now(),
    )
