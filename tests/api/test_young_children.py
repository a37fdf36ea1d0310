"""Children under 8 (issue 13, item 5): the server says who is a young child, and owns the smaller
feelings set they pick from by picture, so the PWA never guesses from a birth year."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.models import Role
from ruptures.feelings import FEELINGS
from tests.factories import MembershipFactory
from tests.world import World, client_for

pytestmark = pytest.mark.django_db


def years_ago(age: int) -> int:
    return timezone.localdate().year - age


@pytest.mark.parametrize(("age", "young"), [(5, True), (7, True), (8, False), (12, False)])
def test_me_says_whether_the_caller_is_a_young_child(world: World, age: int, young: bool) -> None:
    child = MembershipFactory.create(
        family=world.family, role=Role.CHILD, user__birth_year=years_ago(age)
    ).user

    body = client_for(child).get("/api/v1/me/").json()

    assert body["young_child"] is young
    assert body["age_band"] == "under_13"  # the band keeps its meaning; young_child is added


def test_members_say_which_children_are_young(world: World) -> None:
    little = MembershipFactory.create(
        family=world.family, role=Role.CHILD, user__birth_year=years_ago(6)
    ).user

    members = client_for(world.parent).get(f"/api/v1/families/{world.family.pk}/members/").json()

    young = {m["id"]: m["young_child"] for m in members["results"]}
    assert young[little.pk] is True
    assert young[world.child.pk] is False  # Maya, born 2012
    assert young[world.parent.pk] is False  # no birth year: never treated as a young child


def test_the_little_feelings_are_six_pictures_in_simple_words(world: World) -> None:
    vocabulary = client_for(world.child).get("/api/v1/feelings/").json()

    little = [f for f in vocabulary if f["little"]]
    assert [f["code"] for f in little] == ["hurt", "sad", "angry", "scared", "ignored", "lonely"]
    assert all(f["emoji"] and f["label_young"] and f["young"] for f in little)
    assert len(vocabulary) == len(FEELINGS)
