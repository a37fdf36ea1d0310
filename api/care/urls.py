"""The therapist's own routes (``/api/v1/care/``): the caseload, a family's dashboard, export and
printable summary, and the safety-review queue."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from api.care import views

family = "families/<id:family_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("families/", views.CaseloadView.as_view(), name="care-caseload"),
    path(f"{family}dashboard/", views.DashboardView.as_view(), name="care-dashboard"),
    path(f"{family}export/", views.ExportView.as_view(), name="care-export"),
    path(f"{family}summary/", views.SummaryView.as_view(), name="care-summary"),
    path("", include("api.care.safety_reviews_urls")),
]
