"""Quiet hours in the recipient's own zone: crossing midnight, and both daylight-saving edges."""

from __future__ import annotations

import datetime as dt

import pytest

from ruptures.quiet_hours import quiet_until

UTC = dt.UTC
NY = "America/New_York"
T = dt.time


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("at", "zone", "start", "end", "expected"),
    [
        # a window inside one day
        (utc(2027, 6, 1, 13, 30), "UTC", T(13), T(14), utc(2027, 6, 1, 14)),
        (utc(2027, 6, 1, 14, 0), "UTC", T(13), T(14), None),
        # crossing midnight, before and after it (London is UTC+1 in June)
        (utc(2027, 6, 1, 21, 30), "Europe/London", T(21), T(7), utc(2027, 6, 2, 6)),
        (utc(2027, 6, 2, 3, 0), "Europe/London", T(21), T(7), utc(2027, 6, 2, 6)),
        (utc(2027, 6, 2, 6, 0), "Europe/London", T(21), T(7), None),
        (utc(2027, 6, 2, 12, 0), "Europe/London", T(21), T(7), None),
        # no quiet hours
        (utc(2027, 6, 1, 23), "UTC", None, None, None),
        (utc(2027, 6, 1, 23), "UTC", T(7), T(7), None),
        # the window is the recipient's, not the server's: 22:00 in Tokyo is 13:00 UTC
        (utc(2027, 6, 1, 13), "Asia/Tokyo", T(21), T(7), utc(2027, 6, 1, 22)),
    ],
)
def test_quiet_windows(
    at: dt.datetime, zone: str, start: T | None, end: T | None, expected: dt.datetime | None
) -> None:
    assert quiet_until(at=at, time_zone=zone, start=start, end=end) == expected


def test_a_window_ending_in_the_spring_forward_gap_ends_when_the_clock_jumps() -> None:
    # 2027-03-14 in New York: 02:00 EST jumps to 03:00 EDT (07:00 UTC); 02:30 never happens.
    at = utc(2027, 3, 14, 6, 45)  # 01:45 EST, inside 21:00-02:30

    assert quiet_until(at=at, time_zone=NY, start=T(21), end=T(2, 30)) == utc(2027, 3, 14, 7)


def test_a_prompt_due_in_the_spring_gap_hour_lands_after_quiet_hours() -> None:
    at = utc(2027, 3, 14, 7, 15)  # 03:15 EDT, just after the jump, inside 21:00-07:00

    assert quiet_until(at=at, time_zone=NY, start=T(21), end=T(7)) == utc(2027, 3, 14, 11)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (utc(2027, 11, 7, 5, 15), utc(2027, 11, 7, 5, 30)),  # 01:15 EDT, the first time round
        (utc(2027, 11, 7, 6, 15), utc(2027, 11, 7, 6, 30)),  # 01:15 EST, the repeat hour
        (utc(2027, 11, 7, 5, 45), None),  # 01:45 EDT: the first window has ended
    ],
)
def test_the_autumn_repeat_hour_is_judged_by_the_wall_clock(
    at: dt.datetime, expected: dt.datetime | None
) -> None:
    assert quiet_until(at=at, time_zone=NY, start=T(0, 30), end=T(1, 30)) == expected


def test_an_overnight_window_across_the_autumn_change_ends_at_local_seven() -> None:
    at = utc(2027, 11, 7, 4)  # 00:00 EDT; the night is an hour longer

    assert quiet_until(at=at, time_zone=NY, start=T(22), end=T(7)) == utc(2027, 11, 7, 12)


def test_an_unknown_zone_is_treated_as_utc() -> None:
    assert quiet_until(
        at=utc(2027, 1, 1, 23), time_zone="Mars/Olympus", start=T(22), end=T(6)
    ) == utc(2027, 1, 2, 6)
