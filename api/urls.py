"""API v1 routes. Each area keeps its own URL module; this file only stitches them together."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularRedocView.as_view(url_name="schema"), name="docs"),
    path("", include("api.accounts.urls")),
    path("", include("api.ruptures.urls")),
    path("", include("api.notifications.urls")),
]
