"""The Celery app: Redis broker, late acks, and tasks rejected back to the queue if a worker dies.

Settings live in Django settings under ``CELERY_``; tasks are discovered in each installed app.
A task published inside an open database transaction is a bug (the worker may run before the
commit, or for a change that is then rolled back): the app refuses it in ``send_task``, which
``delay``/``apply_async`` go through. (A ``before_task_publish`` receiver cannot refuse: Celery
logs a receiver's exception and publishes anyway.) The Redis transport is kombu's with one fix
(``familyrepair.broker``): a worker outlives Redis going away.
"""

from __future__ import annotations

from typing import Any

from celery import Celery
from celery.result import AsyncResult

from familyrepair import broker
from familyrepair.settings import use_settings_from_env

use_settings_from_env()
broker.register()  # Redis going away mid-poll must not take the worker down (see broker.py)


class EnqueuedInsideTransaction(RuntimeError):
    """Use ``transaction.on_commit`` (or ``delay_on_commit``) to enqueue after the commit."""


def in_open_transaction() -> bool:
    """True inside an atomic block of our own (a test case's wrapping block does not count)."""
    from django.db import connections

    return any(
        not getattr(block, "_from_testcase", False)
        for connection in connections.all(initialized_only=True)
        for block in getattr(connection, "atomic_blocks", [])
    )


class FamilyRepairCelery(Celery):
    def send_task(self, name: str, *args: Any, **kwargs: Any) -> AsyncResult[Any]:
        if in_open_transaction():
            raise EnqueuedInsideTransaction(f"task {name} enqueued inside an open transaction")
        return super().send_task(name, *args, **kwargs)


app = FamilyRepairCelery("familyrepair")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.include = ["familyrepair.tasks"]
app.autodiscover_tasks()
