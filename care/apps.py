from __future__ import annotations

from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CareConfig(AppConfig):
    name = "care"
    verbose_name = "Care team figures"

    def ready(self) -> None:
        from care import aggregates

        connection_created.connect(aggregates.on_connection_created, dispatch_uid="care")
