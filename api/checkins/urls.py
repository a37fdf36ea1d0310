"""Check-in routes."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from api.checkins import views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "families/<id:family_id>/check-ins/",
        views.FamilyCheckInsView.as_view(),
        name="family-check-ins",
    ),
    path("check-ins/", views.CheckInAnswerView.as_view(), name="check-in-answer"),
]
