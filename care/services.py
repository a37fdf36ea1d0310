"""What a therapist's reads leave behind: one access-log row per family read, which the family's
parents list (``GET /families/{id}/access-log/``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from accounts.models import TherapistAccessLog, User
from accounts.services.common import name_of


def care_reads_record(
    *, therapist: User, family_ids: Iterable[int], action: str, now: dt.datetime | None = None
) -> None:
    """One row per family, written in one INSERT (a caseload of any size costs one query).
    ``action`` is ``caseload.view``, ``dashboard.view``, ``export.csv`` or ``export.summary``."""
    now = now or timezone.now()
    name = name_of(therapist)
    rows = [
        TherapistAccessLog(
            therapist=therapist,
            therapist_name=name,
            family_id=family_id,
            action=action,
            created_at=now,
        )
        for family_id in family_ids
    ]
    if rows:
        TherapistAccessLog.objects.bulk_create(rows)
