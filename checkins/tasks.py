"""Celery tasks for check-ins: thin, idempotent by row state."""

from __future__ import annotations

from celery import shared_task

from checkins import services


@shared_task(name="checkins.open_due_rounds", time_limit=120, soft_time_limit=100)
def open_due_rounds() -> int:
    return services.check_in_rounds_open_due()
