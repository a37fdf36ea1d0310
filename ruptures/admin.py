"""Admin for site staff: the safety queue, ruptures (safety reviews first), their timeline, and
prompt delivery.

Read-only on purpose: staff look, and act with the family outside the app; nothing a child
wrote is edited here, and nothing is deleted. The one action is closing a safety review.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Exists, IntegerField, OuterRef, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from accounts.models import CareTeamGrant, Membership, User
from accounts.services.common import name_of
from familyrepair.errors import ApplicationError
from ruptures import safety_reviews
from ruptures.models import (
    Notification,
    Prompt,
    PromptDelivery,
    PromptKind,
    PromptStatus,
    Rupture,
    RuptureEvent,
    SafetyOutcome,
    SafetyReview,
    SafetyReviewActivity,
    Status,
)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic in the stubs only
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RuptureEventInline(admin.TabularInline):  # type: ignore[type-arg]  # generic in the stubs only
    model = RuptureEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "actor", "from_status", "to_status", "data")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Rupture)
class RuptureAdmin(ReadOnlyAdmin):
    list_display = ("id", "status", "family", "child", "parent", "started_by", "created_at")
    list_filter = ("status", "started_by", "unsafe")
    search_fields = ("family__name",)
    inlines = (RuptureEventInline,)
    readonly_fields = (
        "family",
        "child",
        "parent",
        "started_by",
        "status",
        "unsafe",
        "feelings",
        "intensity",
        "size",
        "need",
        "note",
        "occurred_at",
        "needs_space_until",
        "created_at",
        "acknowledged_at",
        "reconnected_at",
        "closed_at",
        "follow_up_of",
    )

    def get_ordering(self, request: HttpRequest) -> list[Any]:
        safety_first = Case(
            When(status=Status.SAFETY_REVIEW, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return [safety_first.asc(), "-created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Rupture]:
        return super().get_queryset(request).select_related("family", "child", "parent")


@admin.register(Prompt)
class PromptAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "kind",
        "recipient",
        "rupture",
        "status",
        "due_at",
        "attempts",
        "reclaims",
        "sent_at",
        "cancelled_reason",
    )
    list_filter = ("status", "kind")
    raw_id_fields = ("recipient", "rupture")


@admin.register(PromptDelivery)
class PromptDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("id", "prompt", "channel", "target", "status", "attempts", "sent_at", "error")
    list_filter = ("channel", "status")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "recipient", "title", "created_at", "read_at")
    list_filter = ("kind",)


# --- The safety queue ---------------------------------------------------------------------------
class SafetyReviewActivityInline(admin.TabularInline):  # type: ignore[type-arg]  # generic in the stubs only
    model = SafetyReviewActivity
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "actor_name", "detail", "staff_notified_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(choices=SafetyOutcome.choices)
    note = forms.CharField(
        widget=forms.Textarea, required=False, max_length=safety_reviews.NOTE_MAX
    )


def _table(headings: tuple[str, ...], rows: list[tuple[Any, ...]]) -> str:
    if not rows:
        return "—"
    head = format_html_join("", "<th>{}</th>", ((h,) for h in headings))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        ((format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),) for row in rows),
    )
    return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", head, body)


@admin.register(SafetyReview)
class SafetyReviewAdmin(ReadOnlyAdmin):
    """Who handles safety: open reviews first, those no therapist was alerted to first, then the
    oldest. Staff read the family's context and close a review with an outcome and a note
    (``safety_reviews.safety_review_close``); nothing here edits or deletes a record."""

    list_display = (
        "id",
        "is_open",
        "therapist_alerted",
        "family",
        "child_name",
        "parent_name",
        "opened_at",
        "closed_at",
        "outcome",
    )
    list_filter = ("outcome",)
    inlines = (SafetyReviewActivityInline,)
    readonly_fields = (
        "close_link",
        "rupture_link",
        "family",
        "child_name",
        "child_email",
        "parent_name",
        "parent_email",
        "opened_at",
        "staff_notified_at",
        "members",
        "care_team_history",
        "timeline",
        "closed_at",
        "outcome",
        "note",
        "closed_by_name",
        "released_at",
        "erase_on_close",
    )
    fields = readonly_fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[SafetyReview]:
        alerted = Prompt.objects.filter(
            rupture=OuterRef("rupture"),
            kind=PromptKind.SAFETY_ALERT,
            recipient__isnull=False,
        ).exclude(status=PromptStatus.CANCELLED)
        reviews = SafetyReview.objects.select_related("family", "rupture").annotate(
            alerted=Exists(alerted)
        )
        return reviews.order_by(*self.get_ordering(request))

    def get_ordering(self, request: HttpRequest) -> list[Any]:
        open_first = Case(
            When(closed_at__isnull=True, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return [open_first.asc(), "alerted", "opened_at", "id"]

    @admin.display(boolean=True, description="open")
    def is_open(self, review: SafetyReview) -> bool:
        return review.closed_at is None

    @admin.display(boolean=True, description="therapist alerted", ordering="alerted")
    def therapist_alerted(self, review: SafetyReview) -> bool:
        return bool(getattr(review, "alerted", False))

    @admin.display(description="close")
    def close_link(self, review: SafetyReview) -> str:
        if review.closed_at is not None:
            return f"Closed by {review.closed_by_name or 'staff'}"
        url = reverse("admin:ruptures_safetyreview_close", args=[review.pk])
        return format_html('<a class="button" href="{}">Close this review…</a>', url)

    @admin.display(description="rupture")
    def rupture_link(self, review: SafetyReview) -> str:
        url = reverse("admin:ruptures_rupture_change", args=[review.rupture_id])
        return format_html(
            '<a href="{}">Rupture {} ({})</a>', url, review.rupture_id, review.rupture.status
        )

    @admin.display(description="members now")
    def members(self, review: SafetyReview) -> str:
        rows = Membership.objects.filter(family_id=review.family_id).select_related("user")
        dissolved = review.family.dissolved_at
        table = _table(
            ("name", "email", "role", "joined"),
            [(name_of(m.user), m.user.email or "", m.role, m.joined_at) for m in rows],
        )
        if dissolved:
            return format_html("Family dissolved {} (kept for this review). {}", dissolved, table)
        return table

    @admin.display(description="care team (all grants)")
    def care_team_history(self, review: SafetyReview) -> str:
        grants = CareTeamGrant.objects.filter(family_id=review.family_id).select_related(
            "therapist"
        )
        return _table(
            ("therapist", "scope", "granted", "revoked"),
            [
                (
                    g.therapist_name or name_of(g.therapist),
                    g.scope,
                    g.granted_at,
                    g.revoked_at or "active",
                )
                for g in grants.order_by("granted_at", "id")
            ],
        )

    @admin.display(description="the rupture's timeline")
    def timeline(self, review: SafetyReview) -> str:
        events = RuptureEvent.objects.filter(rupture_id=review.rupture_id).select_related("actor")
        return _table(
            ("when", "what", "who", "status"),
            [
                (e.created_at, e.get_kind_display(), name_of(e.actor) or "—", e.to_status)
                for e in events
            ],
        )

    def get_urls(self) -> list[Any]:
        close = path(
            "<int:review_id>/close/",
            self.admin_site.admin_view(self.close_view),
            name="ruptures_safetyreview_close",
        )
        return [close, *super().get_urls()]

    def close_view(self, request: HttpRequest, review_id: int) -> HttpResponse:
        review = self.get_object(request, str(review_id))
        if review is None or not self.has_view_permission(request, review):
            raise PermissionDenied
        form = CloseForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                safety_reviews.safety_review_close(
                    actor=cast(User, request.user),
                    review_id=review.pk,
                    outcome=form.cleaned_data["outcome"],
                    note=form.cleaned_data["note"],
                )
            except ApplicationError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, f"Safety review {review.pk} closed.", messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:ruptures_safetyreview_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Close safety review {review.pk}",
            "review": review,
            "form": form,
        }
        return TemplateResponse(request, "admin/ruptures/safetyreview/close.html", context)
