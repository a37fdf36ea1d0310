"""Two-step sign-in from the PWA (allauth headless MFA): a parent turns on an authenticator app
(QR code and key, then the recovery codes) and adds a passkey in Chromium's virtual authenticator;
logging in again then asks for the second step, and each way in works: the passkey, the app's
code, a recovery code; and the passkey alone signs in from the login screen ("Sign in with a
passkey", allauth's passwordless login)."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from tests.e2e.conftest import PhoneFactory
from tests.e2e.family import young_family
from tests.e2e.mfa import (
    enrol_totp,
    fresh_totp_code,
    passkeys_on,
    totp_code,
    virtual_authenticator,
)
from tests.e2e.phone import Phone
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def log_in_to_second_step(device: Phone, email: str) -> None:
    device.open("/login")
    device.screen("screen-login")
    device.fill("login-email", email)
    device.fill("login-password", PASSWORD)
    device.tap("login-submit")
    device.screen("screen-mfa")


def log_out(device: Phone) -> None:
    device.go("/account")
    device.screen("screen-account")
    device.tap("logout")
    device.screen("screen-login")


def test_a_parent_turns_on_two_step_sign_in_and_uses_each_way_in(phone: PhoneFactory) -> None:
    world = young_family()
    parent = phone("parent")
    key = virtual_authenticator(parent)
    parent.open("/login")
    parent.screen("screen-login")
    parent.fill("login-email", "ada@example.com")
    parent.fill("login-password", PASSWORD)
    parent.tap("login-submit")
    parent.screen("screen-home")

    parent.tap("settings-link")
    parent.screen("screen-account")
    expect(parent.by_id("security-link")).to_have_text("Two-step sign-in: off")
    parent.tap("security-link")
    parent.screen("screen-security", heading="Two-step sign-in")
    codes = enrol_totp(parent)
    assert len(set(codes)) == 10
    expect(parent.by_id("authenticator-totp")).to_be_visible()
    expect(parent.by_id("authenticator-recovery")).to_contain_text("10 of 10 left")

    parent.fill("passkey-name", "Ada's phone")
    parent.tap("passkey-add")
    expect(parent.by_id("authenticator-passkey")).to_contain_text("Passkey: Ada's phone")
    parent.audit()
    assert passkeys_on(key) == 1
    assert sorted(
        Authenticator.objects.filter(user=world.parent).values_list("type", flat=True)
    ) == ["recovery_codes", "totp", "webauthn"]

    # The passkey.
    log_out(parent)
    log_in_to_second_step(parent, "ada@example.com")
    expect(parent.by_id("mfa-passkey")).to_be_visible()
    parent.tap("mfa-passkey")
    parent.screen("screen-home")

    # The passkey alone, from the login screen: no email, no password, no second step.
    log_out(parent)
    expect(parent.by_id("login-passkey")).to_have_text("Sign in with a passkey")
    parent.tap("login-passkey")
    parent.screen("screen-home")

    # The app's code.
    log_out(parent)
    log_in_to_second_step(parent, "ada@example.com")
    parent.fill("mfa-code", "000000" if totp_code(_secret(world.parent)) != "000000" else "111111")
    parent.tap("mfa-submit")
    expect(parent.page.locator(".field-error")).to_be_visible()
    parent.fill("mfa-code", fresh_totp_code(parent, _secret(world.parent), seconds_needed=5))
    parent.tap("mfa-submit")
    parent.screen("screen-home")

    # A recovery code, once.
    log_out(parent)
    log_in_to_second_step(parent, "ada@example.com")
    parent.tap("mfa-toggle-recovery")
    parent.fill("mfa-code", codes[0])
    parent.tap("mfa-submit")
    parent.screen("screen-home")
    parent.go("/account/security")
    parent.screen("screen-security")
    expect(parent.by_id("authenticator-recovery")).to_contain_text("9 of 10 left")


def _secret(user: object) -> str:
    """The TOTP key stored for ``user`` (what their authenticator app holds)."""
    from allauth.mfa.utils import decrypt

    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return str(decrypt(totp.data["secret"]))
