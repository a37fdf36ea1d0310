"""A persistent connection is checked at the start of each request without a round trip
(``familyrepair.postgresql``), and one the server ended is still replaced before it is used."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import connection

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _a_fresh_connection() -> None:
    """This xdist worker's connection may be older than CONN_MAX_AGE (60 s): the start of a
    request would then close it for its age, whatever its health (CI saw that)."""
    connection.close()


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    return int(pid)


def last_statement_of(pid: int) -> str | None:
    """What PostgreSQL says that backend ran last, asked from another connection."""
    with psycopg.connect(**connection.get_connection_params()) as other:
        row = other.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
    return None if row is None else str(row[0])


def start_of_a_request() -> None:
    """What Django does between two requests (``close_old_connections``) and at the first query."""
    connection.close_if_unusable_or_obsolete()
    connection.close_if_health_check_failed()


def test_a_healthy_connection_is_checked_without_a_statement() -> None:
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]
    pid = backend_pid()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'the last request'")
    kept = connection.connection

    start_of_a_request()

    assert connection.connection is kept  # checked and kept, not reconnected
    assert last_statement_of(pid) == "SELECT 'the last request'"  # Django's check runs SELECT 1


def test_a_connection_the_server_ended_is_replaced_before_it_is_used() -> None:
    pid = backend_pid()
    with psycopg.connect(**connection.get_connection_params()) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 10
    while last_statement_of(pid) is not None:  # the backend says goodbye, then exits
        assert time.monotonic() < deadline, "the terminated backend did not exit"
        time.sleep(0.05)

    start_of_a_request()

    assert connection.connection is None  # closed by the check, not by a failing query
    assert backend_pid() != pid
