"""Reads from a streaming replica, opt-in (``familyrepair.db``): on one database nothing changes;
on a primary with a real streaming replica (``benchmarks/scale/replica.py --smoke``) the opted-in
reads run on the replica and every write on the primary."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from accounts.models import Family
from familyrepair.db import ReplicaRouter, replica_alias, replica_reads

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_without_a_replica_replica_reads_change_nothing() -> None:
    assert "replica" not in connections.databases
    with CaptureQueriesContext(connections["default"]) as queries, replica_reads() as alias:
        Family.objects.create(name="one database")
        assert Family.objects.filter(name="one database").exists()
    assert alias == replica_alias() == "default"
    assert len(queries) == 2
    assert ReplicaRouter().db_for_read(Family) is None


@pytest.mark.processes
@pytest.mark.postgresql
def test_on_a_primary_and_its_streaming_replica() -> None:
    run = subprocess.run(
        [sys.executable, "benchmarks/scale/replica.py", "--smoke"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "FAILED" not in run.stdout
    assert "| inside replica_reads() the caseload is read on the replica | ok |" in run.stdout
