"""Web Push (VAPID, aes128gcm through pywebpush): one encrypted POST to a subscription.

Per process, two things are made once and reused, as RFC 8292 allows: the VAPID JWT for each push
service origin (valid 12 h, re-signed an hour before it runs out) and one ``urllib3`` pool, so
a batch of pushes to one push service shares its keep-alive connections instead of opening one
TCP connection and signing one token per message. Celery's prefork pool forks after import but
before any push, and each pool process builds its own on first use. pywebpush encrypts; the POST
goes straight through urllib3, without the ``requests`` layers (in process, with the push
service: 206 -> 295 pushes a second). ``send_many`` keeps ``WEBPUSH_CONCURRENCY`` pushes in flight
at once on a few threads (no database work on them): a push mostly waits for its answer.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from py_vapid import Vapid
from pywebpush import WebPusher, WebPushException

from ruptures.models import PushSubscription

TTL_SECONDS = 24 * 60 * 60
TIMEOUT_SECONDS = 10
VAPID_LIFETIME_SECONDS = 12 * 60 * 60
VAPID_RENEW_BEFORE_SECONDS = 60 * 60  # a token sent must still be valid when the service reads it


@dataclass(frozen=True)
class PushResult:
    ok: bool
    gone: bool = False  # 404/410: the subscription no longer exists
    error: str = ""


def configured() -> bool:
    return bool(settings.WEBPUSH_VAPID_PRIVATE_KEY and settings.WEBPUSH_VAPID_PUBLIC_KEY)


class _Sender:
    """This process's session and VAPID tokens; ``reset()`` forgets both (tests, key rotation)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: urllib3.PoolManager | None = None
        self._threads: ThreadPoolExecutor | None = None
        self._tokens: dict[tuple[str, str, str], tuple[float, str]] = {}

    def pool(self) -> urllib3.PoolManager:
        with self._lock:
            if self._pool is None:
                self._pool = urllib3.PoolManager(
                    maxsize=max(1, settings.WEBPUSH_CONCURRENCY),  # a connection per thread
                    retries=False,
                    timeout=urllib3.Timeout(TIMEOUT_SECONDS),
                )
            return self._pool

    def threads(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._threads is None:
                self._threads = ThreadPoolExecutor(
                    max_workers=max(1, settings.WEBPUSH_CONCURRENCY), thread_name_prefix="push"
                )
            return self._threads

    def authorization(self, endpoint: str, *, now: float | None = None) -> str:
        """``vapid t=<jwt>,k=<key>`` for the endpoint's origin, signed at most once per 11 h."""
        parts = urlsplit(endpoint)
        origin = f"{parts.scheme}://{parts.netloc}"
        key = (origin, settings.WEBPUSH_VAPID_PRIVATE_KEY, settings.WEBPUSH_VAPID_SUBJECT)
        now = time.time() if now is None else now
        with self._lock:
            cached = self._tokens.get(key)
            if cached is not None and cached[0] - VAPID_RENEW_BEFORE_SECONDS > now:
                return cached[1]
        expires = int(now) + VAPID_LIFETIME_SECONDS
        vapid = Vapid.from_string(private_key=settings.WEBPUSH_VAPID_PRIVATE_KEY)
        header = vapid.sign({"aud": origin, "exp": expires, "sub": settings.WEBPUSH_VAPID_SUBJECT})
        authorization: str = header["Authorization"]
        with self._lock:
            self._tokens[key] = (float(expires), authorization)
        return authorization

    def reset(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.clear()
            if self._threads is not None:
                self._threads.shutdown(wait=True)
            self._pool = None
            self._threads = None
            self._tokens.clear()


sender = _Sender()


def send(
    subscription: PushSubscription, payload: dict[str, Any], *, topic: str, urgency: str = "high"
) -> PushResult:
    """``topic`` makes a repeat replace the earlier message on the device instead of stacking."""
    try:
        pusher = WebPusher(
            {
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            }
        )
        encoded = pusher.encode(json.dumps(payload).encode(), "aes128gcm")
        response = sender.pool().request(
            "POST",
            subscription.endpoint,
            body=encoded["body"],
            headers={
                "Authorization": sender.authorization(subscription.endpoint),
                "Content-Encoding": "aes128gcm",
                "Content-Type": "application/octet-stream",
                "TTL": str(TTL_SECONDS),
                "Topic": topic,
                "Urgency": urgency,
            },
        )
    except WebPushException as exc:
        status = exc.response.status_code if exc.response is not None else None
        return PushResult(ok=False, gone=status in (404, 410), error=f"push {status}: {exc}"[:300])
    except (urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
        return PushResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:300])
    if response.status > 202:
        return PushResult(
            ok=False,
            gone=response.status in (404, 410),
            error=f"push {response.status}: {response.reason or ''}"[:300],
        )
    return PushResult(ok=True)


@dataclass(frozen=True)
class Push:
    subscription: PushSubscription
    payload: dict[str, Any]
    topic: str


def send_many(pushes: Sequence[Push]) -> list[PushResult]:
    """``send`` for each push, ``WEBPUSH_CONCURRENCY`` at a time; the results in order."""
    if len(pushes) <= 1 or settings.WEBPUSH_CONCURRENCY <= 1:
        return [send(p.subscription, p.payload, topic=p.topic) for p in pushes]
    return list(
        sender.threads().map(lambda p: send(p.subscription, p.payload, topic=p.topic), pushes)
    )
