"""Django's admin app, with our site: staff reach it only after allauth sign-in with MFA."""

from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    default_site = "familyrepair.admin_site.StaffAdminSite"
