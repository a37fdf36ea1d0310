#!/usr/bin/env bash
# make schema: the OpenAPI schema is the PWA's only contract. Export it from the code to
# frontend/src/api/schema.json (validated, no warnings), then regenerate the TypeScript types in
# frontend/src/api/schema.d.ts. Commit both; `make test` fails while either is stale.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_venv dev
ensure_node
if [ ! -d frontend/node_modules ]; then (cd frontend && npm ci --no-audit --no-fund --loglevel=error); fi

say "exporting the OpenAPI schema (frontend/src/api/schema.json)"
# The schema does not depend on the environment; the test settings need no secrets.
DJANGO_ENV="${DJANGO_ENV:-test}" .venv/bin/python manage.py spectacular \
    --format openapi-json --validate --fail-on-warn --file frontend/src/api/schema.json
say "generating its TypeScript types (frontend/src/api/schema.d.ts)"
(cd frontend && npm run --silent schema:types)
