"""API v1 routes. Each area keeps its own URL module; this file only stitches them together."""

from __future__ import annotations

from django.conf import settings
from django.urls import include, path
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

# Redoc renders with inline styles and runs its search in a blob: worker; only this page needs that.
DOCS_CSP = settings.SECURE_CSP | {
    "style-src": ["'self'", "'unsafe-inline'"],
    "worker-src": ["'self'", "blob:"],
}

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        csp_override(DOCS_CSP)(SpectacularRedocView.as_view(url_name="schema")),
        name="docs",
    ),
    path("", include("api.accounts.urls")),
    path("", include("api.ruptures.urls")),
    path("", include("api.notifications.urls")),
    path("", include("api.checkins.urls")),
    path("care/", include("api.care.urls")),
    path("", include("api.care.preview_urls")),
]
