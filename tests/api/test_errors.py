"""One JSON error envelope for every failure, and a failed request leaves nothing written."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Family

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.api.urls_probe")]


def test_domain_conflict_is_409_envelope_and_rolled_back(api_client: APIClient) -> None:
    response = api_client.post("/probe/conflict/", {}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "status": 409,
        "errors": [{"code": "conflict", "message": "That cannot be done now.", "param": None}],
    }
    assert Family.objects.count() == 0


def test_validation_errors_name_each_field_and_roll_back(api_client: APIClient) -> None:
    response = api_client.post(
        "/probe/invalid/", {"name": "x" * 11, "items": [1, "two"]}, format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400
    assert {(e["code"], e["param"]) for e in body["errors"]} == {
        ("max_length", "name"),
        ("invalid", "items.1"),
    }
    assert Family.objects.count() == 0


def test_success_commits(api_client: APIClient) -> None:
    response = api_client.post("/probe/ok/", {}, format="json")

    assert response.status_code == 201
    assert Family.objects.count() == 1


def test_unexpected_error_is_500_envelope_and_rolled_back() -> None:
    client = Client(raise_request_exception=False)

    response = client.post("/probe/crash/", "{}", content_type="application/json")

    assert response.status_code == 500
    assert response.json()["status"] == 500
    assert response.json()["errors"][0]["code"] == "server_error"
    assert Family.objects.count() == 0


def test_malformed_json_is_400(api_client: APIClient) -> None:
    response = api_client.post("/probe/ok/", "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parse_error"
    assert Family.objects.count() == 0


def test_unsupported_media_type_is_415(api_client: APIClient) -> None:
    response = api_client.post("/probe/ok/", "name=x", content_type="text/plain")

    assert response.status_code == 415
    assert response.json()["errors"][0]["code"] == "unsupported_media_type"


def test_wrong_method_is_405(api_client: APIClient) -> None:
    response = api_client.delete("/probe/ok/")

    assert response.status_code == 405
    assert response.json() == {
        "status": 405,
        "errors": [
            {"code": "method_not_allowed", "message": 'Method "DELETE" not allowed.', "param": None}
        ],
    }


def test_anonymous_is_401_with_challenge(api_client: APIClient) -> None:
    response = api_client.get("/probe-auth/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Session"
    assert response.json()["errors"][0]["code"] == "not_authenticated"


def test_throttled_is_429_with_retry_after(api_client: APIClient) -> None:
    for _ in range(2):
        assert api_client.post("/probe/ok/", {}, format="json").status_code == 201

    response = api_client.post("/probe/ok/", {}, format="json")

    assert response.status_code == 429
    assert response.json()["errors"][0]["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
    assert Family.objects.count() == 2


def test_unknown_url_is_404_envelope(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {
        "status": 404,
        "errors": [{"code": "not_found", "message": "Not found.", "param": None}],
    }
