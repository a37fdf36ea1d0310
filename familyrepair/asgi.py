"""ASGI entry point."""

from __future__ import annotations

from django.core.asgi import get_asgi_application

from familyrepair.settings import use_settings_from_env

use_settings_from_env()
application = get_asgi_application()
