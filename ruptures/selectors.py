"""Reads of ruptures, already scoped to what the actor may see.

A rupture is seen by its child and its parent while they are members of its family, except that
the parent never sees one held for safety review. A verified therapist with MFA and an active
``details`` grant sees the family's ruptures, except those withheld by the child's opt-out from
details (``Rupture.words_withheld``, kept with the record).
Anything else is not found, so ids leak nothing.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.models import CareScope, CareTeamGrant, Membership, User
from accounts.selectors import has_mfa
from familyrepair.errors import Forbidden, NotFound
from ruptures.models import Message, Party, Rupture, RuptureEvent, Status
from ruptures.states import Action, decide


def therapist_details_family_ids(therapist: User) -> QuerySet[CareTeamGrant, int]:
    """Families whose words this therapist may read: verified, MFA enrolled, ``details`` grant."""
    if not (therapist.is_verified_therapist and has_mfa(therapist)):
        return CareTeamGrant.objects.none().values_list("family_id", flat=True)
    return CareTeamGrant.objects.filter(
        therapist=therapist, scope=CareScope.DETAILS, revoked_at__isnull=True
    ).values_list("family_id", flat=True)


def ruptures_visible_to(actor: User) -> QuerySet[Rupture]:
    still_member = Exists(Membership.objects.filter(family=OuterRef("family"), user=actor))
    visible: Q = (Q(child=actor) | (Q(parent=actor) & ~Q(status=Status.SAFETY_REVIEW))) & Q(
        still_member
    )
    if actor.is_therapist:
        # The opt-out as it stood when the rupture was written (``words_withheld``), never the
        # live membership: a child who leaves or deletes their account keeps their words back.
        visible |= Q(family_id__in=therapist_details_family_ids(actor)) & Q(words_withheld=False)
    return Rupture.objects.filter(visible)


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
    ruptures = ruptures_visible_to(actor).select_related("child", "parent")
    if for_update:
        ruptures = ruptures.select_for_update(of=("self",))
    rupture = ruptures.filter(pk=rupture_id).first()
    if rupture is None:
        raise NotFound("No such rupture.", code="rupture_not_found")
    return rupture, party_of(rupture, actor)


def authorize_action(*, actor: User, rupture_id: int, action: Action) -> None:
    """Whether the actor may take ``action`` on the rupture, decided before its input is read:
    404 out of reach, 403 not a party (a therapist) or the wrong side, 409 the wrong state. The
    service decides again under its lock; this only keeps a 400 from answering first."""
    rupture, party = access_rupture(actor=actor, rupture_id=rupture_id)
    if party is None:
        raise Forbidden("Only the two people in it can do that.", code="not_a_party")
    decide(rupture, action, party)


def rupture_list(
    *, actor: User, status: str | None = None, family_id: int | None = None
) -> QuerySet[Rupture]:
    ruptures = ruptures_visible_to(actor)
    if status:
        ruptures = ruptures.filter(status=status)
    if family_id:
        ruptures = ruptures.filter(family_id=family_id)
    return ruptures.select_related("child", "parent").order_by("-created_at", "-id")


def rupture_detail(*, actor: User, rupture_id: int) -> tuple[Rupture, Party | None]:
    """One rupture with its timeline and repair steps in a fixed number of queries."""
    ruptures = (
        ruptures_visible_to(actor)
        .select_related("child", "parent")
        .prefetch_related(
            Prefetch("events", queryset=RuptureEvent.objects.select_related("actor")),
            "repair_steps",
        )
    )
    rupture = ruptures.filter(pk=rupture_id).first()
    if rupture is None:
        raise NotFound("No such rupture.", code="rupture_not_found")
    return rupture, party_of(rupture, actor)


def message_list(*, rupture: Rupture) -> QuerySet[Message]:
    return rupture.messages.select_related("author").order_by("created_at", "id")
