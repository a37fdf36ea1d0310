"""The database's own copy of "a member or on the care team, never both", for SQLite.

SQLite has no ALTER TABLE for most changes, so Django rebuilds a table (new table, copy, drop,
rename) when a migration alters it. A rebuild drops the table's own triggers, and SQLite refuses
the rename while the other table's trigger names the table being swapped ("no such table").
So these triggers are not a migration's: ``drop_sqlite_triggers`` runs before every ``migrate``
and ``restore_sqlite_triggers`` after it, and any later migration of either table just works.
(On PostgreSQL migration 0005 owns them; ALTER TABLE keeps triggers.)
"""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

_MEMBERSHIP = """
CREATE TRIGGER IF NOT EXISTS membership_not_on_care_team_{event} BEFORE {event}
ON accounts_membership
WHEN EXISTS (SELECT 1 FROM accounts_careteamgrant g WHERE g.family_id = NEW.family_id
             AND g.therapist_id = NEW.user_id AND g.revoked_at IS NULL)
BEGIN SELECT RAISE(ABORT, 'member_or_care_team: on the care team'); END;
"""
_GRANT = """
CREATE TRIGGER IF NOT EXISTS care_grant_not_a_member_{event} BEFORE {event}
ON accounts_careteamgrant
WHEN NEW.revoked_at IS NULL AND EXISTS (SELECT 1 FROM accounts_membership m
             WHERE m.family_id = NEW.family_id AND m.user_id = NEW.therapist_id)
BEGIN SELECT RAISE(ABORT, 'member_or_care_team: a member'); END;
"""
SQLITE_TRIGGERS: dict[str, str] = {
    f"{name}_{event}": template.format(event=event)
    for name, template in (
        ("membership_not_on_care_team", _MEMBERSHIP),
        ("care_grant_not_a_member", _GRANT),
    )
    for event in ("INSERT", "UPDATE")
}
TABLES = {"accounts_membership", "accounts_careteamgrant"}


def _sqlite_with_tables(using: str) -> BaseDatabaseWrapper | None:
    connection = connections[using]
    if connection.vendor != "sqlite" or not set(connection.introspection.table_names()) >= TABLES:
        return None
    return connection


def drop_sqlite_triggers(using: str = "default", **kwargs: Any) -> None:
    """A ``pre_migrate`` receiver: out of the way of any table rebuild the migrations run."""
    connection = _sqlite_with_tables(using)
    if connection is None:
        return
    with connection.cursor() as cursor:
        for name in SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def restore_sqlite_triggers(using: str = "default", **kwargs: Any) -> None:
    """A ``post_migrate`` receiver: (re)create every trigger on SQLite."""
    connection = _sqlite_with_tables(using)
    if connection is None:
        return
    with connection.cursor() as cursor:
        for statement in SQLITE_TRIGGERS.values():
            cursor.execute(statement)
