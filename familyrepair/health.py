"""Health of the parts the app cannot work without: database, Redis, and beat (through a worker).

Beat schedules ``familyrepair.heartbeat`` every ``BEAT_HEARTBEAT_SECONDS``; a worker runs it and
stamps Redis. A stamp older than three intervals means beat or every worker is down.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

BEAT_HEARTBEAT_KEY = "health:beat-heartbeat"


def record_beat_heartbeat(*, now: dt.datetime | None = None) -> None:
    stamp = (now or timezone.now()).timestamp()
    cache.set(BEAT_HEARTBEAT_KEY, stamp, timeout=settings.BEAT_HEARTBEAT_SECONDS * 10)


def check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure here means "down", whatever the driver raised
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "vendor": connection.vendor}


def check_redis() -> dict[str, Any]:
    try:
        cache.set("health:ping", "pong", timeout=10)
        ok = cache.get("health:ping") == "pong"
    except Exception as exc:  # connection refused, timeout, auth: all mean "down"
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": ok}


def check_beat(*, now: dt.datetime | None = None) -> dict[str, Any]:
    try:
        stamp = cache.get(BEAT_HEARTBEAT_KEY)
    except Exception as exc:  # Redis down: beat's state cannot be known
        return {"ok": False, "error": type(exc).__name__}
    if stamp is None:
        return {"ok": False, "error": "no_heartbeat"}
    age = (now or timezone.now()).timestamp() - float(stamp)
    limit = settings.BEAT_HEARTBEAT_SECONDS * 3
    return {"ok": age <= limit, "age_seconds": round(age, 1), "max_age_seconds": limit}


def report() -> tuple[bool, dict[str, Any]]:
    checks = {"database": check_database(), "redis": check_redis(), "beat": check_beat()}
    return all(c["ok"] for c in checks.values()), checks
