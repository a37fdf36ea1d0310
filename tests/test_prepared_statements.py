"""PostgreSQL prepares the statements a connection repeats (``postgresql_options``): Django
leaves preparing off unless the options name a threshold, and without it every request paid
for planning its queries again (more than running them, for most of ours)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from ruptures.models import Rupture
from tests.test_settings import manage

pytestmark = [pytest.mark.django_db, pytest.mark.postgresql]


def prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


def test_a_statement_a_connection_repeats_is_prepared_once_past_the_threshold() -> None:
    threshold = settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"]
    assert threshold == 5
    query = Rupture.objects.filter(family_id=0, status="flagged")

    for _ in range(threshold):
        list(query.all())  # a new queryset each time: one caches its rows
    assert not [s for s in prepared() if '"ruptures_rupture"' in s]
    list(query.all())
    list(query.filter(intensity=2))  # another statement: run once, not prepared

    [statement] = [s for s in prepared() if '"ruptures_rupture"' in s]
    assert '"family_id" = $1' in statement
    assert '"intensity" = ' not in statement


def test_without_server_side_binding_nothing_is_prepared() -> None:
    """Behind PgBouncer in transaction mode before 1.21, neither may be on."""
    code = (
        "from django.conf import settings; "
        "print(sorted(settings.DATABASES['default']['OPTIONS'].items()))"
    )
    env = {"DJANGO_ENV": "test", "DATABASE_URL": "postgres://u@db.test/x"}

    off = manage(
        "shell", "--no-imports", "-c", code, env={**env, "DATABASE_SERVER_SIDE_BINDING": "false"}
    )
    on = manage("shell", "--no-imports", "-c", code, env=env)

    assert off.stdout.strip() == "[('server_side_binding', False)]", off.stderr
    assert on.stdout.strip() == "[('prepare_threshold', 5), ('server_side_binding', True)]"
