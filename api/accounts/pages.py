"""The family screens a phone reloads most (its members, its care team, the reader's own page),
read with kept statements (``familyrepair.statements``) under the same rules as
``accounts.selectors``.

Each is a household's few rows: the whole list is read and paginated in Python, with the same
``{count, next, previous, results}`` and the same 404 past the last page as the ORM's pages.
"""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.db import router
from django.db.models import BigIntegerField, Exists, F, OuterRef
from django.utils.translation import gettext as _

from accounts.models import CareTeamGrant, Family, Membership, User
from accounts.selectors import MFA_FACTORS, can_see_care_team
from familyrepair.errors import ErrorCode, Forbidden, NotFound
from familyrepair.statements import KeptStatement, Slot, loaded

ACTOR = Slot("actor", BigIntegerField())
FAMILY = Slot("family", BigIntegerField())


def _is_member() -> Exists:
    return Exists(Membership.objects.filter(family_id=FAMILY, user_id=ACTOR))


# The family's members, parents first (``selectors.family_members``), only for one of them: the
# reader is a member, so no row means no access.
MEMBERS = KeptStatement(
    lambda: (
        Membership.objects.filter(_is_member(), family_id=FAMILY)
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
MEMBERSHIP = KeptStatement(
    lambda: (
        Membership.objects.filter(family_id=FAMILY, user_id=ACTOR)
        .order_by()
        .values("id", "family_id", "user_id", "role")
    ),
)
# Active grants to verified therapists (``selectors.care_team``).
CARE_TEAM = KeptStatement(
    lambda: (
        CareTeamGrant.objects.filter(
            family_id=FAMILY,
            revoked_at__isnull=True,
            therapist__therapist_verified_at__isnull=False,
        )
        .order_by("granted_at", "id")
        .values("id", "therapist_id", "therapist__display_name", "scope", "granted_at")
    ),
)
# What ``FamilyOut`` shows of a family, with the reader's role in it.
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
# The reader's families with their role (``selectors.families_for``).
FAMILIES = KeptStatement(
    lambda: (
        Family.objects.filter(memberships__user_id=ACTOR)
        .order_by("name", "id")
        .values(*_FAMILY_COLUMNS, role=F("memberships__role"))
    ),
)
# One of them (``selectors.family_membership``'s family).
FAMILY_OF_MEMBER = KeptStatement(
    lambda: (
        Family.objects.filter(memberships__user_id=ACTOR, pk=FAMILY)
        .order_by()
        .values(*_FAMILY_COLUMNS, role=F("memberships__role"))
    ),
)
# The reader's own page: whether they have a second factor (``selectors.has_mfa``) and their
# families with their role, by name (``selectors.families_for``), in one statement: one row per
# family, or one with no family.
ME = KeptStatement(
    lambda: (
        User.objects.filter(pk=ACTOR)
        .order_by("memberships__family__name", "memberships__family_id")
        .values(
            "memberships__family_id",
            "memberships__family__name",
            "memberships__role",
            mfa=Exists(Authenticator.objects.filter(user_id=OuterRef("pk"), type__in=MFA_FACTORS)),
        )
    ),
)


def members(*, actor: User, family_id: int) -> list[dict[str, Any]]:
    """The family's members by column, for a member; 404 for anyone else."""
    rows = MEMBERS.rows(family=family_id, actor=actor.pk)
    if not rows:
        raise NotFound(code=ErrorCode.FAMILY_NOT_FOUND)
    return rows


def care_team(*, actor: User, family_id: int) -> list[dict[str, Any]]:
    """The family's active care team by column, for members aged 13 or over (403
    ``age_restricted`` for younger children, 404 outside the family)."""
    rows = MEMBERSHIP.rows(family=family_id, actor=actor.pk)
    if not rows:
        raise NotFound(code=ErrorCode.FAMILY_NOT_FOUND)
    membership = loaded(Membership, router.db_for_read(Membership), rows[0])
    membership.user = actor  # the member is the actor: no query to load them again
    if not can_see_care_team(membership):
        raise Forbidden(
            _("Ask a parent who is on your family's care team."), code=ErrorCode.AGE_RESTRICTED
        )
    return CARE_TEAM.rows(family=family_id)


def families(user: User) -> list[dict[str, Any]]:
    """The reader's families by column, with their ``role``, by name."""
    return FAMILIES.rows(actor=user.pk)


def family_of_member(*, actor: User, family_id: int) -> dict[str, Any]:
    """A family the actor is a member of, by column with their ``role``; 404 otherwise."""
    rows = FAMILY_OF_MEMBER.rows(actor=actor.pk, family=family_id)
    if not rows:
        raise NotFound(code=ErrorCode.FAMILY_NOT_FOUND)
    return rows[0]


def me(user: User) -> tuple[list[dict[str, Any]], bool]:
    """The reader's families (``id``, ``name``, ``role``) by name, and whether they have a
    second factor enrolled (TOTP or a passkey)."""
    rows = ME.rows(actor=user.pk)
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
