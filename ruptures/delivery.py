"""Delivering due prompts: the beat sweep claims them, a task delivers them in batches by id.

- ``prompts_claim_due`` takes due (or lease-expired) prompts with ``SELECT ... FOR UPDATE SKIP
  LOCKED``, gives them one claim token and lease, and enqueues their delivery on commit, up to
  ``PROMPT_DELIVER_BATCH`` ids per task. Taking over an expired lease is logged: it is the only
  way a channel can see a repeat.
- ``prompts_deliver`` re-checks each prompt of a batch under its claim (still makes sense? quiet
  hours?), writes the batch's in-app notifications in one insert (unique per prompt), sends Web
  Push per subscription and falls back to email when no push got through, each channel recorded
  sending -> sent so it is never re-sent once sent; then finishes the batch with one conditional
  update on its token (in its first transaction, under its locks, for what needs neither push nor
  email). ``prompt_deliver`` is the same for one prompt.
- Quiet hours silence, they never hide: inside the recipient's window the in-app notice is
  written at once and the prompt waits, pending, for the window's end; then push and email go
  out, unless the recipient has seen the notice by then (read it, or acted on the rupture since).

The cost is per batch, not per prompt, wherever the rules allow: one locking SELECT, the rule
check (``prompts.pointless_because_many``: a query each for memberships, care-team grants and
second factors), one INSERT of notifications, one SELECT of subscriptions and of earlier
deliveries, one finishing UPDATE and the reminders sent prompts schedule
(``prompts.after_sent_many``: one SELECT, one INSERT). Pushes are marked ``sending`` before
their network calls and their results written after them a chunk at a time (``PUSH_CHUNK``): a
death in between is visible to the next attempt, which counts and logs each repeat as a resume.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import User
from checkins import words as check_in_words
from ruptures import feelings, prompts, push, reflection, safety_reviews
from ruptures.models import (
    CHECK_IN_KINDS,
    Channel,
    DeliveryStatus,
    Direction,
    Notification,
    Party,
    Prompt,
    PromptDelivery,
    PromptKind,
    PromptStatus,
    PushSubscription,
    Rupture,
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
    PromptKind.CHECK_IN,
}


# --- words ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Content:
    title: str
    body: str
    url: str


@functools.cache
def _translated(language: str | None, message: str) -> str:
    return gettext(message)


def _(message: str) -> str:
    """``gettext``, kept per (active language, message): a burst renders the same few dozen
    words for thousands of prompts, and a catalog lookup costs more than the rest of a prompt's
    words."""
    return _translated(translation.get_language(), message)


def _name(user_name: str | None, fallback: str) -> str:
    return user_name or fallback


def render(prompt: Prompt) -> Content:
    """Warm, blame-free words, in the recipient's language (``User.locale``) whichever process
    renders them. Never the child's own words: a lock screen is not private."""
    recipient = prompt.recipient
    with translation.override(recipient.locale if recipient else settings.LANGUAGE_CODE):
        return _render(prompt)


def _render(prompt: Prompt) -> Content:
    if prompt.kind == PromptKind.REFLECTION:
        return Content(
            title=_("A moment to look back on today"),
            body=_("Was there a moment today you'd like to make right?"),
            url="/#/reflection",
        )
    rupture = prompt.rupture
    if prompt.kind in CHECK_IN_KINDS or rupture is None:
        title, body, url = check_in_words.prompt_words(prompt.kind, prompt.check_in_round)
        return Content(title=title[:120], body=body[:500], url=url)
    child = _name(rupture.child.display_name if rupture.child else None, _("Your child"))
    parent = _name(rupture.parent.display_name if rupture.parent else None, _("Your parent"))
    felt = ", ".join(
        str(f["label"]).lower() for f in feelings.describe(rupture.feelings)
    )  # kept per language
    other = parent if prompt.recipient_id == rupture.child_id else child
    names = {"child": child, "parent": parent, "other": other, "felt": felt}
    url = f"/#/ruptures/{rupture.pk}"
    kind = prompt.kind
    if kind == PromptKind.HEADS_UP:
        starter = child if rupture.started_by == Party.CHILD else parent
        title, body = (
            (
                _("%(child)s flagged a moment with you") % names,
                _("%(child)s felt %(felt)s. Take a breath first; we'll help you make it right.")
                % names,
            )
            if rupture.started_by == Party.CHILD and rupture.direction == Direction.PARENT_REPAIRS
            else (
                _("%(starter)s wants to make something right with you") % {"starter": starter},
                _("You don't have to do anything yet."),
            )
        )
    else:
        # Only the prompt's own kind is translated: a burst renders thousands of prompts.
        title, body = _WORDS[kind](rupture, names)
    if kind == PromptKind.SAFETY_ALERT:
        url = "/#/inbox"  # a therapist's grant may not show the rupture; the alert itself does
    return Content(title=title[:120], body=body[:500], url=url)


def _release_question(rupture: Rupture, names: dict[str, str]) -> tuple[str, str]:
    # Neutral on purpose: a lock screen or a shared device may be seen by the parent.
    return (_("There's a question for you"), _("Open FamilyRepair when you're ready."))


def _follow_up(rupture: Rupture, names: dict[str, str]) -> tuple[str, str]:
    return (
        _("Are you and %(other)s still OK?") % names,
        _("A few days on: did your plan help? A quick check-in, nothing more.")
        if rupture.plan_by_parent or rupture.plan_by_child
        else _("A few days on: a quick check-in, nothing more."),
    )


# The words of each rupture prompt kind but the heads-up, given the rupture and the names in them.
_WORDS: dict[str, Callable[[Rupture, dict[str, str]], tuple[str, str]]] = {
    PromptKind.REPAIR_PROMPT: lambda rupture, names: (
        _("Ready to make it right with %(child)s?") % names,
        _("%(child)s felt %(felt)s. Start by calming yourself; the steps will guide you.") % names,
    ),
    PromptKind.REMINDER: lambda rupture, names: (
        _("A moment with %(child)s is still open") % names,
        _("Repair can happen any time. Even days later, it matters."),
    ),
    PromptKind.ACKNOWLEDGED: lambda rupture, names: (
        _("%(parent)s saw what you shared") % names,
        _("They know how you felt."),
    ),
    PromptKind.MESSAGE: lambda rupture, names: (
        _("%(other)s wrote to you") % names,
        _("Open FamilyRepair to read it."),
    ),
    PromptKind.CONFIRM_PROMPT: lambda rupture, names: (
        _("%(other)s feels you two are OK again") % names,
        _("Do you feel that way too? It's fine to say 'not yet'."),
    ),
    PromptKind.NOT_YET: lambda rupture, names: (
        _("%(other)s isn't OK yet") % names,
        _("That's alright. Keep the door open; there may be a note for you."),
    ),
    PromptKind.RECONNECTED: lambda rupture, names: (
        _("You and %(other)s reconnected") % names,
        _("Repair is what matters. 💛"),
    ),
    PromptKind.FOLLOW_UP: _follow_up,
    PromptKind.PLAN_ASK: lambda rupture, names: (
        _("What would help next time?"),
        _("%(other)s said what they'll try differently. Add your part to your plan, if you like.")
        % names,
    ),
    PromptKind.SAFETY_ALERT: lambda rupture, names: (
        _("A family you support asked for safety help"),
        _(
            "A child in the %(family)s family said they feel unsafe. "
            "Please check in with the family."
        )
        % {"family": rupture.family.name},
    ),
    PromptKind.RELEASE_QUESTION: _release_question,
}


# --- claiming -------------------------------------------------------------------------------------
# A claim that took everything due goes out as at least this many tasks (when it has that many
# prompts), so a small claim still spreads over the pool processes of every worker; a big one, or
# one cut short by its limit (a backlog: the workers are busy anyway), in tasks of
# ``PROMPT_DELIVER_BATCH``.
MIN_TASKS_PER_CLAIM = 4


def prompts_claim_due(
    *,
    now: dt.datetime | None = None,
    limit: int = 200,
    enqueue: Callable[[int, str], None] | None = None,
) -> int:
    """Claim up to ``limit`` due prompts and enqueue their delivery once this commits.

    One locking SELECT and a few set-wide UPDATEs per claim (one claim token for the claim):
    the cost does not grow with a per-row CASE. ``enqueue`` (tests, benchmarks) takes the prompts
    one by one instead of the batched delivery task.
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
        reclaimed = [
            pk
            for pk, status, attempts in due
            if status == PromptStatus.CLAIMED and attempts < MAX_ATTEMPTS
        ]
        claimed = [pk for pk, _, attempts in due if attempts < MAX_ATTEMPTS]
        if worn_out:
            Prompt.objects.filter(pk__in=worn_out).update(
                status=PromptStatus.CANCELLED,
                cancelled_reason="too_many_attempts",
                claim_token=None,
                lease_expires_at=None,
            )
        for pk in reclaimed:
            log.warning("prompt lease reclaim: prompt=%s", pk)
        if reclaimed:
            Prompt.objects.filter(pk__in=reclaimed).update(reclaims=F("reclaims") + 1)
        if claimed:
            Prompt.objects.filter(pk__in=claimed).update(
                status=PromptStatus.CLAIMED,
                claim_token=token,
                lease_expires_at=now + lease,
                attempts=F("attempts") + 1,
            )
        if enqueue is not None:
            send = enqueue
            transaction.on_commit(lambda: [send(pk, str(token)) for pk in claimed])
        elif claimed:
            spread = len(due) < limit  # nothing more is due: spread it for the shortest wait
            transaction.on_commit(lambda: _enqueue_batches(claimed, str(token), spread=spread))
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


def batches(prompt_ids: Sequence[int], *, size: int, spread: bool = True) -> list[list[int]]:
    """The claim cut into delivery tasks: at most ``size`` each, and, when ``spread``, at least
    ``MIN_TASKS_PER_CLAIM`` of them when there are that many prompts."""
    if not prompt_ids:
        return []
    if spread:
        size = min(size, -(-len(prompt_ids) // MIN_TASKS_PER_CLAIM))
    size = max(1, size)
    return [list(prompt_ids[i : i + size]) for i in range(0, len(prompt_ids), size)]


def _enqueue_batches(prompt_ids: Sequence[int], claim_token: str, *, spread: bool) -> None:
    from ruptures.tasks import deliver_prompts

    for batch in batches(prompt_ids, size=settings.PROMPT_DELIVER_BATCH, spread=spread):
        deliver_prompts.delay(batch, claim_token)


# --- delivering -----------------------------------------------------------------------------------
def _recipient(prompt: Prompt) -> User:
    """``prompts.pointless_because_many`` cancels a prompt whose recipient's account is gone
    first."""
    if prompt.recipient is None:
        raise LookupError(f"prompt {prompt.pk} has no recipient")
    return prompt.recipient


def _mine(prompt_ids: Sequence[int], token: str) -> Q:
    return Q(pk__in=list(prompt_ids), claim_token=token, status=PromptStatus.CLAIMED)


def prompt_deliver(*, prompt_id: int, claim_token: str, now: dt.datetime | None = None) -> str:
    """Deliver one claimed prompt; returns what happened (for logs and tests)."""
    return prompts_deliver(prompt_ids=[prompt_id], claim_token=claim_token, now=now)[prompt_id]


def prompts_deliver(
    *, prompt_ids: Sequence[int], claim_token: str, now: dt.datetime | None = None
) -> dict[int, str]:
    """Deliver the claimed prompts of one claim; what happened to each, by id: ``sent``,
    ``cancelled`` (pointless now), ``deferred`` (quiet hours: notified in-app, push and email
    wait), ``seen`` (finished without push or email: its notice was seen in quiet hours),
    ``retry`` (push failed; pending again with a backoff), ``lease_lost`` or ``not_claimed``
    (another claim has it, or it is done).

    The rules are those of one prompt, applied to each; a prompt is finished (``sent``) only by
    the holder of its claim token, so a batch whose lease ran out mid-way finishes nothing.
    """
    sent_at = now
    now = now or timezone.now()
    outcome = dict.fromkeys(prompt_ids, "not_claimed")
    mine = _mine(prompt_ids, claim_token)
    due: list[tuple[Prompt, Content]] = []
    with transaction.atomic():
        batch = list(
            Prompt.objects.select_for_update(of=("self",))
            .select_related(
                "recipient",
                "rupture__family",
                "rupture__child",
                "rupture__parent",
                "check_in_round__family",
                "notification",
            )
            .filter(mine)
            .order_by("pk")
        )
        cancelled: dict[str, list[int]] = defaultdict(list)
        deferred: dict[dt.datetime, list[int]] = defaultdict(list)
        notify: list[tuple[Prompt, Content]] = []  # in quiet hours: the in-app notice alone
        seen: list[Prompt] = []  # its notice was seen in quiet hours: nothing loud any more
        reasons = prompts.pointless_because_many(batch, now=now)
        for prompt in batch:
            reason = reasons[prompt.pk]
            if reason:
                cancelled[reason].append(prompt.pk)
                outcome[prompt.pk] = "cancelled"
                continue
            recipient = _recipient(prompt)
            notice = _notice(prompt)
            if prompt.kind != PromptKind.SAFETY_ALERT:
                until = quiet_until(
                    at=now,
                    time_zone=recipient.time_zone,
                    start=recipient.quiet_hours_start,
                    end=recipient.quiet_hours_end,
                )
                if until is not None and prompt.kind == PromptKind.REFLECTION:
                    cancelled["quiet_hours"].append(prompt.pk)  # never in them, nor the morning
                    outcome[prompt.pk] = "cancelled"
                    continue
                if until is not None:
                    # Quiet hours silence, they never hide: the in-app notice now, the loud
                    # channels when the window ends.
                    if notice is None:
                        notify.append((prompt, render(prompt)))
                    deferred[until].append(prompt.pk)
                    outcome[prompt.pk] = "deferred"
                    continue
            if notice is not None and _seen(prompt, notice):
                seen.append(prompt)
                continue
            due.append((prompt, render(prompt)))
        for reason, pks in cancelled.items():
            Prompt.objects.filter(mine, pk__in=pks).update(
                status=PromptStatus.CANCELLED, cancelled_reason=reason, claim_token=None
            )
        alerts_dropped = [
            p.rupture_id
            for p in batch
            if p.kind == PromptKind.SAFETY_ALERT
            and outcome[p.pk] == "cancelled"
            and p.rupture_id is not None
        ]
        if alerts_dropped:
            safety_reviews.alerts_dropped(rupture_ids=alerts_dropped)
        quiet_reflections = [
            p.recipient_id for p in batch if p.pk in cancelled.get("quiet_hours", [])
        ]
        if quiet_reflections:
            reflection.schedule_next([pk for pk in quiet_reflections if pk is not None], now=now)
        for until, pks in deferred.items():
            Prompt.objects.filter(mine, pk__in=pks).update(
                status=PromptStatus.PENDING, due_at=until, claim_token=None, lease_expires_at=None
            )
        if due or notify:
            # One per prompt (a one-to-one): a repeat attempt finds it there and adds nothing.
            Notification.objects.bulk_create(
                [_notification(prompt, content, now=now) for prompt, content in [*notify, *due]],
                ignore_conflicts=True,
            )
        # What needs nothing beyond the database (its notice seen, or in-app only) is finished in
        # this transaction, under the batch's locks: no second round for most of a burst.
        subscriptions = _push_subscriptions([prompt for prompt, _content in due])
        for prompt in seen:
            outcome[prompt.pk] = "seen"
        done = [*seen, *(p for p, _ in due if not _loud(p, subscriptions))]
        due = [(p, c) for p, c in due if _loud(p, subscriptions)]
        if done:
            _finish_locked(done, sent_at=sent_at, now=now, outcome=outcome)

    pushed, retry = _deliver_push(due, subscriptions, now=now)
    for prompt, content in due:
        if prompt.pk not in pushed and _emailed(prompt):
            _deliver_email(prompt, content, now=now)

    finish: list[Prompt] = []
    for prompt, _content in due:
        if prompt.pk in retry and prompt.attempts < MAX_ATTEMPTS:
            backoff = dt.timedelta(seconds=30 * 2 ** (prompt.attempts - 1))
            Prompt.objects.filter(mine, pk=prompt.pk).update(
                status=PromptStatus.PENDING,
                due_at=now + backoff,
                claim_token=None,
                lease_expires_at=None,
                last_error="push failed; retrying",
            )
            outcome[prompt.pk] = "retry"
        else:
            finish.append(prompt)
    if finish:
        with transaction.atomic():
            finished = set(
                Prompt.objects.select_for_update()
                .filter(mine, pk__in=[p.pk for p in finish])
                .values_list("pk", flat=True)
            )
            for prompt in finish:
                if prompt.pk not in finished:
                    outcome[prompt.pk] = "lease_lost"
            _finish_locked(
                [p for p in finish if p.pk in finished], sent_at=sent_at, now=now, outcome=outcome
            )
    return outcome


def _finish_locked(
    prompts_done: Sequence[Prompt],
    *,
    sent_at: dt.datetime | None,
    now: dt.datetime,
    outcome: dict[int, str],
) -> None:
    """Mark sent prompts this transaction holds locked under their claim token, and schedule
    what follows them (``prompts.after_sent_many``)."""
    if not prompts_done:
        return
    Prompt.objects.filter(pk__in=[p.pk for p in prompts_done]).update(
        status=PromptStatus.SENT, sent_at=sent_at or timezone.now(), lease_expires_at=None
    )
    for prompt in prompts_done:
        if outcome[prompt.pk] != "seen":
            outcome[prompt.pk] = "sent"
    prompts.after_sent_many(prompts_done, now=now)


def _emailed(prompt: Prompt) -> bool:
    """Whether the prompt goes by email when no push got through."""
    recipient = _recipient(prompt)
    return bool(recipient.notify_email and recipient.email and prompt.kind in EMAIL_KINDS)


def _loud(prompt: Prompt, subscriptions: dict[int, list[PushSubscription]]) -> bool:
    """Whether the prompt has a push or an email to send beyond its in-app notice."""
    return bool(subscriptions.get(_recipient(prompt).pk)) or _emailed(prompt)


def _push_subscriptions(due: Sequence[Prompt]) -> dict[int, list[PushSubscription]]:
    """The push subscriptions of the recipients who want push, by user, in one query (none when
    Web Push is not configured)."""
    wanted = {_recipient(p).pk for p in due if _recipient(p).notify_push}
    found: dict[int, list[PushSubscription]] = defaultdict(list)
    if not (wanted and push.configured()):
        return found
    for subscription in PushSubscription.objects.filter(user_id__in=wanted).order_by("pk"):
        found[subscription.user_id].append(subscription)
    return found


def _notice(prompt: Prompt) -> Notification | None:
    """The prompt's in-app notice if it has one (written in quiet hours, or by an attempt that
    did not finish); selected with the batch, so no query."""
    try:
        return prompt.notification
    except Notification.DoesNotExist:
        return None


def _seen(prompt: Prompt, notice: Notification) -> bool:
    """Whether the recipient has seen the notice by the time its loud channels are due: they
    read it, or acted on the rupture after it appeared (acknowledged or confirmed it)."""
    if notice.read_at is not None:
        return True
    rupture = prompt.rupture
    if rupture is None:
        return False
    if prompt.recipient_id == rupture.parent_id:
        acted = [rupture.acknowledged_at, rupture.parent_confirmed_at]
    elif prompt.recipient_id == rupture.child_id:
        acted = [rupture.child_confirmed_at]
    else:
        acted = []
    return any(at is not None and at >= notice.created_at for at in acted)


def _notification(prompt: Prompt, content: Content, *, now: dt.datetime) -> Notification:
    return Notification(
        prompt=prompt,
        recipient=_recipient(prompt),
        rupture=prompt.rupture,
        kind=prompt.kind,
        title=content.title,
        body=content.body,
        url=content.url,
        created_at=now,
    )


def _deliveries(
    channel: Channel, wanted: Sequence[tuple[int, str]]
) -> dict[tuple[int, str], PromptDelivery]:
    """The delivery rows for (prompt, target) pairs, made ``sending`` where there were none."""
    if not wanted:
        return {}
    prompt_ids = {pk for pk, _ in wanted}

    def existing() -> dict[tuple[int, str], PromptDelivery]:
        rows = PromptDelivery.objects.filter(prompt_id__in=prompt_ids, channel=channel)
        return {(row.prompt_id, row.target): row for row in rows}

    found = existing()
    missing = [key for key in wanted if key not in found]
    if missing:
        PromptDelivery.objects.bulk_create(
            [
                PromptDelivery(
                    prompt_id=pk, channel=channel, target=target, status=DeliveryStatus.SENDING
                )
                for pk, target in missing
            ],
            ignore_conflicts=True,  # a lease taken over mid-way: the other attempt made it
        )
        found = existing()
    return found


def _delivery(prompt: Prompt, channel: Channel, target: str) -> PromptDelivery:
    return _deliveries(channel, [(prompt.pk, target)])[(prompt.pk, target)]


def _start_sending(prompt: Prompt, delivery: PromptDelivery) -> None:
    _start_sending_many([(prompt, delivery)])


def _start_sending_many(sending: Sequence[tuple[Prompt, PromptDelivery]]) -> None:
    """Mark the attempts before the network calls (one UPDATE for them all), so a death mid-send
    is visible to the next attempt; a delivery already ``sending`` from an earlier attempt is a
    resume, counted on its prompt and logged."""
    if not sending:
        return
    resumed: Counter[int] = Counter()
    for prompt, delivery in sending:
        if delivery.status == DeliveryStatus.SENDING and delivery.attempts > 0:
            resumed[prompt.pk] += 1
            log.warning(
                "prompt delivery resumed after an interrupted attempt: "
                "prompt=%s channel=%s target=%s",
                prompt.pk,
                delivery.channel,
                delivery.target,
            )
    by_count: dict[int, list[int]] = defaultdict(list)
    for pk, count in resumed.items():
        by_count[count].append(pk)
    for count, pks in by_count.items():
        Prompt.objects.filter(pk__in=pks).update(resumed=F("resumed") + count)
    PromptDelivery.objects.filter(pk__in=[delivery.pk for _, delivery in sending]).update(
        status=DeliveryStatus.SENDING, attempts=F("attempts") + 1
    )
    for _prompt, delivery in sending:
        delivery.attempts += 1


# Pushes are marked ``sending`` and their results written this many at a time: two UPDATEs per
# chunk instead of two per push. A death mid-chunk repeats at most the chunk's pushes, each as a
# logged resume (the Topic header makes a repeat replace the first on the device).
PUSH_CHUNK = 25


def _deliver_push(
    due: Sequence[tuple[Prompt, Content]],
    subscriptions: dict[int, list[PushSubscription]],
    *,
    now: dt.datetime,
) -> tuple[set[int], set[int]]:
    """(prompts some push got through for, prompts a failure is worth retrying for)."""
    delivered: set[int] = set()
    retry: set[int] = set()
    targets = [(p, c, s) for p, c in due for s in subscriptions.get(_recipient(p).pk, [])]
    if not targets:
        return delivered, retry
    deliveries = _deliveries(Channel.PUSH, [(p.pk, str(s.pk)) for p, _, s in targets])
    sending: list[tuple[Prompt, Content, PushSubscription, PromptDelivery]] = []
    for prompt, content, subscription in targets:
        delivery = deliveries[(prompt.pk, str(subscription.pk))]
        if delivery.status in (DeliveryStatus.SENDING, DeliveryStatus.RETRYING):
            sending.append((prompt, content, subscription, delivery))
        elif delivery.status == DeliveryStatus.SENT:
            delivered.add(prompt.pk)
    gone: set[int] = set()
    succeeded: set[int] = set()
    for start in range(0, len(sending), PUSH_CHUNK):
        chunk = sending[start : start + PUSH_CHUNK]
        live = [(p, c, s, d) for p, c, s, d in chunk if s.pk not in gone]
        _start_sending_many([(p, d) for p, _, _s, d in live])
        # Sent a few at a time (the network waits overlap); the database work stays here.
        sent = push.send_many(
            [
                push.Push(
                    subscription=subscription,
                    payload={
                        "title": content.title,
                        "body": content.body,
                        "url": content.url,
                        "tag": _tag(prompt),
                        "kind": prompt.kind,
                        "rupture": prompt.rupture_id,
                    },
                    topic=_tag(prompt),
                )
                for prompt, content, subscription, _delivery in live
            ]
        )
        answers = {d.pk: r for (_p, _c, _s, d), r in zip(live, sent, strict=True)}
        results: dict[tuple[str, str], list[int]] = defaultdict(list)
        for prompt, _content, subscription, delivery in chunk:
            status: str
            # Gone: the push service said so earlier in this batch.
            result = answers.get(delivery.pk) or push.PushResult(
                ok=False, gone=True, error="subscription gone"
            )
            if result.ok:
                status = DeliveryStatus.SENT
                succeeded.add(subscription.pk)
                delivered.add(prompt.pk)
            elif result.gone:
                status = DeliveryStatus.GONE
                if subscription.pk not in gone:
                    gone.add(subscription.pk)
                    subscription.delete()
            elif delivery.attempts >= PUSH_MAX_ATTEMPTS:
                status = DeliveryStatus.FAILED
            else:
                status = DeliveryStatus.RETRYING
                retry.add(prompt.pk)
            results[(status, result.error)].append(delivery.pk)
        for (status, error), pks in results.items():
            PromptDelivery.objects.filter(pk__in=pks).update(
                status=status,
                sent_at=now if status == DeliveryStatus.SENT else None,
                error=error,
                updated_at=now,
            )
    if succeeded - gone:
        PushSubscription.objects.filter(pk__in=succeeded - gone).update(last_success_at=now)
    return delivered, retry


def _tag(prompt: Prompt) -> str:
    """Replaces an earlier notification on the device about the same thing."""
    if prompt.rupture_id is not None:
        return f"rupture-{prompt.rupture_id}"
    if prompt.check_in_round_id is not None:
        return f"check-in-{prompt.check_in_round_id}"
    return str(prompt.kind)


def _deliver_email(prompt: Prompt, content: Content, *, now: dt.datetime) -> None:
    delivery = _delivery(prompt, Channel.EMAIL, "email")
    if delivery.status == DeliveryStatus.SENT:
        return
    recipient = _recipient(prompt)
    context = {
        "recipient_name": recipient.display_name,
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
