"""Reads from a PostgreSQL streaming replica, opt-in per selector.

With ``DATABASE_REPLICA_URL`` set, settings add a ``replica`` database and ``ReplicaRouter``
sends the reads made inside ``replica_reads()`` to it; everything else, every write, and every
read outside that block go to ``default`` (the primary). Without it, ``replica_reads()`` changes
nothing, so code that opts in runs the same on one database.

Opt in only for reads that may be a moment stale and are not read back after a write in the same
request: a replica replays the primary's WAL a little later (milliseconds on a quiet LAN), and a
read inside a transaction that goes to the replica does not see that transaction's writes. The
therapist dashboard's lists are the case in point: ``with replica_reads(): ...`` around the
selector calls of that view (or ``queryset.using(replica_alias())`` for one queryset).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db.models import Model

REPLICA = "replica"
_reading_from_replica: ContextVar[bool] = ContextVar("reading_from_replica", default=False)


def replica_alias() -> str:
    """``replica`` when one is configured, else ``default``: for ``queryset.using(...)``."""
    return REPLICA if REPLICA in settings.DATABASES else "default"


@contextlib.contextmanager
def replica_reads() -> Iterator[str]:
    """Reads inside go to the replica when there is one; writes still go to the primary."""
    token = _reading_from_replica.set(True)
    try:
        yield replica_alias()
    finally:
        _reading_from_replica.reset(token)


class ReplicaRouter:
    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        if _reading_from_replica.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None  # the default database

    def db_for_write(self, model: type[Model], **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        return True  # the replica is a copy of the same database

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != REPLICA  # a physical replica follows the primary's schema by itself
