"""/healthz answers 200 only when the database, Redis and beat's heartbeat are all up."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from familyrepair import health
from familyrepair.tasks import heartbeat

pytestmark = pytest.mark.django_db


def test_without_a_heartbeat_health_is_503(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False
    assert body["database"]["ok"] is True
    assert body["redis"]["ok"] is True
    assert body["beat"] == {"ok": False, "error": "no_heartbeat"}


def test_after_the_heartbeat_task_health_is_200(client: Client) -> None:
    heartbeat()

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["ok"] is True
    assert response.json()["beat"]["ok"] is True


def test_a_stale_heartbeat_means_beat_is_down(client: Client) -> None:
    health.record_beat_heartbeat(now=timezone.now() - dt.timedelta(minutes=5))

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["beat"]["ok"] is False


def test_redis_down_is_503(client: Client, tmp_path: Path) -> None:
    unreachable = {
        "default": {
            "BACKEND": "familyrepair.cache.RedisCache",
            "LOCATION": f"unix://{tmp_path}/nothing-listens-here.sock",
        }
    }
    with override_settings(CACHES=unreachable):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["redis"]["ok"] is False
    assert response.json()["beat"]["ok"] is False


def test_health_rejects_writes(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
