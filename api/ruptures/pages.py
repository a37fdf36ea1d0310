"""A rupture's page and its conversation as its two people read them, from kept statements.

The child or parent of a rupture opens its page and conversation far more often than anything
else; the ORM spent more Python building and compiling those few statements than PostgreSQL
spent running them. So for a party the reads are kept statements (``familyrepair.statements``),
filtered by the same ``seen_as_party`` rule as ``ruptures.selectors.ruptures_visible_to``; a
therapist (whose access also depends on grants, MFA and alerts) reads through the selectors as
before.
"""

from __future__ import annotations

from typing import Any

from django.db import router
from django.db.models import BigIntegerField, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from familyrepair.errors import ErrorCode, NotFound
from familyrepair.statements import KeptStatement, Slot, loaded
from ruptures.models import Party, Rupture, RuptureEvent, SafetyReview
from ruptures.selectors import party_of, seen_as_party

ACTOR = Slot("actor", BigIntegerField())
RUPTURE = Slot("rupture", BigIntegerField())

_RUPTURE_FIELDS = tuple(f.name for f in Rupture._meta.concrete_fields)
_RUPTURE_ATTNAMES = [f.attname for f in Rupture._meta.concrete_fields]
_REVIEW_FIELDS = tuple(f.name for f in SafetyReview._meta.concrete_fields)
_REVIEW_ATTNAMES = tuple(f.attname for f in SafetyReview._meta.concrete_fields)
# What the page reads of its two people (as ``selectors.rupture_detail``): their names, the
# child's age band and language (the repair guide's wording, the help lines).
_PERSON_FIELDS = ("display_name", "locale", "birth_year")


def _of_party() -> QuerySet[Rupture]:
    return Rupture.objects.filter(seen_as_party(ACTOR), pk=RUPTURE).order_by()


def _page_rows() -> QuerySet[Rupture, dict[str, Any]]:
    """The rupture with its people and hold, once per repair step taken (at most six rows; one
    with no step before the first)."""
    rows: QuerySet[Rupture, dict[str, Any]] = _of_party().values(
        *_RUPTURE_FIELDS,
        *(f"safety_review__{name}" for name in _REVIEW_FIELDS),
        *(f"{side}__{name}" for side in ("child", "parent") for name in _PERSON_FIELDS),
        "repair_steps__step",
        "repair_steps__done_at",
        "repair_steps__reflection",
    )
    return rows


RUPTURE_PAGE = KeptStatement(_page_rows)
TIMELINE = KeptStatement(
    lambda: (
        RuptureEvent.objects.filter(rupture_id=RUPTURE)
        .order_by("created_at", "id")
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
CONVERSATION = KeptStatement(
    lambda: (
        _of_party()
        .order_by("messages__created_at", "messages__id")
        .values(
            "id",
            "family_id",
            "child_id",
            "parent_id",
            "messages__id",
            "messages__author_id",
            "messages__author__display_name",
            "messages__body",
            "messages__created_at",
        )
    ),
)


def rupture_page(
    *, actor: User, rupture_id: int
) -> tuple[Rupture, Party | None, list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """The rupture (with its people and hold), the actor's side, its timeline (oldest first,
    each entry by column) and its repair steps by code; 404 out of the party's reach."""
    rows = RUPTURE_PAGE.rows(actor=actor.pk, rupture=rupture_id)
    if not rows:
        raise NotFound(_("No such rupture."), code=ErrorCode.RUPTURE_NOT_FOUND)
    rupture = _rupture(rows[0])
    timeline = TIMELINE.rows(rupture=rupture.pk)
    steps = {
        row["repair_steps__step"]: {
            "done_at": row["repair_steps__done_at"],
            "reflection": row["repair_steps__reflection"],
        }
        for row in rows
        if row["repair_steps__step"] is not None
    }
    return rupture, party_of(rupture, actor), timeline, steps


def conversation(*, actor: User, rupture_id: int) -> list[dict[str, Any]]:
    """The rupture's messages, oldest first, each by column (``id``, ``author_id``,
    ``author_name``, ``body``, ``created_at``); 404 out of the party's reach."""
    rows = CONVERSATION.rows(actor=actor.pk, rupture=rupture_id)
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


def _rupture(row: dict[str, Any]) -> Rupture:
    """A Rupture as ``select_related("child", "parent", "safety_review")`` would give it, people
    with only the columns the page reads."""
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
            alias, list(_REVIEW_ATTNAMES), [row[f"safety_review__{n}"] for n in _REVIEW_FIELDS]
        )
        SafetyReview.rupture.field.set_cached_value(review, rupture)
    Rupture.safety_review.related.set_cached_value(rupture, review)
    return rupture
