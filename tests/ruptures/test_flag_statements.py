"""A flag leaves what the database enforces to the database: its keys, its primary key and the
rupture table's check constraints are checked on the INSERT, not each by a query before it."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from ruptures.models import Rupture
from tests.world import World, flag

pytestmark = [pytest.mark.django_db, pytest.mark.postgresql]  # SET CONSTRAINTS

# The transaction's savepoint and its release, the child's membership and the parent's, the
# child's opt-out, the rupture, its event, the parent's heads-up and repair prompt, and the family's
# settings for the prompt's timing. Django's full_clean() added 19: a query per key (family, child,
# parent), one for the new primary key, and one per check constraint, each in a savepoint.
FLAG_STATEMENTS = 10


def test_a_flag_runs_no_query_for_what_the_database_checks(
    world: World, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(FLAG_STATEMENTS) as captured:
        flag(world)

    statements = [query["sql"] for query in captured.captured_queries]
    assert not [s for s in statements if '"_check"' in s]  # Django's query per constraint
    assert not [s for s in statements if 'FROM "accounts_user"' in s]  # per key: child, parent
    assert not [s for s in statements if 'FROM "ruptures_rupture"' in s]  # the new primary key


@pytest.mark.parametrize(
    "wrong",
    [
        {"intensity": 9},  # rupture_intensity_1_to_5
        {"status": "lost"},  # rupture_status_known
        {"direction": "child_repairs", "started_by": "parent"},  # only a child makes it right
        {"family_id": 10**12},  # no such family
    ],
)
def test_what_the_flag_no_longer_checks_first_the_database_still_refuses(
    world: World, wrong: dict[str, Any]
) -> None:
    rupture = flag(world)
    copy: dict[str, Any] = {**Rupture.objects.values().get(pk=rupture.pk), "id": rupture.pk + 1}
    copy.update(wrong)

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # keys are otherwise checked at commit
    with pytest.raises(IntegrityError), transaction.atomic():
        Rupture.objects.create(**copy)
