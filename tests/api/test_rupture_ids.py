"""A rupture's id tells nothing (issue 9): not how many were flagged between two of a parent's own,
so a flag held for safety review leaves no gap. Ids stay below 2**53 so JavaScript keeps them
exact, and lists are still newest first."""

from __future__ import annotations

from typing import Any

from ruptures.models import RUPTURE_ID_LIMIT
from tests.world import World, client_for

URL = "/api/v1/ruptures/"


def flag(world: World, who: str, **fields: Any) -> int:
    body: dict[str, Any] = {"family": world.family.pk, "feelings": ["hurt"], "intensity": 2}
    body |= {"parent": world.parent.pk} if who == "child" else {"child": world.child.pk}
    response = client_for(getattr(world, who)).post(URL, body | fields, format="json")
    assert response.status_code == 201, response.json()
    rupture_id: int = response.json()["id"]
    return rupture_id


def test_a_held_flag_leaves_no_gap_between_a_parents_own_ids(world: World) -> None:
    first = flag(world, "parent")
    flag(world, "child", unsafe=True)
    second = flag(world, "parent")

    assert abs(second - first) > 1_000_000
    assert all(1 <= pk < RUPTURE_ID_LIMIT for pk in (first, second))


def test_ids_are_random_exact_in_javascript_and_lists_stay_newest_first(world: World) -> None:
    made = [flag(world, "parent") for _ in range(8)]
    parent = client_for(world.parent)

    listed = parent.get(URL).json()["results"]
    newest = made[-1]
    detail = parent.get(f"{URL}{newest}/")

    assert made != sorted(made)
    assert all(1 <= pk < 2**53 for pk in made)
    assert float(newest) == newest  # a JavaScript number holds it exactly
    assert [row["id"] for row in listed] == made[::-1]
    assert (detail.status_code, detail.json()["id"]) == (200, newest)
    assert parent.get(f"{URL}{RUPTURE_ID_LIMIT}/").status_code == 404
