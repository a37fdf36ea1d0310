"""Production settings: secure by default, and refusing to start without their secrets."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.apps import apps
from django.db import models

ROOT = Path(__file__).resolve().parent.parent
OUR_APPS = {"accounts", "ruptures", "checkins", "care", "api"}
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
    "ALLOWED_HOSTS": "familyrepair.example",
    "DATABASE_URL": "postgres://app:secret@db.internal:5432/familyrepair",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "EMAIL_HOST": "smtp.internal",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    inherited = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    inherited.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**inherited, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_passes_check_deploy_with_no_warning() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_local_mode_is_not_deployable() -> None:
    """The embedded default must never pass as production: the deploy check has to complain."""
    result = manage("check", "--deploy", "--fail-level", "WARNING", env={"DJANGO_ENV": "local"})

    assert result.returncode != 0


def test_the_safety_team_is_the_admins_unless_set() -> None:
    show = ("shell", "-c", "from django.conf import settings; print(settings.SAFETY_TEAM_EMAILS)")
    local = {"DJANGO_ENV": "local", "ADMINS": "a@example.org,b@x.org"}

    by_default = manage(*show, env=local)
    chosen = manage(*show, env={**local, "SAFETY_TEAM_EMAILS": "safety@example.org"})

    last = [r.stdout.strip().splitlines()[-1] for r in (by_default, chosen)]
    assert last == ["['a@example.org', 'b@x.org']", "['safety@example.org']"], by_default.stderr


def test_production_reads_the_trusted_proxy_count_for_every_rate_limit() -> None:
    show = (
        "from django.conf import settings as s; "
        "print(s.TRUSTED_PROXY_COUNT, s.ALLAUTH_TRUSTED_PROXY_COUNT, "
        "s.REST_FRAMEWORK['NUM_PROXIES'])"
    )

    behind_one = manage(
        "shell", "-v", "0", "-c", show, env={**PRODUCTION_ENV, "TRUSTED_PROXY_COUNT": "1"}
    )
    direct = manage("shell", "-v", "0", "-c", show, env=PRODUCTION_ENV)

    assert behind_one.stdout.split() == ["1", "1", "1"], behind_one.stderr
    assert direct.stdout.split() == ["0", "0", "0"], direct.stderr


@pytest.mark.parametrize(
    "field",
    [
        field
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS
        for field in model._meta.get_fields()
        if isinstance(field, models.DateField | models.TimeField) and field.has_default()
    ],
    ids=lambda field: f"{field.model._meta.label}.{field.name}",
)
def test_no_wall_clock_default_trips_the_fixed_default_check_at_its_own_hour(
    field: models.Field[object, object],
) -> None:
    """At 07:00:00 the check above failed: quiet_hours_end's fixed default looked like "now"."""
    default = field.get_default()
    if isinstance(default, dt.datetime):
        instant = default.replace(tzinfo=None)
    elif isinstance(default, dt.time):
        instant = dt.datetime.combine(dt.date(2026, 3, 1), default)
    else:
        instant = dt.datetime.combine(default, dt.time(12, 0))

    with mock.patch("django.db.models.fields._get_naive_now", return_value=instant):
        warnings = [w for w in field.check() if w.id == "fields.W161"]

    assert warnings == []
