"""Hand-written: ruptures written before ``words_withheld`` existed take the child's opt-out as it
stands now (the best record there is of what was in force when they were written)."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.models import Exists, OuterRef


def backfill(apps: Any, schema_editor: Any) -> None:
    Rupture = apps.get_model("ruptures", "Rupture")
    Membership = apps.get_model("accounts", "Membership")
    opted_out = Membership.objects.filter(
        family=OuterRef("family"), user=OuterRef("child"), details_opt_out=True
    )
    Rupture.objects.filter(Exists(opted_out)).update(words_withheld=True)


class Migration(migrations.Migration):
    dependencies = [("ruptures", "0004_rupture_random_id_words_withheld")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
