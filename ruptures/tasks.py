"""Celery tasks for prompts: thin, by id, idempotent by row state (the rules live in
``ruptures.delivery`` and ``ruptures.prompts``)."""

from __future__ import annotations

import time
from collections import Counter

from celery import shared_task
from django.conf import settings

from ruptures import delivery, safety_reviews


@shared_task(name="ruptures.dispatch_due_prompts", time_limit=60, soft_time_limit=50)
def dispatch_due_prompts() -> int:
    """Claim due prompts in batches until none are left, the workers have enough in flight, or
    the time budget is spent."""
    deadline = time.monotonic() + settings.PROMPT_DISPATCH_BUDGET_SECONDS
    claimed = 0
    while time.monotonic() < deadline:
        limit = min(settings.PROMPT_CLAIM_BATCH, delivery.claim_room())
        if limit <= 0:
            break
        batch = delivery.prompts_claim_due(limit=limit)
        claimed += batch
        if batch < limit:
            break
    return claimed


@shared_task(
    name="ruptures.deliver_prompts",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=60,
    soft_time_limit=45,
)
def deliver_prompts(prompt_ids: list[int], claim_token: str) -> dict[str, int]:
    """One batch of one claim (``PROMPT_DELIVER_BATCH`` ids at most); how many ended how."""
    outcomes = delivery.prompts_deliver(prompt_ids=prompt_ids, claim_token=claim_token)
    return dict(Counter(outcomes.values()))


# One prompt per task, as the sweep enqueued before batches: kept so that messages already queued
# when a new version starts are still delivered.
@shared_task(
    name="ruptures.deliver_prompt",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=60,
    soft_time_limit=45,
)
def deliver_prompt(prompt_id: int, claim_token: str) -> str:
    return delivery.prompt_deliver(prompt_id=prompt_id, claim_token=claim_token)


@shared_task(name="ruptures.notify_safety_team", acks_late=True, time_limit=60, soft_time_limit=45)
def notify_safety_team(review_id: int) -> str:
    return safety_reviews.safety_team_notify_review(review_id=review_id)


@shared_task(
    name="ruptures.notify_safety_team_of_activity",
    acks_late=True,
    time_limit=60,
    soft_time_limit=45,
)
def notify_safety_team_of_activity(activity_id: int) -> str:
    return safety_reviews.safety_team_notify_activity(activity_id=activity_id)


@shared_task(name="ruptures.release_held_records", time_limit=120, soft_time_limit=100)
def release_held_records() -> tuple[int, int]:
    return safety_reviews.held_records_release()
