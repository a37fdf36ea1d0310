"""A real SMTP server on loopback (aiosmtpd) that keeps every message it accepts.

Django talks to it through its SMTP backend, as it talks to a mail provider in production; worker
processes reach it over TCP. ``mailers()`` is the ``MAILERS`` setting pointing at it.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass(frozen=True)
class SmtpMessage:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    received_at: float

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def text(self) -> str:
        """The plain-text part (the HTML alternative is in ``message`` too)."""
        part = self.message.get_body(preferencelist=("plain",))
        return "" if part is None else str(part.get_content())


class _Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[SmtpMessage] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        parsed = message_from_bytes(content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.messages.append(
                SmtpMessage(
                    mail_from=str(envelope.mail_from),
                    rcpt_tos=tuple(envelope.rcpt_tos),
                    message=parsed,
                    received_at=time.time(),
                )
            )
        return "250 Message accepted for delivery"


# aiosmtpd logs every SMTP command at INFO: hundreds of lines per test, none of them telling.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class SmtpServer:
    """Start with ``start()`` (or ``with``); ``messages`` is what was accepted, in order."""

    host = "127.0.0.1"

    def __init__(self) -> None:
        self._recorder = _Recorder()
        self._controller: Controller | None = None
        self.port = 0

    def start(self) -> SmtpServer:
        # aiosmtpd checks readiness by connecting to the port, so it cannot bind port 0 itself:
        # pick a free one, and pick again in the rare case another process took it meanwhile.
        for attempt in range(5):
            port = _free_port()
            controller = Controller(self._recorder, hostname=self.host, port=port)
            try:
                controller.start()
            except (OSError, RuntimeError):
                if attempt == 4:
                    raise
                continue
            self._controller, self.port = controller, port
            break
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def messages(self) -> list[SmtpMessage]:
        with self._recorder.lock:
            return list(self._recorder.messages)

    def to(self, address: str) -> list[SmtpMessage]:
        return [m for m in self.messages if address in m.rcpt_tos]

    def clear(self) -> None:
        with self._recorder.lock:
            self._recorder.messages.clear()

    def mailers(self) -> dict[str, Any]:
        """The ``MAILERS`` setting that sends through this server."""
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": self.host, "port": self.port, "use_tls": False, "timeout": 10},
            }
        }
