"""The period a dashboard shows: whole days in the family's time zone, and the one before it."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.utils.translation import gettext as _

from familyrepair.errors import ErrorCode, InvalidInput

PRESETS = ("30", "90", "365", "all")
DEFAULT_PRESET = "90"
MAX_DAYS = 20 * 366  # "all" can never be longer than this; a custom range neither


def zone_of(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


@dataclass(frozen=True)
class Period:
    """From the start of ``first`` to the end of ``last`` (both local dates, inclusive)."""

    preset: str
    first: dt.date
    last: dt.date
    zone: zoneinfo.ZoneInfo

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time(), tzinfo=self.zone)

    @property
    def end(self) -> dt.datetime:
        """Exclusive: the local midnight after ``last`` (23 or 25 hours after a DST change)."""
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(), tzinfo=self.zone)

    def previous(self) -> Period:
        """The same number of days, ending the day before this one starts."""
        last = self.first - dt.timedelta(days=1)
        return Period(self.preset, last - dt.timedelta(days=self.days - 1), last, self.zone)

    def week_starts(self) -> list[dt.date]:
        """Every Monday-started week that overlaps the period, oldest first."""
        week = self.first - dt.timedelta(days=self.first.weekday())
        weeks = []
        while week <= self.last:
            weeks.append(week)
            week += dt.timedelta(days=7)
        return weeks


def period_for(
    *,
    zone: zoneinfo.ZoneInfo,
    today: dt.date,
    preset: str | None = None,
    first: dt.date | None = None,
    last: dt.date | None = None,
    earliest: dt.date | None = None,
) -> Period:
    """A preset (30, 90, 365 days up to today, or ``all`` from ``earliest``), or dates: ``from``
    and ``to`` override the preset (``to`` defaults to today, ``from`` to 90 days before ``to``).
    400 ``invalid_period`` when ``from`` is after ``to`` or the range is absurdly long."""
    if first is not None or last is not None:
        last = last or today
        first = first or last - dt.timedelta(days=int(DEFAULT_PRESET) - 1)
        chosen = "custom"
    else:
        chosen = preset or DEFAULT_PRESET
        last = today
        if chosen == "all":
            first = min(earliest or today, today)
        else:
            first = today - dt.timedelta(days=int(chosen) - 1)
    if first > last:
        raise InvalidInput(
            _("'from' must not be after 'to'."), code=ErrorCode.INVALID_PERIOD, param="from"
        )
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput(
            _("That period is too long."), code=ErrorCode.INVALID_PERIOD, param="from"
        )
    return Period(chosen, first, last, zone)
