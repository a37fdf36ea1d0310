"""What every authenticated request pays before its view runs: the session token's one read of
the session store, and the cache's kept Redis client. Counted as the commands go to the real
Redis, not timed."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import redis
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.utils import timezone

from tests.world import World, client_for

pytestmark = pytest.mark.django_db


@contextmanager
def redis_commands(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The Redis commands this process sends inside the block, by name, as they pass through
    redis-py to the real server (whose own statistics would count the other test workers too)."""
    sent: list[str] = []
    original = redis.Redis.execute_command

    def counting(self: redis.Redis, *args: Any, **options: Any) -> Any:
        sent.append(str(args[0]).lower())
        return original(self, *args, **options)

    with monkeypatch.context() as patch:
        patch.setattr(redis.Redis, "execute_command", counting)
        yield sent


def test_a_session_token_is_checked_with_one_read_of_the_session(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = client_for(world.parent, "app")
    app.get("/api/v1/feelings/")  # the session is in the cache from here on

    with redis_commands(monkeypatch) as commands:
        response = app.get("/api/v1/feelings/")

    assert response.status_code == 200
    assert commands == ["get"]


@pytest.mark.parametrize("token", ["", "short", "x" * 40, "../../etc/passwd"])
def test_an_unknown_or_malformed_token_is_401(world: World, token: str) -> None:
    app = client_for(None, "app")
    app.credentials(HTTP_X_SESSION_TOKEN=token)

    response = app.get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "not_authenticated"


def test_a_signed_out_token_is_401(world: World) -> None:
    app = client_for(world.parent, "app")
    assert app.get("/api/v1/me/").status_code == 200

    assert app.delete("/_allauth/app/v1/auth/session").status_code == 401  # allauth: signed out

    assert app.get("/api/v1/me/").status_code == 401


def test_an_expired_session_is_401_even_before_the_database_clears_it(world: World) -> None:
    app = client_for(None, "app")
    app.force_login(world.parent)
    token = app.cookies.pop(settings.SESSION_COOKIE_NAME).value
    app.credentials(HTTP_X_SESSION_TOKEN=token)
    assert app.get("/api/v1/me/").status_code == 200
    Session.objects.filter(session_key=token).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    cache.delete(f"django.contrib.sessions.cached_db{token}")  # as when the cache entry ran out

    response = app.get("/api/v1/me/")

    assert response.status_code == 401
    assert Session.objects.filter(session_key=token).exists()  # not yet cleared: still refused


def test_the_cache_builds_no_redis_client_per_call(monkeypatch: pytest.MonkeyPatch) -> None:
    cache.set("warm", 1)
    built: list[object] = []
    original = redis.Redis.__init__

    def counting_init(self: redis.Redis, *args: Any, **kwargs: Any) -> None:
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counting_init)
    for number in range(20):
        cache.set(f"kept-{number}", number)
        assert cache.get(f"kept-{number}") == number

    assert built == []
    assert settings.CACHES["default"]["BACKEND"] == "familyrepair.cache.RedisCache"


def test_allauths_user_payload_is_described_once_per_process(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = client_for(world.parent, "app")
    assert app.get("/_allauth/app/v1/auth/session").status_code == 200  # described from here on
    made: list[str] = []
    original = dataclasses.make_dataclass

    def counting(name: str, *args: Any, **kwargs: Any) -> Any:
        made.append(name)
        return original(name, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(dataclasses, "make_dataclass", counting)
        response = app.get("/_allauth/app/v1/auth/session")

    assert response.status_code == 200
    assert response.json()["data"]["user"]["id"] == world.parent.pk
    assert made == []
