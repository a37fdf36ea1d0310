"""Reads of ruptures, already scoped to what the actor may see.

A rupture is seen by its child and its parent while they are members of its family, except that
the parent never sees one held for safety review. A verified therapist with MFA and an active
``details`` grant sees the family's ruptures, except those withheld by the child's opt-out from
details (``Rupture.words_withheld``, kept with the record); a verified therapist with MFA who
was sent the safety alert for a flag keeps that one flag while its review is open, whatever
happens to their grant (the opt-out still applies). Anything else is not found, so ids leak
nothing.

What a phone reloads most, the child's or parent's list of ruptures, a rupture's page and its
conversation, is read for a party with kept statements (``familyrepair.statements``) under the
same ``seen_as_party`` rule; a therapist (whose reach also depends on grants, MFA and alerts)
reads through the querysets.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import router
from django.db.models import (
    BigIntegerField,
    CharField,
    Count,
    Exists,
    Expression,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Window,
)
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
from accounts.selectors import can_see_care_team, family_membership, has_mfa, second_factors
from familyrepair.errors import ErrorCode, Forbidden, NotFound
from familyrepair.statements import CountedList, KeptStatement, Slot, loaded
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
    enrolled = second_factors(therapist.pk)
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


class RuptureRow(NamedTuple):
    """A list row as the database answers it (``api.ruptures.serializers.rupture_rows``): the
    rupture's own fields and the two people's names (None for a former member), no model."""

    id: int
    family_id: int
    status: str
    started_by: str
    direction: str
    child_id: int | None
    child_name: str | None
    parent_id: int | None
    parent_name: str | None
    feelings: list[str]
    intensity: int
    size: str
    need: str
    occurred_at: dt.datetime
    needs_space_until: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    acknowledged_at: dt.datetime | None
    reconnected_at: dt.datetime | None
    started_from_nudge: bool


def _name_of(side: str) -> Subquery:
    """A person's name as a subquery, not a join: PostgreSQL runs it for the page's rows only,
    after sorting, where a join ran for every row the whole list's count reads."""
    return Subquery(User.objects.filter(pk=OuterRef(side)).values("display_name"))


def _listed(
    ruptures: QuerySet[Rupture], *, status: str | Slot | None, family_id: int | Slot | None
) -> QuerySet[Rupture, tuple[Any, ...]]:
    """The list's rows (``RuptureRow`` and then the count of the whole list), newest first."""
    if status is not None:
        ruptures = ruptures.filter(status=status)
    if family_id is not None:
        ruptures = ruptures.filter(family_id=family_id)
    return (
        ruptures.annotate(
            child_name=_name_of("child_id"),
            parent_name=_name_of("parent_id"),
            listed=Window(Count("*")),
        )
        .order_by("-created_at", "-id")
        .values_list(*RuptureRow._fields, "listed")
    )


_ACTOR = Slot("actor", BigIntegerField())
_STATUS = Slot("status", CharField())
_FAMILY = Slot("family", BigIntegerField())
_RUPTURE = Slot("rupture", BigIntegerField())


@functools.cache
def _party_list(by_status: bool, by_family: bool) -> KeptStatement:
    """A child's or parent's list (``seen_as_party``), kept: the one every family's phone
    reloads. One statement for each combination of the two filters."""
    return KeptStatement(
        lambda: _listed(
            Rupture.objects.filter(seen_as_party(_ACTOR)),
            status=_STATUS if by_status else None,
            family_id=_FAMILY if by_family else None,
        ),
        paged=True,
    )


@dataclass(frozen=True)
class RuptureList(CountedList):
    """The ruptures the actor sees (``ruptures_visible_to``), newest first, read a page at a
    time: each page carries the count of the whole list, from the same statement. A child's or
    parent's list is a kept statement; a therapist's (who may also be a parent) is built for
    each request, as their visibility depends on their grants and second factor."""

    actor: User
    status: str | None = None
    family_id: int | None = None

    def counted_page(self, offset: int, limit: int) -> tuple[list[RuptureRow], int]:
        """The rows from ``offset`` and the count of the whole list (0 past its end)."""
        if self.actor.is_therapist:
            visible = ruptures_visible_to(self.actor).filter(pk__in=_within_reach(self.actor))
            listed = _listed(visible, status=self.status, family_id=self.family_id)
            rows = list(listed[offset : offset + limit])
        else:
            kept = _party_list(self.status is not None, self.family_id is not None)
            rows = kept.run(
                limit=limit,
                offset=offset,
                actor=self.actor.pk,
                status=self.status,
                family=self.family_id,
            )
        return [RuptureRow(*row[:-1]) for row in rows], rows[0][-1] if rows else 0


def _within_reach(therapist: User) -> QuerySet[Rupture, int]:
    """Every rupture a therapist could see at most: theirs as a child or parent, and those of
    each family that gave them ``details``, now or before (``alerted_to`` keeps a flag after a
    revoke). ``ruptures_visible_to`` still decides; this lets PostgreSQL start from the
    therapist's families through indexes, where the OR of its subqueries made it read every
    rupture (80 ms for 44,000 ruptures, 2 s once JIT compiled the plan)."""
    families = CareTeamGrant.objects.filter(therapist=therapist, scope=CareScope.DETAILS)
    return (
        Rupture.objects.filter(child=therapist)
        .values_list("pk", flat=True)
        .union(
            Rupture.objects.filter(parent=therapist).values_list("pk", flat=True),
            Rupture.objects.filter(family_id__in=families.values("family_id")).values_list(
                "pk", flat=True
            ),
            all=True,
        )
    )


def rupture_list(
    *, actor: User, status: str | None = None, family_id: int | None = None
) -> RuptureList:
    return RuptureList(actor=actor, status=status or None, family_id=family_id or None)


def as_ruptures(rows: Iterable[RuptureRow]) -> list[Rupture]:
    """Listed rows as ruptures that know their family and two people and load anything else
    when read, as ``.only()`` gives them: for the therapist's access log."""
    db = router.db_for_read(Rupture)
    fields = ["id", "family_id", "child_id", "parent_id"]
    return [
        Rupture.from_db(db, fields, (row.id, row.family_id, row.child_id, row.parent_id))
        for row in rows
    ]


# A rupture's timeline and conversation, oldest first.
_OLDEST_FIRST = ("created_at", "id")


def _timeline() -> QuerySet[RuptureEvent]:
    """Who did each thing, by name: not every column of their account."""
    return (
        RuptureEvent.objects.select_related("actor")
        .only(
            "rupture_id",
            "kind",
            "from_status",
            "to_status",
            "data",
            "created_at",
            "actor__display_name",
        )
        .order_by(*_OLDEST_FIRST)
    )


# What a rupture's page reads of its two people: their names, the child's age band and language
# (the repair guide's wording, the help lines), not every column of their accounts.
_PERSON_FIELDS = ("display_name", "locale", "birth_year")
_RUPTURE_FIELDS = tuple(f.name for f in Rupture._meta.concrete_fields)
_RUPTURE_ATTNAMES = [f.attname for f in Rupture._meta.concrete_fields]
_REVIEW_FIELDS = tuple(f.name for f in SafetyReview._meta.concrete_fields)
_REVIEW_ATTNAMES = [f.attname for f in SafetyReview._meta.concrete_fields]
# What it reads in all: the rupture, its hold, and its people.
_PAGE_FIELDS = (
    *_RUPTURE_FIELDS,
    *(f"safety_review__{name}" for name in _REVIEW_FIELDS),
    *(f"{side}__{name}" for side in ("child", "parent") for name in _PERSON_FIELDS),
)


def rupture_detail(*, actor: User, rupture_id: int) -> tuple[Rupture, Party | None]:
    """One rupture with its timeline and repair steps in a fixed number of queries."""
    ruptures = (
        ruptures_visible_to(actor)
        .filter(pk=rupture_id)
        .select_related("child", "parent", "safety_review")
        .only(*_PAGE_FIELDS)
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


def _seen_by_party() -> QuerySet[Rupture]:
    """The rupture, if the actor sees it as its child or parent (one row or none)."""
    return Rupture.objects.filter(seen_as_party(_ACTOR), pk=_RUPTURE).order_by()


# ``rupture_detail`` for a party: the rupture with its people and hold, once per repair step
# taken (at most six rows; one with no step before the first), then its timeline.
_PARTY_PAGE = KeptStatement(
    lambda: _seen_by_party().values(
        *_PAGE_FIELDS, "repair_steps__step", "repair_steps__done_at", "repair_steps__reflection"
    ),
)
_PARTY_TIMELINE = KeptStatement(
    lambda: (
        RuptureEvent.objects.filter(rupture_id=_RUPTURE)
        .order_by(*_OLDEST_FIRST)
        .values(
            "id",
            "kind",
            "actor_id",
            "actor__display_name",
            "from_status",
            "to_status",
            "data",
            "created_at",
        )
    ),
)
# The conversation with its rupture's visibility in one statement: no row when the rupture is
# out of reach, one row with no message when nobody has written yet.
_PARTY_CONVERSATION = KeptStatement(
    lambda: (
        _seen_by_party()
        .order_by(*(f"messages__{name}" for name in _OLDEST_FIRST))
        .values(
            "id",
            "messages__id",
            "messages__author_id",
            "messages__author__display_name",
            "messages__body",
            "messages__created_at",
        )
    ),
)


def rupture_detail_of_party(
    *, actor: User, rupture_id: int
) -> tuple[Rupture, Party | None, list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """``rupture_detail`` for its child or parent, from kept statements: the rupture (with its
    people and hold), the actor's side, its timeline (oldest first, each event by column:
    ``id``, ``kind``, ``actor_id``, ``actor__display_name``, ``from_status``, ``to_status``,
    ``data``, ``created_at``) and its repair steps by code (``done_at``, ``reflection``); 404
    out of the party's reach."""
    rows = _PARTY_PAGE.rows(actor=actor.pk, rupture=rupture_id)
    if not rows:
        raise NotFound(_("No such rupture."), code=ErrorCode.RUPTURE_NOT_FOUND)
    rupture = _page_rupture(rows[0])
    timeline = _PARTY_TIMELINE.rows(rupture=rupture.pk)
    steps = {
        row["repair_steps__step"]: {
            "done_at": row["repair_steps__done_at"],
            "reflection": row["repair_steps__reflection"],
        }
        for row in rows
        if row["repair_steps__step"] is not None
    }
    return rupture, party_of(rupture, actor), timeline, steps


def _page_rupture(row: dict[str, Any]) -> Rupture:
    """A Rupture as ``rupture_detail`` loads it (its people, with only the columns of
    ``_PAGE_FIELDS``, and its hold), from a kept row."""
    alias = router.db_for_read(Rupture)
    rupture = Rupture.from_db(alias, _RUPTURE_ATTNAMES, [row[name] for name in _RUPTURE_FIELDS])
    for side in ("child", "parent"):
        user_id = row[side]
        user = None
        if user_id is not None:
            person = {name: row[f"{side}__{name}"] for name in _PERSON_FIELDS}
            user = loaded(User, alias, {**person, "id": user_id})
        getattr(Rupture, side).field.set_cached_value(rupture, user)
    review = None
    if row["safety_review__id"] is not None:
        review = SafetyReview.from_db(
            alias, _REVIEW_ATTNAMES, [row[f"safety_review__{n}"] for n in _REVIEW_FIELDS]
        )
        SafetyReview.rupture.field.set_cached_value(review, rupture)
    Rupture.safety_review.related.set_cached_value(rupture, review)
    return rupture


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
        .order_by(*_OLDEST_FIRST)
    )


def messages_of_party(*, actor: User, rupture_id: int) -> list[dict[str, Any]]:
    """``message_list`` for the rupture's child or parent, from one kept statement: each
    message by column (``id``, ``rupture_id``, ``author_id``, ``author_name``, ``body``,
    ``created_at``); 404 out of the party's reach."""
    rows = _PARTY_CONVERSATION.rows(actor=actor.pk, rupture=rupture_id)
    if not rows:
        raise NotFound(_("No such rupture."), code=ErrorCode.RUPTURE_NOT_FOUND)
    return [
        {
            "id": row["messages__id"],
            "rupture_id": row["id"],
            "author_id": row["messages__author_id"],
            "author_name": row["messages__author__display_name"],
            "body": row["messages__body"],
            "created_at": row["messages__created_at"],
        }
        for row in rows
        if row["messages__id"] is not None
    ]
