"""The PWA is written against the committed OpenAPI schema (frontend/src/api/schema.json, with its
TypeScript types generated beside it): the schema the code generates now must be that one, so an
API change without ``make schema`` fails here instead of in a browser."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management import call_command

COMMITTED = Path(__file__).resolve().parents[2] / "frontend" / "src" / "api" / "schema.json"


def test_the_committed_schema_is_what_the_code_generates(tmp_path: Path) -> None:
    generated = tmp_path / "schema.json"

    call_command("spectacular", "--format", "openapi-json", "--file", str(generated))

    assert json.loads(generated.read_text()) == json.loads(COMMITTED.read_text()), (
        "the API changed: run `make schema` and commit frontend/src/api/schema.json and schema.d.ts"
    )
    assert generated.read_text() == COMMITTED.read_text()
