"""Top-level routes: the API, allauth's headless API, admin and its sign-in, health, the PWA."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from api import views_system
from familyrepair.admin_site import signin_urlpatterns

urlpatterns = [
    path("healthz", views_system.healthz, name="healthz"),
    path("api/v1/", include("api.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("admin/signin/", include(signin_urlpatterns)),  # before admin's catch-all
    path("admin/", admin.site.urls),
    path("privacy/", include("accounts.urls")),
]

handler404 = "api.views_system.not_found"
handler500 = "api.views_system.server_error"
