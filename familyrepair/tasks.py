"""Project-level tasks: the beat heartbeat that /healthz reads."""

from __future__ import annotations

from celery import shared_task

from familyrepair import health


@shared_task(name="familyrepair.heartbeat", time_limit=10, soft_time_limit=5)
def heartbeat() -> None:
    health.record_beat_heartbeat()
