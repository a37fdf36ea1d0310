"""Families and members: bodies, prompt settings, leaving and removing, query counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from allauth.usersessions.models import UserSession
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import Family, Membership, Role
from accounts.services.children import pairing_code_create
from tests.factories import ChildProfileFactory, FamilyFactory, MembershipFactory, UserFactory
from tests.world import World, client_for

pytestmark = pytest.mark.django_db


def test_create_family_makes_creator_its_parent(world: World) -> None:
    world.child.time_zone = "Asia/Tokyo"
    world.child.save(update_fields=["time_zone"])

    response = client_for(world.child).post(
        "/api/v1/families/", {"name": " Leo's home "}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "name": "Leo's home",
        "role": "parent",
        "calm_down_minutes": 20,
        "reminder_minutes": [],
        "reminders_enabled": True,
        "follow_up_days": 3,
        "check_ins_enabled": False,
        "time_zone": "Asia/Tokyo",  # the creator's
        "created_at": body["created_at"],
    }
    assert Membership.objects.get(family_id=body["id"]).user == world.child
    assert Family.objects.get(pk=body["id"]).time_zone == "Asia/Tokyo"


def test_family_detail_for_a_child(world: World) -> None:
    body = client_for(world.child_profile).get(f"/api/v1/families/{world.family.pk}/").json()

    assert (body["id"], body["name"], body["role"]) == (world.family.pk, "Okafor", "child")
    assert "care_scope" not in body


def test_patch_family_prompt_settings(world: World) -> None:
    response = client_for(world.parent).patch(
        f"/api/v1/families/{world.family.pk}/",
        {"calm_down_minutes": 0, "reminder_minutes": [30, 120, 600], "follow_up_days": 7},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["calm_down_minutes"], body["reminder_minutes"], body["follow_up_days"]) == (
        0,
        [30, 120, 600],
        7,
    )
    world.family.refresh_from_db()
    assert world.family.reminder_minutes == [30, 120, 600]


def test_a_parent_sets_the_familys_time_zone_and_everyone_reads_it(world: World) -> None:
    url = f"/api/v1/families/{world.family.pk}/"
    parent = client_for(world.parent)

    first = parent.patch(url, {"time_zone": " America/New_York "}, format="json")
    again = parent.patch(url, {"time_zone": "America/New_York"}, format="json")  # a replay

    assert first.status_code == again.status_code == 200
    assert first.json()["time_zone"] == "America/New_York"
    assert again.json() == first.json()
    world.family.refresh_from_db()
    assert world.family.time_zone == "America/New_York"
    for who in ("child", "other_parent", "therapist_metrics"):
        assert client_for(getattr(world, who)).get(url).json()["time_zone"] == "America/New_York"


def test_a_family_can_say_no_reminders_and_empty_still_means_the_defaults(world: World) -> None:
    url = f"/api/v1/families/{world.family.pk}/"
    parent = client_for(world.parent)

    off = parent.patch(url, {"reminders_enabled": False}, format="json")
    again = parent.patch(url, {"reminders_enabled": False}, format="json")  # a replay: the same
    world.family.refresh_from_db()
    assert off.status_code == again.status_code == 200
    assert (off.json()["reminders_enabled"], off.json()["reminder_minutes"]) == (False, [])
    assert again.json() == off.json()
    assert (world.family.reminders_enabled, world.family.reminder_minutes) == (False, [])

    # An older client that sends only the schedule leaves the switch as it was.
    body = parent.patch(url, {"reminder_minutes": []}, format="json").json()
    assert (body["reminders_enabled"], body["reminder_minutes"]) == (False, [])
    body = parent.patch(url, {"reminders_enabled": True}, format="json").json()
    assert (body["reminders_enabled"], body["reminder_minutes"]) == (True, [])


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("child", 403, "parent_only"),
        ("child_profile", 403, "parent_only"),
        ("other_family_parent", 404, "family_not_found"),
        ("therapist_details", 404, "family_not_found"),  # reads it, never a member
        ("anonymous", 401, "not_authenticated"),
    ],
)
@pytest.mark.parametrize(
    "change", [{"reminders_enabled": False}, {"time_zone": "Pacific/Auckland"}], ids=str
)
def test_only_the_familys_parents_change_its_settings(
    world: World, who: str, status: int, code: str, change: dict[str, Any]
) -> None:
    before = _family_state(world.family)

    response = client_for(world.actor(who)).patch(
        f"/api/v1/families/{world.family.pk}/", change, format="json"
    )

    assert (response.status_code, response.json()["errors"][0]["code"]) == (status, code)
    assert _family_state(world.family) == before


def _family_state(family: Family) -> tuple[Any, ...]:
    family.refresh_from_db()
    return (
        family.name,
        family.calm_down_minutes,
        family.reminder_minutes,
        family.reminders_enabled,
        family.follow_up_days,
        family.time_zone,
    )


BAD_FAMILY_PATCH = [
    ({"name": ""}, "blank", "name"),
    ({"name": "x" * 81}, "max_length", "name"),
    ({"name": 12}, None, None),  # DRF coerces numbers to strings: accepted, see below
    ({"calm_down_minutes": -1}, "min_value", "calm_down_minutes"),
    ({"calm_down_minutes": "soon"}, "invalid", "calm_down_minutes"),
    ({"calm_down_minutes": 10_000}, "max_value", "calm_down_minutes"),
    ({"reminder_minutes": [60, 30]}, "reminders_not_growing", "reminder_minutes"),
    ({"reminder_minutes": [30, 30]}, "reminders_not_growing", "reminder_minutes"),
    ({"reminder_minutes": [0]}, "min_value", "reminder_minutes.0"),
    ({"reminder_minutes": "30,60"}, "not_a_list", "reminder_minutes"),
    ({"reminder_minutes": list(range(1, 12))}, "max_length", "reminder_minutes"),
    ({"reminders_enabled": "sometimes"}, "invalid", "reminders_enabled"),
    ({"reminders_enabled": None}, "null", "reminders_enabled"),
    ({"reminders_enabled": [False]}, "invalid", "reminders_enabled"),
    ({"follow_up_days": -3}, "min_value", "follow_up_days"),
    ({"follow_up_days": None}, "null", "follow_up_days"),
    ({"time_zone": "Mars/Olympus"}, "invalid_time_zone", "time_zone"),
    ({"time_zone": "../../etc/passwd"}, "invalid_time_zone", "time_zone"),
    ({"time_zone": 5}, "invalid_time_zone", "time_zone"),  # DRF makes it "5": no such zone
    ({"time_zone": ""}, "blank", "time_zone"),
    ({"time_zone": None}, "null", "time_zone"),
    ({"time_zone": ["UTC"]}, "invalid", "time_zone"),
    ({"time_zone": "A" * 65}, "max_length", "time_zone"),
    ({"time_zone": "Europe/London", "follow_up_days": -1}, "min_value", "follow_up_days"),
]


@pytest.mark.parametrize(
    ("body", "code", "param"),
    [case for case in BAD_FAMILY_PATCH if case[1]],
    ids=[f"{c}-{p}" for _, c, p in BAD_FAMILY_PATCH if c],
)
def test_patch_family_bad_input_changes_nothing(
    world: World, body: dict[str, Any], code: str, param: str
) -> None:
    before = _family_state(world.family)

    response = client_for(world.parent).patch(
        f"/api/v1/families/{world.family.pk}/", body, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == code
    assert response.json()["errors"][0]["param"] == param
    assert _family_state(world.family) == before


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "required"),
        ({"name": ""}, "blank"),
        ({"name": "x" * 81}, "max_length"),
        ([], "invalid"),
    ],
)
def test_create_family_bad_input_writes_nothing(world: World, body: Any, code: str) -> None:
    before = Family.objects.count()

    response = client_for(world.parent).post("/api/v1/families/", body, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == code
    assert Family.objects.count() == before


def test_members_full_body_parents_first(world: World) -> None:
    response = client_for(world.child_profile).get(f"/api/v1/families/{world.family.pk}/members/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    assert [(m["id"], m["role"], m["age_band"]) for m in body["results"]] == [
        (world.parent.pk, "parent", "unknown"),
        (world.other_parent.pk, "parent", "unknown"),
        (world.child.pk, "child", "13_17"),
        (world.sibling.pk, "child", "under_13"),
        (world.child_profile.pk, "child", "under_13"),
    ]
    assert body["results"][4] == {
        "id": world.child_profile.pk,
        "display_name": "Zoe",
        "role": "child",
        "age_band": "under_13",
        "young_child": False,
        "birth_year": world.child_profile.birth_year,
        "is_child_profile": True,
        "joined_at": body["results"][4]["joined_at"],
        "details_opt_out": False,
    }


def test_anyone_can_leave(world: World) -> None:
    response = client_for(world.child).delete(
        f"/api/v1/families/{world.family.pk}/members/{world.child.pk}/"
    )

    assert response.status_code == 204
    assert not Membership.objects.filter(family=world.family, user=world.child).exists()


def test_child_cannot_remove_someone_else(world: World) -> None:
    response = client_for(world.child).delete(
        f"/api/v1/families/{world.family.pk}/members/{world.child_profile.pk}/"
    )

    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "parent_only"
    assert Membership.objects.filter(family=world.family).count() == 5


def test_last_parent_cannot_leave_while_children_remain(world: World) -> None:
    client_for(world.parent).delete(
        f"/api/v1/families/{world.family.pk}/members/{world.other_parent.pk}/"
    )

    response = client_for(world.parent).delete(
        f"/api/v1/families/{world.family.pk}/members/{world.parent.pk}/"
    )

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "last_parent"
    assert Membership.objects.filter(family=world.family).count() == 4


def test_removing_member_of_other_family_or_unknown_is_404(world: World) -> None:
    for user_id in (world.other_family_child_profile.pk, 999_999):
        response = client_for(world.parent).delete(
            f"/api/v1/families/{world.family.pk}/members/{user_id}/"
        )
        assert response.status_code == 404
        assert response.json()["errors"][0]["code"] == "member_not_found"
    assert Membership.objects.count() == 8


def test_removed_child_profile_devices_are_signed_out(world: World) -> None:
    _, code = pairing_code_create(
        actor=world.parent, family_id=world.family.pk, child_id=world.child_profile.pk
    )
    device = APIClient()
    assert device.post("/api/v1/pairing/", {"code": code}, format="json").status_code == 200

    client_for(world.parent).delete(
        f"/api/v1/families/{world.family.pk}/members/{world.child_profile.pk}/"
    )

    assert device.get("/api/v1/me/").status_code == 401
    assert not UserSession.objects.filter(user=world.child_profile).exists()


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [("child", 200, None), ("child_profile", 403, "age_restricted"), ("parent", 200, None)],
)
def test_details_opt_out_is_ones_own(world: World, who: str, status: int, code: str | None) -> None:
    user = getattr(world, who)

    response = client_for(user).patch(
        f"/api/v1/families/{world.family.pk}/members/{user.pk}/",
        {"details_opt_out": True},
        format="json",
    )

    assert response.status_code == status
    if code:
        assert response.json()["errors"][0]["code"] == code
    opted = Membership.objects.get(family=world.family, user=user).details_opt_out
    assert opted is (status == 200)


def test_details_opt_out_for_someone_else_is_403(world: World) -> None:
    response = client_for(world.parent).patch(
        f"/api/v1/families/{world.family.pk}/members/{world.child.pk}/",
        {"details_opt_out": True},
        format="json",
    )

    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "own_membership_only"


def _queries(call: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("path", "grow"),
    [
        ("/api/v1/families/", "families"),
        ("/api/v1/families/{family}/members/", "members"),
        ("/api/v1/me/", "families"),
    ],
)
def test_list_query_count_does_not_grow(path: str, grow: str) -> None:
    """1 item and 50 items cost the same number of queries."""
    parent = UserFactory.create()
    family = FamilyFactory.create()
    MembershipFactory.create(family=family, user=parent)
    client = client_for(parent)
    url = path.format(family=family.pk)
    client.get(url)  # warm the session
    one = _queries(lambda: client.get(url, {"page_size": 100}))

    for _ in range(49):
        if grow == "families":
            MembershipFactory.create(user=parent, family=FamilyFactory.create())
        else:
            MembershipFactory.create(
                family=family, user=ChildProfileFactory.create(), role=Role.CHILD
            )

    with_fifty = _queries(lambda: client.get(url, {"page_size": 100}))
    assert with_fifty == one


def test_list_query_count_exact(django_assert_num_queries: Any) -> None:
    parent = UserFactory.create()
    family = FamilyFactory.create()
    MembershipFactory.create(family=family, user=parent)
    for _ in range(50):
        MembershipFactory.create(family=family, user=ChildProfileFactory.create(), role=Role.CHILD)
    client = client_for(parent)
    client.get("/api/v1/me/")

    # the user (session from the cache), then the members with the reader's membership checked
    # in the same statement (a kept one, accounts.selectors): a read opens no transaction
    with django_assert_num_queries(2):
        response = client.get(f"/api/v1/families/{family.pk}/members/", {"page_size": 100})
    assert response.json()["count"] == 51
