"""The codes people read aloud or type: pairing codes, invite codes, therapist share codes."""

from __future__ import annotations

import hashlib
import secrets

# No I, L, O, U, 0 or 1: a code read aloud or copied from a screen cannot be misread.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"


def random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalize_code(raw: str) -> str:
    """Codes are shown grouped (``ABCDE-FGHJK``) and typed any old way: keep letters and digits."""
    return "".join(ch for ch in raw.upper() if ch.isascii() and ch.isalnum())


def hash_code(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()
