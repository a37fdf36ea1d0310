"""The privacy notice and retention policy pages the app serves (plain HTML, no sign-in)."""

from __future__ import annotations

from django.urls import URLPattern, path
from django.views.generic import TemplateView

from accounts.privacy import PRIVACY_NOTICE_VERSION, RETENTION_POLICY_VERSION

versions = {
    "privacy_notice_version": PRIVACY_NOTICE_VERSION,
    "retention_policy_version": RETENTION_POLICY_VERSION,
}

urlpatterns: list[URLPattern] = [
    path(
        "",
        TemplateView.as_view(template_name="privacy/notice.html", extra_context=versions),
        name="privacy-notice",
    ),
    path(
        "retention/",
        TemplateView.as_view(template_name="privacy/retention.html", extra_context=versions),
        name="retention-policy",
    ),
]
