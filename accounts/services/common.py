"""Helpers every accounts service shares: who the actor is, the family lock, how a person is
named in records that outlive them, and telling safety reviewers what happened."""

from __future__ import annotations

import datetime as dt

from allauth.usersessions.adapter import get_adapter as get_usersessions_adapter
from allauth.usersessions.models import UserSession

from accounts.models import Family, User
from accounts.selectors import Actor
from accounts.signals import family_activity
from familyrepair.errors import NotFound


def require_user(actor: Actor) -> User:
    if not isinstance(actor, User) or not actor.is_authenticated:
        raise NotFound()
    return actor


def lock_family(family_id: int) -> Family:
    """Serialises membership and care-team changes of one family (who is the last parent? is
    this person a member or on the care team?)."""
    return Family.objects.select_for_update().get(pk=family_id)


def name_of(user: User | None) -> str:
    """How a person is named in records that must outlive their account."""
    if user is None:
        return ""
    return user.display_name or user.email or f"user {user.pk}"


def tell_reviewers(
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


def end_sessions(user: User) -> int:
    sessions = list(UserSession.objects.filter(user_id=user.pk))
    get_usersessions_adapter().end_sessions(sessions)
    return len(sessions)
