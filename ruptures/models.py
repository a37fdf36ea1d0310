"""Ruptures between a child and a parent, their append-only timeline, the parent's guided repair
steps, and the messages the two exchange on the way back to each other."""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

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


class Direction(models.TextChoices):
    """Who was hurt and who makes it right. A child's "you upset me" and a parent's own flag
    are both the parent's repair; a child's "I want to make it right" is the child's."""

    PARENT_REPAIRS = "parent_repairs", "The parent makes it right"
    CHILD_REPAIRS = "child_repairs", "The child makes it right"


class Size(models.TextChoices):
    SMALL = "small", gettext_lazy("Small")
    MEDIUM = "medium", gettext_lazy("Medium")
    BIG = "big", gettext_lazy("Big")


# Limits on what people write; the services check them and the API's input serializers say them.
NOTE_MAX_LENGTH = 2000  # a flag's note and a parent's reflection on a repair step
MESSAGE_MAX_LENGTH = 2000
NOT_YET_REASON_MAX_LENGTH = 500
PLAN_MAX_LENGTH = 500  # each side's part of "what we'll do differently"


class FollowUpAnswer(models.TextChoices):
    """The answer to "Are you two still OK?"."""

    OK = "ok", gettext_lazy("We're OK")
    NOT_REALLY = "not_really", gettext_lazy("Not really")


class Need(models.TextChoices):
    """What the child needs now (Circle of Security)."""

    COMFORT = "comfort", gettext_lazy("Be with me")
    SPACE = "space", gettext_lazy("Give me time")
    TALK = "talk", gettext_lazy("Help me understand")
    TRY_AGAIN = "try_again", gettext_lazy("Help me have another go")


# Below 2**53, so JavaScript reads every id exactly.
RUPTURE_ID_LIMIT = 2**53


def random_rupture_id() -> int:
    """A rupture's id says nothing about how many were made before it (a sequence would show a
    parent the gap left by a flag held for safety review)."""
    return 1 + secrets.randbelow(RUPTURE_ID_LIMIT - 1)


class Rupture(models.Model):
    id = models.BigIntegerField(primary_key=True, default=random_rupture_id, editable=False)
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="ruptures")
    # SET_NULL: a deleted account's ruptures stay for the other party ("former member").
    child = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_by = models.CharField(max_length=10, choices=Party.choices)
    direction = models.CharField(
        max_length=16, choices=Direction.choices, default=Direction.PARENT_REPAIRS
    )
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.FLAGGED)
    feelings = models.JSONField(default=list)
    intensity = models.PositiveSmallIntegerField()
    size = models.CharField(max_length=10, choices=Size.choices, blank=True)
    need = models.CharField(max_length=10, choices=Need.choices, blank=True)
    note = models.TextField(max_length=NOTE_MAX_LENGTH, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    needs_space_until = models.DateTimeField(null=True, blank=True)
    unsafe = models.BooleanField(default=False)
    words_withheld = models.BooleanField(
        default=False,
        help_text="The child's opt-out from 'details' therapists, as it stood when this was "
        "written (or set later by a new opt-out); never cleared, so leaving or deleting an "
        "account cannot widen who reads the words.",
    )
    follow_up_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    plan_by_parent = models.TextField(
        max_length=PLAN_MAX_LENGTH,
        blank=True,
        help_text="The parent's part of the pair's plan; seen by the two of them only.",
    )
    plan_by_child = models.TextField(
        max_length=PLAN_MAX_LENGTH,
        blank=True,
        help_text="The child's part of the pair's plan; seen by the two of them only.",
    )
    plan_updated_at = models.DateTimeField(null=True, blank=True)
    child_confirmed_at = models.DateTimeField(null=True, blank=True)
    parent_confirmed_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    started_from_nudge = models.BooleanField(
        default=False, help_text="A parent's own flag, started from their evening reflection."
    )
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
                condition=models.Q(direction__in=Direction.values), name="rupture_direction_known"
            ),
            models.CheckConstraint(
                condition=models.Q(direction=Direction.PARENT_REPAIRS)
                | models.Q(started_by=Party.CHILD, unsafe=False),
                name="rupture_child_repairs_started_by_child",
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
            # The therapist's figures: a family's open ruptures with their age (an index-only
            # count), and its ruptures by when they were flagged, closed, reconnected and last
            # changed, so a caseload reads the windows and not the history.
            models.Index(fields=["family", "status", "created_at"], name="rupture_family_status"),
            models.Index(fields=["family", "created_at"], name="rupture_family_created"),
            models.Index(
                fields=["family", "closed_at"],
                name="rupture_family_closed",
                condition=models.Q(closed_at__isnull=False),
            ),
            models.Index(
                fields=["family", "reconnected_at"],
                name="rupture_family_reconnected",
                condition=models.Q(reconnected_at__isnull=False),
            ),
            models.Index(fields=["family", "updated_at"], name="rupture_family_updated"),
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
    FOLLOW_UP = "follow_up", "Answered the follow-up"
    REVIEW_CLOSED = "review_closed", "Safety review closed"
    PLAN = "plan", "Added to the plan"
    RELEASED = "released", "Shared by the child after the safety review"
    RELEASE_DECLINED = "release_declined", "Kept held by the child after the safety review"


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
    """One of the guided steps of whoever makes it right (the parent's six, or the child's four,
    ``ruptures.repair_guide``); the reflection is private to them."""

    class Code(models.TextChoices):
        CALM = "calm", gettext_lazy("Calm yourself first")
        ACKNOWLEDGE = "acknowledge", gettext_lazy("Acknowledge what happened")
        RESPONSIBILITY = "responsibility", gettext_lazy("Take responsibility, without excuses")
        VALIDATE = "validate", gettext_lazy("Validate their feelings")
        RECONNECT = "reconnect", gettext_lazy("Reassure and reconnect")
        CHANGE = "change", gettext_lazy("Say what you will do differently")

    rupture = models.ForeignKey(Rupture, on_delete=models.CASCADE, related_name="repair_steps")
    step = models.CharField(max_length=16, choices=Code.choices)
    done_at = models.DateTimeField(null=True, blank=True)
    reflection = models.TextField(max_length=NOTE_MAX_LENGTH, blank=True)
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
    body = models.TextField(max_length=MESSAGE_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")
        indexes: ClassVar = [models.Index(fields=["rupture", "created_at"])]

    def __str__(self) -> str:
        return f"Message {self.pk} on rupture {self.rupture_id}"


class PromptKind(models.TextChoices):
    HEADS_UP = "heads_up", "Heads-up"
    REPAIR_PROMPT = "repair_prompt", "Repair prompt"
    REMINDER = "reminder", "Reminder"
    ACKNOWLEDGED = "acknowledged", "Seen"
    MESSAGE = "message", "New message"
    CONFIRM_PROMPT = "confirm_prompt", "Prompt to confirm"
    NOT_YET = "not_yet", "Not yet"
    RECONNECTED = "reconnected", "Reconnected"
    FOLLOW_UP = "follow_up", "Follow-up"
    SAFETY_ALERT = "safety_alert", "Safety alert"
    PLAN_ASK = "plan_ask", "What would help next time?"
    RELEASE_QUESTION = "release_question", "Would you like them to see this now?"
    CHECK_IN = "check_in", "Family check-in"
    CHECK_IN_REMINDER = "check_in_reminder", "Family check-in reminder"
    REFLECTION = "reflection", "Evening reflection"  # the parent's own nudge: about no rupture


# Prompts about a check-in round rather than a rupture.
CHECK_IN_KINDS = frozenset({PromptKind.CHECK_IN, PromptKind.CHECK_IN_REMINDER})


class PromptStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    CLAIMED = "claimed", "Claimed by a worker"
    SENT = "sent", "Sent"
    CANCELLED = "cancelled", "Cancelled"


class Prompt(models.Model):
    """A durable, scheduled nudge to one person about one rupture, or about a family check-in
    round (exactly one of the two), or, for the evening reflection (a parent's own opt-in nudge),
    about neither.

    Written in the same transaction as the change that causes it; claimed by the beat sweep
    (``SELECT ... FOR UPDATE SKIP LOCKED``) with a token and a lease; finished by a conditional
    update on that token. Redis holds nothing here that a sweep cannot rebuild.
    """

    # SET_NULL: a safety alert outlives its recipient's account (the safety review keeps it);
    # other prompts of a deleted account are deleted with it (``ruptures.account_data``).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="prompts"
    )
    rupture = models.ForeignKey(
        Rupture, null=True, blank=True, on_delete=models.CASCADE, related_name="prompts"
    )
    check_in_round = models.ForeignKey(
        "checkins.CheckInRound",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="prompts",
    )
    kind = models.CharField(max_length=20, choices=PromptKind.choices)
    sequence = models.PositiveSmallIntegerField(
        default=0, help_text="For reminders: which one in the growing series."
    )
    due_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=PromptStatus.choices, default=PromptStatus.PENDING
    )
    claim_token = models.UUIDField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    reclaims = models.PositiveSmallIntegerField(
        default=0, help_text="Times a lease expired and another worker took the prompt over."
    )
    resumed = models.PositiveSmallIntegerField(
        default=0,
        help_text="Times a channel was sent to again because the process sending it died "
        "(the task came back under the same claim).",
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.CharField(max_length=40, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes: ClassVar = [
            models.Index(
                fields=["due_at"],
                name="prompt_pending_due",
                condition=models.Q(status="pending"),
            ),
            models.Index(
                fields=["lease_expires_at"],
                name="prompt_claimed_lease",
                condition=models.Q(status="claimed"),
            ),
            models.Index(fields=["rupture", "status"]),
            models.Index(fields=["check_in_round", "status"]),
        ]
        constraints: ClassVar = [
            # About a rupture, or about a check-in round; the evening reflection about neither.
            models.CheckConstraint(
                condition=models.Q(rupture__isnull=False, check_in_round__isnull=True)
                | models.Q(rupture__isnull=True, check_in_round__isnull=False)
                | models.Q(rupture__isnull=True, check_in_round__isnull=True, kind="reflection"),
                name="prompt_about_one_thing",
            ),
        ]

    def __str__(self) -> str:
        about = (
            f"rupture {self.rupture_id}"
            if self.rupture_id
            else f"check-in {self.check_in_round_id}"
        )
        return f"{self.kind} to {self.recipient_id} about {about} ({self.status})"


class Notification(models.Model):
    """The in-app inbox: exactly one per prompt, whatever the retries."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    prompt = models.OneToOneField(Prompt, on_delete=models.CASCADE, related_name="notification")
    rupture = models.ForeignKey(
        Rupture, null=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=PromptKind.choices)
    title = models.CharField(max_length=120)
    body = models.CharField(max_length=500)
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return self.title


class PushSubscription(models.Model):
    """A browser's Web Push subscription; removed when the push service answers 404 or 410."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_success_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"push for {self.user_id}"


class Channel(models.TextChoices):
    PUSH = "push", "Web Push"
    EMAIL = "email", "Email"


class DeliveryStatus(models.TextChoices):
    SENDING = "sending", "Sending"
    RETRYING = "retrying", "Failed; will retry"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    GONE = "gone", "Subscription gone"


class PromptDelivery(models.Model):
    """One prompt on one outside channel (a push subscription, or email): sending -> sent, never
    sent twice once sent. A row found still ``sending`` by a later attempt means the process
    sending it died: that resend may be a repeat, and is counted (``Prompt.resumed``) and logged."""

    prompt = models.ForeignKey(Prompt, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    target = models.CharField(
        max_length=64, help_text="Push subscription id, or 'email'.", default="email"
    )
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["prompt", "channel", "target"], name="delivery_once_per_target"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.target} for prompt {self.prompt_id} ({self.status})"


class SafetyOutcome(models.TextChoices):
    SPOKE_WITH_CHILD = "spoke_with_child", "Spoke with the child"
    CONTACTED_FAMILY = "contacted_family", "Contacted the family"
    REFERRED_TO_SERVICES = "referred_to_services", "Referred to services"
    CONTACTED_AUTHORITIES = "contacted_authorities", "Contacted the authorities"
    NO_SAFETY_CONCERN = "no_safety_concern", "No safety concern"


class SafetyReview(models.Model):
    """One per unsafe flag, opened in the flag's transaction; closed by staff with an outcome.

    While it is open, the flag and everything that points at it (prompts, the alert, grant
    history, access-log rows) are held: PROTECT means no cascade from a family or account
    deletion can remove them. The names and emails are snapshots, so deletions never lose who was
    involved.
    """

    rupture = models.OneToOneField(Rupture, on_delete=models.PROTECT, related_name="safety_review")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="safety_reviews")
    child_name = models.CharField(max_length=150, blank=True)
    child_email = models.CharField(max_length=254, blank=True)
    parent_name = models.CharField(max_length=150, blank=True)
    parent_email = models.CharField(max_length=254, blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    staff_notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the safety team was emailed about the flag."
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=24, choices=SafetyOutcome.choices, blank=True)
    note = models.TextField(max_length=4000, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_by_name = models.CharField(max_length=150, blank=True)
    released_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Closed with no safety concern, the child chose to let the parent see it: it "
        "went into the ordinary repair flow then.",
    )
    release_declined_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Asked whether the parent may see it, the child said no: it stays held and "
        "they are not asked again (they may still share it later themselves).",
    )
    erase_on_close = models.BooleanField(
        default=False,
        help_text="The child's profile was erased while this was open: the rupture is purged "
        "once the review closes.",
    )

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True, outcome="")
                | models.Q(closed_at__isnull=False, outcome__in=SafetyOutcome.values),
                name="safety_review_closed_has_outcome",
            ),
        ]
        indexes: ClassVar = [
            models.Index(
                fields=["family"], name="safety_review_open", condition=models.Q(closed_at=None)
            ),
        ]

    def __str__(self) -> str:
        state = "closed" if self.closed_at else "open"
        return f"Safety review {self.pk} ({state})"


class ActivityKind(models.TextChoices):
    ACCOUNT_DELETED = "account_deleted", "An account was deleted"
    MEMBER_REMOVED = "member_removed", "A member left or was removed"
    CHILD_ERASED = "child_erased", "The child's profile was erased"
    FAMILY_DELETED = "family_deleted", "The family was deleted (kept, dissolved)"
    THERAPIST_REVOKED = "therapist_revoked", "A therapist was removed from the care team"
    THERAPIST_DELETED = "therapist_deleted", "A therapist deleted their account"


class SafetyReviewActivity(models.Model):
    """A family action that touched a held flag; the safety team is emailed about each."""

    review = models.ForeignKey(SafetyReview, on_delete=models.PROTECT, related_name="activity")
    kind = models.CharField(max_length=24, choices=ActivityKind.choices)
    actor_name = models.CharField(max_length=150, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    staff_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("created_at", "id")
        verbose_name_plural = "safety review activity"

    def __str__(self) -> str:
        return f"{self.kind} on safety review {self.review_id}"
