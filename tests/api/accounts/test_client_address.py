"""Whose address a rate limit counts: the socket's, or the one our own proxies vouch for.

``TRUSTED_PROXY_COUNT`` is the number of proxies in front of Django that append to
X-Forwarded-For. DRF's throttles, allauth's limits and the session list all read the entry that
many places from the right; everything to its left was written by the client and is ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from allauth.usersessions.models import UserSession
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from accounts import services
from tests.factories import PASSWORD, UserFactory, verified_email
from tests.world import World, client_for

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"  # the TLS proxy: the socket address of every request behind it
ATTACKER = "198.51.100.66"
PARENT = "203.0.113.5"


@pytest.fixture
def behind_proxies(settings: Settings) -> Callable[[int], None]:
    """What ``TRUSTED_PROXY_COUNT=n`` sets, applied to a running test."""

    def apply(count: int) -> None:
        settings.TRUSTED_PROXY_COUNT = count
        settings.ALLAUTH_TRUSTED_PROXY_COUNT = count
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": count}

    return apply


def _pairing_code(world: World) -> str:
    response = client_for(world.parent).post(
        f"/api/v1/families/{world.family.pk}/children/{world.child_profile.pk}/pairing-codes/"
    )
    assert response.status_code == 201, response.content
    return str(response.json()["code"])


def _app_login(email: str | None, password: str, forwarded_for: str) -> Any:
    return APIClient(REMOTE_ADDR=PROXY).post(
        "/_allauth/app/v1/auth/login",
        {"email": email, "password": password},
        format="json",
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_the_default_trusts_no_forwarded_header() -> None:
    from django.conf import settings

    assert settings.TRUSTED_PROXY_COUNT == 0
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == 0
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0


# --- Without a proxy: the header is the client's to write, so it counts for nothing -------------


def test_rotating_forwarded_for_does_not_evade_the_pairing_throttle(world: World) -> None:
    real = _pairing_code(world)
    attacker = APIClient(REMOTE_ADDR=ATTACKER)
    statuses = [
        attacker.post(
            "/api/v1/pairing/",
            {"code": services.random_code(10)},
            format="json",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        ).status_code
        for n in range(10)
    ]

    blocked = attacker.post(
        "/api/v1/pairing/", {"code": real}, format="json", HTTP_X_FORWARDED_FOR="192.0.2.200"
    )

    assert statuses == [400] * 10
    assert blocked.status_code == 429
    assert blocked.json()["errors"][0]["code"] == "throttled"
    assert not UserSession.objects.filter(user=world.child_profile).exists()


def test_rotating_forwarded_for_does_not_evade_the_invite_accept_throttle(world: World) -> None:
    invite = client_for(world.parent).post(
        f"/api/v1/families/{world.family.pk}/invites/", {"role": "parent"}, format="json"
    )
    assert invite.status_code == 201
    joiner = client_for(verified_email(UserFactory.create()))
    joiner.defaults["REMOTE_ADDR"] = ATTACKER
    statuses = [
        joiner.post(
            f"/api/v1/invites/WRONG{n:03d}/accept/", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"
        ).status_code
        for n in range(20)
    ]

    blocked = joiner.post(
        f"/api/v1/invites/{invite.json()['code']}/accept/", HTTP_X_FORWARDED_FOR="192.0.2.250"
    )

    assert statuses == [404] * 20
    assert blocked.status_code == 429


# --- Behind one proxy: the proxy's entry is the client, the client's own entries are not --------


def _fail_logins_from(address: str, times: int, forged: bool = False) -> list[Any]:
    """Wrong passwords for ever new emails, so only the per-address limit can bite."""
    return [
        _app_login(
            f"nobody{n}@example.com",
            "not the password",
            # what the proxy forwards: whatever the client sent, then the address it saw
            f"192.0.2.{n}, {address}" if forged else address,
        )
        for n in range(times)
    ]


@pytest.mark.parametrize("forged", [False, True], ids=["plain", "forged-entries-prepended"])
def test_one_clients_failed_logins_do_not_lock_out_another_behind_the_proxy(
    behind_proxies: Callable[[int], None], forged: bool
) -> None:
    behind_proxies(1)
    parent = verified_email(UserFactory.create())

    failures = _fail_logins_from(ATTACKER, 10, forged=forged)
    attacker_again = _app_login(parent.email, PASSWORD, f"192.0.2.99, {ATTACKER}")
    parent_login = _app_login(parent.email, PASSWORD, PARENT)

    assert [r.status_code for r in failures] == [400] * 10
    # the attacker is limited, whatever they write in front of their own address ...
    assert attacker_again.status_code == 400
    assert [e["code"] for e in attacker_again.json()["errors"]] == ["too_many_login_attempts"]
    # ... and the parent behind the same proxy signs in
    assert parent_login.status_code == 200, parent_login.content
    assert parent_login.json()["meta"]["is_authenticated"] is True


def test_without_a_trusted_proxy_everyone_behind_it_shares_one_limit() -> None:
    """The failure the setting exists for: count 0 behind a proxy keys every client on the proxy."""
    parent = verified_email(UserFactory.create())

    _fail_logins_from(ATTACKER, 10)
    parent_login = _app_login(parent.email, PASSWORD, PARENT)

    assert parent_login.status_code == 400
    assert [e["code"] for e in parent_login.json()["errors"]] == ["too_many_login_attempts"]


def test_pairing_throttle_behind_the_proxy_keys_on_the_client(
    behind_proxies: Callable[[int], None], world: World
) -> None:
    behind_proxies(1)
    real = _pairing_code(world)
    attacker = APIClient(REMOTE_ADDR=PROXY)
    statuses = [
        attacker.post(
            "/api/v1/pairing/",
            {"code": services.random_code(10)},
            format="json",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {ATTACKER}",
        ).status_code
        for n in range(10)
    ]
    blocked = attacker.post(
        "/api/v1/pairing/", {"code": real}, format="json", HTTP_X_FORWARDED_FOR=ATTACKER
    )
    paired = APIClient(REMOTE_ADDR=PROXY).post(
        "/api/v1/pairing/", {"code": real}, format="json", HTTP_X_FORWARDED_FOR=PARENT
    )

    assert statuses == [400] * 10
    assert blocked.status_code == 429
    assert paired.status_code == 200, paired.content


def test_the_session_list_shows_the_address_the_proxy_saw(
    behind_proxies: Callable[[int], None],
) -> None:
    behind_proxies(1)
    parent = verified_email(UserFactory.create())
    login = _app_login(parent.email, PASSWORD, f"6.6.6.6, {PARENT}")
    assert login.status_code == 200, login.content
    token = login.json()["meta"]["session_token"]

    sessions = APIClient(REMOTE_ADDR=PROXY).get(
        "/_allauth/app/v1/auth/sessions",
        HTTP_X_SESSION_TOKEN=token,
        HTTP_X_FORWARDED_FOR=f"6.6.6.6, {PARENT}",
    )

    assert sessions.status_code == 200, sessions.content
    assert [s["ip"] for s in sessions.json()["data"]] == [PARENT]
