"""Plain-dict rendering for the lists a phone reloads most (rupture rows, a conversation, the
inbox): each has its documented serializer for the OpenAPI schema, and a test that the two
render the same. DRF's per-field machinery cost more than the queries behind those pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable


def moments_in(zone: dt.tzinfo) -> Callable[[dt.datetime | None], str | None]:
    """DRF's DateTimeField rendering of an aware datetime (ISO 8601 in ``zone``, the current
    time zone; "Z" for UTC), without its per-call settings and time zone look-ups."""

    def when(value: dt.datetime | None) -> str | None:
        if value is None:
            return None
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return when
