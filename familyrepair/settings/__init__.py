"""Settings by mode: ``base`` holds everything shared; local, test and production adjust it.

``DJANGO_ENV`` (local, test, production) picks the module when ``DJANGO_SETTINGS_MODULE`` is unset.
"""

from __future__ import annotations

import os


def settings_module() -> str:
    env = os.environ.get("DJANGO_ENV", "local")
    if env not in {"local", "test", "production"}:
        raise RuntimeError(f"DJANGO_ENV must be local, test or production, not {env!r}")
    return f"familyrepair.settings.{env}"


def use_settings_from_env() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module())
