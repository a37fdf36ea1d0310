"""Signing staff in to admin the only way there is: allauth's sign-in page, then a TOTP code."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client

from accounts.models import User
from tests.factories import PASSWORD, UserFactory, enrol_totp, verified_email


def totp_now(secret: str) -> str:
    return str(format_hotp_value(hotp_value(secret, int(time.time()) // 30)))


def new_staff(**extra: object) -> tuple[User, str]:
    """A verified staff member with a TOTP authenticator; returns them and its secret."""
    user = verified_email(UserFactory.create(is_staff=True, **extra))
    return user, enrol_totp(user)


def sign_in_to_admin(client: Client, user: User, secret: str) -> Client:
    password = client.post(
        "/admin/signin/?next=/admin/", {"login": user.email, "password": PASSWORD}
    )
    assert password.status_code == 302, password.content
    assert password["Location"].startswith("/admin/signin/2fa/")
    code = client.post(password["Location"], {"code": totp_now(secret)})
    assert (code.status_code, code["Location"]) == (302, "/admin/"), code.content
    return client


@pytest.fixture
def staff_client(db: None) -> Client:
    """A superuser's browser, signed in to admin with password and second factor."""
    return sign_in_to_admin(Client(), *new_staff(is_superuser=True))
