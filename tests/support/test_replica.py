"""Reads from a streaming replica, opt-in (``familyrepair.db``): on one database nothing changes.

On a primary with a real streaming replica, ``benchmarks/scale/replica.py --smoke`` checks that the
opted-in reads run on the replica and every write on the primary, and exits 1 when one does not;
the test command runs it and fails with it (a test here ran the same two minutes over again)."""

from __future__ import annotations

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from accounts.models import Family
from familyrepair.db import ReplicaRouter, replica_alias, replica_reads


@pytest.mark.django_db
def test_without_a_replica_replica_reads_change_nothing() -> None:
    assert "replica" not in connections.databases
    with CaptureQueriesContext(connections["default"]) as queries, replica_reads() as alias:
        Family.objects.create(name="one database")
        assert Family.objects.filter(name="one database").exists()
    assert alias == replica_alias() == "default"
    assert len(queries) == 2
    assert ReplicaRouter().db_for_read(Family) is None
