"""Hand-written: one person is a member of a family or on its care team (an active grant), never
both. The services check it with the family row locked; these triggers make the database refuse
it too, whatever path writes (PostgreSQL and SQLite; other databases rely on the services)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


POSTGRESQL_FORWARD = """
CREATE FUNCTION accounts_member_or_care_team() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'accounts_membership' THEN
        IF EXISTS (SELECT 1 FROM accounts_careteamgrant g WHERE g.family_id = NEW.family_id
                   AND g.therapist_id = NEW.user_id AND g.revoked_at IS NULL) THEN
            RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation',
                MESSAGE = 'member_or_care_team: this person is on the family''s care team';
        END IF;
    ELSIF NEW.revoked_at IS NULL AND EXISTS (
            SELECT 1 FROM accounts_membership m WHERE m.family_id = NEW.family_id
            AND m.user_id = NEW.therapist_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation',
            MESSAGE = 'member_or_care_team: this person is a member of the family';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER membership_not_on_care_team BEFORE INSERT OR UPDATE OF family_id, user_id
    ON accounts_membership FOR EACH ROW EXECUTE FUNCTION accounts_member_or_care_team();
CREATE TRIGGER care_grant_not_a_member
    BEFORE INSERT OR UPDATE OF family_id, therapist_id, revoked_at
    ON accounts_careteamgrant FOR EACH ROW EXECUTE FUNCTION accounts_member_or_care_team();
"""
POSTGRESQL_BACKWARD = """
DROP TRIGGER IF EXISTS care_grant_not_a_member ON accounts_careteamgrant;
DROP TRIGGER IF EXISTS membership_not_on_care_team ON accounts_membership;
DROP FUNCTION IF EXISTS accounts_member_or_care_team();
"""

# On SQLite the triggers belong to accounts.db_rules, not to this migration: they are created
# after every migrate and dropped before it, since SQLite cannot rebuild either table while the
# other's trigger names it. Here they are only removed when migrating backwards.
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {name}_{event};"
    for name in ("membership_not_on_care_team", "care_grant_not_a_member")
    for event in ("INSERT", "UPDATE")
]


def forward(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FORWARD)


def backward(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_BACKWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_fill_therapist_names")]

    operations = [migrations.RunPython(forward, backward)]
