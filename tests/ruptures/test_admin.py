"""Site staff see ruptures held for safety review in admin, first, and cannot edit them."""

from __future__ import annotations

from django.test import Client

from tests.world import World, flag


def test_safety_reviews_come_first_for_staff(world: World, staff_client: Client) -> None:
    flag(world)
    unsafe = flag(world, unsafe=True)
    flag(world)

    page = staff_client.get("/admin/ruptures/rupture/")

    assert page.status_code == 200
    rows = page.context["cl"].result_list
    assert rows[0].pk == unsafe.pk
    detail = staff_client.get(f"/admin/ruptures/rupture/{unsafe.pk}/change/")
    assert detail.status_code == 200
    assert b"safety_review" in detail.content


def test_nobody_edits_a_rupture_in_admin(world: World, staff_client: Client) -> None:
    rupture = flag(world)

    response = staff_client.post(
        f"/admin/ruptures/rupture/{rupture.pk}/change/", {"note": "changed"}
    )

    rupture.refresh_from_db()
    assert response.status_code == 403
    assert rupture.note == "You shouted at me in front of my friends."
