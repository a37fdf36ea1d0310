from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and families"

    def ready(self) -> None:
        from accounts.db_rules import drop_sqlite_triggers, restore_sqlite_triggers

        # SQLite's triggers step aside while migrations may rebuild tables (see accounts.db_rules).
        pre_migrate.connect(drop_sqlite_triggers, sender=self, dispatch_uid="accounts-triggers-off")
        post_migrate.connect(restore_sqlite_triggers, sender=self, dispatch_uid="accounts-triggers")
