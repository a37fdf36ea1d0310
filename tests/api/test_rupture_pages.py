"""A rupture's page and conversation for its two people come from kept statements
(``ruptures.selectors.rupture_detail_of_party``, ``messages_of_party``) rendered as plain
dicts: they must answer exactly what the ORM selectors a therapist reads through
(``rupture_detail``, ``message_list``) and the documented serializers answer, for every side
and state, in a fixed number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import TestCase

from api.ruptures.serializers import RuptureOut, conversation_rows, message_rows, rupture_body
from familyrepair.errors import NotFound
from ruptures import selectors, services
from ruptures.models import Direction, Message, Rupture, RuptureEvent
from tests.api.test_care_safety_reviews import unsafe_flag
from tests.world import World, client_for, flag

URL = "/api/v1/ruptures/"


def histories(world: World) -> list[Rupture]:
    """Ruptures in the states a page shows differently: fresh, acknowledged with steps and a
    private reflection, a parent's own, a child's own repair, held for safety review, asked to be
    released, and one whose child and an event's author left."""
    fresh = flag(world)
    worked = flag(world)
    services.rupture_acknowledge(actor=world.parent, rupture_id=worked.pk)
    services.rupture_repair_steps_update(
        actor=world.parent,
        rupture_id=worked.pk,
        changes=[
            services.StepChange(step="calm", done=True, reflection="I was tired."),
            services.StepChange(step="acknowledge", done=False, reflection="Not yet."),
        ],
    )
    services.rupture_plan_say(actor=world.child, rupture_id=worked.pk, words="Ask me first.")
    own = flag(world, by="parent")
    child_repairs = flag(world, direction=Direction.CHILD_REPAIRS)
    held = unsafe_flag(world)
    asked = unsafe_flag(world)
    care = client_for(world.therapist_details)
    closed = care.post(
        f"/api/v1/care/safety-reviews/{asked.pk}/close/",
        {"outcome": "no_safety_concern"},
        format="json",
    )
    assert closed.status_code == 200
    former = flag(world)
    services.rupture_acknowledge(actor=world.parent, rupture_id=former.pk)
    RuptureEvent.objects.filter(rupture=former, actor=world.parent).update(actor=None)
    Rupture.objects.filter(pk=former.pk).update(child=None)
    return [fresh, worked, own, child_repairs, held, asked, former]


def test_a_page_is_what_the_selector_and_the_documented_serializer_answer(world: World) -> None:
    ruptures = histories(world)
    compared = 0
    shown: set[str] = set()
    for reader in (world.child, world.parent):
        for rupture in ruptures:
            try:
                documented, party = selectors.rupture_detail(actor=reader, rupture_id=rupture.pk)
            except NotFound:  # out of this reader's reach: out of the kept read's too
                with pytest.raises(NotFound):
                    selectors.rupture_detail_of_party(actor=reader, rupture_id=rupture.pk)
                continue
            kept, kept_party, timeline, steps = selectors.rupture_detail_of_party(
                actor=reader, rupture_id=rupture.pk
            )
            expected = RuptureOut(documented, context={"party": party}).data
            assert kept_party == party
            body = rupture_body(kept, party=party, timeline=timeline, steps=steps)
            assert body == expected
            shown |= {key for key in ("release_question", "help_resources", "plan") if body[key]}
            compared += 1
    # The parent never reaches the two held flags; the child who left, their former rupture.
    assert compared == 11
    assert shown == {"release_question", "help_resources", "plan"}


def test_an_unsafe_flag_is_out_of_the_named_parents_reach(world: World) -> None:
    held = unsafe_flag(world)

    with pytest.raises(NotFound):
        selectors.rupture_detail_of_party(actor=world.parent, rupture_id=held.pk)
    with pytest.raises(NotFound):
        selectors.messages_of_party(actor=world.parent, rupture_id=held.pk)
    assert selectors.rupture_detail_of_party(actor=world.child, rupture_id=held.pk)[0].pk == held.pk


def test_a_conversation_is_what_the_documented_rows_answer(world: World) -> None:
    rupture, quiet = flag(world), flag(world)
    services.rupture_acknowledge(actor=world.parent, rupture_id=rupture.pk)
    services.rupture_message_post(actor=world.child, rupture_id=rupture.pk, body="Ça m'a fait mal")
    services.rupture_message_post(actor=world.parent, rupture_id=rupture.pk, body="I hear you.")
    gone = services.rupture_message_post(actor=world.child, rupture_id=rupture.pk, body="ok")
    Message.objects.filter(pk=gone.pk).update(author=None)

    for reader in (world.child, world.parent):
        documented = list(selectors.message_list(rupture=rupture))
        assert conversation_rows(
            selectors.messages_of_party(actor=reader, rupture_id=rupture.pk), reader=reader
        ) == message_rows(documented, reader=reader)
        assert selectors.messages_of_party(actor=reader, rupture_id=quiet.pk) == []


# The user, then the rupture with its people, hold and steps, then its timeline.
PAGE_QUERIES = 3
# The user, then the conversation with its rupture's visibility.
CONVERSATION_QUERIES = 2
# The user; in the service's savepoint the rupture locked, its update, its event and its prompts
# (those it ends cancelled, the two it schedules, with the family's timing and the reminders it
# has); then the page and its timeline, as a read gives them.
ACKNOWLEDGE_QUERIES = 13


@pytest.mark.parametrize("messages", [1, 50])
def test_a_partys_reads_run_a_fixed_number_of_queries(
    world: World, messages: int, django_assert_num_queries: Any
) -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        rupture = flag(world)
        services.rupture_acknowledge(actor=world.parent, rupture_id=rupture.pk)
        for i in range(messages):
            services.rupture_message_post(actor=world.child, rupture_id=rupture.pk, body=f"m{i}")
    client = client_for(world.child)
    client.get(f"{URL}{rupture.pk}/")  # warm the session

    with django_assert_num_queries(PAGE_QUERIES):
        page = client.get(f"{URL}{rupture.pk}/")
    with django_assert_num_queries(CONVERSATION_QUERIES):
        conversation = client.get(f"{URL}{rupture.pk}/messages/")

    assert page.status_code == 200
    assert len(conversation.json()) == messages


def test_a_write_answers_with_the_page_a_read_gives(
    world: World, django_assert_num_queries: Any
) -> None:
    """The answer to a write is the page read the same way as a GET (two statements after the
    write's own), not through the ORM with its prefetches (three), and says the same."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        rupture = flag(world)
    client = client_for(world.parent)
    client.get(f"{URL}{rupture.pk}/")  # warm the session
    services.rupture_acknowledge(actor=world.parent, rupture_id=flag(world).pk)  # and the write

    with django_assert_num_queries(ACKNOWLEDGE_QUERIES) as captured:
        answer = client.post(f"{URL}{rupture.pk}/acknowledge/")
    statements = [query["sql"] for query in captured.captured_queries]

    assert answer.status_code == 200, answer.content
    assert answer.json() == client.get(f"{URL}{rupture.pk}/").json()
    assert not [s for s in statements if 'FROM "ruptures_repairstep"' in s]  # no prefetch
