"""Project middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

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
