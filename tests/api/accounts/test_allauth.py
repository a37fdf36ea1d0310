"""Signing in through allauth's headless API, browser and app clients, and what it protects:
CSRF on the browser session, rate limits in the Redis cache, MFA for therapists."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from rest_framework.test import APIClient

from accounts.models import Family, User
from tests.factories import PASSWORD, UserFactory, verified_email
from tests.world import ClientKind, World, client_for

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new long passphrase"


def _code_from_last_mail() -> str:
    body = str(mail.outbox[-1].body)
    found = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", body, re.MULTILINE)
    assert found, body
    return found.group(1)


def _csrf(client: APIClient) -> str:
    client.get("/_allauth/browser/v1/config")
    return str(client.cookies["csrftoken"].value)


def _totp_now(secret: str) -> str:
    return str(format_hotp_value(hotp_value(secret, int(time.time()) // 30)))


def test_browser_signup_verify_and_use_the_api_with_csrf(csrf_client: APIClient) -> None:
    token = _csrf(csrf_client)

    signup = csrf_client.post(
        "/_allauth/browser/v1/auth/signup",
        {"email": "new.parent@example.com", "password": NEW_PASSWORD},
        format="json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert signup.status_code == 401
    pending = [f["id"] for f in signup.json()["data"]["flows"] if f.get("is_pending")]
    assert pending == ["verify_email"]
    assert mail.outbox[-1].to == ["new.parent@example.com"]

    verify = csrf_client.post(
        "/_allauth/browser/v1/auth/email/verify",
        {"key": _code_from_last_mail()},
        format="json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert verify.status_code == 200
    assert verify.json()["meta"]["is_authenticated"] is True

    me = csrf_client.get("/api/v1/me/")
    assert me.status_code == 200
    assert (me.json()["email"], me.json()["age_band"]) == ("new.parent@example.com", "unknown")

    token = csrf_client.cookies["csrftoken"].value  # login rotates the token
    refused = csrf_client.post("/api/v1/families/", {"name": "Home"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["code"] == "permission_denied"
    assert Family.objects.count() == 0

    created = csrf_client.post(
        "/api/v1/families/", {"name": "Home"}, format="json", HTTP_X_CSRFTOKEN=token
    )
    assert created.status_code == 201


def test_unverified_login_is_held_at_email_verification(csrf_client: APIClient) -> None:
    user = UserFactory.create()  # no verified EmailAddress

    response = csrf_client.post(
        "/_allauth/browser/v1/auth/login",
        {"email": user.email, "password": PASSWORD},
        format="json",
        HTTP_X_CSRFTOKEN=_csrf(csrf_client),
    )

    assert response.status_code == 401
    assert csrf_client.get("/api/v1/me/").status_code == 401


def test_app_client_login_token_and_logout() -> None:
    user = verified_email(UserFactory.create())
    app = APIClient()

    login = app.post(
        "/_allauth/app/v1/auth/login", {"email": user.email, "password": PASSWORD}, format="json"
    )

    assert login.status_code == 200
    token = login.json()["meta"]["session_token"]
    assert app.get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token).json()["id"] == user.pk
    assert (
        app.post(
            "/api/v1/families/", {"name": "Home"}, format="json", HTTP_X_SESSION_TOKEN=token
        ).status_code
        == 201
    )  # no CSRF for the token client: no cookie is involved

    assert (
        app.delete("/_allauth/app/v1/auth/session", HTTP_X_SESSION_TOKEN=token).status_code == 401
    )
    assert app.get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token).status_code == 401


def test_wrong_password_rate_limit_bites(csrf_client: APIClient) -> None:
    """allauth's login_failed limit (5 per email per 5 minutes) lives in the Redis cache."""
    user = verified_email(UserFactory.create())
    token = _csrf(csrf_client)

    def attempt(password: str) -> int:
        return csrf_client.post(
            "/_allauth/browser/v1/auth/login",
            {"email": user.email, "password": password},
            format="json",
            HTTP_X_CSRFTOKEN=token,
        ).status_code

    failures = [attempt("wrong password") for _ in range(5)]
    assert failures == [400] * 5

    # even the right password is refused now, from a fresh client too: the counter is in Redis
    other = APIClient(enforce_csrf_checks=True)
    blocked = other.post(
        "/_allauth/browser/v1/auth/login",
        {"email": user.email, "password": PASSWORD},
        format="json",
        HTTP_X_CSRFTOKEN=_csrf(other),
    )
    assert blocked.status_code == 400
    assert [e["code"] for e in blocked.json()["errors"]] == ["too_many_login_attempts"]
    assert other.get("/api/v1/me/").status_code == 401


def test_login_rate_limit_per_address_answers_429() -> None:
    """allauth's "login" limit (30 a minute per address) answers 429 once spent."""
    app = APIClient()
    body = {"email": "nobody@example.com", "password": "whatever it is"}

    statuses = [
        app.post("/_allauth/app/v1/auth/login", body, format="json").status_code for _ in range(31)
    ]

    assert set(statuses[:30]) == {400}
    assert statuses[30] == 429


def test_password_reset_by_code_and_change(csrf_client: APIClient) -> None:
    user = verified_email(UserFactory.create())
    token = _csrf(csrf_client)

    request = csrf_client.post(
        "/_allauth/browser/v1/auth/password/request",
        {"email": user.email},
        format="json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert request.status_code == 401  # a pending password_reset_by_code flow
    reset = csrf_client.post(
        "/_allauth/browser/v1/auth/password/reset",
        {"key": _code_from_last_mail(), "password": NEW_PASSWORD},
        format="json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert reset.status_code in (200, 401)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_therapist_enrols_totp_through_allauth_then_reaches_family(world: World) -> None:
    therapist = verified_email(UserFactory.create(is_therapist=True))
    from accounts.services.care_team import care_grant_create, therapist_verify

    therapist_verify(therapist=therapist)
    care_grant_create(
        actor=world.parent,
        family_id=world.family.pk,
        share_code=str(User.objects.get(pk=therapist.pk).therapist_share_code),
    )
    app = APIClient()
    token = app.post(
        "/_allauth/app/v1/auth/login",
        {"email": therapist.email, "password": PASSWORD},
        format="json",
    ).json()["meta"]["session_token"]
    family_url = f"/api/v1/families/{world.family.pk}/"

    before = app.get(family_url, HTTP_X_SESSION_TOKEN=token)
    assert before.status_code == 403
    assert before.json()["errors"][0]["code"] == "mfa_required"

    # allauth asks for the password again before a second factor can be added
    reauth = app.post(
        "/_allauth/app/v1/auth/reauthenticate",
        {"password": PASSWORD},
        format="json",
        HTTP_X_SESSION_TOKEN=token,
    )
    assert reauth.status_code == 200
    setup = app.get("/_allauth/app/v1/account/authenticators/totp", HTTP_X_SESSION_TOKEN=token)
    assert setup.status_code == 404
    secret = setup.json()["meta"]["secret"]
    activated = app.post(
        "/_allauth/app/v1/account/authenticators/totp",
        {"code": _totp_now(secret)},
        format="json",
        HTTP_X_SESSION_TOKEN=token,
    )
    assert activated.status_code == 200, activated.content

    assert app.get(family_url, HTTP_X_SESSION_TOKEN=token).status_code == 200
    assert app.get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token).json()["mfa_enabled"] is True

    # and the next login asks for the second factor before any session is usable
    second = APIClient().post(
        "/_allauth/app/v1/auth/login",
        {"email": therapist.email, "password": PASSWORD},
        format="json",
    )
    assert second.status_code == 401
    assert [f["id"] for f in second.json()["data"]["flows"] if f.get("is_pending")] == [
        "mfa_authenticate"
    ]


def test_client_for_browser_is_the_pwa_with_csrf_enforced(world: World) -> None:
    """The browser client the permission tests use: refused without its CSRF header."""
    browser = client_for(world.parent)
    assert "sessionid" in browser.cookies

    accepted = browser.post("/api/v1/families/", {"name": "Home"}, format="json")
    browser.credentials()  # drop the X-CSRFToken header, keep the cookies
    refused = browser.post("/api/v1/families/", {"name": "Away"}, format="json")

    assert accepted.status_code == 201
    assert (refused.status_code, refused.json()["errors"][0]["code"]) == (403, "permission_denied")
    assert list(Family.objects.filter(name="Away")) == []


def test_client_for_app_carries_allauths_session_token_and_no_cookie(world: World) -> None:
    app = client_for(world.parent, "app")

    session = app.get("/_allauth/app/v1/auth/session")  # allauth's own endpoint takes the token
    created = app.post("/api/v1/families/", {"name": "Home"}, format="json")

    assert "sessionid" not in app.cookies or not app.cookies["sessionid"].value
    assert (session.status_code, session.json()["data"]["user"]["id"]) == (200, world.parent.pk)
    assert created.status_code == 201  # no CSRF for the token client: no cookie is involved
    app.credentials()
    assert app.get("/api/v1/me/").status_code == 401


@pytest.mark.parametrize("kind", ["browser", "app"])
def test_client_for_nobody_is_anonymous(db: None, kind: ClientKind) -> None:
    assert client_for(None, kind).get("/api/v1/me/").status_code == 401


@pytest.mark.parametrize(
    ("name", "domain"),
    [("FamilyRepair", "familyrepair.example.org"), ("Repair Together", "repair.example.net")],
)
def test_verification_emails_name_the_site_from_settings(
    csrf_client: APIClient, settings: Any, name: str, domain: str
) -> None:
    """Not the request's host ("Hello from testserver!")."""
    settings.SITE_NAME, settings.SITE_DOMAIN = name, domain
    token = _csrf(csrf_client)

    csrf_client.post(
        "/_allauth/browser/v1/auth/signup",
        {"email": "named.site@example.com", "password": NEW_PASSWORD},
        format="json",
        HTTP_X_CSRFTOKEN=token,
    )

    message = mail.outbox[-1]
    assert f"Hello from {name}!" in str(message.body)
    assert f"Thank you for using {name}!\n{domain}" in str(message.body)
    assert "testserver" not in str(message.body) + str(message.subject)
