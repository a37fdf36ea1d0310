"""Accounts tasks: the retention sweep (scheduled daily by beat)."""

from __future__ import annotations

from celery import shared_task

from accounts.services.retention import expired_codes_purge


@shared_task(name="accounts.purge_expired_codes", time_limit=60, soft_time_limit=45)
def purge_expired_codes() -> None:
    expired_codes_purge()
