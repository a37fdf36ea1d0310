"""Quiet hours: a window of wall-clock time in the recipient's own time zone (it may cross
midnight) during which nothing buzzes: a prompt falling inside shows in the app at once and its
push and email wait for the window's end.

Wall-clock semantics across daylight-saving changes: in the autumn repeat hour the clock shows a
time twice, and each showing is judged by what the clock says; a window ending inside the spring
gap (a time that never happens) ends at the first real instant after the gap.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

UTC = dt.UTC


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _exists(local: dt.datetime) -> bool:
    return local.astimezone(UTC).astimezone(local.tzinfo).replace(tzinfo=None) == local.replace(
        tzinfo=None
    )


def _instant(day: dt.date, at: dt.time, zone: zoneinfo.ZoneInfo, *, fold: int) -> dt.datetime:
    """The UTC instant the wall clock in ``zone`` shows ``at`` on ``day`` (after a gap if none)."""
    local = dt.datetime.combine(day, at, tzinfo=zone).replace(fold=fold)
    while not _exists(local):  # inside a spring-forward gap: walk to its end, minute by minute
        local = (local.replace(tzinfo=None) + dt.timedelta(minutes=1)).replace(tzinfo=zone)
    return local.astimezone(UTC)


def quiet_until(
    *, at: dt.datetime, time_zone: str, start: dt.time | None, end: dt.time | None
) -> dt.datetime | None:
    """When the quiet window holding ``at`` ends (UTC), or None if ``at`` is not in quiet hours."""
    if start is None or end is None or start == end:
        return None
    zone = _zone(time_zone)
    local = at.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    if start < end:
        if start <= clock < end:
            return _instant(local.date(), end, zone, fold=local.fold)
        return None
    if clock >= start:  # crosses midnight: quiet until ``end`` tomorrow
        return _instant(local.date() + dt.timedelta(days=1), end, zone, fold=0)
    if clock < end:
        return _instant(local.date(), end, zone, fold=local.fold)
    return None


def next_allowed(
    *, at: dt.datetime, time_zone: str, start: dt.time | None, end: dt.time | None
) -> dt.datetime:
    return quiet_until(at=at, time_zone=time_zone, start=start, end=end) or at


def local_instant(day: dt.date, at: dt.time, time_zone: str) -> dt.datetime:
    """The UTC instant the wall clock in ``time_zone`` first shows ``at`` on ``day`` (after a
    spring gap, its first real instant)."""
    return _instant(day, at, _zone(time_zone), fold=0)


def zone(time_zone: str) -> zoneinfo.ZoneInfo:
    """The zone by its IANA name (UTC for an unknown one)."""
    return _zone(time_zone)
