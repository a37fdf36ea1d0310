"""People and the families they share: users (email optional), families and memberships."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models, router
from django.utils import timezone
from django.utils.translation import gettext as _

from familyrepair.errors import ErrorCode
from familyrepair.statements import KeptStatement, Slot


def validate_time_zone(value: str) -> None:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            _("Not a known IANA time zone."), code=ErrorCode.INVALID_TIME_ZONE
        ) from exc


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get(self, *args: Any, **kwargs: Any) -> User:
        """``User.objects.get(pk=...)``, the lookup Django's auth backends make for the signed-in
        user on every request, from a statement compiled once per connection: building and
        compiling the ORM query cost twice what running it does. The same SQL, the same model
        instance and the same ``DoesNotExist``; any other lookup, a related manager (a subclass)
        or a chosen database goes through the ORM."""
        pk = kwargs.get("pk", kwargs.get("id")) if len(kwargs) == 1 and not args else None
        hints = self._hints  # type: ignore[attr-defined]  # BaseManager's, not in django-stubs
        if type(pk) is int and type(self) is UserManager and self._db is None and not hints:
            return _user_by_primary_key(self.model, pk)
        return super().get(*args, **kwargs)

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


def _user_by_primary_key(model: type[User], pk: int) -> User:
    rows = _user_lookup(model).run(pk=pk)
    if not rows:
        raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
    return model.from_db(router.db_for_read(model), _user_columns(model), rows[0])


def _user_columns(model: type[User]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


@functools.cache
def _user_lookup(model: type[User]) -> KeptStatement:
    return KeptStatement(
        lambda: model._default_manager.filter(pk=Slot("pk", models.BigIntegerField())).values_list(
            *_user_columns(model)
        )
    )


# Under this age a child's screens read themselves aloud and a flag needs no reading (issue 13).
YOUNG_CHILD_AGE = 8


class AgeBand(models.TextChoices):
    UNDER_13 = "under_13", "Under 13"
    TEEN = "13_17", "13 to 17"
    ADULT = "adult", "Adult"
    UNKNOWN = "unknown", "Unknown"


# Wall-clock defaults are callables: Django's fields.W161 check takes a fixed time that falls within
# ten seconds of now for a mistaken "now", so `check --deploy` failed at 07:00:00 with a constant.
def default_quiet_hours_start() -> dt.time:
    return dt.time(21, 0)


def default_quiet_hours_end() -> dt.time:
    return dt.time(7, 0)


def default_reflection_time() -> dt.time:
    return dt.time(20, 0)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in. Young children have no email: they sign in on a paired device."""

    email = models.EmailField(unique=True, null=True, blank=True)
    display_name = models.CharField(max_length=80, blank=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    quiet_hours_start = models.TimeField(null=True, blank=True, default=default_quiet_hours_start)
    quiet_hours_end = models.TimeField(null=True, blank=True, default=default_quiet_hours_end)
    locale = models.CharField(max_length=16, default="en")
    notify_email = models.BooleanField(default=True)
    notify_push = models.BooleanField(default=True)
    # The evening reflection, a parent's own opt-in nudge (``ruptures.reflection``).
    reflection_enabled = models.BooleanField(default=False)
    reflection_time = models.TimeField(
        default=default_reflection_time, help_text="Local wall-clock time."
    )
    reflection_dismissals = models.PositiveSmallIntegerField(
        default=0, help_text="Reflections dismissed in a row; three ask whether to pause."
    )
    reflection_answered_at = models.DateTimeField(
        null=True, blank=True, help_text="When they first answered the suggestion (on or off)."
    )
    is_child_profile = models.BooleanField(
        default=False, help_text="Created by a parent; signs in only through device pairing."
    )
    is_therapist = models.BooleanField(default=False)
    # What a therapist says about themselves at sign-up; staff check it before verifying, and it
    # cannot be changed by the therapist once verified.
    therapist_full_name = models.CharField(max_length=150, blank=True)
    therapist_profession = models.CharField(max_length=100, blank=True)
    therapist_registration_body = models.CharField(max_length=150, blank=True)
    therapist_registration_number = models.CharField(max_length=64, blank=True)
    therapist_jurisdiction = models.CharField(max_length=100, blank=True)
    therapist_verified_at = models.DateTimeField(null=True, blank=True)
    therapist_share_code = models.CharField(
        max_length=16,
        unique=True,
        null=True,
        blank=True,
        help_text="Given to families so a parent can add this therapist to their care team.",
    )
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

    THERAPIST_CLAIMS: ClassVar[tuple[str, ...]] = (
        "therapist_full_name",
        "therapist_profession",
        "therapist_registration_body",
        "therapist_registration_number",
        "therapist_jurisdiction",
    )

    @property
    def therapist_claims_complete(self) -> bool:
        return all(getattr(self, name).strip() for name in self.THERAPIST_CLAIMS)

    @property
    def is_young_child(self) -> bool:
        """Under 8 by birth year, rounding towards older as ``age_band`` does."""
        if self.birth_year is None:
            return False
        return timezone.localdate().year - self.birth_year < YOUNG_CHILD_AGE

    @property
    def is_verified_therapist(self) -> bool:
        """In a query: ``verified_therapist()``."""
        return self.is_therapist and self.therapist_verified_at is not None


def verified_therapist(path: str = "") -> models.Q:
    """``User.is_verified_therapist`` in a query; ``path`` leads to the user (``therapist__``)."""
    return models.Q(**{f"{path}is_therapist": True, f"{path}therapist_verified_at__isnull": False})


def grant_in_force(path: str = "") -> models.Q:
    """A care-team grant that opens its family to its therapist now: not revoked, and held by a
    therapist staff have verified (unticking either closes every family at once). ``path`` leads
    to the grant. What the grant's scope allows, and the therapist's second factor, are the
    readers' to check."""
    return models.Q(**{f"{path}revoked_at__isnull": True}) & verified_therapist(
        f"{path}therapist__"
    )


# Bounds on a family's settings and on an invite; the services check them and the API's input
# serializers say them.
CALM_DOWN_MAX_MINUTES = 24 * 60
REMINDERS_MAX = 10
REMINDER_MAX_MINUTES = 7 * 24 * 60
FOLLOW_UP_MAX_DAYS = 60
INVITE_MAX_USES = 20


class Family(models.Model):
    """A shared space of parents and children, with the settings that shape prompts."""

    name = models.CharField(max_length=80)
    calm_down_minutes = models.PositiveIntegerField(default=20)
    reminder_minutes = models.JSONField(
        default=list,
        blank=True,
        help_text="Intervals between reminders, growing; empty means the default schedule.",
    )
    reminders_enabled = models.BooleanField(
        default=True,
        help_text="Off: no reminders and no weekly nudges at all (the first prompt still comes).",
    )
    follow_up_days = models.PositiveSmallIntegerField(default=3)
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="The family's own (IANA): the therapist's weeks and heat map are in it. The "
        "creating parent's when the family was made; parents change it.",
    )
    check_ins_enabled = models.BooleanField(
        default=False, help_text="The two-weekly check-in (the checkins app); parents switch it."
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dissolved_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Everyone left while a safety review was open: the family is kept, seen by "
        "nobody, and purged when its last review closes.",
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
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_valid"
            ),
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
    # SET_NULL with the name kept: the family's grant history outlives the therapist's account.
    therapist = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="care_grants"
    )
    therapist_name = models.CharField(max_length=150, blank=True)
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
            models.CheckConstraint(
                condition=models.Q(scope__in=CareScope.values), name="care_grant_scope_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.therapist_name} for {self.family} ({self.scope})"


class TherapistAccessLog(models.Model):
    """One row per read a therapist makes of family data: who, what, when. Parents can list it."""

    # SET_NULL with the name kept: the family's log outlives the therapist's account.
    therapist = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    therapist_name = models.CharField(max_length=150, blank=True)
    # No index of its own: (family, -created_at) below serves the family's list and the cascade,
    # and every caseload read inserts a row per family, so each index is paid 200 times.
    family = models.ForeignKey(
        Family, on_delete=models.CASCADE, related_name="access_log", db_index=False
    )
    action = models.CharField(max_length=64, help_text="e.g. dashboard.view, rupture.view")
    object_type = models.CharField(max_length=32, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["family", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.therapist_name} {self.action} {self.object_type}:{self.object_id}"


class PairingCode(models.Model):
    """A one-time code that signs a child's device in; only its hash is stored."""

    child = models.ForeignKey(User, on_delete=models.CASCADE, related_name="pairing_codes")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="pairing_codes")
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"pairing code for {self.child} (expires {self.expires_at:%Y-%m-%d %H:%M})"


class Invite(models.Model):
    """A parent's invitation to join the family with a role; single use unless ``max_uses`` > 1."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="invites")
    role = models.CharField(max_length=10, choices=Role.choices)
    code = models.CharField(max_length=16, unique=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    max_uses = models.PositiveSmallIntegerField(default=1)
    uses = models.PositiveSmallIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(uses__lte=models.F("max_uses")), name="invite_uses_within_max"
            ),
            models.CheckConstraint(condition=models.Q(max_uses__gte=1), name="invite_max_uses_min"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="invite_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} invite to {self.family}"


class ParentalConsent(models.Model):
    """A parent's consent to a profile for a child under 13 (COPPA): who, when, which notice.

    When the profile is erased the row stays as a receipt without the child's identity: who
    consented, to which notice, when, and when the profile was erased (``erased_at``).
    """

    child = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="parental_consents"
    )
    family = models.ForeignKey(Family, null=True, on_delete=models.SET_NULL, related_name="+")
    given_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    given_by_email = models.EmailField(
        blank=True, help_text="Kept if the parent's account is later deleted."
    )
    privacy_notice_version = models.CharField(max_length=32)
    given_at = models.DateTimeField(default=timezone.now)
    erased_at = models.DateTimeField(
        null=True, blank=True, help_text="When the child's profile and data were erased."
    )

    def __str__(self) -> str:
        child = self.child or "an erased profile"
        return f"consent for {child} by {self.given_by_email} ({self.privacy_notice_version})"
