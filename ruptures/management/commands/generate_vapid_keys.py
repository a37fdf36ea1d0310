"""``manage.py generate_vapid_keys [--write PATH]``: a fresh VAPID key pair for Web Push.

Prints ``WEBPUSH_VAPID_PUBLIC_KEY=`` and ``WEBPUSH_VAPID_PRIVATE_KEY=`` lines, in the forms
pywebpush and browsers take: the private key as the base64url raw 32-byte scalar, the public key as
the base64url uncompressed P-256 point (what the PWA passes to ``pushManager.subscribe`` as
``applicationServerKey``). With ``--write PATH`` it writes them to a new env file (mode 0600)
instead, and leaves a file already there as it is: replacing keys unsubscribes every browser.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management.base import BaseCommand, CommandParser


@dataclass(frozen=True)
class VapidKeys:
    public_key: str
    private_key: str

    def env_lines(self) -> str:
        return (
            f"WEBPUSH_VAPID_PUBLIC_KEY={self.public_key}\n"
            f"WEBPUSH_VAPID_PRIVATE_KEY={self.private_key}\n"
        )


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def generate_vapid_keys() -> VapidKeys:
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    private = key.private_numbers().private_value.to_bytes(32, "big")
    return VapidKeys(public_key=_b64url(public), private_key=_b64url(private))


class Command(BaseCommand):
    help = "Generate a VAPID key pair for Web Push and print (or --write) it as env lines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--write",
            metavar="PATH",
            help="Write the keys to this env file if it does not exist (an existing one is kept).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        keys = generate_vapid_keys()
        path = options["write"]
        if not path:
            self.stdout.write(keys.env_lines(), ending="")
            return
        target = Path(path)
        try:
            # O_EXCL: never replace existing keys, even when two starts race to create the file.
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            self.stderr.write(f"{target} already exists; left as it is.")
            return
        with os.fdopen(fd, "w", encoding="utf-8") as env_file:
            env_file.write(
                "# Web Push (VAPID) keys from manage.py generate_vapid_keys. Keep the private key "
                "secret;\n# replacing the pair unsubscribes every browser.\n"
            )
            env_file.write(keys.env_lines())
        self.stdout.write(
            f"Wrote WEBPUSH_VAPID_PUBLIC_KEY and WEBPUSH_VAPID_PRIVATE_KEY to {target}."
        )
