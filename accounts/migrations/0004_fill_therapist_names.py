"""Existing grants and access-log rows get the therapist's name as text, so they outlive the
therapist's account (the foreign keys are now SET_NULL)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def fill(apps: Any, schema_editor: Any) -> None:
    User = apps.get_model("accounts", "User")
    for model_name in ("CareTeamGrant", "TherapistAccessLog"):
        model = apps.get_model("accounts", model_name)
        for therapist_id in (
            model.objects.filter(therapist_name="")
            .values_list("therapist_id", flat=True)
            .distinct()
        ):
            user = User.objects.filter(pk=therapist_id).first()
            if user is None:
                continue
            name = user.display_name or user.email or f"user {user.pk}"
            model.objects.filter(therapist_id=therapist_id, therapist_name="").update(
                therapist_name=name
            )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_therapist_names_dissolved_family_consent_receipt")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
