"""/api/v1/me/reflection/: the parent's evening reflection (opt-in), "not today", and a parent's
own flag started from it (``started_from_nudge``, read-only on the rupture)."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from ruptures.models import Prompt, PromptKind, PromptStatus, Rupture
from tests.world import World, client_for

URL = "/api/v1/me/reflection/"
DISMISS = "/api/v1/me/reflection/dismiss/"


def _state(user: User) -> tuple[Any, ...]:
    user.refresh_from_db()
    pending = Prompt.objects.filter(
        recipient=user, kind=PromptKind.REFLECTION, status=PromptStatus.PENDING
    ).count()
    return (user.reflection_enabled, user.reflection_time, user.reflection_dismissals, pending)


def test_off_by_default_then_on_at_a_chosen_time(world: World) -> None:
    client = client_for(world.parent)

    assert client.get(URL).json() == {
        "enabled": False,
        "time": "20:00",
        "dismissals_in_row": 0,
        "ask_pause": False,
        "suggest": False,
    }
    response = client.put(URL, {"enabled": True, "time": "21:15"}, format="json")

    assert response.status_code == 200
    assert response.json() == {
        "enabled": True,
        "time": "21:15",
        "dismissals_in_row": 0,
        "ask_pause": False,
        "suggest": False,
    }
    assert _state(world.parent)[0::2] == (True, 0)
    assert _state(world.parent)[3] == 1


@pytest.mark.parametrize(
    ("body", "code", "param"),
    [
        ({}, "required", "enabled"),
        ({"time": "20:00"}, "required", "enabled"),
        ({"enabled": "sometimes"}, "invalid", "enabled"),
        ({"enabled": None}, "null", "enabled"),
        ({"enabled": True, "time": "25:00"}, "invalid", "time"),
        ({"enabled": True, "time": 2000}, "invalid", "time"),
        ([], "invalid", None),
    ],
)
def test_bad_settings_change_nothing(world: World, body: Any, code: str, param: str) -> None:
    before = _state(world.parent)

    response = client_for(world.parent).put(URL, body, format="json")

    assert response.status_code == 400
    assert (response.json()["errors"][0]["code"], response.json()["errors"][0]["param"]) == (
        code,
        param,
    )
    assert _state(world.parent) == before


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("child", 403, "parent_only"),
        ("therapist_details", 403, "parent_only"),
        ("anonymous", 401, "not_authenticated"),
    ],
)
@pytest.mark.parametrize("request_", ["get", "put", "dismiss"])
def test_only_parents_have_a_reflection(
    world: World, who: str, status: int, code: str, request_: str
) -> None:
    client = client_for(world.actor(who))
    if request_ == "get":
        response = client.get(URL)
    elif request_ == "put":
        response = client.put(URL, {"enabled": True}, format="json")
    else:
        response = client.post(DISMISS, format="json")

    assert response.status_code == status
    assert response.json()["errors"][0]["code"] == code
    assert not Prompt.objects.filter(kind=PromptKind.REFLECTION).exists()


def test_three_dismissals_ask_to_pause_and_a_replay_counts_once(world: World) -> None:
    client = client_for(world.parent)
    client.put(URL, {"enabled": True}, format="json")

    first = client.post(DISMISS, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    replay = client.post(DISMISS, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    assert replay.json() == first.json()
    assert first.json()["dismissals_in_row"] == 1
    client.post(DISMISS, format="json", HTTP_IDEMPOTENCY_KEY="d-2")
    third = client.post(DISMISS, format="json", HTTP_IDEMPOTENCY_KEY="d-3").json()

    assert (third["dismissals_in_row"], third["ask_pause"]) == (3, True)
    paused = client.put(URL, {"enabled": False}, format="json").json()
    assert (paused["enabled"], paused["ask_pause"]) == (False, False)


def test_dismissing_a_reflection_that_is_off_is_a_conflict(world: World) -> None:
    response = client_for(world.parent).post(DISMISS, format="json")

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "reflection_off"
    assert _state(world.parent)[2] == 0


def _flag(client: APIClient, world: World, **extra: Any) -> Any:
    body = {"family": world.family.pk, "feelings": ["hurt"], "intensity": 2} | extra
    return client.post("/api/v1/ruptures/", body, format="json")


def test_a_parents_own_flag_from_the_reflection_is_marked_and_read_only(world: World) -> None:
    client = client_for(world.parent)
    client.put(URL, {"enabled": True}, format="json")
    client.post(DISMISS, format="json")

    response = _flag(client, world, child=world.child.pk, started_from_nudge=True)

    assert response.status_code == 201
    assert response.json()["started_from_nudge"] is True
    assert client.get(URL).json()["dismissals_in_row"] == 0
    listed = client_for(world.therapist_details).get(f"/api/v1/ruptures/?family={world.family.pk}")
    assert listed.status_code == 200  # the therapist dashboard's rows carry it, to count
    assert [r["started_from_nudge"] for r in listed.json()["results"]] == [True]
    plain = _flag(client, world, child=world.child.pk)
    assert plain.json()["started_from_nudge"] is False


@pytest.mark.parametrize(
    ("who", "extra", "status", "code", "param"),
    [
        (
            "child",
            {"parent": "parent", "started_from_nudge": True},
            400,
            "invalid",
            "started_from_nudge",
        ),
        (
            "parent",
            {"child": "child", "started_from_nudge": "maybe"},
            400,
            "invalid",
            "started_from_nudge",
        ),
        ("parent", {"child": "other_family_child", "started_from_nudge": True}, 404, None, None),
    ],
)
def test_bad_nudge_flags_write_nothing(
    world: World, who: str, extra: dict[str, Any], status: int, code: str | None, param: str | None
) -> None:
    extra = {k: (getattr(world, v).pk if k in ("parent", "child") else v) for k, v in extra.items()}

    response = _flag(client_for(world.actor(who)), world, **extra)

    assert response.status_code == status
    if code:
        assert (response.json()["errors"][0]["code"], response.json()["errors"][0]["param"]) == (
            code,
            param,
        )
    assert not Rupture.objects.exists()
