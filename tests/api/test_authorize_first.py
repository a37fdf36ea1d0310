"""Authorization is decided before validation on every write (issue 9, item 12): someone who may
not act gets the same 404 or 403 whatever they send, never a 400 listing the fields they would
need. Every write in the OpenAPI schema is either in ``DENIED`` below or in ``NO_BODY_TO_CHECK``
with the reason, so a new write has to be placed before this file passes."""

from __future__ import annotations

import re
from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator

from ruptures import services
from ruptures.models import Rupture
from tests.world import ClientKind, World, client_for, flag

# (method, path, who, expected status, expected code)
DENIED: list[tuple[str, str, str, int, str]] = [
    ("post", "/api/v1/families/", "child_profile", 403, "child_profile"),
    ("patch", "/api/v1/families/{family_id}/", "child", 403, "parent_only"),
    ("patch", "/api/v1/families/{family_id}/", "other_family_parent", 404, "family_not_found"),
    ("post", "/api/v1/families/{family_id}/care-team/", "child", 403, "parent_only"),
    ("post", "/api/v1/families/{family_id}/care-team/", "therapist_details", 404,
     "family_not_found"),
    ("post", "/api/v1/families/{family_id}/children/", "child", 403, "parent_only"),
    ("post", "/api/v1/families/{family_id}/children/", "other_family_child", 404,
     "family_not_found"),
    ("post", "/api/v1/families/{family_id}/invites/", "child", 403, "parent_only"),
    ("post", "/api/v1/families/{family_id}/invites/", "other_family_parent", 404,
     "family_not_found"),
    ("patch", "/api/v1/families/{family_id}/members/{user_id}/", "sibling", 403,
     "own_membership_only"),
    ("patch", "/api/v1/families/{family_id}/members/{user_id}/", "parent", 403,
     "own_membership_only"),
    ("patch", "/api/v1/families/{family_id}/members/{user_id}/", "other_family_parent", 404,
     "family_not_found"),
    ("post", "/api/v1/ruptures/{id}/messages/", "therapist_details", 403, "not_a_party"),
    ("post", "/api/v1/ruptures/{id}/messages/", "other_parent", 404, "rupture_not_found"),
    ("post", "/api/v1/ruptures/{id}/follow-up/", "therapist_details", 403, "not_a_party"),
    ("post", "/api/v1/ruptures/{id}/follow-up/", "sibling", 404, "rupture_not_found"),
    ("post", "/api/v1/ruptures/{id}/not-yet/", "parent", 403, "child_only"),
    ("post", "/api/v1/ruptures/{id}/not-yet/", "therapist_details", 403, "not_a_party"),
    ("patch", "/api/v1/ruptures/{id}/repair-steps/", "child", 403, "parent_only"),
    ("patch", "/api/v1/ruptures/{id}/repair-steps/", "therapist_details", 403, "not_a_party"),
    ("patch", "/api/v1/ruptures/{id}/repair-steps/", "other_family_parent", 404,
     "rupture_not_found"),
    ("post", "/api/v1/ruptures/{id}/plan/", "therapist_details", 403, "not_a_party"),
    ("post", "/api/v1/ruptures/{id}/plan/", "sibling", 404, "rupture_not_found"),
    ("post", "/api/v1/ruptures/{id}/plan/", "other_family_child", 404, "rupture_not_found"),
    ("post", "/api/v1/ruptures/{id}/release/", "parent", 403, "child_only"),
    ("post", "/api/v1/ruptures/{id}/release/", "therapist_details", 403, "child_only"),
    ("post", "/api/v1/ruptures/{id}/release/", "other_family_child", 404, "rupture_not_found"),
    ("post", "/api/v1/ruptures/{id}/keep-held/", "parent", 403, "child_only"),
    ("post", "/api/v1/ruptures/{id}/keep-held/", "therapist_details", 403, "child_only"),
    ("post", "/api/v1/ruptures/{id}/keep-held/", "other_family_child", 404, "rupture_not_found"),
    ("post", "/api/v1/care/safety-reviews/{rupture_id}/close/", "parent", 403,
     "not_a_therapist"),
    ("post", "/api/v1/care/safety-reviews/{rupture_id}/close/", "therapist_unverified", 403,
     "therapist_unverified"),
    ("post", "/api/v1/care/safety-reviews/{rupture_id}/close/", "therapist_details", 404,
     "safety_review_not_found"),
    ("put", "/api/v1/me/reflection/", "child", 403, "parent_only"),
]  # fmt: skip

# Writes whose body never comes before a decision about the caller, and why.
NO_BODY_TO_CHECK: dict[tuple[str, str], str] = {
    ("delete", "/api/v1/families/{family_id}/care-team/{grant_id}/"): "no body",
    ("delete", "/api/v1/families/{family_id}/children/{user_id}/"): "no body",
    ("delete", "/api/v1/families/{family_id}/children/{user_id}/devices/{device_id}/"): "no body",
    ("post", "/api/v1/families/{family_id}/children/{user_id}/pairing-codes/"): "no body",
    ("delete", "/api/v1/families/{family_id}/invites/{invite_id}/"): "no body",
    ("delete", "/api/v1/families/{family_id}/members/{user_id}/"): "no body",
    ("post", "/api/v1/invites/{code}/accept/"): "no body; the code is the authority",
    ("post", "/api/v1/me/reflection/dismiss/"): "no body",
    ("patch", "/api/v1/me/"): "one's own profile: anyone signed in",
    ("delete", "/api/v1/me/"): "no body",
    ("post", "/api/v1/notifications/{id}/read/"): "no body",
    ("post", "/api/v1/notifications/read-all/"): "no body",
    ("post", "/api/v1/pairing/"): "anonymous by design: the code is the authority",
    ("post", "/api/v1/push-subscriptions/"): "one's own device: anyone signed in",
    ("delete", "/api/v1/push-subscriptions/"): "one's own device: anyone signed in",
    ("post", "/api/v1/ruptures/"): "the family to decide on is in the body; any member may flag",
    ("post", "/api/v1/check-ins/"): "the round to decide on is in the body; any member may answer",
    ("post", "/api/v1/ruptures/{id}/acknowledge/"): "no body",
    ("post", "/api/v1/ruptures/{id}/confirm/"): "no body",
    ("post", "/api/v1/ruptures/{id}/withdraw/"): "no body",
}

BODIES = [{}, ["not", "an", "object"], {"name": None, "steps": "x", "body": 5, "answer": 1}]


def write_operations() -> set[tuple[str, str]]:
    spec = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (method, path)
        for path, ops in spec["paths"].items()
        for method in ops
        if method in ("post", "put", "patch", "delete")
    }


def test_every_write_in_the_schema_is_covered() -> None:
    covered = {(method, path) for method, path, *_ in DENIED} | set(NO_BODY_TO_CHECK)

    assert write_operations() == covered


def _url(path: str, world: World, rupture: Rupture) -> str:
    values = {
        "family_id": world.family.pk,
        "user_id": world.child.pk,
        "id": rupture.pk,
        "rupture_id": rupture.pk,
    }
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)


@pytest.mark.parametrize("body", BODIES, ids=["empty", "not_an_object", "wrong_types"])
@pytest.mark.parametrize(("method", "path", "who", "status", "code"), DENIED)
def test_a_caller_who_may_not_act_is_told_so_before_any_field_is_checked(
    world: World,
    method: str,
    path: str,
    who: str,
    status: int,
    code: str,
    body: Any,
    client_kind: ClientKind,
) -> None:
    rupture = flag(world)
    services.rupture_acknowledge(actor=world.parent, rupture_id=rupture.pk)
    client = client_for(world.actor(who), client_kind)

    response = getattr(client, method)(_url(path, world, rupture), body, format="json")

    assert response.status_code == status, response.json()
    assert response.json()["errors"][0]["code"] == code
    assert response.json()["errors"][0]["param"] is None
