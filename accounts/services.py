"""Writes for people, families, child devices, invites and care teams.

Each service takes an explicit ``actor`` and an injectable ``now``, checks access through
``accounts.selectors`` (404 outside the actor's families, 403 inside), runs in one transaction and
raises ``familyrepair.errors`` with a stable ``code``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any, TypedDict

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.adapter import get_adapter as get_usersessions_adapter
from allauth.usersessions.models import UserSession
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts import selectors
from accounts.models import (
    CALM_DOWN_MAX_MINUTES,
    FOLLOW_UP_MAX_DAYS,
    INVITE_MAX_USES,
    REMINDER_MAX_MINUTES,
    REMINDERS_MAX,
    AgeBand,
    CareScope,
    CareTeamGrant,
    Family,
    Invite,
    Membership,
    PairingCode,
    ParentalConsent,
    Role,
    TherapistAccessLog,
    User,
)
from accounts.privacy import PRIVACY_NOTICE_VERSION
from accounts.selectors import Actor
from accounts.signals import (
    account_deleting,
    account_exporting,
    child_profile_erasing,
    details_opted_out,
    family_activity,
    family_holds,
    family_releasing,
)
from familyrepair.errors import Conflict, Forbidden, InvalidInput, NotFound, Unprocessable

# No I, L, O, U, 0 or 1: a code read aloud or copied from a screen cannot be misread.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
PAIRING_CODE_LENGTH = 10  # ~49 bits; with 10 minutes of life and a rate limit, not guessable
PAIRING_CODE_TTL = dt.timedelta(minutes=10)
INVITE_CODE_LENGTH = 8
INVITE_TTL = dt.timedelta(days=7)
SHARE_CODE_LENGTH = 10


def random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalize_code(raw: str) -> str:
    """Codes are shown grouped (``ABCDE-FGHJK``) and typed any old way: keep letters and digits."""
    return "".join(ch for ch in raw.upper() if ch.isascii() and ch.isalnum())


def hash_code(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


def _require_user(actor: Actor) -> User:
    if not isinstance(actor, User) or not actor.is_authenticated:
        raise NotFound()
    return actor


def _lock_family(family_id: int) -> Family:
    """Serialises membership and care-team changes of one family (who is the last parent? is
    this person a member or on the care team?)."""
    return Family.objects.select_for_update().get(pk=family_id)


def _check_not_on_care_team(*, family_id: int, user: User) -> None:
    """One person is a member of a family or on its care team, never both (409 ``on_care_team``);
    call with the family locked. The database holds the same rule (accounts migration 0004)."""
    if CareTeamGrant.objects.filter(
        family_id=family_id, therapist=user, revoked_at__isnull=True
    ).exists():
        raise Conflict(
            "You are on this family's care team; someone on it cannot also be a member.",
            code="on_care_team",
        )


def name_of(user: User | None) -> str:
    """How a person is named in records that must outlive their account."""
    if user is None:
        return ""
    return user.display_name or user.email or f"user {user.pk}"


def _tell_reviewers(
    family_ids: list[int],
    *,
    kind: str,
    actor: User | None,
    detail: str,
    now: dt.datetime,
    user_id: int | None = None,
) -> None:
    """Whoever reviews held records of these families hears of the action (receivers decide
    whether anything held is touched); the action itself goes ahead exactly as it would."""
    family_activity.send(
        sender=Family,
        family_ids=family_ids,
        kind=kind,
        actor_name=name_of(actor),
        detail=detail[:300],
        user_id=user_id,
        now=now,
    )


def _is_held(family_id: int) -> bool:
    return any(held for _receiver, held in family_holds.send(sender=Family, family_id=family_id))


def _family_end(family: Family, *, actor: User | None, now: dt.datetime) -> None:
    """A family left with nobody is deleted, unless something in it is held (a flag under safety
    review): then it is dissolved instead, kept and seen by nobody (no members, no invites, no
    pairing codes, no active care team) until ``dissolved_families_purge`` finds nothing held.
    The caller cannot tell the two apart."""
    _tell_reviewers(
        [family.pk], kind="family_deleted", actor=actor, now=now,
        detail=f"{name_of(actor)} left {family.name} with nobody in it; the family is dissolved.",
    )  # fmt: skip
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


# --- Families -----------------------------------------------------------------------------------


def family_create(*, actor: Actor, name: str, now: dt.datetime | None = None) -> Family:
    """Create a family with the actor as its first parent. Child profiles cannot (403
    ``child_profile``)."""
    selectors.may_create_family(actor=actor)
    user = _require_user(actor)
    now = now or timezone.now()
    family = Family(name=name.strip(), created_by=user, created_at=now)
    family.full_clean()
    family.save()
    Membership.objects.create(family=family, user=user, role=Role.PARENT, joined_at=now)
    return family


def validate_reminder_minutes(value: list[int]) -> None:
    if len(value) > REMINDERS_MAX:
        raise InvalidInput(
            f"At most {REMINDERS_MAX} reminders.",
            code="too_many_reminders",
            param="reminder_minutes",
        )
    previous = 0
    for minutes in value:
        if minutes <= previous or minutes > REMINDER_MAX_MINUTES:
            raise InvalidInput(
                "Reminder intervals must be positive, each longer than the one before, and at "
                "most a week.",
                code="reminders_not_growing",
                param="reminder_minutes",
            )
        previous = minutes


class FamilyChanges(TypedDict, total=False):
    name: str
    calm_down_minutes: int
    reminder_minutes: list[int]
    follow_up_days: int


def family_update(*, actor: Actor, family_id: int, changes: FamilyChanges) -> Family:
    """Rename the family or change its prompt settings; parents only (403 ``parent_only``).

    ``reminder_minutes`` must grow (400 ``reminders_not_growing``); bounds are 400 with the field.
    """
    selectors.access_family(actor=actor, family_id=family_id, require_parent=True)
    family = _lock_family(family_id)
    if "name" in changes:
        family.name = changes["name"].strip()
    if "calm_down_minutes" in changes:
        if not 0 <= changes["calm_down_minutes"] <= CALM_DOWN_MAX_MINUTES:
            raise InvalidInput(code="out_of_range", param="calm_down_minutes")
        family.calm_down_minutes = changes["calm_down_minutes"]
    if "reminder_minutes" in changes:
        validate_reminder_minutes(changes["reminder_minutes"])
        family.reminder_minutes = list(changes["reminder_minutes"])
    if "follow_up_days" in changes:
        if not 0 <= changes["follow_up_days"] <= FOLLOW_UP_MAX_DAYS:
            raise InvalidInput(code="out_of_range", param="follow_up_days")
        family.follow_up_days = changes["follow_up_days"]
    family.full_clean()
    family.save(update_fields=list(changes))
    return family


def _end_sessions(user: User) -> int:
    sessions = list(UserSession.objects.filter(user_id=user.pk))
    get_usersessions_adapter().end_sessions(sessions)
    return len(sessions)


def _check_parent_leaving(family: Family, leaving: Membership) -> None:
    """The last parent cannot leave while children remain (409 ``last_parent``)."""
    if leaving.role != Role.PARENT:
        return
    memberships = Membership.objects.filter(family=family).exclude(pk=leaving.pk)
    if not memberships.filter(role=Role.PARENT).exists() and memberships.exists():
        raise Conflict(
            f"You are the last parent in {family.name}: add another parent, or remove the "
            "children first.",
            code="last_parent",
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
        raise Forbidden("Only a parent can remove someone else.", code="parent_only")
    now = now or timezone.now()
    family = _lock_family(family_id)
    target = (
        Membership.objects.select_related("user").filter(family=family, user_id=user_id).first()
    )
    if target is None:
        raise NotFound(code="member_not_found")
    _check_parent_leaving(family, target)
    leaving = "left" if own.user_id == user_id else f"was removed by {name_of(own.user)}"
    _tell_reviewers(
        [family.pk], kind="member_removed", actor=own.user, now=now, user_id=user_id,
        detail=f"{name_of(target.user)} ({target.role}) {leaving}.",
    )  # fmt: skip
    target.delete()
    if target.user.is_child_profile and not Membership.objects.filter(user=target.user).exists():
        _child_profile_erase(target.user, family=family, actor=own.user, now=now)


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
            "This child has their own account and deletes it themselves.",
            code="not_a_child_profile",
        )
    now = now or timezone.now()
    family = _lock_family(family_id)
    _child_profile_erase(child, family=family, actor=_require_user(actor), now=now)


def _child_profile_erase(child: User, *, family: Family, actor: User, now: dt.datetime) -> None:
    _tell_reviewers(
        [family.pk], kind="child_erased", actor=actor, now=now, user_id=child.pk,
        detail=f"{name_of(actor)} erased the profile of {name_of(child)}.",
    )  # fmt: skip
    child_profile_erasing.send(sender=User, user=child, now=now)
    ParentalConsent.objects.filter(child=child).update(child=None, erased_at=now)
    _end_sessions(child)
    child.delete()


def membership_update(
    *, actor: Actor, family_id: int, user_id: int, details_opt_out: bool
) -> Membership:
    """A member aged 13 or over keeps (or stops keeping) their ruptures' words from therapists
    with ``details`` scope. Only for oneself (403 ``own_membership_only``).

    Opting out also withholds what they already wrote in this family (``details_opted_out``);
    opting back in applies to what they write from then on: nothing already withheld reopens."""
    own = selectors.own_membership_to_update(actor=actor, family_id=family_id, user_id=user_id)
    with transaction.atomic():
        own.details_opt_out = details_opt_out
        own.save(update_fields=["details_opt_out"])
        if details_opt_out:
            details_opted_out.send(sender=Membership, membership=own)
    return own


# --- Children and their devices -----------------------------------------------------------------


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
    parent = _require_user(actor)
    now = now or timezone.now()
    if not 1900 <= birth_year <= now.year:
        raise InvalidInput(
            "That birth year is not possible.", code="invalid_birth_year", param="birth_year"
        )
    if privacy_notice_version is not None and privacy_notice_version != PRIVACY_NOTICE_VERSION:
        raise Conflict(
            "The privacy notice has changed since you read it; please read it again.",
            code="privacy_notice_outdated",
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
            "An adult joins the family by invite, with their own account.",
            code="adult_must_join_by_invite",
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


def _pairable_child(membership: Membership, *, today: dt.date) -> User:
    child = membership.user
    if not child.is_child_profile:
        raise Unprocessable(
            "This child has their own account and signs in with it.",
            code="not_a_child_profile",
        )
    if child.age_band(today=today) == AgeBand.ADULT:
        raise Unprocessable(
            "An adult signs in with their own account; invite them instead.",
            code="adult_must_join_by_invite",
        )
    return child


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
        created_by=_require_user(actor),
        code_hash=hash_code(code),
        created_at=now,
        expires_at=now + PAIRING_CODE_TTL,
    )
    return pairing, code


def pairing_code_redeem(*, code: str, now: dt.datetime | None = None) -> User:
    """Spend a pairing code: the child to sign the device in as.

    Unknown, used, expired, and codes of a child no longer in the family all answer the same
    400 ``invalid_pairing_code``, so a guess learns nothing. Spent by a conditional UPDATE: two
    devices racing with one code cannot both win.
    """
    now = now or timezone.now()
    invalid = InvalidInput(
        "That code does not work. Ask a parent for a new one.",
        code="invalid_pairing_code",
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
    raise Forbidden("They manage their own devices.", code="own_account")


def device_sessions(*, actor: Actor, family_id: int, child_id: int) -> list[UserSession]:
    """A child profile's paired devices, for a parent (stale sessions purged first)."""
    membership = selectors.child_member(actor=actor, family_id=family_id, child_id=child_id)
    child = _profile_child(membership)
    return sorted(
        UserSession.objects.purge_and_list(child),
        key=lambda session: (session.last_seen_at, session.pk),
        reverse=True,
    )


def device_session_end(*, actor: Actor, family_id: int, child_id: int, session_id: int) -> None:
    """A parent signs one of a child profile's devices out (its session and token stop working)."""
    membership = selectors.child_member(actor=actor, family_id=family_id, child_id=child_id)
    child = _profile_child(membership)
    session = UserSession.objects.filter(pk=session_id, user_id=child.pk).first()
    if session is None:
        raise NotFound(code="device_not_found")
    get_usersessions_adapter().end_sessions([session])


# --- Invites ------------------------------------------------------------------------------------


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
        raise InvalidInput(code="invalid_choice", param="role")
    if not 1 <= max_uses <= INVITE_MAX_USES:
        raise InvalidInput(code="out_of_range", param="max_uses")
    now = now or timezone.now()
    invite = Invite(
        family=family,
        role=role,
        created_by=_require_user(actor),
        created_at=now,
        expires_at=now + INVITE_TTL,
        max_uses=max_uses,
    )
    for _ in range(5):
        invite.code = random_code(INVITE_CODE_LENGTH)
        if not Invite.objects.filter(code=invite.code).exists():
            break
    invite.full_clean()
    invite.save()
    return invite


def invite_accept(*, actor: Actor, code: str, now: dt.datetime | None = None) -> Membership:
    """Join the invite's family with its role.

    404 ``invite_not_found`` for an unknown code; 409 ``invite_revoked``, ``invite_expired``,
    ``invite_used``, ``already_member`` or ``on_care_team`` (someone on the care team cannot also
    be a member); 422 ``too_young_for_parent_role`` when a child would join as a parent.
    """
    user = _require_user(actor)
    now = now or timezone.now()
    invite = (
        Invite.objects.select_for_update(of=("self",))
        .select_related("family")
        .filter(code=normalize_code(code)[:16])
        .first()
    )
    if invite is None:
        raise NotFound("No invite has that code.", code="invite_not_found", param="code")
    if invite.revoked_at is not None:
        raise Conflict("This invite was withdrawn.", code="invite_revoked")
    if invite.expires_at <= now:
        raise Conflict("This invite has expired; ask for a new one.", code="invite_expired")
    if invite.uses >= invite.max_uses:
        raise Conflict("This invite has already been used.", code="invite_used")
    _lock_family(invite.family_id)
    if Membership.objects.filter(family=invite.family, user=user).exists():
        raise Conflict("You are already in this family.", code="already_member")
    _check_not_on_care_team(family_id=invite.family_id, user=user)
    if invite.role == Role.PARENT and (
        user.is_child_profile or user.age_band(today=now.date()) in (AgeBand.UNDER_13, AgeBand.TEEN)
    ):
        raise Unprocessable("A child cannot join as a parent.", code="too_young_for_parent_role")
    spent = Invite.objects.filter(pk=invite.pk, uses__lt=F("max_uses")).update(uses=F("uses") + 1)
    if not spent:
        raise Conflict("This invite has already been used.", code="invite_used")
    return Membership.objects.create(
        family=invite.family, user=user, role=invite.role, joined_at=now
    )


def invite_revoke(
    *, actor: Actor, family_id: int, invite_id: int, now: dt.datetime | None = None
) -> None:
    selectors.access_family(actor=actor, family_id=family_id, require_parent=True)
    updated = Invite.objects.filter(
        pk=invite_id, family_id=family_id, revoked_at__isnull=True
    ).update(revoked_at=now or timezone.now())
    if not updated:
        raise NotFound(code="invite_not_found")


# --- Therapists and the care team ---------------------------------------------------------------


def therapist_verify(*, therapist: User, now: dt.datetime | None = None) -> User:
    """Site staff mark a therapist verified; they get a share code to give families."""
    if not therapist.is_therapist:
        raise Unprocessable("Only a therapist account can be verified.", code="not_a_therapist")
    therapist.therapist_verified_at = therapist.therapist_verified_at or now or timezone.now()
    if not therapist.therapist_share_code:
        code = random_code(SHARE_CODE_LENGTH)
        while User.objects.filter(therapist_share_code=code).exists():
            code = random_code(SHARE_CODE_LENGTH)
        therapist.therapist_share_code = code
    therapist.save(update_fields=["therapist_verified_at", "therapist_share_code"])
    return therapist


def therapist_unverify(*, therapist: User) -> User:
    """Withdraw verification: every grant stops working at once (selectors check it)."""
    therapist.therapist_verified_at = None
    therapist.save(update_fields=["therapist_verified_at"])
    return therapist


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
    family = _lock_family(family_id)
    if scope not in CareScope.values:
        raise InvalidInput(code="invalid_choice", param="scope")
    therapist = User.objects.filter(
        therapist_share_code=normalize_code(share_code)[:16],
        is_therapist=True,
        therapist_verified_at__isnull=False,
        is_active=True,
    ).first()
    if therapist is None:
        raise InvalidInput(
            "No verified therapist has that share code.",
            code="invalid_share_code",
            param="share_code",
        )
    if Membership.objects.filter(family=family, user=therapist).exists():
        raise Conflict(
            "A member of the family cannot be on its care team.", code="therapist_is_member"
        )
    grant = CareTeamGrant(
        family=family,
        therapist=therapist,
        therapist_name=name_of(therapist),
        scope=scope,
        granted_by=_require_user(actor),
        granted_at=now or timezone.now(),
    )
    try:
        with transaction.atomic():
            grant.save()
    except IntegrityError:
        raise Conflict(
            "This therapist is already on the care team.", code="already_on_care_team"
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
    user = _require_user(actor)
    now = now or timezone.now()
    grant = (
        CareTeamGrant.objects.select_for_update(of=("self",))
        .select_related("therapist")
        .filter(pk=grant_id, family_id=family_id, revoked_at__isnull=True)
        .first()
    )
    if grant is None:
        raise NotFound(code="care_grant_not_found")
    grant.revoked_at, grant.revoked_by = now, user
    grant.save(update_fields=["revoked_at", "revoked_by"])
    _tell_reviewers(
        [family_id], kind="therapist_revoked", actor=user, now=now, user_id=grant.therapist_id,
        detail=f"{name_of(user)} removed {grant.therapist_name or name_of(grant.therapist)} "
        "from the care team.",
    )  # fmt: skip


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


# --- Me: profile, export, deletion --------------------------------------------------------------


class UserChanges(TypedDict, total=False):
    display_name: str
    time_zone: str
    quiet_hours_start: dt.time | None
    quiet_hours_end: dt.time | None
    locale: str
    notify_email: bool
    notify_push: bool
    birth_year: int
    is_therapist: bool
    therapist_full_name: str
    therapist_profession: str
    therapist_registration_body: str
    therapist_registration_number: str
    therapist_jurisdiction: str


def user_update(*, actor: Actor, changes: UserChanges, now: dt.datetime | None = None) -> User:
    """Change one's own profile and preferences.

    Quiet hours are both set or both cleared, and never empty (400 ``invalid_quiet_hours``).
    A birth year can be declared once by someone who signed up themselves (409
    ``birth_year_set`` after); under 13 cannot (422 ``under_13_needs_parent``). ``is_therapist``
    can be switched on (verification is by staff), never off here. A therapist's claims (name,
    profession, registration body and number, jurisdiction) are theirs to state until staff
    verify them (409 ``therapist_claims_locked`` after; 400 ``not_a_therapist`` for anyone else).
    """
    user = _require_user(actor)
    now = now or timezone.now()
    fields: dict[str, Any] = dict(changes)
    if ("quiet_hours_start" in fields) != ("quiet_hours_end" in fields):
        raise InvalidInput(code="invalid_quiet_hours", param="quiet_hours")
    start, end = fields.get("quiet_hours_start"), fields.get("quiet_hours_end")
    if "quiet_hours_start" in fields and (
        (start is None) != (end is None) or (start is not None and start == end)
    ):
        raise InvalidInput(
            "Quiet hours need a start and a different end, or none at all.",
            code="invalid_quiet_hours",
            param="quiet_hours",
        )
    if "birth_year" in fields:
        if user.birth_year is not None and user.birth_year != fields["birth_year"]:
            raise Conflict(
                "Your birth year is already set.", code="birth_year_set", param="birth_year"
            )
        if not 1900 <= fields["birth_year"] <= now.year:
            raise InvalidInput(code="invalid_birth_year", param="birth_year")
        declared = User(birth_year=fields["birth_year"]).age_band(today=now.date())
        if user.birth_year is None and declared == AgeBand.UNDER_13:
            raise Unprocessable(
                "Under 13, a parent sets up your profile.",
                code="under_13_needs_parent",
                param="birth_year",
            )
    if "is_therapist" in fields and not fields["is_therapist"] and user.is_therapist:
        raise InvalidInput(
            "Ask us to close your therapist profile.",
            code="therapist_status_by_staff",
            param="is_therapist",
        )
    if fields.get("is_therapist") is False:
        fields.pop("is_therapist")
    claims = [name for name in User.THERAPIST_CLAIMS if name in fields]
    if claims:
        if not (user.is_therapist or fields.get("is_therapist")):
            raise InvalidInput(
                "Only a therapist account states these.",
                code="not_a_therapist",
                param="therapist_claims",
            )
        if user.is_verified_therapist:
            raise Conflict(
                "Your details were checked when you were verified; ask us to change them.",
                code="therapist_claims_locked",
                param="therapist_claims",
            )
        for name in claims:
            fields[name] = str(fields[name]).strip()
    if "display_name" in fields:
        fields["display_name"] = str(fields["display_name"]).strip()
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean()
    user.save(update_fields=list(fields))
    return user


def _iso(value: dt.datetime | dt.date | dt.time | None) -> str | None:
    return value.isoformat() if value is not None else None


def user_export(*, actor: Actor) -> dict[str, Any]:
    """Everything we hold about the actor, as JSON values. Other apps add sections through the
    ``account_exporting`` signal."""
    user = _require_user(actor)
    data: dict[str, Any] = {
        "profile": {
            "id": user.pk,
            "email": user.email,
            "display_name": user.display_name,
            "birth_year": user.birth_year,
            "age_band": user.age_band().value,
            "time_zone": user.time_zone,
            "quiet_hours": {
                "start": _iso(user.quiet_hours_start),
                "end": _iso(user.quiet_hours_end),
            },
            "locale": user.locale,
            "notify_email": user.notify_email,
            "notify_push": user.notify_push,
            "is_child_profile": user.is_child_profile,
            "is_therapist": user.is_therapist,
            "therapist_verified_at": _iso(user.therapist_verified_at),
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user).order_by("id")
        ],
        "memberships": [
            {
                "family_id": m.family_id,
                "family_name": m.family.name,
                "role": m.role,
                "joined_at": _iso(m.joined_at),
                "details_opt_out": m.details_opt_out,
            }
            for m in Membership.objects.filter(user=user).select_related("family").order_by("id")
        ],
        "parental_consents_about_me": [
            {
                "family_id": c.family_id,
                "given_by_email": c.given_by_email,
                "privacy_notice_version": c.privacy_notice_version,
                "given_at": _iso(c.given_at),
            }
            for c in ParentalConsent.objects.filter(child=user).order_by("id")
        ],
        "parental_consents_given": [
            {
                "child_id": c.child_id,
                "family_id": c.family_id,
                "privacy_notice_version": c.privacy_notice_version,
                "given_at": _iso(c.given_at),
            }
            for c in ParentalConsent.objects.filter(given_by=user).order_by("id")
        ],
        "invites_created": [
            {
                "family_id": i.family_id,
                "role": i.role,
                "created_at": _iso(i.created_at),
                "expires_at": _iso(i.expires_at),
                "uses": i.uses,
                "max_uses": i.max_uses,
            }
            for i in Invite.objects.filter(created_by=user).order_by("id")
        ],
        "care_team_grants_given": [
            {
                "family_id": g.family_id,
                "therapist_id": g.therapist_id,
                "scope": g.scope,
                "granted_at": _iso(g.granted_at),
                "revoked_at": _iso(g.revoked_at),
            }
            for g in CareTeamGrant.objects.filter(granted_by=user).order_by("id")
        ],
        "care_team_grants_received": [
            {
                "family_id": g.family_id,
                "scope": g.scope,
                "granted_at": _iso(g.granted_at),
                "revoked_at": _iso(g.revoked_at),
            }
            for g in CareTeamGrant.objects.filter(therapist=user).order_by("id")
        ],
        "therapist_access_log": [
            {
                "family_id": row.family_id,
                "action": row.action,
                "object_type": row.object_type,
                "object_id": row.object_id,
                "created_at": _iso(row.created_at),
            }
            for row in TherapistAccessLog.objects.filter(therapist=user).order_by("id")
        ],
        "sessions": [
            {
                "ip": s.ip,
                "user_agent": s.user_agent,
                "created_at": _iso(s.created_at),
                "last_seen_at": _iso(s.last_seen_at),
            }
            for s in UserSession.objects.filter(user=user).order_by("id")
        ],
        "authenticators": [
            {"type": a.type, "created_at": _iso(a.created_at), "last_used_at": _iso(a.last_used_at)}
            for a in Authenticator.objects.filter(user=user).order_by("id")
        ],
    }
    for _receiver, sections in account_exporting.send(sender=User, user=user):
        if isinstance(sections, dict):
            data.update(sections)
    return data


@transaction.atomic
def user_delete(*, actor: Actor, now: dt.datetime | None = None) -> None:
    """Delete one's own account.

    Refused for a child profile (403 ``child_profile``: a parent removes it) and for the last
    parent of a family with other members (409 ``last_parent``). A family left with nobody is
    deleted with it (dissolved instead while a flag in it is under safety review: see
    ``_family_end``). Other apps anonymise what the other party keeps through
    ``account_deleting`` (ruptures stay, with the author gone). A therapist's grants and the
    families' access log stay with their name. Every session of the account ends. The safety
    reviewer hears of it where a family has a flag under review.
    """
    user = _require_user(actor)
    if user.is_child_profile:
        raise Forbidden("Ask a parent to remove your profile.", code="child_profile")
    now = now or timezone.now()
    memberships = list(Membership.objects.filter(user=user).order_by("family_id"))
    alone_in: list[int] = []
    for membership in memberships:
        family = _lock_family(membership.family_id)
        _check_parent_leaving(family, membership)
        if not Membership.objects.filter(family=family).exclude(pk=membership.pk).exists():
            alone_in.append(family.pk)
    name = name_of(user)
    _tell_reviewers(
        [m.family_id for m in memberships], kind="account_deleted", actor=user, now=now,
        user_id=user.pk, detail=f"{name} deleted their account.",
    )  # fmt: skip
    granted = CareTeamGrant.objects.filter(therapist=user)
    _tell_reviewers(
        sorted(set(granted.filter(revoked_at__isnull=True).values_list("family_id", flat=True))),
        kind="therapist_deleted", actor=user, now=now, user_id=user.pk,
        detail=f"{name}, a therapist, deleted their account.",
    )  # fmt: skip
    granted.filter(revoked_at__isnull=True).update(revoked_at=now)
    granted.update(therapist_name=name)
    TherapistAccessLog.objects.filter(therapist=user).update(therapist_name=name)
    account_deleting.send(sender=User, user=user, now=now)
    _end_sessions(user)
    for family in Family.objects.select_for_update().filter(pk__in=alone_in).order_by("pk"):
        _family_end(family, actor=user, now=now)
    user.delete()


# --- Retention ----------------------------------------------------------------------------------

SPENT_CODES_KEPT = dt.timedelta(days=1)
ENDED_INVITES_KEPT = dt.timedelta(days=30)


def expired_codes_purge(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Delete pairing codes a day after they expire and invites 30 days after they end, as the
    retention policy says. Safe to run any number of times; returns (codes, invites) deleted."""
    now = now or timezone.now()
    codes, _ = PairingCode.objects.filter(expires_at__lt=now - SPENT_CODES_KEPT).delete()
    invites, _ = Invite.objects.filter(expires_at__lt=now - ENDED_INVITES_KEPT).delete()
    return codes, invites
