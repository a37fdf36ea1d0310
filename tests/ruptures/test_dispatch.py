"""The beat sweep claims only as many prompts as the workers can deliver within a lease."""

from __future__ import annotations

import pytest
from django.test import TestCase, override_settings

from accounts.models import User
from ruptures import delivery
from ruptures.models import Prompt, PromptStatus
from ruptures.tasks import dispatch_due_prompts
from tests.world import World, flag


@override_settings(PROMPT_MAX_IN_FLIGHT=3, PROMPT_CLAIM_BATCH=2)
def test_the_sweep_stops_at_the_in_flight_limit(world: World) -> None:
    User.objects.update(quiet_hours_start=None, quiet_hours_end=None)
    for _ in range(4):
        flag(world, by="parent")  # two prompts due now each

    with TestCase.captureOnCommitCallbacks(execute=False):
        first = dispatch_due_prompts()
        second = dispatch_due_prompts()

    assert (first, second) == (3, 0)
    assert Prompt.objects.filter(status=PromptStatus.CLAIMED).count() == 3
    assert Prompt.objects.filter(status=PromptStatus.PENDING).count() == 5


@pytest.mark.parametrize("room", [0, 1])
def test_no_room_means_no_claim(world: World, room: int) -> None:
    flag(world, by="parent")

    with override_settings(PROMPT_MAX_IN_FLIGHT=room), TestCase.captureOnCommitCallbacks():
        claimed = dispatch_due_prompts()

    assert claimed == room


@pytest.mark.parametrize(
    ("claimed", "spread", "sizes"),
    [
        (10, True, [3, 3, 3, 1]),  # everything due: over every pool process, for the shortest wait
        (10, False, [10]),  # a backlog's slice: the pool is busy anyway, one task pays once
        (250, True, [63, 63, 63, 61]),
        (250, False, [100, 100, 50]),
        (3, True, [1, 1, 1]),
    ],
)
def test_a_claim_goes_out_in_tasks_of_the_delivery_batch(
    claimed: int, spread: bool, sizes: list[int]
) -> None:
    ids = list(range(claimed))

    tasks = delivery.batches(ids, size=100, spread=spread)

    assert [len(task) for task in tasks] == sizes
    assert [pk for task in tasks for pk in task] == ids
