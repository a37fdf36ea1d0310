from __future__ import annotations

from django.apps import AppConfig


class RupturesConfig(AppConfig):
    name = "ruptures"
    verbose_name = "Ruptures and repair"

    def ready(self) -> None:
        from accounts import signals
        from ruptures import account_data

        uid = "ruptures"
        signals.account_exporting.connect(account_data.on_account_exporting, dispatch_uid=uid)
        signals.account_deleting.connect(account_data.on_account_deleting, dispatch_uid=uid)
        signals.child_profile_erasing.connect(
            account_data.on_child_profile_erasing, dispatch_uid="ruptures"
        )
        signals.family_holds.connect(account_data.on_family_holds, dispatch_uid="ruptures")
        signals.family_releasing.connect(account_data.on_family_releasing, dispatch_uid="ruptures")
        signals.family_activity.connect(account_data.on_family_activity, dispatch_uid="ruptures")
        signals.details_opted_out.connect(account_data.on_details_opted_out, dispatch_uid=uid)
