"""Site staff see ruptures held for safety review in admin, first, and cannot edit them."""

from __future__ import annotations

from django.test import Client

from ruptures import services
from ruptures.models import EventKind, RuptureEvent, SafetyReview
from tests.api.test_notifications import deliver_now
from tests.world import World, client_for, flag


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


# --- the safety queue ---------------------------------------------------------------------------
def test_the_safety_queue_puts_open_reviews_nobody_was_alerted_to_first(
    world: World, staff_client: Client
) -> None:
    alerted_old = flag(world, unsafe=True)
    deliver_now()  # sent alerts count (a pending one may yet be cancelled)
    closed = flag(world, unsafe=True)
    deliver_now()
    alerted_new = flag(world, unsafe=True)
    deliver_now()
    unalerted = services.rupture_flag(
        actor=world.other_family_child,
        flag=services.FlagInput(
            family_id=world.other_family.pk,
            parent_id=world.other_family_parent.pk,
            feelings=[],
            intensity=5,
            unsafe=True,
        ),
    )
    staff_client.post(
        f"/admin/ruptures/safetyreview/{closed.safety_review.pk}/close/",
        {"outcome": "no_safety_concern", "note": "Talked it through with the school."},
    )

    page = staff_client.get("/admin/ruptures/safetyreview/")

    assert page.status_code == 200
    order = [review.rupture_id for review in page.context["cl"].result_list]
    assert order == [unalerted.pk, alerted_old.pk, alerted_new.pk, closed.pk]


def test_staff_close_a_review_with_an_outcome_and_the_parent_still_sees_nothing(
    world: World, staff_client: Client
) -> None:
    held = flag(world, unsafe=True, note="He hits me.")
    review = held.safety_review
    client_for(world.parent).delete(
        f"/api/v1/families/{world.family.pk}/members/{world.sibling.pk}/"
    )
    detail = staff_client.get(f"/admin/ruptures/safetyreview/{review.pk}/change/")
    assert detail.status_code == 200
    html = detail.content.decode()
    for shown in ("Maya", "Ada", "was removed by Ada", "Held for safety review", "details"):
        assert shown in html

    response = staff_client.post(
        f"/admin/ruptures/safetyreview/{review.pk}/close/",
        {"outcome": "spoke_with_child", "note": "Called the child's school counsellor."},
    )

    assert response.status_code == 302
    review.refresh_from_db()
    assert review.closed_at is not None
    assert (review.outcome, review.note) == (
        "spoke_with_child",
        "Called the child's school counsellor.",
    )
    event = RuptureEvent.objects.get(rupture=held, kind=EventKind.REVIEW_CLOSED)
    assert event.data == {"outcome": "spoke_with_child"}
    held.refresh_from_db()
    assert held.status == "safety_review"
    assert client_for(world.parent).get(f"/api/v1/ruptures/{held.pk}/").status_code == 404
    again = staff_client.post(
        f"/admin/ruptures/safetyreview/{review.pk}/close/", {"outcome": "contacted_family"}
    )
    assert again.status_code == 302
    review.refresh_from_db()
    assert review.outcome == "spoke_with_child"


def test_nothing_in_the_safety_queue_can_be_deleted_or_edited(
    world: World, staff_client: Client
) -> None:
    review = flag(world, unsafe=True).safety_review

    delete = staff_client.post(f"/admin/ruptures/safetyreview/{review.pk}/delete/", {"post": "yes"})
    edit = staff_client.post(
        f"/admin/ruptures/safetyreview/{review.pk}/change/", {"note": "rewritten"}
    )
    bulk = staff_client.post(
        "/admin/ruptures/safetyreview/",
        {"action": "delete_selected", "_selected_action": [review.pk], "post": "yes"},
    )

    assert delete.status_code == 403
    assert edit.status_code == 403
    assert bulk.status_code in (200, 302)
    assert SafetyReview.objects.filter(pk=review.pk, note="").exists()


def test_only_staff_reach_the_close_form(world: World) -> None:
    review = flag(world, unsafe=True).safety_review
    client = Client()
    client.force_login(world.parent)

    response = client.post(
        f"/admin/ruptures/safetyreview/{review.pk}/close/", {"outcome": "spoke_with_child"}
    )

    assert response.status_code == 302  # to the admin login
    review.refresh_from_db()
    assert review.closed_at is None
