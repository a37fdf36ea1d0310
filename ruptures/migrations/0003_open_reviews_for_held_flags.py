"""Every rupture already in safety review gets its open review (one per unsafe flag)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _name(user: Any) -> str:
    if user is None:
        return ""
    return str(user.display_name or user.email or f"user {user.pk}")


def open_reviews(apps: Any, schema_editor: Any) -> None:
    Rupture = apps.get_model("ruptures", "Rupture")
    SafetyReview = apps.get_model("ruptures", "SafetyReview")
    held = Rupture.objects.filter(status="safety_review", safety_review__isnull=True)
    for rupture in held.select_related("child", "parent"):
        SafetyReview.objects.create(
            rupture=rupture,
            family_id=rupture.family_id,
            child_name=_name(rupture.child),
            child_email=(rupture.child.email or "") if rupture.child else "",
            parent_name=_name(rupture.parent),
            parent_email=(rupture.parent.email or "") if rupture.parent else "",
            opened_at=rupture.created_at,
        )


class Migration(migrations.Migration):
    dependencies = [("ruptures", "0002_safety_reviews")]

    operations = [migrations.RunPython(open_reviews, migrations.RunPython.noop)]
