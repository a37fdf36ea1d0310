"""The Celery app: Redis broker, late acks, and tasks rejected back to the queue if a worker dies.

Settings live in Django settings under ``CELERY_``; tasks are discovered in each installed app.
"""

from __future__ import annotations

from celery import Celery

from familyrepair.settings import use_settings_from_env

use_settings_from_env()

app = Celery("familyrepair")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.include = ["familyrepair.tasks"]
app.autodiscover_tasks()
