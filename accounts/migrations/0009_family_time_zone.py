"""A family's own time zone, filled for existing families with the zone their figures used until
now: the creator's while they are a parent in it, else the longest-standing parent's, else UTC."""

from typing import Any

from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

import accounts.models


def fill(apps: Any, schema_editor: Any) -> None:
    family_model = apps.get_model("accounts", "Family")
    parents = apps.get_model("accounts", "Membership").objects.filter(
        family=OuterRef("pk"), role="parent"
    )
    creator = parents.filter(user_id=OuterRef("created_by_id")).values("user__time_zone")[:1]
    longest = parents.order_by("joined_at", "id").values("user__time_zone")[:1]
    family_model.objects.update(
        time_zone=Coalesce(Subquery(creator), Subquery(longest), Value("UTC"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_user_reflection"),
    ]

    operations = [
        migrations.AddField(
            model_name="family",
            name="time_zone",
            field=models.CharField(
                default="UTC",
                help_text="The family's own (IANA): the therapist's weeks and heat map are in it. "
                "The creating parent's when the family was made; parents change it.",
                max_length=64,
                validators=[accounts.models.validate_time_zone],
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
