"""Retention: spent codes and ended invites go when the retention policy says."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import Invite, PairingCode

SPENT_CODES_KEPT = dt.timedelta(days=1)


ENDED_INVITES_KEPT = dt.timedelta(days=30)


@transaction.atomic
def expired_codes_purge(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Delete pairing codes a day after they expire and invites 30 days after they end, as the
    retention policy says. Safe to run any number of times; returns (codes, invites) deleted."""
    now = now or timezone.now()
    codes, _ = PairingCode.objects.filter(expires_at__lt=now - SPENT_CODES_KEPT).delete()
    invites, _ = Invite.objects.filter(expires_at__lt=now - ENDED_INVITES_KEPT).delete()
    return codes, invites
