"""A worker survives Redis going away while it waits in BRPOP holding unacknowledged messages
(``familyrepair.broker``).

The sequence Celery's consumer runs when the broker connection breaks, against a real
``redis-server``: ``collect`` leaves the default channel half closed and drops the transport's
connection; ``close`` then closes that channel again. With kombu's own transport the
second close raises ``AttributeError: 'NoneType' object has no attribute 'hostname'``, which kills
the worker; with ours it is a connection error kombu ignores.
"""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from kombu import Connection
from kombu import transport as kombu_transport
from kombu.transport import redis as kombu_redis

from familyrepair import broker
from familyrepair.celery_app import app
from tests.support.processes import RedisServer

pytestmark = pytest.mark.processes  # a redis-server of its own
KOMBU_REDIS = "kombu.transport.redis:Transport"
TRANSPORT_CACHE: dict[str, object] = vars(kombu_transport)["_transport_cache"]


def break_mid_poll(connection: Connection, redis: RedisServer) -> None:
    """A worker's channels as Redis goes: the default one (the task consumer's) holding an
    unacknowledged message and waiting in BRPOP, another (say the control channel's) holding one
    too. Then the consumer's cleanup (``Consumer.on_connection_error_after_connected``)."""
    default: Any = connection.default_channel
    other: Any = connection.channel()
    for channel, queue in ((default, "drill"), (other, "control")):
        channel.queue_declare(queue)
        channel.basic_publish(channel.prepare_message("hello"), exchange="", routing_key=queue)
        assert channel.basic_get(queue, no_ack=False) is not None  # held, as acks_late holds it
    default.basic_consume("drill", False, lambda message: None, "drill-consumer")
    with pytest.raises(TimeoutError):
        connection.drain_events(timeout=0.2)
    assert default._in_poll  # BRPOP sent, its answer pending
    redis.stop()
    # collect() closes the default channel: its pending BRPOP read fails before it is marked
    # closed. It closes the others, newest first: the first one's restore fails and ends the loop.
    # Then it drops ``transport.client``. (The consumer ignores any exception from collect.)
    with contextlib.suppress(Exception):  # Celery's own handling: ignore and go on
        connection.collect(socket_timeout=1)
    assert not default.closed
    connection.close()  # closes the default channel again: its restore needs a new pool


def test_kombus_own_transport_dies_on_the_second_close(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bug, so that a kombu release that fixes it shows up here and ``broker.py`` can go."""
    monkeypatch.setitem(kombu_transport.TRANSPORT_ALIASES, "redis", KOMBU_REDIS)
    monkeypatch.delitem(TRANSPORT_CACHE, "redis", raising=False)
    redis = RedisServer(tmp_path_factory.mktemp("redis")).start()
    try:
        connection = Connection(redis.broker_url)
        assert type(connection.transport) is kombu_redis.Transport
        with pytest.raises(AttributeError, match="hostname"):
            break_mid_poll(connection, redis)
    finally:
        redis.stop()
        TRANSPORT_CACHE.pop("redis", None)


def test_ours_lets_the_consumer_reconnect(tmp_path_factory: pytest.TempPathFactory) -> None:
    redis = RedisServer(tmp_path_factory.mktemp("redis")).start()
    try:
        connection = app.connection_for_read(redis.broker_url)
        assert isinstance(connection.transport, broker.Transport)
        break_mid_poll(connection, redis)  # no AttributeError: a connection error, ignored

        redis.start()
        with app.connection_for_read(redis.broker_url) as again:
            again.ensure_connection(max_retries=3)
            channel: Any = again.default_channel
            assert channel.client.ping()
    finally:
        redis.stop()
