"""Kombu's Redis transport, with one fix: a worker survives Redis going away mid-poll.

The crash it fixes ("Unrecoverable error: AttributeError: 'NoneType' object has no attribute
'hostname'", the worker exits): when Redis goes away while the worker waits in ``BRPOP``, Celery's
consumer (``on_connection_error_after_connected``) first calls ``connection.collect()``, which
closes the default channel, then drops the transport's link to its connection
(``transport.client = None``), then calls ``connection.close()``, which closes the same channel
again. The first close raised out of its pending ``BRPOP`` read (Redis is gone) before the channel
was marked closed, so the second close runs in full: it tries to give the unacknowledged messages
back to Redis, which needs a new connection pool, built from ``transport.client.hostname``, and
``transport.client`` is now None. An ``AttributeError`` is not a connection error, so kombu does
not swallow it and the worker dies (kombu 5.7.0, celery 5.7.0, redis-py 8.1.0).

Here a channel whose transport has lost its connection raises a Redis ``ConnectionError``
instead: kombu ignores that while closing, the consumer reconnects as for any lost broker, and
the messages it could not give back stay in Redis's unacked set, which restores them after the
visibility timeout (or are gone with a flushed Redis; the prompt rows and their leases cover that).

``register()`` (called by the Celery app) makes this the transport for ``redis://`` and
``redis+socket://`` broker URLs in this process.
"""

from __future__ import annotations

import logging
from typing import Any, cast

from kombu import transport as kombu_transport
from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError

log = logging.getLogger(__name__)


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous: bool = False) -> dict[str, Any]:
        transport = self.connection
        if transport is None or transport.client is None:
            log.warning(
                "broker connection already closed: unacknowledged messages are left to Redis's "
                "visibility timeout"
            )
            raise RedisConnectionError("the broker connection of this channel is closed")
        params: dict[str, Any] = cast(Any, super())._connparams(asynchronous=asynchronous)
        return params


class Transport(kombu_redis.Transport):
    Channel = Channel


def register() -> None:
    for alias in ("redis", "rediss"):
        kombu_transport.TRANSPORT_ALIASES[alias] = f"{__name__}:Transport"
        resolved: dict[str, object] = vars(kombu_transport)["_transport_cache"]
        resolved.pop(alias, None)  # resolved before this ran: resolve again
