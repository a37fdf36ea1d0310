"""Ruptures between a child and a parent, their append-only timeline, the parent's guided repair
steps, and the messages the two exchange on the way back to each other."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Family


class Status(models.TextChoices):
    FLAGGED = "flagged", "Flagged"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    AWAITING_CONFIRMATION = "awaiting_confirmation", "One side has confirmed"
    RECONNECTED = "reconnected", "Reconnected"
    WITHDRAWN = "withdrawn", "Withdrawn"
    SAFETY_REVIEW = "safety_review", "Safety review"


class Party(models.TextChoices):
    """Which side of the rupture someone is on; also who started it."""

    CHILD = "child", "Child"
    PARENT = "parent", "Parent"


class Size(models.TextChoices):
    SMALL = "small", "Small"
    MEDIUM = "medium", "Medium"
    BIG = "big", "Big"


class Need(models.TextChoices):
    """What the child needs now (Circle of Security)."""

    COMFORT = "comfort", "Be with me"
    SPACE = "space", "Give me time"
    TALK = "talk", "Help me understand"
    TRY_AGAIN = "try_again", "Help me have another go"


class Rupture(models.Model):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="ruptures")
    # SET_NULL: a deleted account's ruptures stay for the other party ("former member").
    child = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_by = models.CharField(max_length=10, choices=Party.choices)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.FLAGGED)
    feelings = models.JSONField(default=list)
    intensity = models.PositiveSmallIntegerField()
    size = models.CharField(max_length=10, choices=Size.choices, blank=True)
    need = models.CharField(max_length=10, choices=Need.choices, blank=True)
    note = models.TextField(max_length=2000, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    needs_space_until = models.DateTimeField(null=True, blank=True)
    unsafe = models.BooleanField(default=False)
    follow_up_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    child_confirmed_at = models.DateTimeField(null=True, blank=True)
    parent_confirmed_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    reconnected_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(intensity__gte=1, intensity__lte=5),
                name="rupture_intensity_1_to_5",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="rupture_status_known"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=Status.RECONNECTED)
                | models.Q(reconnected_at__isnull=False),
                name="rupture_reconnected_has_time",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["child", "-created_at"]),
            models.Index(fields=["parent", "-created_at"]),
            models.Index(fields=["family", "status"]),
        ]

    def __str__(self) -> str:
        return f"Rupture {self.pk} ({self.status})"


class EventKind(models.TextChoices):
    FLAGGED = "flagged", "Flagged"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    STEP_DONE = "step_done", "Repair step done"
    STEP_UNDONE = "step_undone", "Repair step reopened"
    MESSAGE = "message", "Message"
    CONFIRMED = "confirmed", "Confirmed reconnection"
    NOT_YET = "not_yet", "Not yet"
    RECONNECTED = "reconnected", "Reconnected"
    WITHDRAWN = "withdrawn", "Withdrawn"
    SAFETY_REVIEW = "safety_review", "Held for safety review"


class RuptureEvent(models.Model):
    """Append-only: every transition and step leaves one row (who, what, when)."""

    rupture = models.ForeignKey(Rupture, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(max_length=24, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=24, choices=Status.choices, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")
        indexes: ClassVar = [models.Index(fields=["rupture", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} on rupture {self.rupture_id}"


class RepairStep(models.Model):
    """One of the parent's six guided steps; the reflection is private to the parent."""

    class Code(models.TextChoices):
        CALM = "calm", "Calm yourself first"
        ACKNOWLEDGE = "acknowledge", "Acknowledge what happened"
        RESPONSIBILITY = "responsibility", "Take responsibility, without excuses"
        VALIDATE = "validate", "Validate their feelings"
        RECONNECT = "reconnect", "Reassure and reconnect"
        CHANGE = "change", "Say what you will do differently"

    rupture = models.ForeignKey(Rupture, on_delete=models.CASCADE, related_name="repair_steps")
    step = models.CharField(max_length=16, choices=Code.choices)
    done_at = models.DateTimeField(null=True, blank=True)
    reflection = models.TextField(max_length=2000, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["rupture", "step"], name="repair_step_once"),
        ]

    def __str__(self) -> str:
        return f"{self.step} on rupture {self.rupture_id}"


class Message(models.Model):
    rupture = models.ForeignKey(Rupture, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")
        indexes: ClassVar = [models.Index(fields=["rupture", "created_at"])]

    def __str__(self) -> str:
        return f"Message {self.pk} on rupture {self.rupture_id}"
