#!/usr/bin/env bash
# The test command (make test): install what the tests need, then lint, type-check and run pytest
# on a throwaway PostgreSQL cluster and a private Redis, then on SQLite the tests of what depends on
# the engine, and smoke-run every benchmark.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/services.sh"
cd "$ROOT"

ensure_venv dev
ensure_redis_server || die "redis-server is needed: 'apt-get install redis-server'."
ensure_postgres
if ! command -v chromium >/dev/null 2>&1; then apt_install chromium chromium-driver || true; fi
# tests/test_translations.py extracts the marked strings with makemessages (xgettext, msgfmt).
if ! command -v xgettext >/dev/null 2>&1; then
    apt_install gettext || die "gettext is needed: 'apt-get install gettext'."
fi
export DJANGO_ENV=test

SERVICES="$(mktemp -d /tmp/familyrepair-test.XXXXXX)"
# Steps that run beside others, each in its own process group with its output in a log: a
# failure anywhere stops all of them, and each one's output and exit status are checked in turn.
BACKGROUND=()
trap 'for pid in ${BACKGROUND[@]+"${BACKGROUND[@]}"}; do kill -- -"$pid" 2>/dev/null || true; done; stop_test_services "$SERVICES"' EXIT
in_background() {  # NAME COMMAND...: starts COMMAND, its output in $SERVICES/NAME.log
    local name="$1"
    shift
    set -m
    # Its wall and CPU time at the end of its log: the steps share two cores, and what each costs
    # says where the test command's length goes.
    (
        TIMEFORMAT="==> $name: %R s, CPU %U s user and %S s system (its waited-for processes)"
        time "$@"
    ) >"$SERVICES/$name.log" 2>&1 &
    declare -g "PID_$name=$!"
    BACKGROUND+=("$!")
    set +m
}
finish() {  # NAME: waits for it, prints its output, and fails if it failed
    local name="$1" pid_var="PID_$1"
    if wait "${!pid_var}"; then
        cat "$SERVICES/$name.log"
    else
        cat "$SERVICES/$name.log"
        die "$name failed (its output is above)"
    fi
}
lint() {  # one command per line: `set -e` does not stop on a failure inside an `a && b` list
    set -e
    say "ruff"
    .venv/bin/ruff check .
    .venv/bin/ruff format --check .
    say "mypy"
    .venv/bin/mypy .
    say "compose schema"
    .venv/bin/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml
}

# Lint and types (one core) beside installing and building the PWA (mostly the other).
say "in the background: ruff, mypy, compose schema"
in_background lint lint
build_frontend

start_test_redis "$SERVICES"
start_test_postgres "$SERVICES"
say "migrations are complete"
.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null

# The tests that start real processes (the prompt fault drills: Celery workers and beat, killed
# mid-push; the run command's test: everything `make run` starts, healthy within a minute) run
# before the heavy passes, beside only the tail of the lint above, the PWA's own checks and the
# one-worker SQLite pass below (about one core), so that their timings meet little load. They
# need the PWA built (the run command serves it).
say "in the background: pytest on PostgreSQL: real processes (the prompt fault drills, the run command)"
in_background processes .venv/bin/pytest -q -m "processes and not browser" "$@"
if [ -f frontend/package.json ]; then
    say "frontend: types match the committed schema, unit tests"
    (cd frontend && npm run --silent schema:check && npm test --silent)
fi

# SQLite is the dev default (`make run`; the run command's own test starts it on SQLite).
# PostgreSQL is what the suite is for; on SQLite run the tests of what depends on the engine: the
# database rules and triggers, the therapist's figures (percentiles, weeks and hours in a time
# zone, JSON unnested), the check-in trend, the services with their constraints and locks, the
# prompt claims, idempotency, health, kept statements (rows converted as the ORM converts them)
# and pages, and the family loop through the API. What needs PostgreSQL there is deselected, not
# skipped. One xdist worker (Redis database 2), on the core the process
# tests leave.
say "pytest on SQLite: what depends on the engine"
DATABASE_URL="sqlite:///$SERVICES/sqlite.db" \
    .venv/bin/pytest -q -n 1 -m "not postgresql and not browser and not processes" \
    tests/accounts tests/care tests/checkins tests/ruptures \
    tests/api/test_idempotency.py tests/api/test_repair_both_ways.py tests/test_health.py \
    tests/test_statements.py tests/api/test_pagination.py tests/api/test_rupture_pages.py \
    tests/api/accounts/test_kept_pages.py \
    --ignore=tests/ruptures/test_state_machine.py --ignore=tests/ruptures/test_safety_release.py \
    "$@"
finish lint
finish processes

# Beside the PostgreSQL pass, in two background chains:
# - the browser tests (the non-xdist test database and Redis database 1, apart from the xdist
#   workers' databases and their Redis databases 2 and 3), then the HTTP and load benchmarks;
# - the benchmarks that start their own workers and servers: prompts and dashboard get their own
#   databases on the cluster above, the read-replica one starts its own primary and replica (and
#   exits 1 when its routing checks fail), then Lighthouse.
# Each benchmark runs once at a tiny size (`--smoke`), so one that no longer runs fails the test
# command; each must finish and print its table, and no figure is asserted (speed is measured by
# the benchmarks, never by a test).
browser_then_http() {
    set -e
    .venv/bin/pytest -q -m "browser and not processes" "$@"
    .venv/bin/python benchmarks/http/run.py --smoke
    .venv/bin/python benchmarks/http/profile_request.py --smoke
    .venv/bin/python benchmarks/load/run.py --smoke
}
say "in the background: pytest in the browser, then benchmark smoke runs: HTTP, its per-request work, load"
in_background browser browser_then_http "$@"

"$(pg_bin_dir)/createdb" -h 127.0.0.1 -p "$TEST_PG_PORT" -U postgres familyrepair_prompts
"$(pg_bin_dir)/createdb" -h 127.0.0.1 -p "$TEST_PG_PORT" -U postgres familyrepair_dashboard
background_benchmarks() {
    set -e
    DATABASE_URL="${DATABASE_URL%/*}/familyrepair_prompts" \
        .venv/bin/python benchmarks/prompts/run.py --smoke --workers 2
    .venv/bin/python benchmarks/faults/run.py --smoke
    .venv/bin/python benchmarks/scale/replica.py --smoke
    DATABASE_URL="${DATABASE_URL%/*}/familyrepair_dashboard" \
        .venv/bin/python benchmarks/dashboard/run.py --smoke
    .venv/bin/python benchmarks/lighthouse/run.py --smoke
}
say "in the background: benchmark smoke runs: prompts (two worker nodes), fault drills, read replica, therapist dashboard, Lighthouse"
in_background benchmarks background_benchmarks

# Everything else on PostgreSQL, on two xdist workers, each with its own database and Redis
# database. It sets the test command's length: its slowest tests are listed to keep it in view.
say "pytest on PostgreSQL"
.venv/bin/pytest -q -n 2 -m "not processes and not browser and not sqlite" --durations=15 "$@"

say "from the background: pytest in the browser, then HTTP and load"
finish browser
say "from the background: prompts, fault drills, read replica, dashboard, Lighthouse"
finish benchmarks
