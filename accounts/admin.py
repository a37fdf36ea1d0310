"""Admin for site staff: users (therapist verification), families and memberships."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import Family, Membership, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]  # django-stubs generic over the user model
    ordering = ("id",)
    list_display = ("id", "email", "display_name", "is_therapist", "therapist_verified_at")
    list_filter = ("is_therapist", "is_staff", "is_child_profile")
    search_fields = ("email", "display_name")
    fieldsets = (
        (None, {"fields": ("email", "password", "display_name", "birth_year")}),
        (
            "Preferences",
            {"fields": ("time_zone", "quiet_hours_start", "quiet_hours_end", "locale")},
        ),
        ("Therapist", {"fields": ("is_therapist", "therapist_verified_at")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
    )
    add_fieldsets = ((None, {"fields": ("email", "password1", "password2")}),)


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Family)
class FamilyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("id", "name", "created_at")
    inlines = (MembershipInline,)
