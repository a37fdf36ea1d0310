"""The migrated test database, made once per PostgreSQL cluster and copied for each test process.

Migrating an empty database takes seconds of Python (Django renders the model state of each of
our migrations and allauth's), and every test process paid it: both xdist workers of the
PostgreSQL pass, the process tests and the browser tests, each on a loaded machine. Now the first
process to need it migrates a template database named after a digest of every migration file and
of Django's version; the others, and later runs on the same cluster, copy it with
``CREATE DATABASE ... TEMPLATE`` (PostgreSQL copies files, well under a second). Django's own setup
then runs on the copy as it does with ``--reuse-db``: ``migrate`` finds nothing to apply and the
post-migrate hooks run, so a migration the digest somehow missed would still be applied.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import django
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.db.migrations.loader import MigrationLoader


def migrations_digest() -> str:
    """Changes whenever any migration file (ours or a dependency's) or Django itself changes."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    digest = hashlib.sha256(django.get_version().encode())
    for key in sorted(loader.disk_migrations):
        module = sys.modules[type(loader.disk_migrations[key]).__module__]
        digest.update(repr(key).encode())
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()[:12]


def template_prefix(wrapper: BaseDatabaseWrapper) -> str:
    """``test_<NAME>_tpl_``: one family of templates per database the tests are pointed at."""
    return f"test_{wrapper.settings_dict['NAME']}_tpl_"


def copy_migrated_template(wrapper: BaseDatabaseWrapper = connection) -> None:
    """Creates this process's test database as a copy of the migrated template, migrating the
    template first if this cluster has none for these migrations. One process at a time (an
    advisory lock): the others wait for the template instead of migrating their own, and no one
    copies a template while it is being built (a copy needs it free of connections)."""
    quote = wrapper.ops.quote_name
    target = wrapper.settings_dict["TEST"].get("NAME") or f"test_{wrapper.settings_dict['NAME']}"
    template = template_prefix(wrapper) + migrations_digest()
    with wrapper._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [template_prefix(wrapper)])
        try:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
            if cursor.fetchone() is None:
                drop_other_templates(wrapper, cursor, keep=template)
                building = f"{template}_building"
                migrate_into(wrapper, building)
                cursor.execute(f"ALTER DATABASE {quote(building)} RENAME TO {quote(template)}")
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(target)}")
            cursor.execute(f"CREATE DATABASE {quote(target)} TEMPLATE {quote(template)}")
        finally:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [template_prefix(wrapper)])


def drop_other_templates(wrapper: BaseDatabaseWrapper, cursor: CursorWrapper, *, keep: str) -> None:
    """Templates of older migrations would pile up on a long-lived development cluster."""
    prefix = template_prefix(wrapper).replace("_", r"\_")
    cursor.execute(
        "SELECT datname FROM pg_database WHERE datname LIKE %s AND datname != %s",
        [f"{prefix}%", keep],
    )
    for (name,) in cursor.fetchall():
        cursor.execute(f"DROP DATABASE IF EXISTS {wrapper.ops.quote_name(name)}")


def migrate_into(wrapper: BaseDatabaseWrapper, name: str) -> None:
    """Django's own test database creation (create, migrate, cache table), under ``name``; the
    connection's settings are put back and its connection closed, so ``name`` can be copied."""
    settings_dict = wrapper.settings_dict
    original_name = settings_dict["NAME"]
    original_test_name = settings_dict["TEST"].get("NAME")
    settings_dict["TEST"]["NAME"] = name
    try:
        wrapper.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    finally:
        wrapper.close()
        settings_dict["TEST"]["NAME"] = original_test_name
        settings_dict["NAME"] = original_name
        from django.conf import settings

        settings.DATABASES[wrapper.alias]["NAME"] = original_name
