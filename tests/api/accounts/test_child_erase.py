"""Erasing a young child's profile (issue 9, item 10): the profile and its data go, except what is
under safety review, and the answer never tells which."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from accounts.models import PairingCode, ParentalConsent, User
from accounts.privacy import PRIVACY_NOTICE_VERSION
from ruptures import safety_reviews, services
from ruptures.models import (
    Message,
    Prompt,
    Rupture,
    SafetyOutcome,
    SafetyReview,
    SafetyReviewActivity,
)
from tests.factories import UserFactory
from tests.world import ClientKind, World, client_for


def fam(world: World) -> str:
    return f"/api/v1/families/{world.family.pk}/"


def young_child(world: World) -> User:
    """A child profile added through the API, so the parent's consent is recorded."""
    response = client_for(world.parent).post(
        f"{fam(world)}children/",
        {
            "display_name": "Pip",
            "birth_year": timezone.now().year - 7,
            "privacy_notice_version": PRIVACY_NOTICE_VERSION,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    child = User.objects.get(pk=response.json()["id"])
    code = client_for(world.parent).post(f"{fam(world)}children/{child.pk}/pairing-codes/")
    assert code.status_code == 201
    return child


def flag_by(child: User, world: World, **overrides: Any) -> Rupture:
    fields: dict[str, Any] = {
        "family_id": world.family.pk,
        "parent_id": world.parent.pk,
        "feelings": ["hurt"],
        "intensity": 3,
        "note": "You broke my drawing.",
    } | overrides
    return services.rupture_flag(actor=child, flag=services.FlagInput(**fields))


def erase(world: World, child: User, *, by: User | None = None) -> Any:
    return client_for(by or world.parent).delete(f"{fam(world)}children/{child.pk}/")


def test_a_parent_erases_a_child_profile_and_its_data(world: World) -> None:
    child = young_child(world)
    rupture = flag_by(child, world)
    services.rupture_message_post(actor=world.parent, rupture_id=rupture.pk, body="I am sorry.")

    response = erase(world, child)

    assert (response.status_code, response.content) == (204, b"")
    assert not User.objects.filter(pk=child.pk).exists()
    assert not PairingCode.objects.exists()
    assert not Rupture.objects.filter(pk=rupture.pk).exists()
    assert not Message.objects.exists()
    assert not Prompt.objects.exists()
    receipt = ParentalConsent.objects.get(given_by=world.parent)
    assert receipt.child is None
    assert receipt.erased_at is not None
    assert (receipt.given_by_email, receipt.privacy_notice_version) == (
        world.parent.email,
        PRIVACY_NOTICE_VERSION,
    )
    members = client_for(world.parent).get(f"{fam(world)}members/").json()["results"]
    assert child.pk not in [m["id"] for m in members]
    again = erase(world, child)
    assert again.status_code == 404
    assert again.json()["errors"][0]["code"] == "child_not_found"


@pytest.mark.parametrize("held", [True, False])
def test_erasing_answers_the_same_whether_or_not_a_flag_is_held(world: World, held: bool) -> None:
    child = young_child(world)
    flag_by(child, world, unsafe=held)

    response = erase(world, child)

    assert (response.status_code, response.content) == (204, b"")


def test_a_held_flag_outlives_the_erased_profile_until_its_review_closes(world: World) -> None:
    child = young_child(world)
    held = flag_by(child, world, unsafe=True, note="He hits me.")
    ordinary = flag_by(child, world)

    erase(world, child)

    held.refresh_from_db()
    assert (held.child_id, held.note, held.status) == (None, "He hits me.", "safety_review")
    assert not Rupture.objects.filter(pk=ordinary.pk).exists()
    review = SafetyReview.objects.get(rupture=held)
    assert (review.child_name, review.erase_on_close) == ("Pip", True)
    activity = SafetyReviewActivity.objects.get(review=review)
    assert activity.kind == "child_erased"
    assert "He hits me" not in activity.detail

    safety_reviews.safety_review_close(
        actor=UserFactory.create(is_staff=True),
        review_id=review.pk,
        outcome=SafetyOutcome.CONTACTED_FAMILY,
    )
    assert safety_reviews.held_records_release() == (1, 0)
    assert not Rupture.objects.filter(pk=held.pk).exists()


def test_removing_a_child_profile_from_the_family_erases_it(world: World) -> None:
    child = young_child(world)
    rupture = flag_by(child, world)

    response = client_for(world.parent).delete(f"{fam(world)}members/{child.pk}/")

    assert response.status_code == 204
    assert not User.objects.filter(pk=child.pk).exists()
    assert not Rupture.objects.filter(pk=rupture.pk).exists()
    assert ParentalConsent.objects.get(given_by=world.parent).erased_at is not None


@pytest.mark.parametrize(
    ("caller", "target", "status", "code"),
    [
        ("child_profile", "child_profile", 403, "parent_only"),
        ("child", "child_profile", 403, "parent_only"),
        ("other_family_parent", "child_profile", 404, "family_not_found"),
        ("therapist_metrics", "child_profile", 404, "family_not_found"),
        ("parent", "child", 422, "not_a_child_profile"),
        ("parent", "other_parent", 404, "child_not_found"),
        ("parent", "other_family_child_profile", 404, "child_not_found"),
    ],
)
def test_who_may_erase_whom(
    world: World, caller: str, target: str, status: int, code: str, client_kind: ClientKind
) -> None:
    victim = getattr(world, target)

    # a body is sent on purpose: authorization is decided before anything is validated
    response = client_for(getattr(world, caller), client_kind).generic(
        "DELETE", f"{fam(world)}children/{victim.pk}/", "{}", content_type="application/json"
    )

    assert response.status_code == status, response.content
    assert response.json()["errors"][0]["code"] == code
    assert User.objects.filter(pk=victim.pk).exists()
