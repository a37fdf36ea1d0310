"""Django's PostgreSQL backend, with a health check that asks the socket before the server.

With ``CONN_HEALTH_CHECKS`` Django runs ``SELECT 1`` on a persistent connection at the first query
of every request, so that a connection PostgreSQL closed (a restart, ``pg_terminate_backend``, an
idle timeout) is replaced instead of failing the request. That is a round trip to the server on
every request, for an answer the socket usually already has: an idle connection has nothing to
read, and a server that ends a backend sends its goodbye and closes the socket, which makes it
readable. So a quiet socket counts as healthy, and only a readable or hung-up one is checked with
Django's ``SELECT 1`` (which also keeps a connection that merely received a stray notice). Not
caught, as before: a peer that vanished without closing (a cut network), where ``SELECT 1`` would
have waited for TCP to time out. Drivers such as Go's MySQL one check a pooled connection this way.
"""

from __future__ import annotations

import select

import psycopg
from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    health_check_enabled: bool  # set by Django on connect; missing from django-stubs
    health_check_done: bool

    def close_if_health_check_failed(self) -> None:
        if (
            self.pool
            or self.connection is None
            or not self.health_check_enabled
            or self.health_check_done
        ):
            return
        if not self.socket_is_quiet() and not self.is_usable():
            self.close()
        self.health_check_done = True

    def socket_is_quiet(self) -> bool:
        """True when the idle connection is open and the server has sent nothing since the last
        answer: what a healthy connection between two requests looks like."""
        connection = self.connection
        if connection is None or connection.closed:
            return False
        if connection.pgconn.status != pq.ConnStatus.OK:
            return False
        try:
            poller = select.poll()
            poller.register(connection.pgconn.socket, select.POLLIN)  # HUP and ERR always count
            return not poller.poll(0)
        except (OSError, ValueError, psycopg.OperationalError):  # no socket: lost
            return False
