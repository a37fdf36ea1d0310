"""What ruptures hold about a person, for the account export and deletion, and an opt-out
(accounts.signals).

Export: the ruptures they are part of as they see them (``selectors.ruptures_of_party``: a parent
never gets one held for safety review, nobody one of a family they have left), the messages
they wrote, their notifications and push subscriptions.
Deletion: their ruptures stay for the other party with the author shown as a former member
(the foreign keys are SET_NULL); what only they could see (the private reflections of whoever
made it right) goes, and so do their prompts and notifications, except about ruptures under
safety review.
Erasing a child profile, dissolving a family and recording what touched a held flag go through
``ruptures.safety_reviews``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

from accounts.models import Membership, User
from ruptures import safety_reviews, selectors
from ruptures.models import Direction, Message, Notification, PushSubscription, RepairStep, Rupture


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_for(user: User) -> dict[str, Any]:
    mine = selectors.ruptures_of_party(user).prefetch_related("repair_steps")
    ruptures = []
    for rupture in mine.order_by("created_at"):
        is_parent = rupture.parent_id == user.pk
        repairs = (rupture.direction == Direction.CHILD_REPAIRS) != is_parent
        ruptures.append(
            {
                "id": rupture.pk,
                "family": rupture.family_id,
                "my_side": "parent" if is_parent else "child",
                "status": rupture.status,
                "started_by": rupture.started_by,
                "feelings": rupture.feelings,
                "intensity": rupture.intensity,
                "size": rupture.size,
                "need": rupture.need,
                "note": rupture.note,
                "occurred_at": _iso(rupture.occurred_at),
                "created_at": _iso(rupture.created_at),
                "reconnected_at": _iso(rupture.reconnected_at),
                "direction": rupture.direction,
                "plan": {"parent": rupture.plan_by_parent, "child": rupture.plan_by_child},
                "repair_steps": [
                    {"step": s.step, "done_at": _iso(s.done_at), "reflection": s.reflection}
                    for s in rupture.repair_steps.all()
                ]
                if repairs
                else [],
            }
        )
    return {
        "ruptures": ruptures,
        "messages_written": [
            {"rupture": m.rupture_id, "body": m.body, "created_at": _iso(m.created_at)}
            for m in Message.objects.filter(author=user).order_by("created_at", "pk")
        ],
        "notifications": [
            {
                "kind": n.kind,
                "title": n.title,
                "created_at": _iso(n.created_at),
                "read_at": _iso(n.read_at),
            }
            for n in Notification.objects.filter(recipient=user).order_by("created_at", "pk")
        ],
        "push_subscriptions": [
            {"endpoint": s.endpoint, "created_at": _iso(s.created_at)}
            for s in PushSubscription.objects.filter(user=user).order_by("created_at", "pk")
        ],
    }


def forget(user: User) -> None:
    """Inside the deletion's transaction, before the user row goes."""
    RepairStep.objects.filter(
        Q(rupture__parent=user, rupture__direction=Direction.PARENT_REPAIRS)
        | Q(rupture__child=user, rupture__direction=Direction.CHILD_REPAIRS)
    ).update(reflection="")
    safety_reviews.forget_person(user)


def on_account_exporting(sender: Any, user: User, **kwargs: Any) -> dict[str, Any]:
    return export_for(user)


def on_account_deleting(sender: Any, user: User, **kwargs: Any) -> None:
    forget(user)


def on_details_opted_out(sender: Any, membership: Membership, **kwargs: Any) -> None:
    """A child's new opt-out withholds the words they already wrote in that family too."""
    Rupture.objects.filter(family_id=membership.family_id, child_id=membership.user_id).update(
        words_withheld=True
    )


def on_child_profile_erasing(sender: Any, user: User, **kwargs: Any) -> None:
    safety_reviews.child_erase(user)


def on_family_holds(sender: Any, family_id: int, **kwargs: Any) -> bool:
    return safety_reviews.family_is_held(family_id)


def on_family_releasing(sender: Any, family_id: int, **kwargs: Any) -> None:
    safety_reviews.family_release(family_id)


def on_family_activity(
    sender: Any,
    family_ids: list[int],
    kind: str,
    actor_name: str,
    detail: str,
    user_id: int | None,
    now: dt.datetime,
    **kwargs: Any,
) -> None:
    safety_reviews.activity_record(
        family_ids=family_ids,
        kind=kind,
        actor_name=actor_name,
        detail=detail,
        user_id=user_id,
        now=now,
    )
