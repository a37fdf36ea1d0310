"""The therapist's own routes (``/api/v1/care/``): each area keeps its own URL module."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("api.care.safety_reviews_urls")),
]
