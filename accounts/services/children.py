"""Children and their devices: child profiles (created and erased by a parent), pairing codes
that sign a device in as a child, and the devices a child profile is signed in on."""

from __future__ import annotations

import datetime as dt

from allauth.usersessions.adapter import get_adapter as get_usersessions_adapter
from allauth.usersessions.models import UserSession
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors
from accounts.models import (
    AgeBand,
    CareTeamGrant,
    Family,
    Membership,
    PairingCode,
    ParentalConsent,
    Role,
    User,
)
from accounts.privacy import PRIVACY_NOTICE_VERSION
from accounts.selectors import Actor
from accounts.services.codes import hash_code, normalize_code, random_code
from accounts.services.common import (
    end_sessions,
    lock_family,
    name_of,
    require_user,
    tell_reviewers,
)
from accounts.signals import child_profile_erasing
from familyrepair.errors import (
    Conflict,
    ErrorCode,
    Forbidden,
    InvalidInput,
    NotFound,
    Unprocessable,
)

PAIRING_CODE_LENGTH = 10  # ~49 bits; with 10 minutes of life and a rate limit, not guessable


PAIRING_CODE_TTL = dt.timedelta(minutes=10)


@transaction.atomic
def child_profile_create(
    *,
    actor: Actor,
    family_id: int,
    display_name: str,
    birth_year: int,
    privacy_notice_version: str | None = None,
    now: dt.datetime | None = None,
) -> User:
    """A parent creates a profile for a child with no email; the child signs in by pairing.

    For a child under 13 the parent's consent is recorded (COPPA): who, when, which notice.
    An adult cannot be created (422 ``adult_must_join_by_invite``); a birth year in the future or
    before 1900 is 400 ``invalid_birth_year``; consent to an older notice is 409
    ``privacy_notice_outdated``.
    """
    family = selectors.access_family(actor=actor, family_id=family_id, require_parent=True)
    parent = require_user(actor)
    now = now or timezone.now()
    if not 1900 <= birth_year <= now.year:
        raise InvalidInput(
            _("That birth year is not possible."),
            code=ErrorCode.INVALID_BIRTH_YEAR,
            param="birth_year",
        )
    if privacy_notice_version is not None and privacy_notice_version != PRIVACY_NOTICE_VERSION:
        raise Conflict(
            _("The privacy notice has changed since you read it; please read it again."),
            code=ErrorCode.PRIVACY_NOTICE_OUTDATED,
            param="privacy_notice_version",
        )
    child = User(
        email=None,
        display_name=display_name.strip(),
        birth_year=birth_year,
        is_child_profile=True,
        time_zone=parent.time_zone,
        locale=parent.locale,
        notify_email=False,
        date_joined=now,
    )
    age_band = child.age_band(today=now.date())
    if age_band == AgeBand.ADULT:
        raise Unprocessable(
            _("An adult joins the family by invite, with their own account."),
            code=ErrorCode.ADULT_MUST_JOIN_BY_INVITE,
            param="birth_year",
        )
    child.set_unusable_password()
    child.full_clean()
    child.save()
    Membership.objects.create(family=family, user=child, role=Role.CHILD, joined_at=now)
    if age_band == AgeBand.UNDER_13:
        ParentalConsent.objects.create(
            child=child,
            family=family,
            given_by=parent,
            given_by_email=parent.email or "",
            privacy_notice_version=PRIVACY_NOTICE_VERSION,
            given_at=now,
        )
    return child


@transaction.atomic
def child_profile_erase(
    *, actor: Actor, family_id: int, child_id: int, now: dt.datetime | None = None
) -> None:
    """A parent erases a child profile (a young child with no account of their own) and its data:
    the profile, its pairing codes and device sessions, and the ruptures, messages, prompts and
    notifications about the child. Records under safety review are kept, without the profile,
    until their review closes; the answer is the same either way.

    The consent receipt stays without the child's identity (who consented, to which notice, when,
    ``erased_at``). 404 ``child_not_found`` outside the family; 403 ``parent_only`` for a child;
    422 ``not_a_child_profile`` for a child with their own account (they delete it themselves).
    """
    membership = selectors.child_member(actor=actor, family_id=family_id, child_id=child_id)
    child = membership.user
    if not child.is_child_profile:
        raise Unprocessable(
            _("This child has their own account and deletes it themselves."),
            code=ErrorCode.NOT_A_CHILD_PROFILE,
        )
    now = now or timezone.now()
    family = lock_family(family_id)
    child_profile_erase_locked(child, family=family, actor=require_user(actor), now=now)


def child_profile_erase_locked(
    child: User, *, family: Family, actor: User, now: dt.datetime
) -> None:
    tell_reviewers(
        [family.pk],
        kind="child_erased",
        actor=actor,
        now=now,
        user_id=child.pk,
        detail=f"{name_of(actor)} erased the profile of {name_of(child)}.",
    )
    child_profile_erasing.send(sender=User, user=child, now=now)
    ParentalConsent.objects.filter(child=child).update(child=None, erased_at=now)
    end_sessions(child)
    child.delete()


def _pairable_child(membership: Membership, *, today: dt.date) -> User:
    child = membership.user
    if not child.is_child_profile:
        raise Unprocessable(
            _("This child has their own account and signs in with it."),
            code=ErrorCode.NOT_A_CHILD_PROFILE,
        )
    if child.age_band(today=today) == AgeBand.ADULT:
        raise Unprocessable(
            _("An adult signs in with their own account; invite them instead."),
            code=ErrorCode.ADULT_MUST_JOIN_BY_INVITE,
        )
    return child


@transaction.atomic
def pairing_code_create(
    *, actor: Actor, family_id: int, child_id: int, now: dt.datetime | None = None
) -> tuple[PairingCode, str]:
    """A single-use code (10 minutes) that signs one device in as the child; returns the row and
    the code (only its hash is stored). Any earlier unused code for the child stops working."""
    membership = selectors.child_member(actor=actor, family_id=family_id, child_id=child_id)
    now = now or timezone.now()
    child = _pairable_child(membership, today=now.date())
    PairingCode.objects.filter(child=child, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    code = random_code(PAIRING_CODE_LENGTH)
    pairing = PairingCode.objects.create(
        child=child,
        family=membership.family,
        created_by=require_user(actor),
        code_hash=hash_code(code),
        created_at=now,
        expires_at=now + PAIRING_CODE_TTL,
    )
    return pairing, code


@transaction.atomic
def pairing_code_redeem(*, code: str, now: dt.datetime | None = None) -> User:
    """Spend a pairing code: the child to sign the device in as.

    Unknown, used, expired, and codes of a child no longer in the family all answer the same
    400 ``invalid_pairing_code``, so a guess learns nothing. Spent by a conditional UPDATE: two
    devices racing with one code cannot both win.
    """
    now = now or timezone.now()
    invalid = InvalidInput(
        _("That code does not work. Ask a parent for a new one."),
        code=ErrorCode.INVALID_PAIRING_CODE,
        param="code",
    )
    normalized = normalize_code(code)
    if len(normalized) != PAIRING_CODE_LENGTH:
        raise invalid
    pairing = (
        PairingCode.objects.select_related("child").filter(code_hash=hash_code(normalized)).first()
    )
    if pairing is None:
        raise invalid
    spent = PairingCode.objects.filter(
        pk=pairing.pk, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if not spent:
        raise invalid
    child = pairing.child
    still_child = Membership.objects.filter(
        family_id=pairing.family_id, user=child, role=Role.CHILD
    ).exists()
    on_care_team = CareTeamGrant.objects.filter(
        family_id=pairing.family_id, therapist=child, revoked_at__isnull=True
    ).exists()
    if not (still_child and child.is_active and child.is_child_profile) or on_care_team:
        raise invalid
    return child


def _profile_child(membership: Membership) -> User:
    """Parents manage the paired devices of a child profile only: a teen or an adult child who
    signs in with their own account manages their own sessions (403 ``own_account``)."""
    child = membership.user
    if child.is_child_profile:
        return child
    raise Forbidden(_("They manage their own devices."), code=ErrorCode.OWN_ACCOUNT)


def device_sessions(*, actor: Actor, family_id: int, child_id: int) -> list[UserSession]:
    """A child profile's paired devices, for a parent (stale sessions purged first)."""
    membership = selectors.child_member(actor=actor, family_id=family_id, child_id=child_id)
    child = _profile_child(membership)
    return sorted(
        UserSession.objects.purge_and_list(child),
        key=lambda session: (session.last_seen_at, session.pk),
        reverse=True,
    )


@transaction.atomic
def device_session_end(*, actor: Actor, family_id: int, child_id: int, session_id: int) -> None:
    """A parent signs one of a child profile's devices out (its session and token stop working)."""
    membership = selectors.child_member(actor=actor, family_id=family_id, child_id=child_id)
    child = _profile_child(membership)
    session = UserSession.objects.filter(pk=session_id, user_id=child.pk).first()
    if session is None:
        raise NotFound(code=ErrorCode.DEVICE_NOT_FOUND)
    get_usersessions_adapter().end_sessions([session])
