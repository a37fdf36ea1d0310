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
    say "frontend: types match the committed schema, unit tests"
    (cd frontend && npm run --silent schema:check && npm test --silent)
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

# Tests that start real processes (the run command, Celery workers and beat, a browser against a
# live server) run one at a time; the rest on two xdist workers, each with its own database and
# Redis database.
say "pytest on PostgreSQL"
.venv/bin/pytest -q -n 2 -m "not processes and not browser" "$@"
say "pytest on PostgreSQL: real processes and the browser"
.venv/bin/pytest -q -m "processes or browser" "$@"

say "pytest on SQLite (what needs PostgreSQL or starts processes is deselected, not skipped)"
DATABASE_URL="sqlite:///$SERVICES/sqlite.db" \
    .venv/bin/pytest -q -n 2 -m "not postgresql and not browser and not processes" "$@"

# --- Benchmark smoke runs: HTTP, load, Lighthouse -----------------------------------------------
# Each runs once at a tiny size on the throwaway PostgreSQL and Redis above, and must finish and
# print its table; no figure is asserted (speed is measured by the benchmarks, never by a test).
say "benchmarks, smoke runs (tiny size; each must finish and print its table)"
.venv/bin/python benchmarks/http/run.py --smoke
.venv/bin/python benchmarks/load/run.py --smoke
.venv/bin/python benchmarks/lighthouse/run.py --smoke
# --- end of the benchmark smoke runs ------------------------------------------------------------

# --- Benchmark smoke runs (issue 12): each benchmark command at a tiny size, on the throwaway
# PostgreSQL and Redis above, so a benchmark that no longer runs fails the test command. They check
# that each completes and prints its table; no figure is asserted.
say "benchmark smoke runs: prompts, fault drills, read replica"
.venv/bin/python benchmarks/prompts/run.py --smoke
.venv/bin/python benchmarks/prompts/run.py --smoke --mode burst --workers 2
.venv/bin/python benchmarks/faults/run.py --smoke
.venv/bin/python benchmarks/scale/replica.py --smoke
.venv/bin/python benchmarks/dashboard/run.py --smoke
# --- end of the benchmark smoke runs ---
