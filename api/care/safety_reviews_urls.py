"""Safety-review routes for therapists (``/api/v1/care/safety-reviews/``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from api.care import safety_reviews as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("safety-reviews/", views.SafetyReviewListView.as_view(), name="care-safety-reviews"),
    path(
        "safety-reviews/<id:rupture_id>/",
        views.SafetyReviewDetailView.as_view(),
        name="care-safety-review",
    ),
    path(
        "safety-reviews/<id:rupture_id>/close/",
        views.SafetyReviewCloseView.as_view(),
        name="care-safety-review-close",
    ),
]
