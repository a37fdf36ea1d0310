"""pytest: PostgreSQL and Redis come from the test command's environment (SQLite works too).

Each pytest-xdist worker gets its own Redis database so clearing the cache between tests never
reaches another worker's rate-limit counters.
"""

from __future__ import annotations

import os
import re

os.environ.setdefault("SECRET_KEY", "test-only-insecure-key")

from familyrepair.settings.base import *  # noqa: F403  # the mode extends the shared base
from familyrepair.settings.base import REDIS_URL, celery_broker_url

_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw-1")
_db = int(_worker[2:]) + 2  # db 0 stays free for processes the tests start themselves


def _with_db(url: str, db: int) -> str:
    if "db=" in url:
        return re.sub(r"db=\d+", f"db={db}", url)
    if url.startswith("unix://"):
        return f"{url}{'&' if '?' in url else '?'}db={db}"
    return re.sub(r"/\d*$", f"/{db}", url) if re.search(r":\d+/\d*$", url) else f"{url}/{db}"


DEBUG = False
TEST_REDIS_URL = _with_db(REDIS_URL, _db)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; argon2 elsewhere
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
CACHES = {
    "default": {
        "BACKEND": "familyrepair.cache.RedisCache",
        "LOCATION": TEST_REDIS_URL,
        "KEY_PREFIX": "familyrepair-test",
    }
}
CELERY_BROKER_URL = celery_broker_url(TEST_REDIS_URL)
# No collectstatic in tests: plain storage, and whitenoise finds files where they live.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
