from __future__ import annotations

from django.apps import AppConfig


class RupturesConfig(AppConfig):
    name = "ruptures"
    verbose_name = "Ruptures and repair"

    def ready(self) -> None:
        from accounts.signals import account_deleting, account_exporting, details_opted_out
        from ruptures import account_data

        account_exporting.connect(account_data.on_account_exporting, dispatch_uid="ruptures")
        account_deleting.connect(account_data.on_account_deleting, dispatch_uid="ruptures")
        details_opted_out.connect(account_data.on_details_opted_out, dispatch_uid="ruptures")
