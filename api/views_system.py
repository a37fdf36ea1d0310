"""Health and the JSON answers for unmatched URLs and server errors (the envelope everywhere)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from api.exceptions import error_body, error_item
from familyrepair import health
from familyrepair.errors import ErrorCode


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    ok, checks = health.report()
    return JsonResponse({"ok": ok, **checks}, status=200 if ok else 503)


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(
        error_body(404, [error_item(ErrorCode.NOT_FOUND, _("Not found."))]), status=404
    )


def server_error(request: HttpRequest) -> JsonResponse:
    message = _("Something went wrong on our side. Nothing was saved; please try again.")
    return JsonResponse(error_body(500, [error_item(ErrorCode.SERVER_ERROR, message)]), status=500)
