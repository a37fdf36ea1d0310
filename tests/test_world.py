"""The shared test world (``tests/world.py``): built once per process, laid out per test."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.models import Family
from tests.factories import FamilyFactory
from tests.world import draw_blueprint, lay_out


@pytest.mark.postgresql
@pytest.mark.django_db
def test_rows_made_after_a_sequence_was_set_back_do_not_collide_with_the_world() -> None:
    """``populate`` sets an id sequence from the rows it sees, which can be below the ids the
    world's blueprint took; laying the world out moves the sequence past them again."""
    blueprint = draw_blueprint()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('accounts_family', 'id'), 1)")

    world = lay_out(blueprint)
    made = FamilyFactory.create()

    assert made.pk not in (world.family.pk, world.other_family.pk)
    assert Family.objects.count() == 3
