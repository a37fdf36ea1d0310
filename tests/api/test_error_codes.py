"""Every error code the API can answer with is an ``ErrorCode``, spelled through the enumeration
where it is raised, and the enumeration keeps no code nothing emits.

The codes come from three places: our own raises (``code=ErrorCode.X``; mypy holds the type), the
fields of our serializers (Django REST framework's own codes, passed on by the handler), and DRF's
request checks for the statuses the schema documents (``api.schema.ERRORS``).
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rest_framework import exceptions as drf_exceptions
from rest_framework import fields, serializers

import api
from api.schema import ERRORS
from familyrepair.errors import ErrorCode

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("accounts", "api", "care", "checkins", "ruptures", "familyrepair")
# Calls whose ``code`` is an error code (``error_item``'s is its first argument).
ERROR_CALLS = {
    "ApplicationError",
    "InvalidInput",
    "NotFound",
    "Forbidden",
    "Conflict",
    "Unprocessable",
    "ValidationError",
    "error_item",
}


def sources() -> list[Path]:
    return [
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    ]


def written_codes() -> set[str]:
    """The members our code names; in the enumeration's own module, only the error classes'
    defaults (what a raise without a code answers)."""
    errors = ROOT / "familyrepair" / "errors.py"
    use, default = r"\bErrorCode\.([A-Z0-9_]+)", r"default_code = ErrorCode\.([A-Z0-9_]+)"
    names = {
        name
        for path in sources()
        for name in re.findall(default if path == errors else use, path.read_text())
    }
    return {ErrorCode[name].value for name in names}


def serializer_codes() -> set[str]:
    """The codes DRF can put on a field of any serializer in ``api``."""
    importlib.import_module("familyrepair.urls")  # registers the path converters views use
    found: set[str] = set()

    def walk(field: fields.Field[Any, Any, Any, Any]) -> None:
        found.update(field.error_messages)
        found.update(code for v in field.validators if (code := getattr(v, "code", None)))
        children: list[Any] = (
            list(field.fields.values())
            if isinstance(field, serializers.Serializer)
            else [getattr(field, "child", None)]  # list and dict fields, and many=True
        )
        for child in children:
            if child is not None:
                walk(child)

    for module in pkgutil.walk_packages(api.__path__, "api."):
        for value in vars(importlib.import_module(module.name)).values():
            if (
                isinstance(value, type)
                and issubclass(value, serializers.Serializer)
                and value.__module__ == module.name
            ):
                walk(value())
    return found


def request_check_codes() -> set[str]:
    """DRF's request-level errors with a status the schema documents (auth, method, media type,
    parsing, throttling)."""
    statuses = {int(status) for status in ERRORS}
    return {
        str(exc.default_code)
        for exc in vars(drf_exceptions).values()
        if isinstance(exc, type)
        and issubclass(exc, drf_exceptions.APIException)
        and exc is not drf_exceptions.APIException
        and exc.status_code in statuses
    }


def literal_codes() -> list[str]:
    """Error codes written as strings (or f-strings) where they are raised."""
    found = []
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else ast.unparse(func)
            if name not in ERROR_CALLS:
                continue
            values = [kw.value for kw in node.keywords if kw.arg == "code"]
            if name == "error_item" and node.args:
                values.append(node.args[0])
            found += [
                f"{path.relative_to(ROOT)}:{node.lineno}"
                for value in values
                if isinstance(value, ast.JoinedStr)
                or (isinstance(value, ast.Constant) and isinstance(value.value, str))
            ]
    return found


def test_codes_are_raised_through_the_enumeration() -> None:
    assert literal_codes() == []


@pytest.mark.parametrize(
    "emitted",
    [pytest.param(serializer_codes, id="serializers"), pytest.param(request_check_codes, id="drf")],
)
def test_every_code_drf_can_pass_on_is_a_member(emitted: Callable[[], set[str]]) -> None:
    assert emitted() - set(ErrorCode) == set()


def test_no_member_is_unused() -> None:
    emitted = written_codes() | serializer_codes() | request_check_codes()

    assert set(ErrorCode) - emitted == set()


def test_the_wire_values_are_snake_case() -> None:
    assert [c for c in ErrorCode if not re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", c)] == []
    assert all(c.name == c.value.upper() for c in ErrorCode)
