"""A PostgreSQL restart mid-traffic answers 503 with Retry-After in the error envelope (issue 12's
fault drill), and the next request is served on a fresh connection."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection

from tests.world import World, client_for, flag

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


def kill_our_connection() -> None:
    """What a database restart does to a web worker: its connection is gone under it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    with psycopg.connect(**connection.get_connection_params()) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_a_lost_database_is_503_with_retry_after_and_nothing_half_written(world: World) -> None:
    flag(world)
    parent = client_for(world.parent)
    kill_our_connection()

    response = parent.post(
        "/api/v1/ruptures/",
        {"family": world.family.pk, "child": world.child.pk, "feelings": ["hurt"], "intensity": 2},
        format="json",
    )

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.json()["errors"][0]["code"] == "service_unavailable"

    listed = parent.get("/api/v1/ruptures/")  # the broken connection was dropped; a new one serves
    assert listed.status_code == 200
    assert len(listed.json()["results"]) == 1
