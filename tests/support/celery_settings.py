"""Settings of the Celery worker and beat processes that fault tests and benchmarks start: the test
settings, with the Redis (broker and cache) and the SMTP server the starter passes in the
environment (``REDIS_URL``, ``TEST_SMTP_PORT``). Never used by the pytest process itself."""

from __future__ import annotations

import os

from familyrepair.settings.base import celery_broker_url
from familyrepair.settings.test import *  # noqa: F403  # the test settings, then what differs

REDIS_URL = os.environ["REDIS_URL"]
CACHES = {
    "default": {
        "BACKEND": "familyrepair.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "familyrepair-test",
    }
}
CELERY_BROKER_URL = celery_broker_url(REDIS_URL)

if os.environ.get("TEST_SMTP_PORT"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": "127.0.0.1",
                "port": int(os.environ["TEST_SMTP_PORT"]),
                "use_tls": False,
                "timeout": 10,
            },
        }
    }
