"""The OpenAPI schema is complete and true: documented, valid, and fuzzed over every operation
with schemathesis (no 5xx, every status, content type and body as the schema says)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import PASSWORD
from tests.world import World, flag

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_the_schema_validates_with_no_warning(tmp_path: Any) -> None:
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))

    assert "/api/v1/ruptures/{id}/confirm/" in (tmp_path / "s.yml").read_text()


@pytest.mark.django_db
def test_the_docs_page_is_self_hosted() -> None:
    client = Client()

    docs = client.get("/api/v1/docs/")
    schema = client.get("/api/v1/schema/", {"format": "json"})

    assert docs.status_code == 200
    assert b"redoc" in docs.content
    assert b"cdn." not in docs.content
    assert "'unsafe-inline'" in docs["Content-Security-Policy"]
    assert schema.json()["components"]["securitySchemes"].keys() == {"sessionToken", "cookieAuth"}


@pytest.fixture
def session_token(world: World, client: Client) -> str:
    """Sign the child's parent in through allauth's app client, as a phone app would (the world's
    addresses are verified, so the login is not held at email verification)."""
    flag(world)
    response = client.post(
        "/_allauth/app/v1/auth/login",
        {"email": world.parent.email, "password": PASSWORD},
        content_type="application/json",
    )
    token: str = response.json()["meta"]["session_token"]
    return token


@contextmanager
def connection_kept_open() -> Iterator[None]:
    """Over plain WSGI Django closes the connection after each request; the test's transaction
    lives on that connection, so keep it open (as Django's own test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def api_schema(django_db_setup: None, django_db_blocker: Any) -> Any:
    """Loaded once for the module: generating it took half a second of each operation's test.
    After the test database is set up, in case the request behind it ever touches the database."""
    with django_db_blocker.unblock(), connection_kept_open():
        return schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())


def operations() -> list[tuple[str, str]]:
    """Every operation in the schema, read at collection so each gets its own test id."""
    from drf_spectacular.generators import SchemaGenerator

    spec = SchemaGenerator().get_schema(request=None, public=True)
    return [(path, method) for path, ops in spec["paths"].items() for method in ops]


@pytest.mark.parametrize(("path", "method"), operations())
def test_fuzz_every_operation(path: str, method: str, api_schema: Any, session_token: str) -> None:
    operation = api_schema[path][method.upper()]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=12,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    def call_and_check(case: Any) -> None:
        response = case.call(headers={"X-Session-Token": session_token})
        case.validate_response(response, checks=CHECKS)

    with connection_kept_open():
        call_and_check()
