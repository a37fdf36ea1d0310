"""``ruptures.push``'s connections: a batch of pushes shares keep-alive connections to its push
service, and a connection the service closed while idle is never used for the next push."""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from pytest_django.fixtures import Settings

from ruptures import push
from ruptures.models import PushSubscription
from tests.support.push_server import BrowserSubscription, PushRequest, PushServer


@pytest.fixture(autouse=True)
def _fresh_sender() -> Iterator[None]:
    push.sender.reset()
    yield
    push.sender.reset()


def subscription(browser: BrowserSubscription) -> PushSubscription:
    """Unsaved: ``send`` reads only the endpoint and keys."""
    return PushSubscription(endpoint=browser.endpoint, p256dh=browser.p256dh, auth=browser.auth)


def note(number: int) -> dict[str, object]:
    return {"title": "Time to make things right", "body": f"note {number}", "url": "/#/"}


def body(request: PushRequest) -> str:
    assert request.payload is not None  # decrypted
    return str(request.payload["body"])


def test_pushes_to_one_service_share_its_keep_alive_connections(
    push_server: PushServer, webpush_settings: Settings
) -> None:
    webpush_settings.WEBPUSH_CONCURRENCY = 3
    browser = push_server.subscribe()
    target = subscription(browser)

    one_by_one = [push.send(target, note(n), topic=f"n{n}") for n in range(10)]
    assert push_server.connections_opened == 1
    together = push.send_many([push.Push(target, note(n), f"m{n}") for n in range(30)])

    assert all(result.ok for result in one_by_one + together)
    assert push_server.connections_opened <= 1 + 3  # at most one more per sending thread
    assert push.sender.open_connections() == push_server.connections_opened
    assert sorted(body(r) for r in push_server.delivered(browser)) == sorted(
        [f"note {n}" for n in range(10)] + [f"note {n}" for n in range(30)]
    )
    assert push_server.refused() == []
    assert push_server.torn() == []


def test_a_connection_the_service_closed_while_idle_is_not_used_for_the_next_push(
    push_server: PushServer, webpush_settings: Settings
) -> None:
    browser = push_server.subscribe()
    target = subscription(browser)
    assert push.send(target, note(1), topic="n1").ok

    assert push_server.drop_idle_connections() == 1  # the service's idle timeout
    time.sleep(0.05)  # the close reaches the sender's socket
    second = push.send(target, note(2), topic="n2")

    assert second.ok, second.error
    assert [body(r) for r in push_server.delivered(browser)] == ["note 1", "note 2"]
    assert push_server.connections_opened == 2
    assert push_server.refused() == []


def test_an_endpoint_that_is_not_http_is_gone_without_a_request(
    push_server: PushServer, webpush_settings: Settings
) -> None:
    browser = push_server.subscribe()
    target = subscription(browser)
    target.endpoint = "ftp://push.example.test/sub/1"

    result = push.send(target, note(1), topic="n1")

    assert (result.ok, result.gone) == (False, True)
    assert push_server.requests == []


def test_a_service_that_closes_each_connection_still_gets_every_push(
    push_server: PushServer, webpush_settings: Settings
) -> None:
    """``Connection: close`` after each answer: each push opens its own connection."""
    push_server.closes_connections = True
    browser = push_server.subscribe()
    target = subscription(browser)

    results = [push.send(target, note(n), topic=f"n{n}") for n in range(3)]

    assert [r.ok for r in results] == [True] * 3, [r.error for r in results]
    assert push_server.connections_opened == 3
    assert push.sender.open_connections() == 0
    assert [body(r) for r in push_server.delivered(browser)] == ["note 0", "note 1", "note 2"]


def test_an_answer_too_long_to_read_whole_closes_its_connection(
    push_server: PushServer, webpush_settings: Settings
) -> None:
    """What is left unread of an answer would be read as the next push's answer: the connection
    goes, and the next push opens another."""
    push_server.answer_body = b"x" * (push.MAX_ANSWER_BYTES + 1)
    browser = push_server.subscribe()
    target = subscription(browser)

    first = push.send(target, note(1), topic="n1")
    assert first.ok, first.error
    assert push.sender.open_connections() == 0
    push_server.answer_body = b""
    second = push.send(target, note(2), topic="n2")

    assert second.ok, second.error
    assert push_server.connections_opened == 2
    assert [body(r) for r in push_server.delivered(browser)] == ["note 1", "note 2"]


def test_a_forked_pool_process_opens_its_own_connection(
    push_server: PushServer, webpush_settings: Settings
) -> None:
    """Celery's prefork pool forks after the parent may have pushed: two processes writing to one
    socket would interleave their pushes."""
    browser = push_server.subscribe()
    assert push.send(subscription(browser), note(1), topic="n1").ok
    parts = urlsplit(browser.endpoint)
    inherited = push.sender.connection(parts)
    assert inherited.sock is not None  # kept alive, in the parent

    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork() with the server's thread
        pid = os.fork()
    if pid == 0:  # the child: answer through the pipe, never return into pytest
        try:
            fresh = push.sender.connection(parts)
            verdict = b"own" if fresh is not inherited and fresh.sock is None else b"shared"
            os.write(write_end, verdict + b" %d" % push.sender.open_connections())
        finally:
            os._exit(0)
    os.close(write_end)
    answer = os.read(read_end, 64)
    os.close(read_end)
    os.waitpid(pid, 0)

    assert answer == b"own 0"
    assert push.sender.connection(parts) is inherited  # the parent's is untouched
