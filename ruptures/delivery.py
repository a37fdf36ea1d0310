"""Delivering due prompts: the beat sweep claims them, a task delivers each by id.

- ``prompts_claim_due`` takes due (or lease-expired) prompts with ``SELECT ... FOR UPDATE SKIP
  LOCKED``, gives each a fresh claim token and lease, and enqueues delivery on commit. Taking
  over an expired lease is logged: it is the only way a channel can see a repeat.
- ``prompt_deliver`` re-checks the prompt under its claim (still makes sense? quiet hours?),
  writes the in-app notification (unique per prompt), sends Web Push per subscription and falls
  back to email when no push got through, each channel recorded sending -> sent so it is never
  re-sent once sent; then finishes with a conditional update on its token.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import User
from ruptures import feelings, prompts, push
from ruptures.models import (
    Channel,
    DeliveryStatus,
    Notification,
    Party,
    Prompt,
    PromptDelivery,
    PromptKind,
    PromptStatus,
)
from ruptures.quiet_hours import quiet_until

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
PUSH_MAX_ATTEMPTS = 5
EMAIL_KINDS = {
    PromptKind.HEADS_UP,
    PromptKind.REPAIR_PROMPT,
    PromptKind.REMINDER,
    PromptKind.CONFIRM_PROMPT,
    PromptKind.NOT_YET,
    PromptKind.FOLLOW_UP,
    PromptKind.SAFETY_ALERT,
}


# --- words ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Content:
    title: str
    body: str
    url: str


def _name(user_name: str | None, fallback: str) -> str:
    return user_name or fallback


def render(prompt: Prompt) -> Content:
    """Warm, blame-free words. Never the child's own words: a lock screen is not private."""
    rupture = prompt.rupture
    child = _name(rupture.child.display_name if rupture.child else None, "Your child")
    parent = _name(rupture.parent.display_name if rupture.parent else None, "Your parent")
    felt = ", ".join(f["label"].lower() for f in feelings.describe(rupture.feelings))
    other = parent if prompt.recipient_id == rupture.child_id else child
    url = f"/#/ruptures/{rupture.pk}"
    kind = prompt.kind
    words: dict[str, tuple[str, str]] = {
        PromptKind.REPAIR_PROMPT: (
            f"Ready to make it right with {child}?",
            f"{child} felt {felt}. Start by calming yourself; the steps will guide you.",
        ),
        PromptKind.REMINDER: (
            f"A moment with {child} is still open",
            "Repair can happen any time. Even days later, it matters.",
        ),
        PromptKind.ACKNOWLEDGED: (f"{parent} saw what you shared", "They know how you felt."),
        PromptKind.MESSAGE: (f"{other} wrote to you", "Open FamilyRepair to read it."),
        PromptKind.CONFIRM_PROMPT: (
            f"{other} feels you two are OK again",
            "Do you feel that way too? It's fine to say 'not yet'.",
        ),
        PromptKind.NOT_YET: (
            f"{child} isn't OK yet",
            "That's alright. Keep the door open; there may be a note for you.",
        ),
        PromptKind.RECONNECTED: (f"You and {other} reconnected", "Repair is what matters. 💛"),
        PromptKind.FOLLOW_UP: (
            f"Are you and {other} still OK?",
            "A few days on: a quick check-in, nothing more.",
        ),
        PromptKind.SAFETY_ALERT: (
            "A family you support asked for safety help",
            f"A child in the {rupture.family.name} family said they feel unsafe. "
            "Please check in with the family.",
        ),
    }
    if kind == PromptKind.HEADS_UP:
        title, body = (
            (f"{child} flagged a moment with you",
             f"{child} felt {felt}. Take a breath first; we'll help you make it right.")
            if rupture.started_by == Party.CHILD
            else (f"{parent} wants to make something right with you",
                  "You don't have to do anything yet.")
        )  # fmt: skip
    else:
        title, body = words[kind]
    if kind == PromptKind.SAFETY_ALERT:
        url = "/#/inbox"  # a therapist's grant may not show the rupture; the alert itself does
    return Content(title=title[:120], body=body[:500], url=url)


# --- claiming -------------------------------------------------------------------------------------
def prompts_claim_due(
    *,
    now: dt.datetime | None = None,
    limit: int = 200,
    enqueue: Callable[[int, str], None] | None = None,
) -> int:
    """Claim up to ``limit`` due prompts and enqueue each for delivery once this commits.

    One locking SELECT and a few set-wide UPDATEs per batch (one claim token for the batch):
    the cost does not grow with a per-row CASE.
    """
    now = now or timezone.now()
    lease = dt.timedelta(seconds=settings.PROMPT_LEASE_SECONDS)
    token = uuid.uuid4()
    with transaction.atomic():
        due = list(
            Prompt.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=PromptStatus.PENDING, due_at__lte=now)
                | Q(status=PromptStatus.CLAIMED, lease_expires_at__lt=now)
            )
            .order_by("due_at", "id")
            .values_list("pk", "status", "attempts")[:limit]
        )
        worn_out = [pk for pk, _, attempts in due if attempts >= MAX_ATTEMPTS]
        reclaimed = [pk for pk, status, attempts in due
                     if status == PromptStatus.CLAIMED and attempts < MAX_ATTEMPTS]  # fmt: skip
        claimed = [pk for pk, _, attempts in due if attempts < MAX_ATTEMPTS]
        if worn_out:
            Prompt.objects.filter(pk__in=worn_out).update(
                status=PromptStatus.CANCELLED, cancelled_reason="too_many_attempts",
                claim_token=None, lease_expires_at=None,
            )  # fmt: skip
        for pk in reclaimed:
            log.warning("prompt lease reclaim: prompt=%s", pk)
        if reclaimed:
            Prompt.objects.filter(pk__in=reclaimed).update(reclaims=F("reclaims") + 1)
        if claimed:
            Prompt.objects.filter(pk__in=claimed).update(
                status=PromptStatus.CLAIMED, claim_token=token, lease_expires_at=now + lease,
                attempts=F("attempts") + 1,
            )  # fmt: skip
        send = enqueue or _enqueue_delivery
        transaction.on_commit(lambda: [send(pk, str(token)) for pk in claimed])
    return len(claimed)


def claim_room(*, now: dt.datetime | None = None) -> int:
    """How many more prompts may be claimed now. Claiming faster than workers deliver would only
    let leases run out in the queue and be claimed again: at most ``PROMPT_MAX_IN_FLIGHT`` live
    claims at once (size it to what the workers deliver within one lease)."""
    live = Prompt.objects.filter(
        status=PromptStatus.CLAIMED, lease_expires_at__gte=now or timezone.now()
    ).count()
    room: int = settings.PROMPT_MAX_IN_FLIGHT - live
    return max(0, room)


def _enqueue_delivery(prompt_id: int, claim_token: str) -> None:
    from ruptures.tasks import deliver_prompt

    deliver_prompt.delay(prompt_id, claim_token)


# --- delivering -----------------------------------------------------------------------------------
def _recipient(prompt: Prompt) -> User:
    """``prompts.pointless_because`` cancels a prompt whose recipient's account is gone first."""
    if prompt.recipient is None:
        raise LookupError(f"prompt {prompt.pk} has no recipient")
    return prompt.recipient


def _mine(prompt_id: int, token: str) -> Q:
    return Q(pk=prompt_id, claim_token=token, status=PromptStatus.CLAIMED)


def prompt_deliver(*, prompt_id: int, claim_token: str, now: dt.datetime | None = None) -> str:
    """Deliver one claimed prompt; returns what happened (for logs and tests)."""
    now = now or timezone.now()
    with transaction.atomic():
        prompt = (
            Prompt.objects.select_for_update(of=("self",))
            .select_related("recipient", "rupture__family", "rupture__child", "rupture__parent")
            .filter(_mine(prompt_id, claim_token))
            .first()
        )
        if prompt is None:
            return "not_claimed"
        reason = prompts.pointless_because(prompt)
        if reason:
            Prompt.objects.filter(_mine(prompt_id, claim_token)).update(
                status=PromptStatus.CANCELLED, cancelled_reason=reason, claim_token=None
            )
            return "cancelled"
        recipient = _recipient(prompt)
        if prompt.kind != PromptKind.SAFETY_ALERT:
            until = quiet_until(
                at=now,
                time_zone=recipient.time_zone,
                start=recipient.quiet_hours_start,
                end=recipient.quiet_hours_end,
            )
            if until is not None:
                Prompt.objects.filter(_mine(prompt_id, claim_token)).update(
                    status=PromptStatus.PENDING, due_at=until, claim_token=None,
                    lease_expires_at=None,
                )  # fmt: skip
                return "deferred"
        content = render(prompt)
        Notification.objects.get_or_create(
            prompt=prompt,
            defaults={
                "recipient": recipient,
                "rupture": prompt.rupture,
                "kind": prompt.kind,
                "title": content.title,
                "body": content.body,
                "url": content.url,
                "created_at": now,
            },
        )

    pushed, retry = _deliver_push(prompt, content, now=now)
    if not pushed and recipient.notify_email and recipient.email and prompt.kind in EMAIL_KINDS:
        _deliver_email(prompt, content, now=now)

    if retry and prompt.attempts < MAX_ATTEMPTS:
        backoff = dt.timedelta(seconds=30 * 2 ** (prompt.attempts - 1))
        Prompt.objects.filter(_mine(prompt_id, claim_token)).update(
            status=PromptStatus.PENDING, due_at=now + backoff, claim_token=None,
            lease_expires_at=None, last_error="push failed; retrying",
        )  # fmt: skip
        return "retry"
    with transaction.atomic():
        finished = Prompt.objects.filter(_mine(prompt_id, claim_token)).update(
            status=PromptStatus.SENT, sent_at=now, lease_expires_at=None
        )
        if finished:
            prompts.after_sent(prompt, now=now)
    return "sent" if finished else "lease_lost"


def _delivery(prompt: Prompt, channel: Channel, target: str) -> PromptDelivery:
    delivery, _ = PromptDelivery.objects.get_or_create(
        prompt=prompt, channel=channel, target=target,
        defaults={"status": DeliveryStatus.SENDING},
    )  # fmt: skip
    return delivery


def _start_sending(prompt: Prompt, delivery: PromptDelivery) -> None:
    """Mark the attempt before the network call, so a death mid-send is visible to the next."""
    if delivery.status == DeliveryStatus.SENDING and delivery.attempts > 0:
        Prompt.objects.filter(pk=prompt.pk).update(resumed=F("resumed") + 1)
        log.warning(
            "prompt delivery resumed after an interrupted attempt: prompt=%s channel=%s target=%s",
            prompt.pk, delivery.channel, delivery.target,
        )  # fmt: skip
    PromptDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, attempts=F("attempts") + 1
    )
    delivery.attempts += 1


def _deliver_push(prompt: Prompt, content: Content, *, now: dt.datetime) -> tuple[bool, bool]:
    """(some push got through, a failure is worth retrying)."""
    recipient = _recipient(prompt)
    if not (recipient.notify_push and push.configured()):
        return False, False
    payload = {
        "title": content.title,
        "body": content.body,
        "url": content.url,
        "tag": f"rupture-{prompt.rupture_id}",
        "kind": prompt.kind,
        "rupture": prompt.rupture_id,
    }
    delivered, retry = False, False
    for subscription in recipient.push_subscriptions.all():
        delivery = _delivery(prompt, Channel.PUSH, str(subscription.pk))
        if delivery.status not in (DeliveryStatus.SENDING, DeliveryStatus.RETRYING):
            delivered |= delivery.status == DeliveryStatus.SENT
            continue
        _start_sending(prompt, delivery)
        result = push.send(subscription, payload, topic=f"rupture-{prompt.rupture_id}")
        if result.ok:
            delivery.status, delivery.sent_at = DeliveryStatus.SENT, now
            subscription.last_success_at = now
            subscription.save(update_fields=["last_success_at"])
            delivered = True
        elif result.gone:
            delivery.status = DeliveryStatus.GONE
            subscription.delete()
        elif delivery.attempts >= PUSH_MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
        else:
            delivery.status = DeliveryStatus.RETRYING
            retry = True
        delivery.error, delivery.updated_at = result.error, now
        delivery.save(update_fields=["status", "sent_at", "error", "updated_at"])
    return delivered, retry


def _deliver_email(prompt: Prompt, content: Content, *, now: dt.datetime) -> None:
    delivery = _delivery(prompt, Channel.EMAIL, "email")
    if delivery.status == DeliveryStatus.SENT:
        return
    recipient = _recipient(prompt)
    context = {
        "recipient_name": recipient.display_name or "there",
        "title": content.title,
        "body": content.body,
        "link": f"{settings.SITE_URL}{content.url}",
        "language": recipient.locale,
    }
    with translation.override(recipient.locale):
        text = render_to_string("ruptures/email/prompt.txt", context)
        html = render_to_string("ruptures/email/prompt.html", context)
    _start_sending(prompt, delivery)
    mail.send_mail(
        subject=content.title,
        message=text,
        from_email=None,
        recipient_list=[recipient.email or ""],
        html_message=html,
    )
    PromptDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENT, sent_at=now, updated_at=now
    )
