"""Admin for site staff: ruptures (safety reviews first), their timeline, and prompt delivery.

Read-only on purpose: staff look, and act with the family outside the app; nothing a child
wrote is edited here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import HttpRequest

from ruptures.models import Notification, Prompt, PromptDelivery, Rupture, RuptureEvent, Status


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic over each model
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RuptureEventInline(admin.TabularInline):  # type: ignore[type-arg]
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
        "family", "child", "parent", "started_by", "status", "unsafe", "feelings", "intensity",
        "size", "need", "note", "occurred_at", "needs_space_until", "created_at",
        "acknowledged_at", "reconnected_at", "closed_at", "follow_up_of",
    )  # fmt: skip

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
    list_display = ("id", "kind", "recipient", "rupture", "status", "due_at", "attempts",
                    "reclaims", "sent_at", "cancelled_reason")  # fmt: skip
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
