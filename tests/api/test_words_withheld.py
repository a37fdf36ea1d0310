"""A child's opt-out from 'details' therapists stays with what they wrote (issue 9, item 5):
leaving the family or deleting the account never widens who can read the words."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from tests.world import World, client_for

URL = "/api/v1/ruptures/"


def opt(world: World, out: bool) -> None:
    response = client_for(world.child).patch(
        f"/api/v1/families/{world.family.pk}/members/{world.child.pk}/",
        {"details_opt_out": out},
        format="json",
    )
    assert response.status_code == 200, response.json()


def flag(world: World) -> int:
    response = client_for(world.child).post(
        URL,
        {
            "family": world.family.pk,
            "parent": world.parent.pk,
            "feelings": ["hurt"],
            "intensity": 3,
            "note": "Please do not tell anyone else.",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    rupture_id: int = response.json()["id"]
    return rupture_id


def therapist_reads(world: World, rupture_id: int) -> tuple[int, int]:
    therapist = client_for(world.therapist_details)
    return (
        therapist.get(f"{URL}{rupture_id}/").status_code,
        therapist.get(f"{URL}{rupture_id}/messages/").status_code,
    )


def leave(world: World) -> None:
    response = client_for(world.child).delete(
        f"/api/v1/families/{world.family.pk}/members/{world.child.pk}/"
    )
    assert response.status_code == 204


def delete_account(world: World) -> None:
    world.child.birth_year = 2000
    world.child.save(update_fields=["birth_year"])
    assert client_for(world.child).delete("/api/v1/me/").status_code == 204


def removed_by_parent(world: World) -> None:
    response = client_for(world.parent).delete(
        f"/api/v1/families/{world.family.pk}/members/{world.child.pk}/"
    )
    assert response.status_code == 204


@pytest.mark.parametrize("then", [leave, delete_account, removed_by_parent])
def test_leaving_never_widens_who_reads(world: World, then: Callable[[World], None]) -> None:
    opt(world, out=True)
    rupture_id = flag(world)
    assert therapist_reads(world, rupture_id) == (404, 404)

    then(world)

    assert therapist_reads(world, rupture_id) == (404, 404)
    listed = client_for(world.therapist_details).get(URL).json()
    assert listed["count"] == 0


def test_opting_out_later_withholds_what_was_already_written(world: World) -> None:
    rupture_id = flag(world)
    assert therapist_reads(world, rupture_id) == (200, 200)

    opt(world, out=True)
    leave(world)

    assert therapist_reads(world, rupture_id) == (404, 404)


def test_opting_back_in_applies_from_then_on(world: World) -> None:
    opt(world, out=True)
    withheld = flag(world)
    opt(world, out=False)

    shared = flag(world)

    assert therapist_reads(world, withheld) == (404, 404)
    assert therapist_reads(world, shared) == (200, 200)


def test_the_child_and_the_parent_still_read_a_withheld_rupture(world: World) -> None:
    opt(world, out=True)
    rupture_id = flag(world)

    for reader in (world.child, world.parent):
        body = client_for(reader).get(f"{URL}{rupture_id}/").json()
        assert body["note"] == "Please do not tell anyone else."
    assert APIClient().get(f"{URL}{rupture_id}/").status_code == 401
