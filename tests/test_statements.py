"""Kept statements (``familyrepair.statements``): compiled once per connection, run with each
run's values, their rows converted as the ORM converts them, on PostgreSQL and SQLite alike."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connections
from django.db.models import BigIntegerField, CharField, Count, Window

from familyrepair.statements import KeptList, KeptStatement, Slot
from ruptures.models import Rupture
from tests.world import World, flag

pytestmark = pytest.mark.django_db

FAMILY = Slot("family", BigIntegerField())
STATUS = Slot("status", CharField())


def ruptures_of_a_family() -> KeptStatement:
    return KeptStatement(
        lambda: (
            Rupture.objects.filter(family_id=FAMILY, status=STATUS)
            .order_by("created_at", "id")
            .values_list("id", "feelings", "created_at", "unsafe")
        ),
        paged=True,
    )


def test_each_run_binds_its_values_and_pages(world: World) -> None:
    first, second = flag(world), flag(world)
    kept = ruptures_of_a_family()

    page_one = kept.run(limit=1, offset=0, family=world.family.pk, status=first.status)
    page_two = kept.run(limit=1, offset=1, family=world.family.pk, status=first.status)
    other_family = kept.run(limit=10, offset=0, family=world.other_family.pk, status="flagged")

    assert [row[0] for row in page_one + page_two] == [first.pk, second.pk]
    assert other_family == []


def test_a_slot_without_a_value_is_an_error_not_a_null(world: World) -> None:
    flag(world)
    kept = ruptures_of_a_family()

    with pytest.raises(TypeError, match="'status'"):
        kept.run(limit=10, offset=0, family=world.family.pk)


def test_rows_are_converted_as_the_orm_converts_them(world: World) -> None:
    rupture = flag(world)
    kept = ruptures_of_a_family()

    [row] = kept.run(limit=5, offset=0, family=world.family.pk, status=rupture.status)

    orm = Rupture.objects.values_list("id", "feelings", "created_at", "unsafe").get()
    assert row == orm
    assert isinstance(row[2], dt.datetime)
    assert row[2].utcoffset() == dt.timedelta(0)
    assert row[1] == ["hurt", "embarrassed"]
    assert row[3] is False


def test_a_connection_compiles_it_once(world: World) -> None:
    rupture = flag(world)
    kept = ruptures_of_a_family()

    kept.run(limit=1, offset=0, family=world.family.pk, status=rupture.status)
    compiled = kept._compiled[connections["default"]]
    kept.run(limit=1, offset=0, family=world.other_family.pk, status="acknowledged")

    assert kept._compiled[connections["default"]] is compiled
    assert [slot.name for _position, slot in compiled.slots] == ["family", "status"]
    assert compiled.sql.endswith("LIMIT %s OFFSET %s")  # values travel as parameters


def test_a_paged_statement_runs_with_a_limit_and_is_sliced_by_no_one_else(db: None) -> None:
    with pytest.raises(TypeError):
        ruptures_of_a_family().run(family=1, status="flagged")
    sliced = KeptStatement(lambda: Rupture.objects.order_by("id")[:5], paged=True)
    with pytest.raises(ValueError, match="sliced"):
        sliced.run(limit=1)
    unordered = KeptStatement(lambda: Rupture.objects.order_by().values_list("id"), paged=True)
    with pytest.raises(ValueError, match="order"):
        unordered.run(limit=1)


def test_rows_by_name_and_a_counted_list_of_them(world: World) -> None:
    first, second = flag(world), flag(world)
    by_name = KeptStatement(
        lambda: (
            Rupture.objects.filter(family_id=FAMILY)
            .order_by("created_at", "id")
            .values("id", "status", total=Window(Count("*")))
        ),
        paged=True,
    )
    listed = KeptList(by_name, family=world.family.pk)

    rows, count = listed.counted_page(1, 5)

    assert rows == [{"id": second.pk, "status": second.status}]
    assert count == 2
    assert listed.count() == 2
    assert [row["id"] for row in listed[0:2]] == [first.pk, second.pk]
    assert KeptList(by_name, family=world.other_family.pk).counted_page(0, 5) == ([], 0)
    whole_rows = KeptStatement(lambda: Rupture.objects.filter(family_id=FAMILY))
    with pytest.raises(ValueError, match="values"):  # no names to give the columns
        whole_rows.rows(family=world.family.pk)
