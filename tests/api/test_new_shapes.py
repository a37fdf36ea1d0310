"""The check-in and safety-review answers are exactly what the OpenAPI schema says (the PWA's
types are generated from it): each is validated against its documented schema."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import TestCase
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from accounts.models import User
from tests.api.accounts.test_schema_shapes import Checker
from tests.api.test_care_safety_reviews import unsafe_flag
from tests.world import World, client_for


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    loaded: dict[str, Any] = json.loads(OpenApiJsonRenderer().render(schema))
    return loaded


@pytest.mark.django_db
def test_check_in_and_safety_review_answers_match_the_schema(
    world: World, spec: dict[str, Any]
) -> None:
    check = Checker(spec)
    User.objects.update(quiet_hours_start=None, quiet_hours_end=None)
    family = "/api/v1/families/{family_id}/"
    parent, child = client_for(world.parent), client_for(world.child)
    url = f"/api/v1/families/{world.family.pk}/"
    check(family, "patch", parent.patch(url, {"check_ins_enabled": True}, format="json"))
    round_id = child.get(f"{url}check-ins/").json()["round"]["id"]
    body = {
        "round": round_id,
        "parent": world.parent.pk,
        "child": world.child.pk,
        "question": "make_up",
        "score": 3,
        "shared_with_parents": True,
    }
    check("/api/v1/check-ins/", "post", child.post("/api/v1/check-ins/", body, format="json"), 201)
    check("/api/v1/check-ins/", "post", child.post("/api/v1/check-ins/", body, format="json"))
    for reader in (parent, child, client_for(world.therapist_metrics)):
        check(f"{family}check-ins/", "get", reader.get(f"{url}check-ins/"))

    with TestCase.captureOnCommitCallbacks(execute=True):
        rupture = unsafe_flag(world)
    care = client_for(world.therapist_details)
    reviews = "/api/v1/care/safety-reviews/"
    check(reviews, "get", care.get(reviews))
    check(f"{reviews}{{rupture_id}}/", "get", care.get(f"{reviews}{rupture.pk}/"))
    closed = care.post(
        f"{reviews}{rupture.pk}/close/", {"outcome": "no_safety_concern"}, format="json"
    )
    check(f"{reviews}{{rupture_id}}/close/", "post", closed)
    asked = check("/api/v1/ruptures/{id}/", "get", child.get(f"/api/v1/ruptures/{rupture.pk}/"))
    assert asked["release_question"] == "Would you like Ada to see this now?"
    released = child.post(f"/api/v1/ruptures/{rupture.pk}/release/")
    assert check("/api/v1/ruptures/{id}/release/", "post", released)["status"] == "flagged"
    therapist = User.objects.get(pk=world.therapist_details.pk)
    me = check("/api/v1/me/", "get", client_for(therapist).get("/api/v1/me/"))
    assert me["therapist_claims"]["complete"] is False
