"""Admin for check-ins: read-only (people's answers are theirs; staff only look)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from checkins.models import CheckInAnswer, CheckInRound


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]  # generic over each model
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CheckInRound)
class CheckInRoundAdmin(_ReadOnly):
    list_display = ("id", "family", "period_start", "opens_at", "closes_at")
    raw_id_fields = ("family",)


@admin.register(CheckInAnswer)
class CheckInAnswerAdmin(_ReadOnly):
    list_display = ("id", "round", "respondent", "parent", "child", "question", "score")
    raw_id_fields = ("round", "respondent", "parent", "child")
