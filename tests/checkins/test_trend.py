"""``checkins.selectors.family_trend``: averages per period, per pair, per question, computed in
the database, in a number of queries that does not grow with the answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from checkins.models import CheckInAnswer, CheckInRound
from checkins.selectors import PERIOD_DAYS, family_trend, period_start
from tests.world import World


def rounds(world: World, count: int) -> list[CheckInRound]:
    first = period_start(timezone.now().date()) - dt.timedelta(days=PERIOD_DAYS * (count - 1))
    made = []
    for i in range(count):
        start = first + dt.timedelta(days=PERIOD_DAYS * i)
        opens = dt.datetime.combine(start, dt.time(9), tzinfo=dt.UTC)
        made.append(
            CheckInRound.objects.create(
                family=world.family,
                period_start=start,
                opens_at=opens,
                closes_at=opens + dt.timedelta(days=7),
            )
        )
    return made


def say(round_: CheckInRound, by: Any, parent: Any, child: Any, score: int, **extra: Any) -> None:
    CheckInAnswer.objects.create(
        round=round_,
        respondent=by,
        parent=parent,
        child=child,
        question="closeness",
        score=score,
        **extra,
    )


def test_averages_per_period_and_pair(world: World, django_assert_num_queries: Any) -> None:
    first, second, third = rounds(world, 3)
    say(first, world.child, world.parent, world.child, 2)
    say(first, world.parent, world.parent, world.child, 5)
    say(first, world.sibling, world.parent, world.sibling, 3, shared_with_parents=True)
    say(second, world.child, world.parent, world.child, 4, shared_with_parents=True)
    say(third, world.child, world.parent, world.child, 1)

    with django_assert_num_queries(1):
        rows = family_trend(world.family.pk, first.period_start, third.period_start)

    assert rows == [
        {
            "period_start": first.period_start,
            "parent_id": world.parent.pk,
            "child_id": world.child.pk,
            "question": "closeness",
            "average": 3.5,
            "answers": 2,
        },
        {
            "period_start": first.period_start,
            "parent_id": world.parent.pk,
            "child_id": world.sibling.pk,
            "question": "closeness",
            "average": 3.0,
            "answers": 1,
        },
        {
            "period_start": second.period_start,
            "parent_id": world.parent.pk,
            "child_id": world.child.pk,
            "question": "closeness",
            "average": 4.0,
            "answers": 1,
        },
    ]
    shared = family_trend(world.family.pk, shared_only=True)
    assert [(r["child_id"], r["average"]) for r in shared] == [
        (world.sibling.pk, 3.0),
        (world.child.pk, 4.0),
    ]
    assert family_trend(world.other_family.pk) == []


def test_the_period_is_the_same_two_weeks_for_everyone() -> None:
    monday = dt.date(2026, 11, 16)
    assert period_start(monday) == period_start(monday + dt.timedelta(days=13))
    assert period_start(monday + dt.timedelta(days=14)) == monday + dt.timedelta(days=14)
    assert (period_start(monday) - dt.date(2024, 1, 1)).days % PERIOD_DAYS == 0
