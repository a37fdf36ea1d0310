"""Care team routes: the therapist's screens, and a family's preview of them."""

from __future__ import annotations

from django.urls import include, path

from api.care import views

family = "care/families/<id:family_id>/"

urlpatterns = [
    path("care/families/", views.CaseloadView.as_view(), name="care-caseload"),
    path(f"{family}dashboard/", views.DashboardView.as_view(), name="care-dashboard"),
    path(f"{family}export/", views.ExportView.as_view(), name="care-export"),
    path(f"{family}summary/", views.SummaryView.as_view(), name="care-summary"),
    path(
        "families/<id:family_id>/care-team/<id:grant_id>/preview/",
        views.PreviewView.as_view(),
        name="care-team-preview",
    ),
    # The safety-review queue (/api/v1/care/safety-reviews/).
    path("care/", include("api.care.safety_reviews_urls")),
]
