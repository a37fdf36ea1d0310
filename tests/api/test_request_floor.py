"""What every authenticated request pays before its view runs: the session token's one read of
the session store, and the cache's kept Redis client. Counted on the real Redis
(``INFO commandstats``), not timed."""

from __future__ import annotations

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


def _commands() -> dict[str, int]:
    stats: dict[str, Any] = cache._cache.get_client().info("commandstats")  # type: ignore[attr-defined]  # RedisCache's client
    return {name.removeprefix("cmdstat_"): int(value["calls"]) for name, value in stats.items()}


@contextmanager
def redis_commands() -> Iterator[dict[str, int]]:
    """The Redis commands run inside the block, by name (this test's database shares the
    server with no one else while it runs)."""
    counted: dict[str, int] = {}
    before = _commands()
    yield counted
    after = _commands()
    counted.update({name: after[name] - before.get(name, 0) for name in after})
    counted.pop("info", None)
    for name in [name for name, calls in counted.items() if calls == 0]:
        del counted[name]


def test_a_session_token_is_checked_with_one_read_of_the_session(world: World) -> None:
    app = client_for(world.parent, "app")
    app.get("/api/v1/feelings/")  # the session is in the cache from here on

    with redis_commands() as commands:
        response = app.get("/api/v1/feelings/")

    assert response.status_code == 200
    assert commands == {"get": 1}


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
