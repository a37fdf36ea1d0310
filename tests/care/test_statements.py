"""Kept statements (``care.statements``): built once with slots, run with the values bound."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import DateTimeField, IntegerField
from django.utils import timezone

from care.statements import Slot, UnboundSlot, bound
from ruptures.models import Rupture
from tests.world import World, flag

pytestmark = pytest.mark.django_db

KEPT = Rupture.objects.filter(
    family_id=Slot("family", IntegerField()), created_at__gte=Slot("start", DateTimeField())
)


def test_one_kept_statement_answers_for_the_values_bound_each_time(world: World) -> None:
    for _ in range(2):
        flag(world)
    Rupture.objects.filter(family=world.family).update(
        created_at=timezone.now() - dt.timedelta(days=3)
    )
    four_days_ago = timezone.now() - dt.timedelta(days=4)
    two_days_ago = timezone.now() - dt.timedelta(days=2)

    with bound(family=world.family.pk, start=four_days_ago):
        assert KEPT.all().count() == 2
    with bound(family=world.family.pk, start=two_days_ago):
        assert KEPT.all().count() == 0
    with bound(family=world.other_family.pk, start=four_days_ago):
        assert KEPT.all().count() == 0
    with bound(family=world.family.pk, start=four_days_ago):
        assert list(KEPT.all().values_list("family_id", flat=True)) == [world.family.pk] * 2


def test_a_slot_without_a_value_is_an_error_not_a_null(world: World) -> None:
    with pytest.raises(UnboundSlot):
        KEPT.all().count()
    with pytest.raises(UnboundSlot), bound(family=world.family.pk):
        KEPT.all().count()
