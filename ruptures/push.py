"""Web Push (VAPID, aes128gcm through pywebpush): one encrypted POST to a subscription."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from pywebpush import WebPushException, webpush

from ruptures.models import PushSubscription

TTL_SECONDS = 24 * 60 * 60
TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class PushResult:
    ok: bool
    gone: bool = False  # 404/410: the subscription no longer exists
    error: str = ""


def configured() -> bool:
    return bool(settings.WEBPUSH_VAPID_PRIVATE_KEY and settings.WEBPUSH_VAPID_PUBLIC_KEY)


def send(
    subscription: PushSubscription, payload: dict[str, Any], *, topic: str, urgency: str = "high"
) -> PushResult:
    """``topic`` makes a repeat replace the earlier message on the device instead of stacking."""
    try:
        webpush(
            subscription_info={
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            },
            data=json.dumps(payload),
            vapid_private_key=settings.WEBPUSH_VAPID_PRIVATE_KEY,
            vapid_claims={"sub": settings.WEBPUSH_VAPID_SUBJECT},
            ttl=TTL_SECONDS,
            headers={"Topic": topic, "Urgency": urgency},
            timeout=TIMEOUT_SECONDS,
        )
    except WebPushException as exc:
        status = exc.response.status_code if exc.response is not None else None
        return PushResult(ok=False, gone=status in (404, 410), error=f"push {status}: {exc}"[:300])
    except (requests.RequestException, ValueError) as exc:
        return PushResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:300])
    return PushResult(ok=True)
