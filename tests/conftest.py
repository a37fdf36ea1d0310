"""Shared fixtures: API clients for each kind of caller, a clean Redis database per test."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

pytest_plugins = ["tests.world", "tests.support.fixtures", "tests.support.admin"]


@pytest.fixture(autouse=True)
def _clean_cache() -> None:
    """Rate-limit counters and heartbeats live in Redis; each test starts from an empty database."""
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def csrf_client() -> APIClient:
    """A browser-like client: session cookie and CSRF enforced, as the PWA meets the API."""
    return APIClient(enforce_csrf_checks=True)
