"""The ``rig`` fixture: real processes for the fault tests, all stopped when the test ends."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from ruptures.management.commands.generate_vapid_keys import VapidKeys
from tests.prompts_fault.rig import CLAIM, LEASE_SECONDS, SWEEP_SECONDS, Rig
from tests.support.processes import RedisServer, celery_env, database_url
from tests.support.push_server import PushServer
from tests.support.smtp_server import SmtpServer


@pytest.fixture
def rig(
    transactional_db: None,
    private_redis: RedisServer,
    push_server: PushServer,
    smtp_server: SmtpServer,
    vapid_keys: VapidKeys,
    tmp_path: Path,
) -> Iterator[Rig]:
    env = celery_env(
        database_url=database_url(connection.settings_dict),
        redis_url=private_redis.url,
        data_dir=tmp_path,
        vapid_public_key=vapid_keys.public_key,
        vapid_private_key=vapid_keys.private_key,
        smtp_port=smtp_server.port,
        lease_seconds=LEASE_SECONDS,
        sweep_seconds=SWEEP_SECONDS,
        extra=CLAIM,
    )
    rig = Rig(env=env, directory=tmp_path, redis=private_redis, push=push_server, smtp=smtp_server)
    try:
        yield rig
    finally:
        rig.stop_all()
        print(f"process logs in {tmp_path}", file=sys.stderr)  # shown when the test failed
