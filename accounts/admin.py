"""Admin for site staff: users (therapist verification), families, consents and the care team."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.models import (
    CareTeamGrant,
    Family,
    Invite,
    Membership,
    ParentalConsent,
    TherapistAccessLog,
    User,
)
from accounts.services.care_team import therapist_unverify, therapist_verify


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]  # django-stubs generic over the user model
    ordering = ("id",)
    list_display = (
        "id",
        "email",
        "display_name",
        "is_therapist",
        "therapist_full_name",
        "therapist_profession",
        "therapist_registration_body",
        "therapist_registration_number",
        "therapist_jurisdiction",
        "therapist_verified_at",
    )
    list_filter = ("is_therapist", "is_staff", "is_child_profile")
    search_fields = (
        "email",
        "display_name",
        "therapist_full_name",
        "therapist_registration_number",
    )
    readonly_fields = ("therapist_share_code",)
    fieldsets = (
        (None, {"fields": ("email", "password", "display_name", "birth_year")}),
        (
            "Preferences",
            {"fields": ("time_zone", "quiet_hours_start", "quiet_hours_end", "locale")},
        ),
        (
            "Therapist",
            {
                "fields": (
                    "is_therapist",
                    *User.THERAPIST_CLAIMS,
                    "therapist_verified_at",
                    "therapist_share_code",
                )
            },
        ),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
    )
    add_fieldsets = ((None, {"fields": ("email", "password1", "password2")}),)
    actions = ("verify_therapists", "unverify_therapists")

    @admin.action(description="Verify therapist: their claims were checked (gives a share code)")
    def verify_therapists(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        verified, incomplete = 0, []
        for user in queryset.filter(is_therapist=True):
            if not user.therapist_claims_complete:
                incomplete.append(str(user))
                continue
            therapist_verify(therapist=user)
            verified += 1
        self.message_user(request, f"{verified} therapist(s) verified.", messages.SUCCESS)
        if incomplete:
            self.message_user(
                request,
                f"Not verified, their claims are incomplete: {', '.join(incomplete)}.",
                messages.WARNING,
            )

    @admin.action(description="Withdraw verification (their care-team access stops at once)")
    def unverify_therapists(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset.filter(is_therapist=True):
            therapist_unverify(therapist=user)


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]  # generic in the stubs only
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Family)
class FamilyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic in the stubs only
    list_display = ("id", "name", "created_at")
    inlines = (MembershipInline,)


@admin.register(CareTeamGrant)
class CareTeamGrantAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic in the stubs only
    list_display = ("id", "family", "therapist", "scope", "granted_at", "revoked_at")
    raw_id_fields = ("family", "therapist", "granted_by", "revoked_by")


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic in the stubs only
    list_display = ("id", "family", "role", "expires_at", "uses", "max_uses", "revoked_at")
    raw_id_fields = ("family", "created_by")


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic in the stubs only
    """Records kept as evidence: staff may read them, never edit or delete them.

    Without delete permission admin also drops the bulk delete action, and refuses to delete a
    family or user whose deletion would cascade to these rows.
    """

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ParentalConsent)
class ParentalConsentAdmin(ReadOnlyAdmin):
    list_display = ("id", "child", "given_by_email", "privacy_notice_version", "given_at")


@admin.register(TherapistAccessLog)
class TherapistAccessLogAdmin(ReadOnlyAdmin):
    list_display = ("id", "therapist", "family", "action", "object_type", "object_id", "created_at")
