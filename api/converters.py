"""Path converters shared by the API's URL modules."""

from __future__ import annotations


class IdConverter:
    """A database id: 1 to 18 digits, so an absurd id is a 404 at routing instead of an integer
    overflow in the database driver (a 500)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
