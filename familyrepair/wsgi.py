"""WSGI entry point for gunicorn."""

from __future__ import annotations

from django.core.wsgi import get_wsgi_application

from familyrepair.settings import use_settings_from_env

use_settings_from_env()
application = get_wsgi_application()
