"""Fixtures for the local servers (a plugin, listed in ``tests/conftest.py``).

- ``push_server``: a real Web Push service on loopback (``tests.support.push_server``).
- ``vapid_keys`` / ``webpush_settings``: a fresh VAPID pair, and the settings using it.
- ``smtp_server`` / ``smtp_settings``: a real SMTP server, and ``MAILERS`` pointing at it.
- ``private_redis``: a ``redis-server`` of the test's own, to restart or flush at will.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from ruptures.management.commands.generate_vapid_keys import VapidKeys, generate_vapid_keys
from tests.support.processes import RedisServer
from tests.support.push_server import PushServer
from tests.support.smtp_server import SmtpServer


@pytest.fixture
def vapid_keys() -> VapidKeys:
    return generate_vapid_keys()


@pytest.fixture
def push_server(vapid_keys: VapidKeys) -> Iterator[PushServer]:
    """Refuses any VAPID key but this test's, as a push service does for a subscription."""
    with PushServer(vapid_public_key=vapid_keys.public_key) as server:
        yield server


@pytest.fixture
def webpush_settings(settings: Settings, vapid_keys: VapidKeys) -> Settings:
    settings.WEBPUSH_VAPID_PUBLIC_KEY = vapid_keys.public_key
    settings.WEBPUSH_VAPID_PRIVATE_KEY = vapid_keys.private_key
    settings.WEBPUSH_VAPID_SUBJECT = "mailto:push-tests@familyrepair.localhost"
    return settings


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def smtp_settings(settings: Settings, smtp_server: SmtpServer) -> Settings:
    settings.MAILERS = smtp_server.mailers()
    return settings


@pytest.fixture
def private_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    # A short path: a Unix socket's path is limited to about 100 bytes.
    directory: Path = tmp_path_factory.mktemp("redis")
    server = RedisServer(directory).start()
    try:
        yield server
    finally:
        server.stop()
