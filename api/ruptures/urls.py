"""Rupture routes."""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from api.ruptures import views

router = SimpleRouter()
router.register("ruptures", views.RuptureViewSet, basename="rupture")

urlpatterns = [
    path("feelings/", views.FeelingsView.as_view(), name="feelings"),
    path("families/<id:family_id>/plans/", views.PlanListView.as_view(), name="plan-list"),
    path(
        "ruptures/<id:pk>/messages/", views.RuptureMessagesView.as_view(), name="rupture-messages"
    ),
    *router.urls,
]
