"""Every list's page carries its count from the same statement (``api.pagination``), and answers
exactly as Django's own paginator would: count, next and previous, and the 404 envelope past the
end or for a page that is no number."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.paginator import Paginator

from accounts.models import Family, Role
from api.pagination import CountedPaginator
from ruptures.models import Rupture
from tests.world import World, client_for, flag

pytestmark = pytest.mark.django_db

URL = "/api/v1/ruptures/"


@pytest.fixture
def five(world: World) -> list[Rupture]:
    return [flag(world) for _ in range(5)]


@pytest.mark.parametrize(
    ("page", "ids", "has_next", "has_previous"),
    [("1", [4, 3], True, False), ("2", [2, 1], True, True), ("3", [0], False, True)],
)
def test_each_page_has_the_whole_count(
    world: World, five: list[Rupture], page: str, ids: list[int], has_next: bool, has_previous: bool
) -> None:
    body = client_for(world.parent).get(URL, {"page_size": "2", "page": page}).json()

    assert body["count"] == 5
    assert [row["id"] for row in body["results"]] == [five[i].pk for i in ids]
    assert (body["next"] is not None, body["previous"] is not None) == (has_next, has_previous)


def test_the_last_page_by_name(world: World, five: list[Rupture]) -> None:
    body = client_for(world.parent).get(URL, {"page_size": "2", "page": "last"}).json()

    assert body["count"] == 5
    assert [row["id"] for row in body["results"]] == [five[0].pk]


@pytest.mark.parametrize("page", ["4", "0", "-1", "two", "1.5", str(5 * 10**18), "9" * 20])
def test_a_page_past_the_end_or_no_number_is_the_404_envelope(
    world: World, five: list[Rupture], page: str
) -> None:
    response = client_for(world.parent).get(URL, {"page_size": "2", "page": page})

    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


@pytest.mark.parametrize("query", [{}, {"page": "last"}, {"page": "1", "page_size": "1"}])
def test_an_empty_list_is_one_empty_page(world: World, query: dict[str, str]) -> None:
    body = client_for(world.parent).get(URL, query).json()

    assert body == {"count": 0, "next": None, "previous": None, "results": []}


def test_what_a_window_would_miscount_is_counted_as_django_does(world: World) -> None:
    """DISTINCT over a join: the window would count the joined rows (one per membership), so
    these pages are counted by Django's own ``count()``."""
    joined = Family.objects.filter(memberships__role__in=[Role.PARENT, Role.CHILD])
    distinct = joined.distinct().order_by("pk")

    ours: Any = CountedPaginator(distinct, 1).page(1)
    django: Any = Paginator(distinct, 1).page(1)

    assert joined.count() > distinct.count()
    assert ours.paginator.count == django.paginator.count == distinct.count()
    assert list(ours) == list(django)
