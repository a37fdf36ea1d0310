"""The project's routes plus ``/bench/bare``, the floor every benchmark figure is a ratio to."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, include, path

from familyrepair import urls as project_urls


# ATOMIC_REQUESTS is off; were it on, even this view would take the database connection (about a
# fifth of its throughput, measured), so the floor opts out: it touches neither database nor Redis.
@transaction.non_atomic_requests
def bare(request: HttpRequest) -> JsonResponse:
    """Django's full middleware stack and nothing else: no auth, no query, no serializer."""
    return JsonResponse({"ok": True})


urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/bare", bare, name="bench-bare"),
    path("", include(project_urls)),
]

handler404 = project_urls.handler404
handler500 = project_urls.handler500
