"""A real Web Push service on loopback, strict the way browsers' push services are.

For each ``POST /push/<subscription id>`` it checks what RFC 8030/8291/8292 ask of an application
server: a ``TTL`` header, ``Content-Encoding: aes128gcm``, and a VAPID ``Authorization: vapid
t=<jwt>, k=<key>`` whose ES256 signature verifies with ``k``, whose ``aud`` is this service's
origin, whose ``exp`` lies in the future (at most 24 h ahead) and which names a ``sub``. It then
decrypts the body with the subscription's own private key and auth secret, records the request
(headers, decrypted JSON) and answers 201, or the status a test set for that subscription (404/410
for a subscription the browser dropped, 500 for a service in trouble). A request that fails a
check is recorded with the reason and answered 400/401/403, so a test can assert there were none.
A request whose sender went away before its body was complete (a worker killed mid-push) is torn:
recorded as such, neither delivered nor refused, and never answered, as any HTTP server would.

It verifies a VAPID token's signature once and remembers the tokens it verified (a sender reuses
one per origin for hours), checking each token's expiry on every request, as a busy push service
would. It counts the connections senders open and can drop the idle ones, as a service's idle
timeout does.

Runs in a thread of the test process; worker processes reach it over HTTP like any push service.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece  # type: ignore[import-untyped]  # no type hints shipped
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

MAX_VAPID_LIFETIME_SECONDS = 24 * 60 * 60  # RFC 8292 section 2
TORN = 0  # the recorded status of a request whose sender went away mid-body: never answered


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_key_b64(key: ec.EllipticCurvePublicKey) -> str:
    """The uncompressed point (65 bytes), as browsers give ``p256dh`` and VAPID gives ``k``."""
    return b64url(
        key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )


@dataclass(frozen=True)
class BrowserSubscription:
    """What ``PushManager.subscribe()`` gives a page, plus the private half the browser keeps."""

    id: str
    endpoint: str
    p256dh: str
    auth: str
    private_key: ec.EllipticCurvePrivateKey = field(repr=False)

    @property
    def info(self) -> dict[str, Any]:
        """The subscription's ``toJSON()``: what the PWA posts to our API."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


def browser_subscription(endpoint: str, *, subscription_id: str = "") -> BrowserSubscription:
    """A fresh P-256 key pair and 16-byte auth secret, base64url-encoded as a browser does."""
    private_key = ec.generate_private_key(ec.SECP256R1())
    return BrowserSubscription(
        id=subscription_id or endpoint.rstrip("/").rsplit("/", 1)[-1],
        endpoint=endpoint,
        p256dh=public_key_b64(private_key.public_key()),
        auth=b64url(secrets.token_bytes(16)),
        private_key=private_key,
    )


@dataclass(frozen=True)
class PushRequest:
    """One POST the service received: what it answered, and why when it refused."""

    subscription_id: str
    status: int
    headers: dict[str, str]  # names lower-cased
    payload: dict[str, Any] | None  # the decrypted JSON; None when refused before decrypting
    error: str
    vapid_claims: dict[str, Any] | None
    received_at: float
    torn: bool = False  # the connection closed before Content-Length bytes of body arrived

    @property
    def accepted(self) -> bool:
        return 200 <= self.status < 300

    @property
    def topic(self) -> str | None:
        return self.headers.get("topic")

    @property
    def urgency(self) -> str | None:
        return self.headers.get("urgency")

    @property
    def ttl(self) -> int | None:
        value = self.headers.get("ttl")
        return int(value) if value is not None and value.isdigit() else None


class Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass
class _Registered:
    subscription: BrowserSubscription
    status: int = 201
    delay: float = 0.0


class PushServer:
    """Start with ``start()`` (or ``with``); ``subscribe()`` makes subscriptions pointing here."""

    def __init__(self, *, vapid_public_key: str | None = None) -> None:
        self.vapid_public_key = vapid_public_key  # when set, any other ``k`` is refused (403)
        self._lock = threading.Lock()
        self._subscriptions: dict[str, _Registered] = {}
        self._requests: list[PushRequest] = []
        self._verified: dict[tuple[str, str], dict[str, Any]] = {}  # (token, k) -> its claims
        self._connections: set[socket.socket] = set()  # open now
        self.connections_opened = 0
        self.closes_connections = False  # answer each push with ``Connection: close``
        self.answer_body = b""  # what a 201 carries after its headers (real services: nothing)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------------
    def start(self) -> PushServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            # Keep-alive, as real push services do: a sender may reuse its connection.
            protocol_version = "HTTP/1.1"

            def handle(self) -> None:
                # A sender that died between requests (a killed worker) has nothing to answer.
                with contextlib.suppress(ConnectionResetError):
                    super().handle()

            def setup(self) -> None:
                super().setup()
                with server._lock:
                    server._connections.add(self.connection)
                    server.connections_opened += 1

            def finish(self) -> None:
                with server._lock:
                    server._connections.discard(self.connection)
                super().finish()

            def do_POST(self) -> None:
                status = server._handle(self)
                if status == TORN:
                    self.close_connection = True  # nobody is left to answer
                    return
                self.send_response(status)
                if status == 201:
                    self.send_header("Location", f"{server.origin}/message/{secrets.token_hex(8)}")
                answer = server.answer_body if status == 201 else b""
                self.send_header("Content-Length", str(len(answer)))
                if server.closes_connections:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the requests are recorded, not logged."""

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler, bind_and_activate=False)
        httpd.request_queue_size = 128
        httpd.daemon_threads = True
        httpd.server_bind()
        httpd.server_activate()
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, name="push-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self.drop_idle_connections()  # kept-alive ones would outlive the server otherwise
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> PushServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def origin(self) -> str:
        assert self._httpd is not None, "start the push server first"
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    # --- subscriptions -----------------------------------------------------------------------
    def subscribe(self, *, status: int = 201) -> BrowserSubscription:
        """A browser-like subscription whose endpoint is on this service."""
        sub_id = secrets.token_urlsafe(12)
        subscription = browser_subscription(f"{self.origin}/push/{sub_id}", subscription_id=sub_id)
        with self._lock:
            self._subscriptions[sub_id] = _Registered(subscription, status)
        return subscription

    def respond(
        self, subscription: BrowserSubscription | str, status: int = 201, *, delay: float = 0.0
    ) -> None:
        """Answer ``status`` to this subscription's pushes from now on (after the checks), and
        ``delay`` seconds after recording each: a sender can be caught mid-request."""
        sub_id = subscription if isinstance(subscription, str) else subscription.id
        with self._lock:
            self._subscriptions[sub_id].status = status
            self._subscriptions[sub_id].delay = delay

    # --- what was received -------------------------------------------------------------------
    @property
    def requests(self) -> list[PushRequest]:
        with self._lock:
            return list(self._requests)

    def delivered(self, subscription: BrowserSubscription | str | None = None) -> list[PushRequest]:
        """Accepted pushes (2xx), for one subscription or all."""
        sub_id = subscription.id if isinstance(subscription, BrowserSubscription) else subscription
        return [
            r
            for r in self.requests
            if r.accepted and (sub_id is None or r.subscription_id == sub_id)
        ]

    def refused(self) -> list[PushRequest]:
        """Requests that failed a protocol check (bad VAPID, encryption, headers)."""
        return [r for r in self.requests if r.error]

    def torn(self) -> list[PushRequest]:
        """Requests cut off mid-body by their sender: never checked, delivered or answered."""
        return [r for r in self.requests if r.torn]

    def drop_idle_connections(self) -> int:
        """Close every open connection, as a push service's idle timeout does between pushes;
        how many there were."""
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already gone
                connection.shutdown(socket.SHUT_RDWR)
        return len(connections)

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()

    def __iter__(self) -> Iterator[PushRequest]:
        return iter(self.requests)

    # --- the protocol --------------------------------------------------------------------------
    def _handle(self, request: BaseHTTPRequestHandler) -> int:
        headers = {name.lower(): value for name, value in request.headers.items()}
        length = int(headers.get("content-length", "0") or 0)
        try:
            body = request.rfile.read(length) if length else b""
        except ConnectionResetError:
            body = b""  # the sender was killed mid-body: torn, below
        sub_id = request.path.rsplit("/", 1)[-1] if request.path.startswith("/push/") else ""
        if len(body) < length:
            self._record(PushRequest(sub_id, TORN, headers, None, "", None, time.time(), torn=True))
            return TORN
        with self._lock:
            registered = self._subscriptions.get(sub_id)
        payload: dict[str, Any] | None = None
        claims: dict[str, Any] | None = None
        error = ""
        if registered is None:
            status, error = 404, "no such subscription"
        else:
            try:
                claims = self._check_vapid(headers.get("authorization", ""))
                self._check_headers(headers)
                payload = self._decrypt(registered.subscription, body)
                status = registered.status
            except Refused as refused:
                status, error = refused.status, refused.reason
        record = PushRequest(
            subscription_id=sub_id,
            status=status,
            headers=headers,
            payload=payload,
            error=error,
            vapid_claims=claims,
            received_at=time.time(),
        )
        self._record(record)
        if registered is not None and registered.delay:
            time.sleep(registered.delay)
        return status

    def _record(self, request: PushRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _check_vapid(self, authorization: str) -> dict[str, Any]:
        scheme, _, params = authorization.partition(" ")
        if scheme.lower() != "vapid":
            raise Refused(401, f"expected a 'vapid' Authorization, got {scheme!r}")
        fields = dict(
            part.strip().split("=", 1) for part in params.split(",") if "=" in part.strip()
        )
        token, key = fields.get("t", ""), fields.get("k", "")
        if not token or not key:
            raise Refused(401, "vapid Authorization needs t= and k=")
        if self.vapid_public_key is not None and key != self.vapid_public_key:
            raise Refused(403, "VAPID key is not the one this subscription was made with")
        with self._lock:
            verified = self._verified.get((token, key))
        claims = verified if verified is not None else self._verify(token, key)
        now = time.time()
        exp = claims.get("exp")
        if not isinstance(exp, int) or not now < exp <= now + MAX_VAPID_LIFETIME_SECONDS:
            raise Refused(401, f"VAPID exp {exp!r} is not within the next 24 h")
        return claims

    def _verify(self, token: str, key: str) -> dict[str, Any]:
        """The claims of a token whose ES256 signature verifies with ``key`` and whose ``aud`` and
        ``sub`` are right, remembered; its ``exp`` is checked on every use."""
        try:
            header_b64, claims_b64, signature_b64 = token.split(".")
            header = json.loads(b64url_decode(header_b64))
            claims = json.loads(b64url_decode(claims_b64))
            signature = b64url_decode(signature_b64)
            public_key = ec.EllipticCurvePublicKey.from_encoded_point(
                ec.SECP256R1(), b64url_decode(key)
            )
        except (ValueError, binascii.Error) as exc:
            raise Refused(401, f"malformed VAPID token: {exc}") from exc
        if header.get("alg") != "ES256" or len(signature) != 64:
            raise Refused(401, "VAPID token must be ES256 with a 64-byte signature")
        der = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        try:
            public_key.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature as exc:
            raise Refused(401, "VAPID signature does not verify with k") from exc
        if not isinstance(claims, dict):
            raise Refused(401, "VAPID claims are not an object")
        if claims.get("aud") != self.origin:
            raise Refused(401, f"VAPID aud {claims.get('aud')!r} is not {self.origin!r}")
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub.startswith(("mailto:", "https:")):
            raise Refused(401, f"VAPID sub {sub!r} is not a mailto: or https: contact")
        with self._lock:
            self._verified[(token, key)] = claims
        return claims

    @staticmethod
    def _check_headers(headers: dict[str, str]) -> None:
        if not headers.get("ttl", "").isdigit():
            raise Refused(400, "TTL header missing or not a number")
        if headers.get("content-encoding") != "aes128gcm":
            raise Refused(400, f"Content-Encoding {headers.get('content-encoding')!r}")
        urgency = headers.get("urgency")
        if urgency is not None and urgency not in {"very-low", "low", "normal", "high"}:
            raise Refused(400, f"Urgency {urgency!r}")
        topic = headers.get("topic")
        if topic is not None and (
            len(topic) > 32 or not all(c.isalnum() or c in "-_" for c in topic)
        ):
            raise Refused(400, f"Topic {topic!r} is not up to 32 base64url characters")

    @staticmethod
    def _decrypt(subscription: BrowserSubscription, body: bytes) -> dict[str, Any]:
        try:
            plain = http_ece.decrypt(
                body,
                private_key=subscription.private_key,
                auth_secret=b64url_decode(subscription.auth),
                version="aes128gcm",
            )
            payload = json.loads(plain)
        except (InvalidTag, ValueError, http_ece.ECEException) as exc:
            raise Refused(400, f"cannot decrypt: {type(exc).__name__}: {exc}") from exc
        if not isinstance(payload, dict):
            raise Refused(400, "payload is not a JSON object")
        return payload
