"""Every accounts answer is exactly what the OpenAPI schema says: each operation is called with
data that reaches its success branch (the fuzz test mostly meets 404s there), and the body is
validated against the documented response with undocumented fields refused."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.urls import resolve
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]  # no stubs installed
from rest_framework.test import APIClient

from accounts.privacy import PRIVACY_NOTICE_VERSION
from tests.factories import UserFactory
from tests.world import World, client_for

OPEN_OBJECTS = {"MeExportOut"}  # other apps add sections to the export


def _json_schema(node: Any, *, name: str | None = None) -> Any:
    """OpenAPI 3.0 to JSON Schema: ``nullable`` becomes a null alternative, and an object's
    documented properties become the only ones allowed."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {
        key: {k: _json_schema(v) for k, v in value.items()}
        if key == "properties"
        else _json_schema(value)
        for key, value in node.items()
    }
    if "properties" in out and name not in OPEN_OBJECTS:
        out.setdefault("additionalProperties", False)
    if out.pop("nullable", False):
        if "type" in out and "enum" not in out:
            out["type"] = [out["type"], "null"]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    loaded: dict[str, Any] = json.loads(OpenApiJsonRenderer().render(schema))
    return loaded


def _accounts_operations(spec: dict[str, Any]) -> set[tuple[str, str]]:
    """The operations this app serves that answer a JSON body on success."""
    found = set()
    for path, operations in spec["paths"].items():
        view = resolve(re.sub(r"\{[^}]+\}", "1", path)).func
        if view.__module__ != "api.accounts.views":
            continue
        for method, operation in operations.items():
            if any(
                code.startswith("2") and "content" in answer
                for code, answer in operation["responses"].items()
            ):
                found.add((path, method))
    return found


class Checker:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.components = {
            name: _json_schema(schema, name=name)
            for name, schema in spec["components"]["schemas"].items()
        }
        self.seen: set[tuple[str, str]] = set()

    def __call__(self, path: str, method: str, response: Any, status: int = 200) -> Any:
        assert response.status_code == status, response.content
        answer = self.spec["paths"][path][method]["responses"][str(status)]
        documented = answer["content"]["application/json"]["schema"]
        assert "$ref" in documented, f"{method} {path} is documented as {documented}"
        schema = {**_json_schema(documented), "components": {"schemas": self.components}}
        validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
        errors = [
            f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(response.json())
        ]
        assert not errors, f"{method} {path}: {errors}"
        self.seen.add((path, method))
        return response.json()


@pytest.mark.django_db
def test_every_accounts_answer_matches_its_schema(world: World, spec: dict[str, Any]) -> None:
    check = Checker(spec)
    family = f"/api/v1/families/{world.family.pk}/"
    child = f"{family}children/{world.child_profile.pk}/"
    parent = client_for(world.parent)
    therapist = client_for(world.therapist_metrics)

    check("/api/v1/privacy/", "get", APIClient().get("/api/v1/privacy/"))
    check("/api/v1/me/", "get", parent.get("/api/v1/me/"))
    me = check(
        "/api/v1/me/", "patch", parent.patch("/api/v1/me/", {"quiet_hours": None}, format="json")
    )
    assert me["quiet_hours"] is None
    me = check(
        "/api/v1/me/",
        "patch",
        parent.patch(
            "/api/v1/me/", {"quiet_hours": {"start": "21:30", "end": "07:00"}}, format="json"
        ),
    )
    assert me["quiet_hours"] == {"start": "21:30", "end": "07:00"}
    me = check("/api/v1/me/", "get", therapist.get("/api/v1/me/"))
    assert me["care_families"]
    assert me["therapist_share_code"]

    check("/api/v1/families/", "get", parent.get("/api/v1/families/"))
    check(
        "/api/v1/families/",
        "post",
        parent.post("/api/v1/families/", {"name": "Lakes"}, format="json"),
        201,
    )
    check("/api/v1/families/{family_id}/", "get", client_for(world.child_profile).get(family))
    seen = check("/api/v1/families/{family_id}/", "get", therapist.get(family))
    assert seen["role"] == "therapist"
    assert seen["care_scope"] == "metrics"
    settings = {"calm_down_minutes": 15, "reminder_minutes": [10, 30]}
    check("/api/v1/families/{family_id}/", "patch", parent.patch(family, settings, format="json"))
    check("/api/v1/families/{family_id}/access-log/", "get", parent.get(f"{family}access-log/"))

    check("/api/v1/families/{family_id}/members/", "get", parent.get(f"{family}members/"))
    check(
        "/api/v1/families/{family_id}/members/{user_id}/",
        "patch",
        client_for(world.child).patch(
            f"{family}members/{world.child.pk}/", {"details_opt_out": True}, format="json"
        ),
    )

    young = {
        "display_name": "Zoe",
        "birth_year": timezone.now().year - 8,
        "privacy_notice_version": PRIVACY_NOTICE_VERSION,
    }
    check(
        "/api/v1/families/{family_id}/children/",
        "post",
        parent.post(f"{family}children/", young, format="json"),
        201,
    )
    codes = "/api/v1/families/{family_id}/children/{user_id}/pairing-codes/"
    for client in ("browser", "app"):
        code = check(codes, "post", parent.post(f"{child}pairing-codes/"), 201)["code"]
        device = APIClient(HTTP_USER_AGENT=f"A {client}")
        paired = device.post("/api/v1/pairing/", {"code": code, "client": client}, format="json")
        assert ("session_token" in check("/api/v1/pairing/", "post", paired)) == (client == "app")
    devices = check(
        "/api/v1/families/{family_id}/children/{user_id}/devices/",
        "get",
        parent.get(f"{child}devices/"),
    )
    assert devices["count"] == 2

    invites = "/api/v1/families/{family_id}/invites/"
    code = check(
        invites, "post", parent.post(f"{family}invites/", {"role": "parent"}, format="json"), 201
    )["code"]
    check(invites, "get", parent.get(f"{family}invites/"))
    accept = client_for(UserFactory.create()).post(f"/api/v1/invites/{code}/accept/")
    check("/api/v1/invites/{code}/accept/", "post", accept, 201)

    team = "/api/v1/families/{family_id}/care-team/"
    check(team, "get", parent.get(f"{family}care-team/"))
    share = {"share_code": world.therapist_ungranted.therapist_share_code, "scope": "details"}
    check(team, "post", parent.post(f"{family}care-team/", share, format="json"), 201)

    check("/api/v1/me/export/", "get", parent.get("/api/v1/me/export/"))

    reflection = "/api/v1/me/reflection/"
    check(reflection, "get", parent.get(reflection))
    on = {"enabled": True, "time": "20:30"}
    check(reflection, "put", parent.put(reflection, on, format="json"))
    check(f"{reflection}dismiss/", "post", parent.post(f"{reflection}dismiss/"))

    assert check.seen == _accounts_operations(spec)
