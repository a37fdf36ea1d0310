"""People and the families they share: users (email optional), families and memberships."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


def validate_time_zone(value: str) -> None:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError("Not a known IANA time zone.", code="invalid_time_zone") from exc


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(
        self, email: str | None = None, password: str | None = None, **extra: Any
    ) -> User:
        user = self.model(email=self.normalize_email(email) if email else None, **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email=email, password=password, **extra)


class AgeBand(models.TextChoices):
    UNDER_13 = "under_13", "Under 13"
    TEEN = "13_17", "13 to 17"
    ADULT = "adult", "Adult"
    UNKNOWN = "unknown", "Unknown"


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in. Young children have no email: they sign in on a paired device."""

    email = models.EmailField(unique=True, null=True, blank=True)
    display_name = models.CharField(max_length=80, blank=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    quiet_hours_start = models.TimeField(null=True, blank=True, default=dt.time(21, 0))
    quiet_hours_end = models.TimeField(null=True, blank=True, default=dt.time(7, 0))
    locale = models.CharField(max_length=16, default="en")
    notify_email = models.BooleanField(default=True)
    notify_push = models.BooleanField(default=True)
    is_child_profile = models.BooleanField(
        default=False, help_text="Created by a parent; signs in only through device pairing."
    )
    is_therapist = models.BooleanField(default=False)
    therapist_verified_at = models.DateTimeField(null=True, blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(birth_year__isnull=True) | models.Q(birth_year__gte=1900),
                name="user_birth_year_plausible",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email or f"user {self.pk}"

    def age_band(self, *, today: dt.date | None = None) -> AgeBand:
        """Derived from birth year alone, so a birthday later this year rounds towards older."""
        if self.birth_year is None:
            return AgeBand.UNKNOWN
        age = (today or timezone.localdate()).year - self.birth_year
        if age < 13:
            return AgeBand.UNDER_13
        if age < 18:
            return AgeBand.TEEN
        return AgeBand.ADULT

    @property
    def is_verified_therapist(self) -> bool:
        return self.is_therapist and self.therapist_verified_at is not None


class Family(models.Model):
    """A shared space of parents and children, with the settings that shape prompts."""

    name = models.CharField(max_length=80)
    calm_down_minutes = models.PositiveIntegerField(default=20)
    reminder_minutes = models.JSONField(
        default=list,
        blank=True,
        help_text="Intervals between reminders, growing; empty means the default schedule.",
    )
    follow_up_days = models.PositiveSmallIntegerField(default=3)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "families"

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    PARENT = "parent", "Parent"
    CHILD = "child", "Child"


class Membership(models.Model):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices)
    joined_at = models.DateTimeField(default=timezone.now)
    details_opt_out = models.BooleanField(
        default=False,
        help_text="A child 13+ or adult keeps their ruptures' words from 'details' therapists.",
    )

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["family", "user"], name="membership_unique_per_family"),
        ]
        indexes: ClassVar = [models.Index(fields=["user", "family"])]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.family}"


class CareScope(models.TextChoices):
    METRICS = "metrics", "Patterns only (aggregates)"
    DETAILS = "details", "Patterns and the words of ruptures and messages"


class CareTeamGrant(models.Model):
    """A family's grant to a verified therapist; revoking keeps the row for the record."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="care_team")
    therapist = models.ForeignKey(User, on_delete=models.CASCADE, related_name="care_grants")
    scope = models.CharField(max_length=10, choices=CareScope.choices, default=CareScope.METRICS)
    granted_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["family", "therapist"],
                condition=models.Q(revoked_at__isnull=True),
                name="care_grant_one_active_per_therapist",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.therapist} for {self.family} ({self.scope})"


class TherapistAccessLog(models.Model):
    """One row per read a therapist makes of family data: who, what, when. Parents can list it."""

    therapist = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="access_log")
    action = models.CharField(max_length=64, help_text="e.g. dashboard.view, rupture.view")
    object_type = models.CharField(max_length=32, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["family", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.therapist} {self.action} {self.object_type}:{self.object_id}"
