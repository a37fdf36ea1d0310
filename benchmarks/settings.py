"""Benchmark settings: production as deployed, plus a bare view to measure everything against.

benchmarks/http/run.py supplies what production requires from the environment (a throwaway
secret, loopback hosts, its private PostgreSQL and Redis).
"""

from __future__ import annotations

from familyrepair.settings.production import *  # noqa: F403  # measure what we deploy

ROOT_URLCONF = "benchmarks.urls"
# wrk speaks plain HTTP on loopback; production sits behind a TLS proxy instead.
SECURE_SSL_REDIRECT = False
