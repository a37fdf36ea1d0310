"""Shared fixtures: API clients for each kind of caller, a clean Redis database per test, and the
test database copied from a migrated template on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from pytest_django.plugin import DjangoDbBlocker
from rest_framework.test import APIClient

pytest_plugins = ["tests.world", "tests.support.fixtures", "tests.support.admin"]


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker: DjangoDbBlocker,
    django_db_use_migrations: bool,
    django_db_keepdb: bool,
    django_db_createdb: bool,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    """pytest-django's, except that on PostgreSQL each process copies a migrated template instead
    of migrating its own database (``tests/support/template_db.py``); ``--reuse-db`` and
    ``--nomigrations`` keep their meaning, and the copy is dropped at the end as before."""
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    from tests.support.template_db import copy_migrated_template

    reuse = django_db_keepdb and not django_db_createdb
    copy = connection.vendor == "postgresql" and django_db_use_migrations and not reuse
    if not django_db_use_migrations:
        _disable_migrations()
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        if copy:
            copy_migrated_template()
        db_cfg = setup_databases(
            verbosity=verbosity,
            interactive=False,
            aliases=aliases,  # type: ignore[arg-type]  # a set, as pytest-django passes it
            serialized_aliases=serialized_aliases,
            keepdb=reuse or copy,
        )

    yield

    if not django_db_keepdb:
        with django_db_blocker.unblock():
            try:
                teardown_databases(db_cfg, verbosity=verbosity)
            except Exception as exc:
                request.node.warn(
                    pytest.PytestWarning(f"Error when trying to teardown test databases: {exc!r}")
                )


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
