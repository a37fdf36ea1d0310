"""Help resources for a child who says they feel unsafe, by locale (configured in settings).

Text and chat lines come first: children text more than they call.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings


def help_resources(locale: str) -> dict[str, Any]:
    by_locale: dict[str, dict[str, Any]] = settings.SAFETY_HELP_RESOURCES
    key = locale.lower().replace("_", "-")
    chosen = by_locale.get(key) or by_locale.get(key.split("-")[0]) or by_locale["default"]
    lines = sorted(chosen["lines"], key=lambda line: 0 if line["kind"] in {"text", "chat"} else 1)
    return {"region": chosen["region"], "emergency": chosen["emergency"], "lines": lines}
