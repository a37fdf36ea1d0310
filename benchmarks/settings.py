"""Benchmark settings: production as deployed, plus a bare view to measure everything against.

benchmarks/http/run.py supplies what production requires from the environment (a throwaway
secret, loopback hosts, its private PostgreSQL and Redis).
"""

from __future__ import annotations

from familyrepair.settings.base import MAIL_DIR
from familyrepair.settings.production import *  # noqa: F403  # measure what we deploy

ROOT_URLCONF = "benchmarks.urls"
# wrk speaks plain HTTP on loopback; production sits behind a TLS proxy instead.
SECURE_SSL_REDIRECT = False
# No mail server runs on a benchmark machine, and none should be contacted: mail (a flag's
# heads-up by email, allauth's notices) is written to files under the data folder instead. The
# cost we measure is the same up to the send itself, which production hands to its SMTP relay.
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": MAIL_DIR},
    }
}
