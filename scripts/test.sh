#!/usr/bin/env bash
# The test command (make test): install what the tests need, then lint, type-check and run pytest
# on a throwaway PostgreSQL cluster and a private Redis, then again on SQLite.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/services.sh"
cd "$ROOT"

ensure_venv dev
ensure_redis_server || die "redis-server is needed: 'apt-get install redis-server'."
ensure_postgres
if ! command -v chromium >/dev/null 2>&1; then apt_install chromium chromium-driver || true; fi
build_frontend
if [ -f frontend/package.json ]; then
    say "frontend unit tests"
    (cd frontend && npm test --silent)
fi

export DJANGO_ENV=test
# One command per line: `set -e` does not stop on a failure inside an `a && b` list.
say "ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
say "mypy"
.venv/bin/mypy .
say "compose schema"
.venv/bin/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml

SERVICES="$(mktemp -d /tmp/familyrepair-test.XXXXXX)"
trap 'stop_test_services "$SERVICES"' EXIT
start_test_redis "$SERVICES"
start_test_postgres "$SERVICES"

say "migrations are complete"
.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null

say "pytest on PostgreSQL"
.venv/bin/pytest "$@"

say "pytest on SQLite (what runs on PostgreSQL only is deselected, not skipped)"
DATABASE_URL="sqlite:///$SERVICES/sqlite.db" .venv/bin/pytest -q -m "not postgresql and not browser" "$@"
