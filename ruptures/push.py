"""Web Push (VAPID, aes128gcm through pywebpush): one encrypted POST to a subscription.

Per process, two things are made once and reused, as RFC 8292 allows: the VAPID JWT for each push
service origin (valid 12 h, re-signed an hour before it runs out) and, per sending thread, one
keep-alive HTTP connection to each push service, so a batch of pushes shares its connections
instead of opening one TCP connection and signing one token per message. Celery's prefork pool
forks after import but before any push; a process that finds itself forked starts afresh.

pywebpush encrypts; the POST goes through ``http.client`` itself, which sends the headers and the
small body in one write. Per push that is about half the client's work of ``urllib3``'s pool (two
writes, its URL and pool bookkeeping) and one wake-up of the push service instead of two
(benchmarks/prompts/README.md). ``send_many`` keeps ``WEBPUSH_CONCURRENCY`` pushes in flight at
once on a few threads (no database work on them): a push mostly waits for its answer.
"""

from __future__ import annotations

import http.client
import json
import os
import select
import ssl
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit

from django.conf import settings
from py_vapid import Vapid
from pywebpush import WebPusher, WebPushException

from ruptures.models import PushSubscription

TTL_SECONDS = 24 * 60 * 60
TIMEOUT_SECONDS = 10
VAPID_LIFETIME_SECONDS = 12 * 60 * 60
VAPID_RENEW_BEFORE_SECONDS = 60 * 60  # a token sent must still be valid when the service reads it
MAX_ANSWER_BYTES = 64 * 1024  # a push service answers with headers and at most a short body


@dataclass(frozen=True)
class PushResult:
    ok: bool
    gone: bool = False  # 404/410: the subscription no longer exists
    error: str = ""


def configured() -> bool:
    return bool(settings.WEBPUSH_VAPID_PRIVATE_KEY and settings.WEBPUSH_VAPID_PUBLIC_KEY)


def _origin(parts: SplitResult) -> str:
    return f"{parts.scheme}://{parts.netloc}"


def _closed_by_peer(connection: http.client.HTTPConnection) -> bool:
    """Whether an idle keep-alive connection has anything to read: the service closed it (or
    said something unasked), so it must not carry the next push."""
    sock = connection.sock
    if sock is None:
        return False  # closed on our side: http.client opens a new one on the next request
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


class _Sender:
    """This process's connections, sending threads and VAPID tokens; ``reset()`` forgets them
    (tests, key rotation)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._local = threading.local()
        self._open: set[http.client.HTTPConnection] = set()  # every thread's, for reset()
        self._threads: ThreadPoolExecutor | None = None
        self._tls: ssl.SSLContext | None = None
        self._tokens: dict[tuple[str, str, str], tuple[float, str]] = {}

    def _check_fork(self) -> None:
        """A forked child must not share its parent's sockets or threads."""
        if os.getpid() != self._pid:
            with self._lock:
                if os.getpid() != self._pid:
                    self._pid = os.getpid()
                    self._local = threading.local()
                    self._open = set()
                    self._threads = None
                    self._tokens = {}

    def connection(self, parts: SplitResult) -> http.client.HTTPConnection:
        """This thread's keep-alive connection to the push service at ``parts``' origin."""
        self._check_fork()
        held: dict[str, http.client.HTTPConnection] = self._local.__dict__.setdefault("held", {})
        origin = _origin(parts)
        connection = held.get(origin)
        if connection is not None and _closed_by_peer(connection):
            self.drop(parts, connection)
            connection = None
        if connection is None:
            if parts.scheme == "https":
                connection = http.client.HTTPSConnection(
                    parts.hostname or "", parts.port, timeout=TIMEOUT_SECONDS, context=self.tls()
                )
            else:
                connection = http.client.HTTPConnection(
                    parts.hostname or "", parts.port, timeout=TIMEOUT_SECONDS
                )
            held[origin] = connection
            with self._lock:
                self._open.add(connection)
        return connection

    def drop(self, parts: SplitResult, connection: http.client.HTTPConnection) -> None:
        """Close a connection that cannot carry another push (an error, or the service's
        ``Connection: close``); the next push opens a new one."""
        connection.close()
        held: dict[str, http.client.HTTPConnection] = self._local.__dict__.get("held", {})
        if held.get(_origin(parts)) is connection:
            del held[_origin(parts)]
        with self._lock:
            self._open.discard(connection)

    def tls(self) -> ssl.SSLContext:
        with self._lock:
            if self._tls is None:
                self._tls = ssl.create_default_context()
            return self._tls

    def threads(self) -> ThreadPoolExecutor:
        self._check_fork()
        with self._lock:
            if self._threads is None:
                self._threads = ThreadPoolExecutor(
                    max_workers=max(1, settings.WEBPUSH_CONCURRENCY), thread_name_prefix="push"
                )
            return self._threads

    def authorization(self, endpoint: str, *, now: float | None = None) -> str:
        """``vapid t=<jwt>,k=<key>`` for the endpoint's origin, signed at most once per 11 h."""
        origin = _origin(urlsplit(endpoint))
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

    def open_connections(self) -> int:
        """How many connections this process holds open (a test's view of the reuse)."""
        with self._lock:
            return sum(1 for c in self._open if c.sock is not None)

    def reset(self) -> None:
        with self._lock:
            connections, self._open = self._open, set()
            threads, self._threads = self._threads, None
            self._tokens.clear()
            self._local = threading.local()
        if threads is not None:
            threads.shutdown(wait=True)
        for connection in connections:
            connection.close()


sender = _Sender()


def send(
    subscription: PushSubscription, payload: dict[str, Any], *, topic: str, urgency: str = "high"
) -> PushResult:
    """``topic`` makes a repeat replace the earlier message on the device instead of stacking."""
    parts = urlsplit(subscription.endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return PushResult(ok=False, gone=True, error="not an http(s) push endpoint")
    try:
        pusher = WebPusher(
            {
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            }
        )
        encoded = pusher.encode(json.dumps(payload).encode(), "aes128gcm")
        headers = {
            "Authorization": sender.authorization(subscription.endpoint),
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "TTL": str(TTL_SECONDS),
            "Topic": topic,
            "Urgency": urgency,
        }
    except (WebPushException, ValueError) as exc:
        return PushResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:300])
    connection = sender.connection(parts)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    try:
        connection.request("POST", path, body=encoded["body"], headers=headers)
        response = connection.getresponse()
        response.read(MAX_ANSWER_BYTES)
    except (OSError, http.client.HTTPException) as exc:
        sender.drop(parts, connection)
        return PushResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:300])
    if not response.isclosed():
        sender.drop(parts, connection)  # an answer too long to read whole
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
