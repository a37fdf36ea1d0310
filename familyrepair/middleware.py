"""Project middleware."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError, close_old_connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from api.exceptions import error_body, error_item
from familyrepair.errors import ErrorCode

logger = logging.getLogger(__name__)

# Our API and allauth's headless API answer with personal data (a child's words, a session list,
# who is on the care team): no browser, service worker or proxy may keep a copy.
PERSONAL_PREFIXES = ("/api/", "/_allauth/")


class NoStoreMiddleware:
    """``Cache-Control: no-store`` (with ``private``, ``no-cache``, ``max-age=0``) on every API and
    allauth response, errors included."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path_info.startswith(PERSONAL_PREFIXES):
            add_never_cache_headers(response)
        return response


class LanguageResetMiddleware:
    """Outermost: once a response is finished (Content-Language set), the thread goes back to
    the default language, so a reader's language (``User.locale``, activated by the API views)
    never carries over to whatever this thread runs next."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        finally:
            translation.deactivate()


# How long a client should wait before retrying when the database is away (a restart or failover
# takes seconds; the PWA's outbox and the app retry with the same Idempotency-Key).
DATABASE_RETRY_AFTER_SECONDS = 5


class DatabaseUnavailableMiddleware:
    """A lost database connection answers 503 with ``Retry-After``, not 500.

    A PostgreSQL restart or failover is transient and the request did not happen (its transaction
    rolled back with the connection), so the honest answer is "try again shortly"; a 500 would
    tell clients and monitoring that our code is broken.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("database unavailable: %s %s: %s", request.method, request.path, exception)
        close_old_connections()  # drop the dead connection now, so the next request opens a new one
        message = _("We cannot reach our database just now. Nothing was saved; please try again.")
        response = JsonResponse(
            error_body(503, [error_item(ErrorCode.SERVICE_UNAVAILABLE, message)]), status=503
        )
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return response
