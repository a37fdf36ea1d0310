"""Two-step sign-in in the browser tests: Chromium's virtual authenticator for passkeys (DevTools'
WebAuthn domain), and the code an authenticator app would show, computed with allauth's own TOTP
helpers from the key the PWA shows."""

from __future__ import annotations

import re
import time
from typing import Any

from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)

from tests.e2e.phone import Phone
from tests.factories import PASSWORD

TOTP_PERIOD = 30  # allauth's MFA_TOTP_PERIOD (the default)


def virtual_authenticator(device: Phone) -> dict[str, Any]:
    """A platform authenticator (like a phone's fingerprint sensor) that always says yes."""
    cdp = device.page.context.new_cdp_session(device.page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return {"cdp": cdp, "id": added["authenticatorId"]}


def passkeys_on(authenticator: dict[str, Any]) -> int:
    """How many credentials the virtual authenticator holds."""
    found = authenticator["cdp"].send(
        "WebAuthn.getCredentials", {"authenticatorId": authenticator["id"]}
    )
    return len(found["credentials"])


def totp_code(secret_shown: str) -> str:
    """What an authenticator app shows now for the key the PWA displayed (spaces removed)."""
    secret = re.sub(r"\s+", "", secret_shown)
    counter = next(iter(yield_hotp_counters_from_time()))
    return str(format_hotp_value(hotp_value(secret, counter)))


def fresh_totp_code(device: Phone, secret_shown: str, *, seconds_needed: int = 10) -> str:
    """``totp_code``, once the current 30-second step has ``seconds_needed`` left (allauth
    accepts the current step only, and a password asked on the way takes a few seconds)."""
    left = TOTP_PERIOD - time.time() % TOTP_PERIOD
    if left < seconds_needed:
        device.page.wait_for_timeout((left + 0.5) * 1000)
    return totp_code(secret_shown)


def enrol_totp(device: Phone) -> list[str]:
    """On the two-step sign-in screen: set up the app, type its code; returns the recovery codes."""
    device.tap("totp-start")
    device.by_id("totp-qr").wait_for()
    device.audit()
    device.fill("totp-code", fresh_totp_code(device, device.text("totp-secret")))
    device.tap("totp-activate")
    # allauth asks for the password again before any change to how one signs in.
    device.by_id("reauth-form").wait_for()
    device.audit()
    device.fill("reauth-password", PASSWORD)
    device.tap("reauth-submit")
    device.by_id("recovery-codes").wait_for()
    device.audit()
    codes = [c.strip() for c in device.by_id("recovery-code").all_inner_texts()]
    device.tap("recovery-done")
    return codes
