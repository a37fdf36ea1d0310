"""The database refuses "member and on the care team" on SQLite too, and a later migration that
rebuilds the membership table still runs (SQLite cannot swap a table another table's trigger
names, and drops the table's own triggers with it)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.db_rules import SQLITE_TRIGGERS, drop_sqlite_triggers, restore_sqlite_triggers
from accounts.models import CareScope, CareTeamGrant, Membership, Role
from tests.world import World

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db(transaction=True)]


def sqlite_triggers() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {name for (name,) in cursor.fetchall()}


def rebuild_membership_table() -> None:
    """What Django's SQLite schema editor does for most AlterField/AddField: copy and swap."""
    field = Membership._meta.get_field("role")
    with connection.schema_editor() as editor:
        editor._remake_table(Membership, alter_fields=[(field, field)])  # type: ignore[attr-defined]  # private: the rebuild a migration runs


def test_after_migrate_every_trigger_is_in_place(world: World) -> None:
    assert set(SQLITE_TRIGGERS) <= sqlite_triggers()


def test_a_migration_that_rebuilds_the_table_runs_and_the_rule_holds_after(world: World) -> None:
    try:
        drop_sqlite_triggers(using="default")  # what pre_migrate runs before every migrate
        rebuild_membership_table()  # with the triggers in place SQLite refuses this swap
    finally:
        restore_sqlite_triggers(using="default")  # what post_migrate runs after it

    assert set(SQLITE_TRIGGERS) <= sqlite_triggers()
    CareTeamGrant.objects.create(
        family=world.family, therapist=world.therapist_ungranted, scope=CareScope.METRICS
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            family=world.family, user=world.therapist_ungranted, role=Role.PARENT
        )
