"""The parent's repair steps: marking a step done and taking it back each leave one event, and
saying again what a step already is leaves none."""

from __future__ import annotations

import pytest

from ruptures import services
from ruptures.models import EventKind, RepairStep, RuptureEvent
from tests.world import World, flag

pytestmark = pytest.mark.django_db


def test_done_then_undone_records_each_change_once(world: World) -> None:
    rupture = flag(world)
    services.rupture_acknowledge(actor=world.parent, rupture_id=rupture.pk)

    def change(done: bool | None) -> None:
        step = services.StepChange(step="calm", done=done, reflection="breathing")
        services.rupture_repair_steps_update(
            actor=world.parent, rupture_id=rupture.pk, changes=[step]
        )

    for done in (True, True, None, False, False):
        change(done)

    step = RepairStep.objects.get(rupture=rupture, step="calm")
    assert step.done_at is None
    assert step.reflection == "breathing"
    kinds = RuptureEvent.objects.filter(
        rupture=rupture, kind__in=[EventKind.STEP_DONE, EventKind.STEP_UNDONE]
    ).order_by("id")
    assert [(e.kind, e.data) for e in kinds] == [
        (EventKind.STEP_DONE, {"step": "calm"}),
        (EventKind.STEP_UNDONE, {"step": "calm"}),
    ]
