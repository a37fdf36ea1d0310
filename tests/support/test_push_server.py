"""The local push service tells a sender that went away mid-body (torn) from a bad request."""

from __future__ import annotations

import http.client
import socket
import time
from urllib.parse import urlsplit

from py_vapid import Vapid
from pywebpush import WebPusher

from ruptures.management.commands.generate_vapid_keys import generate_vapid_keys
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


def test_a_remembered_vapid_token_is_refused_once_it_expires() -> None:
    """The service verifies a token's signature once, but checks its expiry on every push."""
    keys = generate_vapid_keys()
    with PushServer(vapid_public_key=keys.public_key) as server:
        browser = server.subscribe()
        vapid = Vapid.from_string(private_key=keys.private_key)
        soon = int(time.time()) + 2
        authorization = vapid.sign({"aud": server.origin, "exp": soon, "sub": "mailto:t@x.test"})
        pusher = WebPusher(browser.info)

        def post() -> int:
            body = pusher.encode(b'{"title": "hello"}', "aes128gcm")["body"]
            url = urlsplit(browser.endpoint)
            connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=5)
            headers = {"Authorization": authorization["Authorization"], "TTL": "60"}
            headers["Content-Encoding"] = "aes128gcm"
            connection.request("POST", url.path, body=body, headers=headers)
            status = connection.getresponse().status
            connection.close()
            return status

        assert post() == 201
        assert post() == 201  # the remembered token
        while time.time() < soon:
            time.sleep(0.1)

        assert post() == 401
        assert [r.error for r in server.refused()] == [
            f"VAPID exp {soon} is not within the next 24 h"
        ]
