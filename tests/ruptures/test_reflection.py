"""The evening reflection, a parent's own nudge: scheduled at their local time, one a day, never
in quiet hours, in-app and push only, dropped when turned off."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from ruptures import reflection
from ruptures.models import Notification, Prompt, PromptKind, PromptStatus, Rupture, Status
from tests.ruptures.test_prompts import deliver_due
from tests.world import World, flag

LONDON = zoneinfo.ZoneInfo("Europe/London")


def _pending() -> list[dt.datetime]:
    return list(
        Prompt.objects.filter(kind=PromptKind.REFLECTION, status=PromptStatus.PENDING)
        .order_by("due_at")
        .values_list("due_at", flat=True)
    )


@pytest.fixture
def evening(world: World) -> dt.datetime:
    """A parent in London with quiet hours 22:00-07:00; it is 12:00 there on 27 March 2026
    (the clocks go forward on the 29th)."""
    User.objects.filter(pk=world.parent.pk).update(
        time_zone="Europe/London", quiet_hours_start=dt.time(22), quiet_hours_end=dt.time(7)
    )
    world.parent.refresh_from_db()
    return dt.datetime(2026, 3, 27, 12, 0, tzinfo=LONDON)


def test_off_by_default_and_on_at_the_parents_local_time_every_day(
    world: World, evening: dt.datetime
) -> None:
    assert reflection.state(actor=world.parent).enabled is False
    assert _pending() == []

    reflection.reflection_update(actor=world.parent, enabled=True, at=dt.time(20, 30), now=evening)

    assert _pending() == [dt.datetime(2026, 3, 27, 20, 30, tzinfo=LONDON)]
    clock = evening
    sent_at = []
    for _ in range(3):
        clock = _pending()[0]
        assert deliver_due(clock) == ["sent"]
        sent_at.append(clock.astimezone(LONDON).strftime("%d %H:%M %Z"))
    assert sent_at == ["27 20:30 GMT", "28 20:30 GMT", "29 20:30 BST"]  # across the DST change
    note = Notification.objects.filter(kind=PromptKind.REFLECTION).first()
    assert note is not None
    assert (note.body, note.url, note.rupture_id) == (
        "Was there a moment today you'd like to make right?",
        "/#/reflection",
        None,
    )
    assert mail.outbox == []  # a nudge is never an email


def test_never_in_quiet_hours_nor_moved_to_the_morning(world: World, evening: dt.datetime) -> None:
    reflection.reflection_update(actor=world.parent, enabled=True, at=dt.time(22, 30), now=evening)
    due = _pending()[0]

    assert deliver_due(due) == ["cancelled"]

    dropped = Prompt.objects.get(kind=PromptKind.REFLECTION, due_at=due)
    assert dropped.cancelled_reason == "quiet_hours"
    assert not Notification.objects.exists()
    assert _pending() == [due + dt.timedelta(days=1)]  # tomorrow's, still at 22:30


def test_turning_it_off_or_changing_the_time_replaces_the_pending_one(
    world: World, evening: dt.datetime
) -> None:
    reflection.reflection_update(actor=world.parent, enabled=True, at=dt.time(19), now=evening)
    reflection.reflection_update(actor=world.parent, enabled=True, at=dt.time(18), now=evening)
    assert _pending() == [dt.datetime(2026, 3, 27, 18, 0, tzinfo=LONDON)]

    reflection.reflection_update(actor=world.parent, enabled=False, now=evening)

    assert _pending() == []
    assert deliver_due(dt.datetime(2026, 3, 27, 18, 0, tzinfo=LONDON)) == []


def test_a_reflection_still_pending_when_turned_off_elsewhere_is_dropped(
    world: World, evening: dt.datetime
) -> None:
    reflection.reflection_update(actor=world.parent, enabled=True, at=dt.time(19), now=evening)
    User.objects.filter(pk=world.parent.pk).update(reflection_enabled=False)

    assert deliver_due(_pending()[0]) == ["cancelled"]
    assert Prompt.objects.get(kind=PromptKind.REFLECTION).cancelled_reason == "reflection_off"
    assert _pending() == []


def test_three_dismissals_in_a_row_ask_to_pause_and_a_repair_from_it_starts_again(
    world: World, evening: dt.datetime
) -> None:
    reflection.reflection_update(actor=world.parent, enabled=True, now=evening)
    answers = [reflection.reflection_dismiss(actor=world.parent).ask_pause for _ in range(3)]
    assert answers == [False, False, True]

    rupture = flag(world, by="parent", started_from_nudge=True)

    assert Rupture.objects.get(pk=rupture.pk).started_from_nudge is True
    world.parent.refresh_from_db()
    assert reflection.state(actor=world.parent).dismissals_in_row == 0


def test_suggested_once_after_the_parents_first_repair(world: World, evening: dt.datetime) -> None:
    rupture = flag(world)
    assert reflection.state(actor=world.parent).suggest is False

    Rupture.objects.filter(pk=rupture.pk).update(
        status=Status.RECONNECTED, reconnected_at=timezone.now()
    )
    assert reflection.state(actor=world.parent).suggest is True

    reflection.reflection_update(actor=world.parent, enabled=False, now=evening)  # "no thanks"
    assert reflection.state(actor=world.parent).suggest is False
