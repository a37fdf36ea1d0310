"""The one JSON error envelope for the whole API, shaped like allauth's headless responses:

    {"status": 409, "errors": [{"code": "rupture_not_open", "message": "...", "param": null}]}

A failed request leaves nothing written: a service that raises rolls its own transaction back,
and a POST with an Idempotency-Key rolls back its change with its claim (``api.idempotency``).
``set_rollback()`` still marks any enclosing request transaction, as DRF's handler does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf_exceptions
from rest_framework import status as http_status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from familyrepair.errors import ApplicationError, ErrorCode


def error_body(status: int, errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"status": status, "errors": errors}


def error_item(code: str, message: str, param: str | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "param": param}


def _flatten(detail: Any, param: str | None = None) -> Iterator[dict[str, Any]]:
    """Walk DRF's nested detail (dicts by field, lists by index) into items with a dotted param."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            field = None if key in ("non_field_errors", "__all__") else str(key)
            yield from _flatten(value, f"{param}.{field}" if param and field else (field or param))
    elif isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            for item in detail:
                yield from _flatten(item, param)
        else:
            for index, item in enumerate(detail):
                if item:  # DRF puts {} for list entries that were valid
                    yield from _flatten(item, f"{param}.{index}" if param else str(index))
    else:
        code = getattr(detail, "code", None) or ErrorCode.INVALID
        yield error_item(str(code), str(detail), param)


def _django_validation_errors(exc: DjangoValidationError) -> list[dict[str, Any]]:
    if hasattr(exc, "error_dict"):
        return [
            error_item(
                err.code or ErrorCode.INVALID, " ".join(err.messages), None if f == "__all__" else f
            )
            for f, errs in exc.error_dict.items()
            for err in errs
        ]
    return [
        error_item(err.code or ErrorCode.INVALID, " ".join(err.messages)) for err in exc.error_list
    ]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    headers: dict[str, str] = {}
    if isinstance(exc, ApplicationError):
        status, errors = exc.status, [error_item(exc.code, exc.message, exc.param)]
    elif isinstance(exc, DjangoValidationError):
        status, errors = http_status.HTTP_400_BAD_REQUEST, _django_validation_errors(exc)
    elif isinstance(exc, Http404):
        status, errors = 404, [error_item(ErrorCode.NOT_FOUND, _("Not found."))]
    elif isinstance(exc, DjangoPermissionDenied):
        message = _("You are not allowed to do that.")
        status, errors = 403, [error_item(ErrorCode.PERMISSION_DENIED, message)]
    elif isinstance(exc, drf_exceptions.APIException):
        status = exc.status_code
        if isinstance(exc, drf_exceptions.ValidationError):
            errors = list(_flatten(exc.detail))
        else:
            errors = [error_item(str(exc.get_codes()), str(exc.detail))]
        if isinstance(exc, drf_exceptions.NotAuthenticated | drf_exceptions.AuthenticationFailed):
            request = context.get("request")
            view = context.get("view")
            auth_header = view.get_authenticate_header(request) if view and request else None
            if auth_header:
                headers["WWW-Authenticate"] = auth_header
        wait = getattr(exc, "wait", None)
        if wait is not None:
            headers["Retry-After"] = str(int(wait))
    else:
        # unexpected: the transaction it broke rolled back, and views_system.server_error answers
        return None

    set_rollback()
    return Response(error_body(status, errors), status=status, headers=headers)
