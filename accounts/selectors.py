"""Reads of people, families and care teams, already scoped to what the actor may see.

Access helpers (``access_family``, ``active_care_grant``...) raise ``NotFound`` for anything outside
the actor's reach, so an id of another family leaks nothing; ``Forbidden`` only inside a family
the actor belongs to (a child trying a parent-only action).

The family screens a phone reloads most (a family's members, its care team, the reader's
families and their own page) are kept statements (``familyrepair.statements``), built from the
same rules as the querysets here: they answer rows by column, which ``api.accounts`` renders.
Each is a household's few rows, read whole and paginated by the API.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AnonymousUser
from django.db import router
from django.db.models import (
    BigIntegerField,
    Exists,
    Expression,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils.translation import gettext as _

from accounts.models import (
    AgeBand,
    CareTeamGrant,
    Family,
    Invite,
    Membership,
    Role,
    User,
    grant_in_force,
    verified_therapist,
)
from familyrepair.errors import ErrorCode, Forbidden, NotFound
from familyrepair.statements import KeptStatement, Slot, loaded

Actor = User | AnonymousUser
# A user's id: a value, or an expression giving one (a kept statement's slot, an ``OuterRef``).
UserId = int | Expression | F

# Factors that count as "MFA enrolled"; recovery codes alone are a fallback, not a factor.
MFA_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)

# The kept statements' values.
_ACTOR = Slot("actor", BigIntegerField())
_FAMILY = Slot("family", BigIntegerField())


def _user_id(actor: Any) -> int | None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return int(actor.pk)


def second_factors(user_id: UserId) -> QuerySet[Authenticator]:
    """A person's second factors (``MFA_FACTORS``): what "MFA enrolled" means everywhere."""
    factors: QuerySet[Authenticator] = Authenticator.objects.filter(
        user_id=user_id, type__in=MFA_FACTORS
    )
    return factors


def has_mfa(user: User) -> bool:
    return bool(second_factors(user.pk).exists())


# A person's families in the order every list of them shows.
_FAMILY_ORDER = ("name", "id")


def _families_with_role(user_id: UserId) -> QuerySet[Family]:
    """The families the user belongs to, each annotated with the user's ``role`` in it."""
    return (
        Family.objects.filter(memberships__user_id=user_id)
        .annotate(role=F("memberships__role"))
        .order_by(*_FAMILY_ORDER)
    )


def families_for(user: Actor) -> QuerySet[Family]:
    """The families ``user`` belongs to, each annotated with the user's ``role`` in it."""
    user_id = _user_id(user)
    if user_id is None:
        return Family.objects.none()
    return _families_with_role(user_id)


def membership_of(*, user_id: UserId, family_id: int | Expression) -> QuerySet[Membership]:
    """The user's membership of the family: what gives them access to it (none: 404)."""
    return Membership.objects.filter(family_id=family_id, user_id=user_id)


def family_membership(*, actor: Actor, family_id: int) -> Membership:
    """The actor's membership of the family, with the family; 404 if the actor is not a member."""
    user_id = _user_id(actor)
    if user_id is None:
        raise NotFound(code=ErrorCode.FAMILY_NOT_FOUND)
    try:
        return membership_of(user_id=user_id, family_id=family_id).select_related("family").get()
    except Membership.DoesNotExist:
        raise NotFound(code=ErrorCode.FAMILY_NOT_FOUND) from None


def access_family(*, actor: Actor, family_id: int, require_parent: bool = False) -> Family:
    """The family if the actor is a member (404 otherwise); 403 ``parent_only`` for a child where
    a parent is required."""
    membership = family_membership(actor=actor, family_id=family_id)
    if require_parent and membership.role != Role.PARENT:
        raise Forbidden(_("Only a parent in this family can do that."), code=ErrorCode.PARENT_ONLY)
    return membership.family


def may_create_family(*, actor: Actor) -> None:
    """Anyone signed in except a child profile (403 ``child_profile``; 404 anonymous)."""
    if _user_id(actor) is None:
        raise NotFound()
    if getattr(actor, "is_child_profile", False):
        raise Forbidden(_("Ask a parent to set up a family."), code=ErrorCode.CHILD_PROFILE)


def own_membership_to_update(*, actor: Actor, family_id: int, user_id: int) -> Membership:
    """The actor's own membership, which only they change, once 13: 404 outside the family or for
    no such member, 403 ``own_membership_only`` for someone else's, 403 ``age_restricted`` under
    13 (a parent decides)."""
    own = family_membership(actor=actor, family_id=family_id)
    if own.user_id != user_id:
        if not Membership.objects.filter(family_id=family_id, user_id=user_id).exists():
            raise NotFound(code=ErrorCode.MEMBER_NOT_FOUND)
        raise Forbidden(_("Only the member can change this."), code=ErrorCode.OWN_MEMBERSHIP_ONLY)
    if own.user.age_band() == AgeBand.UNDER_13:
        raise Forbidden(_("A parent decides this until you are 13."), code=ErrorCode.AGE_RESTRICTED)
    return own


def active_care_grant(*, therapist: Actor, family_id: int) -> CareTeamGrant:
    """The therapist's active grant for the family, with the family.

    404 unless the grant is active and the therapist verified; 403 ``mfa_required`` when all that
    holds but the therapist has no second factor enrolled (TOTP or a passkey).
    """
    user_id = _user_id(therapist)
    if user_id is None:
        raise NotFound(code=ErrorCode.FAMILY_NOT_FOUND)
    grant = (
        CareTeamGrant.objects.select_related("family", "therapist")
        .filter(grant_in_force(), family_id=family_id, therapist_id=user_id)
        .first()
    )
    if grant is None:
        raise NotFound(code=ErrorCode.FAMILY_NOT_FOUND)
    if grant.therapist is None or not has_mfa(grant.therapist):
        raise Forbidden(
            _("Enrol a second factor (an authenticator app or a passkey) to see family data."),
            code=ErrorCode.MFA_REQUIRED,
        )
    return grant


def family_for_reader(
    *, actor: Actor, family_id: int
) -> tuple[Family, Membership | None, CareTeamGrant | None]:
    """A family read by a member, or else by a therapist on its care team (who must then leave an
    access-log row: see ``services.therapist_access_record``)."""
    try:
        membership = family_membership(actor=actor, family_id=family_id)
    except NotFound:
        if not getattr(actor, "is_therapist", False):
            raise
        grant = active_care_grant(therapist=actor, family_id=family_id)
        return grant.family, None, grant
    return membership.family, membership, None


def linked_therapists(*, family_id: int) -> QuerySet[User]:
    """The therapists the family's grants in force open it to."""
    granted = CareTeamGrant.objects.filter(grant_in_force(), family_id=family_id)
    return User.objects.filter(pk__in=granted.values("therapist_id"))


def child_member(*, actor: Actor, family_id: int, child_id: int) -> Membership:
    """A child of the family, for a parent of it: 404 when ``child_id`` is no child here."""
    family = access_family(actor=actor, family_id=family_id, require_parent=True)
    try:
        return Membership.objects.select_related("user", "family").get(
            family=family, user_id=child_id, role=Role.CHILD
        )
    except Membership.DoesNotExist:
        raise NotFound(code=ErrorCode.CHILD_NOT_FOUND) from None


def can_see_care_team(membership: Membership, *, today: dt.date | None = None) -> bool:
    """Parents always; children once 13 (or of unknown age: they signed up themselves)."""
    if membership.role == Role.PARENT:
        return True
    return membership.user.age_band(today=today) != AgeBand.UNDER_13


def family_invites(*, actor: Actor, family_id: int) -> QuerySet[Invite]:
    access_family(actor=actor, family_id=family_id, require_parent=True)
    return Invite.objects.filter(family_id=family_id).order_by("-created_at", "-id")


def care_families_for(therapist: Actor) -> QuerySet[CareTeamGrant]:
    """The families a verified therapist is currently granted, as grants with their family."""
    user_id = _user_id(therapist)
    if user_id is None:
        return CareTeamGrant.objects.none()
    return (
        CareTeamGrant.objects.filter(grant_in_force(), therapist_id=user_id)
        .select_related("family")
        .order_by("family__name", "id")
    )


def care_reader(actor: Actor) -> User:
    """The signed-in therapist, for their own care pages (the queue, the caseload): 403 with the
    code the PWA turns into the next step: ``not_a_therapist``, ``therapist_unverified`` (staff
    have not checked their claims yet), ``mfa_required``. These say nothing about any family."""
    if _user_id(actor) is None:
        raise NotFound()
    user: User = actor  # type: ignore[assignment]  # authenticated: a User
    if not user.is_therapist:
        raise Forbidden(_("These pages are for therapists."), code=ErrorCode.NOT_A_THERAPIST)
    if not user.is_verified_therapist:
        raise Forbidden(
            _("We are checking your registration; you will see families once verified."),
            code=ErrorCode.THERAPIST_UNVERIFIED,
        )
    if not has_mfa(user):
        raise Forbidden(
            _("Enrol a second factor (an authenticator app or a passkey) to see family data."),
            code=ErrorCode.MFA_REQUIRED,
        )
    return user


# --- The family screens a phone reloads most, as kept statements ------------------------------

# What a family's page shows of it (``FamilyOut``), besides the reader's role.
_FAMILY_COLUMNS = (
    "id",
    "name",
    "calm_down_minutes",
    "reminder_minutes",
    "reminders_enabled",
    "follow_up_days",
    "check_ins_enabled",
    "time_zone",
    "created_at",
)
_FAMILIES = KeptStatement(lambda: _families_with_role(_ACTOR).values(*_FAMILY_COLUMNS, "role"))
_FAMILY_OF_MEMBER = KeptStatement(
    lambda: (
        _families_with_role(_ACTOR)
        .filter(pk=_FAMILY)
        .order_by()  # one row
        .values(*_FAMILY_COLUMNS, "role")
    ),
)
# The family's members, parents first, only for one of them: the reader is a member, so no row
# means no access.
_MEMBERS = KeptStatement(
    lambda: (
        Membership.objects.filter(
            Exists(membership_of(user_id=_ACTOR, family_id=_FAMILY)), family_id=_FAMILY
        )
        .order_by("-role", "joined_at", "id")
        .values(
            "user_id",
            "user__display_name",
            "role",
            "user__birth_year",
            "user__is_child_profile",
            "joined_at",
            "details_opt_out",
        )
    ),
)
# The reader's membership of the family with the family's care team joined to it: each grant not
# revoked with its therapist when staff verified them (``grant_in_force``, split over the two
# joins' ON clauses). No row: not a member; a row with no verified therapist: no one (more) on
# the team.
_CARE_TEAM = KeptStatement(
    lambda: (
        membership_of(user_id=_ACTOR, family_id=_FAMILY)
        .annotate(
            grant=FilteredRelation(
                "family__care_team", condition=Q(family__care_team__revoked_at__isnull=True)
            ),
            verified_therapist=FilteredRelation(
                "grant__therapist", condition=verified_therapist("grant__therapist__")
            ),
        )
        .order_by("grant__granted_at", "grant__id")
        .values(
            "role",
            "grant__id",
            "grant__scope",
            "grant__granted_at",
            "verified_therapist__id",
            "verified_therapist__display_name",
        )
    ),
)
# The reader's own page: whether they have a second factor and their families with their role,
# in one statement: one row per family (in the order of ``families_for``), or one with none.
_ME = KeptStatement(
    lambda: (
        User.objects.filter(pk=_ACTOR)
        .order_by(*(f"memberships__family__{name}" for name in _FAMILY_ORDER))
        .values(
            "memberships__family_id",
            "memberships__family__name",
            "memberships__role",
            mfa=Exists(second_factors(OuterRef("pk"))),
        )
    ),
)


def family_list(*, actor: User) -> list[dict[str, Any]]:
    """``families_for`` by column, with the reader's ``role``."""
    return _FAMILIES.rows(actor=actor.pk)


def family_of_member(*, actor: User, family_id: int) -> dict[str, Any]:
    """A family the actor is a member of, by column with their ``role``; 404 otherwise."""
    rows = _FAMILY_OF_MEMBER.rows(actor=actor.pk, family=family_id)
    if not rows:
        raise NotFound(code=ErrorCode.FAMILY_NOT_FOUND)
    return rows[0]


def family_members(*, actor: User, family_id: int) -> list[dict[str, Any]]:
    """The family's members by column, parents first, for a member; 404 for anyone else."""
    rows = _MEMBERS.rows(family=family_id, actor=actor.pk)
    if not rows:
        raise NotFound(code=ErrorCode.FAMILY_NOT_FOUND)
    return rows


def care_team(*, actor: User, family_id: int) -> list[dict[str, Any]]:
    """The family's care team, first granted first, each grant by column (``id``,
    ``therapist_id``, ``therapist__display_name``, ``scope``, ``granted_at``): active grants to
    verified therapists, for members who may see it (``can_see_care_team``: 403
    ``age_restricted`` for younger children), 404 outside the family."""
    rows = _CARE_TEAM.rows(family=family_id, actor=actor.pk)
    if not rows:
        raise NotFound(code=ErrorCode.FAMILY_NOT_FOUND)
    membership = loaded(Membership, router.db_for_read(Membership), {"role": rows[0]["role"]})
    membership.user = actor  # the member is the actor: no query to load them again
    if not can_see_care_team(membership):
        raise Forbidden(
            _("Ask a parent who is on your family's care team."), code=ErrorCode.AGE_RESTRICTED
        )
    return [
        {
            "id": row["grant__id"],
            "therapist_id": row["verified_therapist__id"],
            "therapist__display_name": row["verified_therapist__display_name"],
            "scope": row["grant__scope"],
            "granted_at": row["grant__granted_at"],
        }
        for row in rows
        if row["verified_therapist__id"] is not None
    ]


def families_and_mfa(user: User) -> tuple[list[dict[str, Any]], bool]:
    """For the reader's own page: their families (``id``, ``name``, ``role``) as
    ``families_for`` orders them, and whether they have a second factor (``has_mfa``)."""
    rows = _ME.rows(actor=user.pk)
    families = [
        {
            "id": row["memberships__family_id"],
            "name": row["memberships__family__name"],
            "role": row["memberships__role"],
        }
        for row in rows
        if row["memberships__family_id"] is not None
    ]
    return families, bool(rows and rows[0]["mfa"])
