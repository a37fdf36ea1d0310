"""Reads of ruptures, already scoped to what the actor may see.

A rupture is seen by its child and its parent while they are members of its family, except that
the parent never sees one held for safety review. A verified therapist with MFA and an active
``details`` grant sees the family's ruptures, except those withheld by the child's opt-out from
details (``Rupture.words_withheld``, kept with the record); a verified therapist with MFA who
was sent the safety alert for a flag keeps that one flag while its review is open, whatever
happens to their grant (the opt-out still applies). Anything else is not found, so ids leak
nothing.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.db.models import CharField, Exists, Expression, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from accounts.models import (
    CareScope,
    CareTeamGrant,
    Membership,
    Role,
    TherapistAccessLog,
    User,
)
from accounts.selectors import MFA_FACTORS, can_see_care_team, family_membership, has_mfa
from familyrepair.errors import ErrorCode, Forbidden, NotFound
from ruptures.models import (
    Message,
    Party,
    Prompt,
    PromptKind,
    PromptStatus,
    Rupture,
    RuptureEvent,
    SafetyReview,
    Status,
)
from ruptures.states import Action, decide


def therapist_details_family_ids(therapist: User) -> QuerySet[CareTeamGrant, int]:
    """Families whose words this therapist may read: verified, MFA enrolled, ``details`` grant."""
    if not (therapist.is_verified_therapist and has_mfa(therapist)):
        return CareTeamGrant.objects.none().values_list("family_id", flat=True)
    return CareTeamGrant.objects.filter(
        therapist=therapist, scope=CareScope.DETAILS, revoked_at__isnull=True
    ).values_list("family_id", flat=True)


def seen_as_party(actor: User | Expression) -> Q:
    """Its child, and its parent unless it is held for safety review, while still members of its
    family. (``actor`` may be an expression giving a user's id, as in a kept statement.)"""
    still_member = Exists(Membership.objects.filter(family=OuterRef("family"), user=actor))
    return (Q(child=actor) | (Q(parent=actor) & ~Q(status=Status.SAFETY_REVIEW))) & Q(still_member)


def ruptures_of_party(actor: User) -> QuerySet[Rupture]:
    """The ruptures the actor sees as their child or parent (not as a therapist)."""
    return Rupture.objects.filter(seen_as_party(actor))


def ruptures_visible_to(actor: User) -> QuerySet[Rupture]:
    visible = seen_as_party(actor)
    if actor.is_therapist:
        # The opt-out as it stood when the rupture was written (``words_withheld``), never the
        # live membership: a child who leaves or deletes their account keeps their words back.
        visible |= Q(family_id__in=therapist_details_family_ids(actor)) & Q(words_withheld=False)
        visible |= alerted_to(actor) & Q(words_withheld=False)
    return Rupture.objects.filter(visible)


def alerted_to(therapist: User) -> Q:
    """Flags under an open safety review that this therapist was sent the alert for, in a family
    that gave them ``details`` (their grant may since have been revoked): keeping a flag never
    widens what they could read."""
    if not therapist.is_verified_therapist:
        return Q(pk__in=[])
    enrolled = Authenticator.objects.filter(user_id=therapist.pk, type__in=MFA_FACTORS)
    had_details = CareTeamGrant.objects.filter(
        family=OuterRef("family"), therapist=therapist, scope=CareScope.DETAILS
    )
    alert = Prompt.objects.filter(
        rupture=OuterRef("pk"),
        recipient=therapist,
        kind=PromptKind.SAFETY_ALERT,
        status=PromptStatus.SENT,
    )
    under_review = SafetyReview.objects.filter(rupture=OuterRef("pk"), closed_at__isnull=True)
    return Q(Exists(enrolled), Exists(had_details), Exists(alert), Exists(under_review))


def access_log(*, actor: User, family_id: int) -> QuerySet[TherapistAccessLog]:
    """Therapists' reads of the family's data, newest first, for a member: only rows about what
    they can see themselves (a rupture visible to them through ``ruptures_visible_to``; rows about
    no one record, such as a dashboard view, for parents). So a child sees that a therapist read
    their flag, and a parent never sees a row about a flag hidden from them. Parents and members
    aged 13 or over (403 ``age_restricted`` for younger children, as for the care team)."""
    membership = family_membership(actor=actor, family_id=family_id)
    membership.user = actor  # the member is the actor: no query to load them again
    if not can_see_care_team(membership):
        raise Forbidden(
            _("Ask a parent who is on your family's care team."), code=ErrorCode.AGE_RESTRICTED
        )
    visible_ids = (
        ruptures_visible_to(actor)
        .filter(family_id=family_id)
        .annotate(object_key=Cast("pk", output_field=CharField()))
        .values("object_key")
    )
    mine = Q(object_type="rupture", object_id__in=visible_ids)
    if membership.role == Role.PARENT:
        mine |= Q(object_type="")
    return (
        TherapistAccessLog.objects.filter(mine, family_id=family_id)
        .select_related("therapist")
        .order_by("-created_at", "-id")
    )


def party_of(rupture: Rupture, actor: User) -> Party | None:
    """The actor's side of the rupture; None for a therapist reading it."""
    if rupture.child_id == actor.pk:
        return Party.CHILD
    if rupture.parent_id == actor.pk:
        return Party.PARENT
    return None


def access_rupture(
    *, actor: User, rupture_id: int, for_update: bool = False
) -> tuple[Rupture, Party | None]:
    ruptures = ruptures_visible_to(actor).filter(pk=rupture_id).order_by()  # one row
    if for_update:  # a write: its notices and prompts need the two people
        ruptures = ruptures.select_related("child", "parent", "safety_review")
        ruptures = ruptures.select_for_update(of=("self",))
    else:  # a check or a read: the state machine reads the hold, nothing of the people
        ruptures = ruptures.select_related("safety_review")
    rupture = next(iter(ruptures), None)
    if rupture is None:
        raise NotFound(_("No such rupture."), code=ErrorCode.RUPTURE_NOT_FOUND)
    return rupture, party_of(rupture, actor)


def authorize_action(*, actor: User, rupture_id: int, action: Action) -> None:
    """Whether the actor may take ``action`` on the rupture, decided before its input is read:
    404 out of reach, 403 not a party (a therapist) or the wrong side, 409 the wrong state. The
    service decides again under its lock; this only keeps a 400 from answering first."""
    rupture, party = access_rupture(actor=actor, rupture_id=rupture_id)
    if party is None:
        raise Forbidden(_("Only the two people in it can do that."), code=ErrorCode.NOT_A_PARTY)
    decide(rupture, action, party)


# What a list row shows (``api.ruptures.serializers.rupture_rows``): the rupture's own fields and
# the two people's names, not every column of three tables (a page of 20 rows spent more time
# building unused model fields than PostgreSQL spent finding them).
LIST_ROW_FIELDS = (
    "family_id",
    "status",
    "started_by",
    "direction",
    "feelings",
    "intensity",
    "size",
    "need",
    "occurred_at",
    "needs_space_until",
    "created_at",
    "updated_at",
    "acknowledged_at",
    "reconnected_at",
    "started_from_nudge",
    "child__display_name",
    "parent__display_name",
)


def rupture_list(
    *, actor: User, status: str | None = None, family_id: int | None = None
) -> QuerySet[Rupture]:
    ruptures = ruptures_visible_to(actor)
    if status:
        ruptures = ruptures.filter(status=status)
    if family_id:
        ruptures = ruptures.filter(family_id=family_id)
    return (
        ruptures.select_related("child", "parent")
        .only(*LIST_ROW_FIELDS)
        .order_by("-created_at", "-id")
    )


def _timeline() -> QuerySet[RuptureEvent]:
    """Who did each thing, by name: not every column of their account."""
    return RuptureEvent.objects.select_related("actor").only(
        "rupture_id",
        "kind",
        "from_status",
        "to_status",
        "data",
        "created_at",
        "actor__display_name",
    )


# What a rupture's page reads of its two people: their names, the child's age band and
# language (the repair guide's wording, the help lines), not every column of their accounts.
_PEOPLE_ON_A_RUPTURE = tuple(
    f"{side}__{field}"
    for side in ("child", "parent")
    for field in ("display_name", "locale", "birth_year")
)


def rupture_detail(*, actor: User, rupture_id: int) -> tuple[Rupture, Party | None]:
    """One rupture with its timeline and repair steps in a fixed number of queries."""
    ruptures = (
        ruptures_visible_to(actor)
        .filter(pk=rupture_id)
        .select_related("child", "parent", "safety_review")
        .only(
            *(f.name for f in Rupture._meta.concrete_fields),
            *(f"safety_review__{f.name}" for f in SafetyReview._meta.concrete_fields),
            *_PEOPLE_ON_A_RUPTURE,
        )
        .order_by()  # one row: no ordering to compile or run
        .prefetch_related(
            Prefetch("events", queryset=_timeline()),
            "repair_steps",
        )
    )
    rupture = next(iter(ruptures), None)
    if rupture is None:
        raise NotFound(_("No such rupture."), code=ErrorCode.RUPTURE_NOT_FOUND)
    return rupture, party_of(rupture, actor)


def plans_of_pair(
    *, actor: User, family_id: int, child_id: int | None = None, parent_id: int | None = None
) -> QuerySet[Rupture]:
    """ "Our plans": the ruptures in the family where the actor, as one of the two, made a plan
    with the other (either part said), newest plan first; ``child_id``/``parent_id`` narrow it
    to one pair. A plan is the pair's words: never a therapist's read (404 outside the family,
    as for anyone who is not a member), never a rupture held from a parent."""
    family_membership(actor=actor, family_id=family_id)
    ruptures = (
        ruptures_of_party(actor)
        .filter(family_id=family_id)
        .exclude(plan_by_parent="", plan_by_child="")
    )
    if child_id is not None:
        ruptures = ruptures.filter(child_id=child_id)
    if parent_id is not None:
        ruptures = ruptures.filter(parent_id=parent_id)
    return ruptures.select_related("child", "parent").order_by("-plan_updated_at", "-id")


def message_list(*, rupture: Rupture) -> QuerySet[Message]:
    return (
        rupture.messages.select_related("author")
        .only("rupture_id", "body", "created_at", "author__display_name")
        .order_by("created_at", "id")
    )
