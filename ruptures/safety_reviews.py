"""Safety reviews: the hold on a flag a child made because they feel unsafe, and who is told.

- ``review_open`` runs in the flag's transaction: one review per unsafe flag, with the names and
  emails of the two people as text (deletions never lose who was involved). With no therapist
  alerted, the safety team (``SAFETY_TEAM_EMAILS``) is emailed on commit.
- While a review is open the flag is held: nothing a family does removes it, its prompts and
  notifications, or the family's grant history and access log (the foreign keys PROTECT it, and
  the family deletions below keep it). Each family action that touches a held flag leaves a
  ``SafetyReviewActivity`` row, and the safety team is emailed about it. The action itself goes
  ahead, and looks to the family exactly as it would with nothing held.
- ``safety_review_close`` (staff in admin, or a therapist the flag was alerted to, from their
  queue: ``therapist_queue``) records the outcome as a rupture event. It never shows the flag to
  the named parent. Closed as "no safety concern", the child is asked in the app whether the
  parent may see it now (``rupture_release``, the child's alone); otherwise it stays held. What
  the family asked to erase meanwhile is purged afterwards (``held_records_release``, also run
  daily by beat).

Emails carry no names and none of the child's words: only ids and a link to the admin queue
(behind staff sign-in with MFA).
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CareScope, CareTeamGrant, User
from accounts.selectors import has_mfa
from accounts.services.common import name_of
from accounts.services.families import dissolved_families_purge
from familyrepair.errors import ErrorCode, Forbidden, InvalidInput, NotFound
from ruptures import prompts, states
from ruptures.models import (
    ActivityKind,
    EventKind,
    Notification,
    Prompt,
    PromptKind,
    PromptStatus,
    PushSubscription,
    Rupture,
    RuptureEvent,
    SafetyReview,
    SafetyReviewActivity,
)

logger = logging.getLogger(__name__)

NOTE_MAX = 4000


def open_reviews() -> QuerySet[SafetyReview]:
    return SafetyReview.objects.filter(closed_at__isnull=True)


def held_ruptures() -> QuerySet[Rupture]:
    """Ruptures under an open safety review."""
    return Rupture.objects.filter(Exists(open_reviews().filter(rupture=OuterRef("pk"))))


# --- opening ------------------------------------------------------------------------------------
def review_open(rupture: Rupture, *, now: dt.datetime) -> SafetyReview:
    """Inside the flag's transaction, after its prompts are scheduled."""
    child, parent = rupture.child, rupture.parent
    review = SafetyReview.objects.create(
        rupture=rupture,
        family_id=rupture.family_id,
        child_name=name_of(child),
        child_email=(child.email or "") if child else "",
        parent_name=name_of(parent),
        parent_email=(parent.email or "") if parent else "",
        opened_at=now,
    )
    alerted = Prompt.objects.filter(rupture=rupture, kind=PromptKind.SAFETY_ALERT).exists()
    if not alerted:
        review_id = review.pk
        transaction.on_commit(lambda: _enqueue("notify_safety_team", review_id))
    return review


def alerts_dropped(*, rupture_ids: list[int]) -> None:
    """Safety alerts about these flags were cancelled when due (the grant was revoked, the
    therapist unverified or without MFA). Where no alert about an open review is left to send or
    was sent, nobody would hear of the flag: the safety team is emailed instead, on commit."""
    live = Prompt.objects.filter(
        rupture=OuterRef("rupture"),
        kind=PromptKind.SAFETY_ALERT,
        status__in=[PromptStatus.PENDING, PromptStatus.CLAIMED, PromptStatus.SENT],
    )
    unheard = open_reviews().filter(rupture_id__in=rupture_ids, staff_notified_at__isnull=True)
    for review_id in unheard.exclude(Exists(live)).values_list("pk", flat=True):
        transaction.on_commit(partial(_enqueue, "notify_safety_team", review_id))


def _enqueue(task_name: str, *args: Any) -> None:
    from ruptures import tasks  # the tasks call back into this module

    getattr(tasks, task_name).delay(*args)


# --- what the family does to held records -------------------------------------------------------
def activity_record(
    *,
    family_ids: list[int],
    kind: str,
    actor_name: str,
    detail: str,
    user_id: int | None,
    now: dt.datetime,
) -> list[SafetyReviewActivity]:
    """One activity row per open review the action touches: every open review in the families,
    and, when a therapist's account goes, every open review they were alerted to."""
    if kind not in ActivityKind.values:
        raise ValueError(f"unknown safety review activity {kind!r}")
    touched = Q(family_id__in=family_ids)
    if kind == ActivityKind.THERAPIST_DELETED and user_id is not None:
        touched |= Q(
            Exists(
                Prompt.objects.filter(
                    rupture=OuterRef("rupture"), recipient_id=user_id, kind=PromptKind.SAFETY_ALERT
                )
            )
        )
    if kind == ActivityKind.CHILD_ERASED:
        SafetyReview.objects.filter(closed_at__isnull=True, rupture__child_id=user_id).update(
            erase_on_close=True
        )
    rows = [
        SafetyReviewActivity(
            review=review, kind=kind, actor_name=actor_name, detail=detail, created_at=now
        )
        for review in open_reviews().filter(touched).select_for_update().order_by("pk")
    ]
    created = SafetyReviewActivity.objects.bulk_create(rows)
    for row in created:
        transaction.on_commit(partial(_enqueue, "notify_safety_team_of_activity", row.pk))
    return created


def family_is_held(family_id: int) -> bool:
    return open_reviews().filter(family_id=family_id).exists()


def family_release(family_id: int) -> None:
    """Before a family is dissolved or purged: delete its ruptures that are not held (closed
    reviews and their activity go with their rupture), so only held records remain."""
    released = Rupture.objects.filter(family_id=family_id).exclude(
        Exists(open_reviews().filter(rupture=OuterRef("pk")))
    )
    _delete_ruptures(released)


def _delete_ruptures(ruptures: QuerySet[Rupture]) -> None:
    ids = list(ruptures.values_list("pk", flat=True))
    SafetyReviewActivity.objects.filter(review__rupture_id__in=ids).delete()
    SafetyReview.objects.filter(rupture_id__in=ids).delete()
    Notification.objects.filter(rupture_id__in=ids).delete()
    Rupture.objects.filter(pk__in=ids).delete()


def child_erase(child: User) -> None:
    """A child profile is being erased: its ruptures and everything about them go, except those
    held (they stay, without the profile, until their review closes)."""
    _delete_ruptures(Rupture.objects.filter(child=child).exclude(pk__in=held_ruptures()))
    forget_person(child)
    PushSubscription.objects.filter(user=child).delete()


def forget_person(user: User) -> None:
    """An account is going: its prompts and notifications go with it, except those about held
    ruptures (a therapist's safety alert stays, with the recipient gone)."""
    held = held_ruptures().values("pk")
    Notification.objects.filter(recipient=user).exclude(rupture__in=held).delete()
    Prompt.objects.filter(recipient=user).exclude(rupture__in=held).delete()


# --- the therapist's queue -----------------------------------------------------------------------
def therapist_queue(therapist: User) -> QuerySet[SafetyReview]:
    """Reviews of flags this therapist was sent the safety alert for, in a family whose care team
    they are on; while a review is open, also after a revocation if the grant was ``details``
    (as ``ruptures.selectors.alerted_to``). Open first, oldest first; then closed, newest first.
    The caller checks verification and MFA (``accounts.selectors.care_reader``)."""
    alerted = Prompt.objects.filter(
        rupture=OuterRef("rupture"),
        recipient=therapist,
        kind=PromptKind.SAFETY_ALERT,
        status=PromptStatus.SENT,
    )
    grants = CareTeamGrant.objects.filter(family=OuterRef("family"), therapist=therapist)
    on_team = Exists(grants.filter(revoked_at__isnull=True))
    kept = Q(closed_at__isnull=True) & Exists(grants.filter(scope=CareScope.DETAILS))
    return (
        SafetyReview.objects.filter(Exists(alerted))
        .filter(on_team | kept)
        .select_related("family", "rupture")
        .order_by(F("closed_at").desc(nulls_first=True), "opened_at", "id")
    )


def _may_review(actor: User, review: SafetyReview) -> bool:
    if actor.is_active and actor.is_staff:
        return True
    if not (actor.is_active and actor.is_verified_therapist and has_mfa(actor)):
        return False
    return therapist_queue(actor).filter(pk=review.pk).exists()


# --- closing ------------------------------------------------------------------------------------
@transaction.atomic
def safety_review_close(
    *,
    actor: User,
    review_id: int,
    outcome: str,
    note: str = "",
    now: dt.datetime | None = None,
) -> SafetyReview:
    """Staff, or a therapist whose queue holds it, close a review with an outcome and a note,
    recorded as a ``review_closed`` event on the rupture (``states.decide_review_close``). The
    rupture stays as it is: still hidden from the named parent. Closed as "no safety concern", the
    child is asked in the app whether the parent may see it now (a ``release_question`` prompt).

    404 ``safety_review_not_found`` (not a review the actor may close); 409
    ``safety_review_closed``; 400 ``invalid_choice`` / ``max_length``. What the family erased
    meanwhile is purged on commit.
    """
    now = now or timezone.now()
    review = (
        SafetyReview.objects.select_for_update(of=("self",))
        .select_related("rupture")
        .filter(pk=review_id)
        .first()
    )
    if review is None or not _may_review(actor, review):
        if not actor.is_staff and not actor.is_therapist:
            raise Forbidden(
                _("Only those who review safety close these."), code=ErrorCode.STAFF_ONLY
            )
        raise NotFound(code=ErrorCode.SAFETY_REVIEW_NOT_FOUND)
    rupture = review.rupture
    rupture.safety_review = review  # the locked row, for the state machine
    hold = states.decide_review_close(rupture, outcome)
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(
            _("At most %(count)d characters.") % {"count": NOTE_MAX},
            code=ErrorCode.MAX_LENGTH,
            param="note",
        )
    review.closed_at, review.outcome, review.note = now, outcome, note
    review.closed_by, review.closed_by_name = actor, name_of(actor)
    review.full_clean()
    review.save(update_fields=["closed_at", "outcome", "note", "closed_by", "closed_by_name"])
    RuptureEvent.objects.create(
        rupture=rupture,
        kind=EventKind.REVIEW_CLOSED,
        actor=actor,
        from_status=rupture.status,
        to_status=rupture.status,
        data={"outcome": outcome},
        created_at=now,
    )
    prompts.on_review_closed(rupture, releasable=hold == states.Hold.RELEASABLE, now=now)
    transaction.on_commit(lambda: _enqueue("release_held_records"))
    return review


@transaction.atomic
def held_records_release(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Purge what a closed review no longer holds: ruptures of children whose profile was erased,
    then dissolved families nothing holds any more. Safe to run any number of times; returns
    (ruptures, families) purged."""
    erased = Rupture.objects.filter(
        safety_review__erase_on_close=True, safety_review__closed_at__isnull=False
    )
    count = erased.count()
    _delete_ruptures(erased)
    return count, dissolved_families_purge(now=now)


# --- telling the safety team --------------------------------------------------------------------
def _admin_link(review: SafetyReview) -> str:
    path = reverse("admin:ruptures_safetyreview_change", args=[review.pk])
    return f"{settings.SITE_URL}{path}"


def _send_to_team(subject: str, lines: list[str]) -> bool:
    recipients = list(settings.SAFETY_TEAM_EMAILS)
    if not recipients:
        logger.error("safety team not emailed: SAFETY_TEAM_EMAILS is empty (%s)", subject)
        return False
    mail.send_mail(
        subject=f"[FamilyRepair] {subject}",
        message="\n\n".join(lines),
        from_email=None,
        recipient_list=recipients,
    )
    return True


def safety_team_notify_review(*, review_id: int, now: dt.datetime | None = None) -> str:
    """Email the safety team that a flag is under review with no therapist alerted. Idempotent
    by ``staff_notified_at``: a second run sends nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        review = SafetyReview.objects.select_for_update().filter(pk=review_id).first()
        if review is None or review.staff_notified_at is not None:
            return "already_notified"
        if review.closed_at is not None:
            return "closed"
        sent = _send_to_team(
            f"Safety review {review.pk}: a child asked for help, no therapist was alerted",
            [
                f"A child in family {review.family_id} said they feel unsafe "
                f"({review.opened_at:%Y-%m-%d %H:%M} UTC). No therapist linked to the family "
                "could be alerted, so nobody else has been told.",
                "The named parent is not told. Please review it in the safety queue:",
                _admin_link(review),
            ],
        )
        if not sent:
            return "no_recipients"
        review.staff_notified_at = now
        review.save(update_fields=["staff_notified_at"])
    return "sent"


def safety_team_notify_activity(*, activity_id: int, now: dt.datetime | None = None) -> str:
    """Email the safety team about a family action that touched a held flag. Idempotent by
    ``staff_notified_at``."""
    now = now or timezone.now()
    with transaction.atomic():
        activity = (
            SafetyReviewActivity.objects.select_for_update(of=("self",))
            .select_related("review")
            .filter(pk=activity_id)
            .first()
        )
        if activity is None or activity.staff_notified_at is not None:
            return "already_notified"
        review = activity.review
        sent = _send_to_team(
            f"Safety review {review.pk}: the family changed ({activity.get_kind_display()})",
            [
                f"In family {review.family_id}, something touched a flag under safety review: "
                f"{activity.get_kind_display()} ({activity.created_at:%Y-%m-%d %H:%M} UTC). "
                "The flag and its records are kept; the family was not told.",
                "See who and what in the safety queue:",
                _admin_link(review),
            ],
        )
        if not sent:
            return "no_recipients"
        activity.staff_notified_at = now
        activity.save(update_fields=["staff_notified_at"])
    return "sent"
