"""The dashboard and the export count days, weeks and hours in the family's own time zone (not
the parent's, not UTC), across the autumn DST change in New York, and follow a parent's change
of it; and the migration that gave existing families a zone gave each the one its figures used.

New York's clocks went back from 02:00 EDT to 01:00 EST at 06:00 UTC on Sunday 1 November 2026:
that local day has 25 hours, and 01:30 happens twice.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import io
from typing import Any

from django.apps import apps

from accounts.models import Family, Membership, Role
from ruptures import services
from ruptures.models import Rupture
from tests.factories import FamilyFactory, MembershipFactory, UserFactory
from tests.world import World, client_for

DAY = {"from": "2026-11-01", "to": "2026-11-01"}  # the 25-hour Sunday, alone
FORTNIGHT = {"from": "2026-10-26", "to": "2026-11-08"}


def utc(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=dt.UTC)


def child_flag(world: World, at: dt.datetime) -> Rupture:
    return services.rupture_flag(
        actor=world.child,
        flag=services.FlagInput(
            family_id=world.family.pk, parent_id=world.parent.pk, feelings=["hurt"], intensity=2
        ),
        now=at,
    )


def dashboard(world: World, params: dict[str, str]) -> Any:
    response = client_for(world.therapist_metrics).get(
        f"/api/v1/care/families/{world.family.pk}/dashboard/", params
    )
    assert response.status_code == 200, response.json()
    return response.json()


def cells(heat_map: list[list[int]]) -> dict[tuple[int, int], int]:
    return {(day, hour): n for day, row in enumerate(heat_map) for hour, n in enumerate(row) if n}


def fall_back(world: World) -> None:
    """Three ruptures on the 25-hour Sunday in New York (two at 01:30, an hour apart, and one at
    23:30, already Monday in UTC) and one a minute after that day ends, acknowledged at once."""
    world.family.time_zone = "America/New_York"
    world.family.save(update_fields=["time_zone"])
    world.parent.time_zone = "Asia/Tokyo"  # the parent's own zone is not the family's
    world.parent.save(update_fields=["time_zone"])
    for at in (utc(11, 1, 5, 30), utc(11, 1, 6, 30), utc(11, 2, 4, 30), utc(11, 2, 5, 1)):
        rupture = child_flag(world, at)
        services.rupture_acknowledge(
            actor=world.parent, rupture_id=rupture.pk, now=at + dt.timedelta(minutes=5)
        )


def test_the_dst_day_has_25_hours_in_the_familys_zone(world: World) -> None:
    fall_back(world)

    day = dashboard(world, DAY)

    assert day["time_zone"] == "America/New_York"
    assert day["period"] == {
        "preset": "custom",
        "from_date": "2026-11-01",
        "to_date": "2026-11-01",
        "days": 1,
    }
    assert day["ruptures"] == 3  # 05:30, 06:30 and 04:30 (next day) UTC: all on the local Sunday
    assert day["time_to_acknowledge"]["count"] == 3
    assert cells(day["heat_map"]) == {(6, 1): 2, (6, 23): 1}  # Sunday 01:30 twice, 23:30
    assert day["weeks"] == [{"week_start": "2026-10-26", "ruptures": 3, "repairs": 0}]


def test_weeks_and_the_export_are_the_familys(world: World) -> None:
    fall_back(world)

    body = dashboard(world, FORTNIGHT)
    export = client_for(world.therapist_metrics).get(
        f"/api/v1/care/families/{world.family.pk}/export/", FORTNIGHT
    )

    assert body["weeks"] == [
        {"week_start": "2026-10-26", "ruptures": 3, "repairs": 0},
        {"week_start": "2026-11-02", "ruptures": 1, "repairs": 0},  # 00:01 EST on Monday
    ]
    lines = export.content.decode().splitlines()[1:]
    rows = {r["week_start"]: r for r in csv.DictReader(io.StringIO("\n".join(lines)))}
    assert {week: (r["ruptures"], r["acknowledged"]) for week, r in rows.items()} == {
        "2026-10-26": ("3", "3"),
        "2026-11-02": ("1", "1"),
    }
    assert export["Content-Disposition"].endswith('-2026-10-26-2026-11-08.csv"')


def test_a_parents_change_of_zone_moves_the_figures(world: World) -> None:
    fall_back(world)
    changed = client_for(world.parent).patch(
        f"/api/v1/families/{world.family.pk}/", {"time_zone": "UTC"}, format="json"
    )

    day = dashboard(world, DAY)

    assert changed.status_code == 200
    assert day["time_zone"] == "UTC"
    assert day["ruptures"] == 2  # 04:30 and 05:01 UTC are Monday in UTC
    assert cells(day["heat_map"]) == {(6, 5): 1, (6, 6): 1}
    assert [w["week_start"] for w in dashboard(world, FORTNIGHT)["weeks"]] == [
        "2026-10-26",
        "2026-11-02",
    ]


def test_the_migration_gives_each_family_the_zone_its_figures_used(db: None) -> None:
    fill = importlib.import_module("accounts.migrations.0009_family_time_zone").fill

    def family(*parents: tuple[str, bool]) -> Family:
        made = FamilyFactory.create(time_zone="UTC")
        for n, (zone, creator) in enumerate(parents):
            user = UserFactory.create(time_zone=zone)
            MembershipFactory.create(
                family=made,
                user=user,
                role=Role.PARENT,
                joined_at=utc(1, 1, 0) + dt.timedelta(days=n),
            )
            if creator:
                made.created_by = user
                made.save(update_fields=["created_by"])
        return made

    creator_later = family(("Europe/Paris", False), ("America/Chicago", True))
    creator_left = family(("Europe/Paris", True), ("Australia/Perth", False), ("Asia/Seoul", False))
    Membership.objects.filter(family=creator_left, user=creator_left.created_by).delete()
    nobody = family()
    child_only = FamilyFactory.create(time_zone="UTC")
    MembershipFactory.create(
        family=child_only, user=UserFactory.create(time_zone="Asia/Tokyo"), role=Role.CHILD
    )

    fill(apps, None)

    assert [
        Family.objects.get(pk=f.pk).time_zone
        for f in (creator_later, creator_left, nobody, child_only)
    ] == ["America/Chicago", "Australia/Perth", "UTC", "UTC"]
