"""No browser, service worker or proxy keeps a copy of a response with personal data (issue 9, item
12): every answer of our API and of allauth's headless API says ``Cache-Control: no-store``."""

from __future__ import annotations

import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.world import World, client_for, flag


def get_paths() -> list[str]:
    spec = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(path for path, ops in spec["paths"].items() if "get" in ops)


def no_store(response: object) -> bool:
    value = getattr(response, "headers", {}).get("Cache-Control", "")
    return "no-store" in value and "private" in value


@pytest.mark.parametrize("path", get_paths())
@pytest.mark.parametrize("who", ["parent", "child", "anonymous"])
def test_every_api_read_says_no_store(world: World, path: str, who: str) -> None:
    rupture = flag(world)
    grant = world.family.care_team.get(therapist=world.therapist_metrics)
    values = {
        "family_id": world.family.pk,
        "user_id": world.child.pk,
        "id": rupture.pk,
        "rupture_id": rupture.pk,
        "grant_id": grant.pk,
    }
    url = re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)

    response = client_for(world.actor(who)).get(url)

    assert no_store(response), (response.status_code, response.headers.get("Cache-Control"))


def test_writes_errors_and_unknown_api_paths_say_no_store(world: World) -> None:
    parent = client_for(world.parent)
    responses = [
        parent.post(
            "/api/v1/ruptures/",
            {
                "family": world.family.pk,
                "child": world.child.pk,
                "feelings": ["sad"],
                "intensity": 1,
            },
            format="json",
        ),
        parent.post("/api/v1/ruptures/", {}, format="json"),
        parent.get("/api/v1/ruptures/999999/"),
        parent.get("/api/v1/no-such-thing/"),
        APIClient(enforce_csrf_checks=True).post("/api/v1/me/", {}),
    ]

    assert [r.status_code for r in responses] == [201, 400, 404, 404, 401]
    assert all(no_store(r) for r in responses)


@pytest.mark.parametrize(
    "path",
    [
        "/_allauth/browser/v1/auth/session",
        "/_allauth/app/v1/config",
        "/_allauth/app/v1/auth/session",
    ],
)
def test_allauth_answers_say_no_store(world: World, path: str) -> None:
    assert no_store(APIClient().get(path))
    assert no_store(client_for(world.parent).get(path))
