"""The local push service tells a sender that went away mid-body (torn) from a bad request."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

from tests.support.push_server import PushServer


def post_raw(endpoint: str, body: bytes, *, content_length: int) -> None:
    """Send a push request's headers and ``body``, claim ``content_length`` bytes, then hang up."""
    url = urlsplit(endpoint)
    assert url.hostname is not None
    assert url.port is not None
    with socket.create_connection((url.hostname, url.port), timeout=5) as connection:
        connection.sendall(
            f"POST {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\nTTL: 60\r\n"
            f"Content-Encoding: aes128gcm\r\nAuthorization: vapid t=a.b.c, k=x\r\n"
            f"Content-Length: {content_length}\r\n\r\n".encode()
            + body
        )
        connection.shutdown(socket.SHUT_WR)
        connection.settimeout(5)
        while connection.recv(1024):  # until the service answers and closes, or just closes
            pass


def wait_for_requests(server: PushServer, count: int) -> None:
    deadline = time.monotonic() + 5
    while len(server.requests) < count:
        assert time.monotonic() < deadline, server.requests
        time.sleep(0.01)


def test_a_request_cut_off_mid_body_is_torn_not_refused_and_never_delivered() -> None:
    with PushServer() as server:
        subscription = server.subscribe()

        post_raw(subscription.endpoint, b"x" * 10, content_length=100)
        wait_for_requests(server, 1)

        assert [(r.torn, r.status) for r in server.requests] == [(True, 0)]
        assert server.torn() == server.requests
        assert server.refused() == []
        assert server.delivered() == []


def test_a_whole_request_that_fails_a_check_is_refused_not_torn() -> None:
    with PushServer() as server:
        subscription = server.subscribe()

        post_raw(subscription.endpoint, b"x" * 100, content_length=100)
        wait_for_requests(server, 1)

        assert [(r.torn, r.status) for r in server.requests] == [(False, 401)]
        assert server.torn() == []
        assert server.refused() == server.requests
