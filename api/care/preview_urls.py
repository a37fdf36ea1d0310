"""A family's own look at what a therapist on its care team sees."""

from __future__ import annotations

from django.urls import path

from api.care import views

urlpatterns = [
    path(
        "families/<id:family_id>/care-team/<id:grant_id>/preview/",
        views.PreviewView.as_view(),
        name="care-team-preview",
    ),
]
