"""The in-app inbox and push subscriptions: reads scoped to their owner, and the few writes.

The inbox is the screen a phone reloads most: the API reads it a page at a time from a kept
statement (``familyrepair.statements``) built on the same rule (``inbox``).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import BigIntegerField, Count, Expression, F, QuerySet, Window
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from familyrepair.errors import ErrorCode, InvalidInput, NotFound
from familyrepair.statements import KeptList, KeptStatement, Slot
from ruptures.models import Notification, PushSubscription


def inbox(*, actor: User | Expression) -> QuerySet[Notification]:
    """Unread first, then newest first. (``actor`` may be an expression giving a user's id, as in
    a kept statement.)"""
    return Notification.objects.filter(recipient=actor).order_by(
        F("read_at").asc(nulls_first=True), "-created_at", "-id"
    )


# ``inbox`` with its total, the reader's id bound at each run.
_INBOX = KeptStatement(
    lambda: inbox(actor=Slot("actor", BigIntegerField())).values(
        "id",
        "kind",
        "rupture_id",
        "title",
        "body",
        "url",
        "created_at",
        "read_at",
        total=Window(Count("*")),
    ),
    paged=True,
)


def inbox_pages(*, actor: User) -> KeptList:
    """``inbox`` read a page at a time, each page with the count of the whole inbox from the same
    statement (``api.pagination.CountedPaginator``): each notification by column (``id``,
    ``kind``, ``rupture_id``, ``title``, ``body``, ``url``, ``created_at``, ``read_at``)."""
    return KeptList(_INBOX, actor=actor.pk)


@transaction.atomic
def notification_read(
    *, actor: User, notification_id: int, now: dt.datetime | None = None
) -> Notification:
    notification = Notification.objects.filter(recipient=actor, pk=notification_id).first()
    if notification is None:
        raise NotFound(_("No such notification."), code=ErrorCode.NOTIFICATION_NOT_FOUND)
    if notification.read_at is None:
        notification.read_at = now or timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_read_all(*, actor: User, now: dt.datetime | None = None) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )


@transaction.atomic
def push_subscription_save(
    *, actor: User, endpoint: str, p256dh: str, auth: str, user_agent: str = ""
) -> PushSubscription:
    """A browser (re)subscribing: one row per endpoint, moved to whoever subscribed it last."""
    if not endpoint.startswith("https://") and not endpoint.startswith("http://localhost"):
        raise InvalidInput(
            _("A push endpoint must be https."), code=ErrorCode.INVALID, param="endpoint"
        )
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={"user": actor, "p256dh": p256dh, "auth": auth, "user_agent": user_agent[:300]},
    )
    return subscription


@transaction.atomic
def push_subscription_delete(*, actor: User, endpoint: str) -> None:
    deleted, _by_model = PushSubscription.objects.filter(user=actor, endpoint=endpoint).delete()
    if not deleted:
        raise NotFound(_("No such push subscription."), code=ErrorCode.PUSH_SUBSCRIPTION_NOT_FOUND)
