"""Housekeeping for HTTP-level records."""

from __future__ import annotations

from celery import shared_task

from api import idempotency


@shared_task(name="api.purge_idempotency_keys", time_limit=300, soft_time_limit=240)
def purge_idempotency_keys() -> int:
    return idempotency.purge_expired()
