"""Input serializers (types, lengths, shapes) and output serializers for accounts and families.

The views render through the output serializers, and drf-spectacular reads the same classes, so
the OpenAPI schema describes exactly the JSON the PWA gets, the account export included
(``accounts.services.export.user_export`` gathers its rows, ``MeExportOut`` renders them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.db import router
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import (
    CALM_DOWN_MAX_MINUTES,
    FOLLOW_UP_MAX_DAYS,
    INVITE_MAX_USES,
    REMINDER_MAX_MINUTES,
    REMINDERS_MAX,
    AgeBand,
    CareScope,
    CareTeamGrant,
    Family,
    Invite,
    Membership,
    ParentalConsent,
    Role,
    TherapistAccessLog,
    User,
)
from accounts.services.export import AccountRecords
from api.rows import moments_in
from familyrepair.errors import ErrorCode
from familyrepair.statements import loaded

LOCALES = [code for code, _name in settings.LANGUAGES]


# --- Inputs ---------------------------------------------------------------------------------


class QuietHoursInput(serializers.Serializer[Any]):
    start = serializers.TimeField(format="%H:%M")
    end = serializers.TimeField(format="%H:%M")


class TherapistClaimsInput(serializers.Serializer[Any]):
    full_name = serializers.CharField(max_length=150)
    profession = serializers.CharField(max_length=100)
    registration_body = serializers.CharField(max_length=150)
    registration_number = serializers.CharField(max_length=64)
    jurisdiction = serializers.CharField(max_length=100)


class MeUpdateInput(serializers.Serializer[Any]):
    display_name = serializers.CharField(max_length=80)
    time_zone = serializers.CharField(max_length=64)
    quiet_hours = QuietHoursInput(allow_null=True)
    locale = serializers.ChoiceField(choices=LOCALES)
    notify_email = serializers.BooleanField()
    notify_push = serializers.BooleanField()
    birth_year = serializers.IntegerField(min_value=1900, max_value=9999)
    is_therapist = serializers.BooleanField()
    therapist_claims = TherapistClaimsInput(
        help_text="A therapist's claims for staff to check; read-only once verified."
    )

    def validate_quiet_hours(self, value: dict[str, Any] | None) -> dict[str, Any] | None:
        # PATCH is partial, and DRF lets partiality reach nested fields: insist on both ends.
        missing = [key for key in ("start", "end") if value is not None and key not in value]
        if missing:
            raise serializers.ValidationError(
                dict.fromkeys(missing, _("This field is required.")), code=ErrorCode.REQUIRED
            )
        return value


class FamilyCreateInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=80)


class FamilyUpdateInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=80)
    calm_down_minutes = serializers.IntegerField(min_value=0, max_value=CALM_DOWN_MAX_MINUTES)
    reminder_minutes = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=REMINDER_MAX_MINUTES),
        allow_empty=True,
        max_length=REMINDERS_MAX,
        help_text="Minutes between reminders, growing; empty means the default schedule.",
    )
    reminders_enabled = serializers.BooleanField(
        help_text="False: no reminders at all. Leaving it out keeps what the family had."
    )
    follow_up_days = serializers.IntegerField(min_value=0, max_value=FOLLOW_UP_MAX_DAYS)
    check_ins_enabled = serializers.BooleanField(
        help_text="The two-weekly family check-in (default off)."
    )
    time_zone = serializers.CharField(
        max_length=64,
        help_text="An IANA time zone (e.g. Europe/London): the family's, for what a therapist "
        "sees by day and hour.",
    )


class MembershipUpdateInput(serializers.Serializer[Any]):
    details_opt_out = serializers.BooleanField()


class ChildCreateInput(serializers.Serializer[Any]):
    display_name = serializers.CharField(max_length=80)
    birth_year = serializers.IntegerField(min_value=1900, max_value=9999)
    privacy_notice_version = serializers.CharField(max_length=32, required=False)


class PairingInput(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=32)
    client = serializers.ChoiceField(choices=["browser", "app"], default="browser")


class InviteCreateInput(serializers.Serializer[Any]):
    role = serializers.ChoiceField(choices=Role.choices)
    max_uses = serializers.IntegerField(min_value=1, max_value=INVITE_MAX_USES, default=1)


class CareGrantCreateInput(serializers.Serializer[Any]):
    share_code = serializers.CharField(max_length=32)
    scope = serializers.ChoiceField(choices=CareScope.choices, default=CareScope.METRICS)


# --- Outputs --------------------------------------------------------------------------------

HH_MM = {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "21:00"}
FAMILY_ROLES = [*Role.values, "therapist"]


@extend_schema_field(HH_MM)
class HourMinuteField(serializers.TimeField):
    """A wall-clock time as ``HH:MM`` (no seconds, no offset: quiet hours are local time)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


def _age_band(user: User) -> str:
    return str(user.age_band().value)


def _age_band_field() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=AgeBand.choices, help_text="Derived from the birth year; `unknown` without one."
    )


class UserRefOut(serializers.Serializer[User]):
    """Another person, as embedded in a row: who, by name."""

    id = serializers.IntegerField()
    display_name = serializers.CharField()


class QuietHoursOut(serializers.Serializer[User]):
    start = HourMinuteField(source="quiet_hours_start")
    end = HourMinuteField(source="quiet_hours_end")


class MeFamilyOut(serializers.Serializer[Family]):
    """One of the reader's families, with their role in it (annotated by the selector)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)


class CareFamilyOut(serializers.Serializer[CareTeamGrant]):
    """A family that has this therapist on its care team."""

    id = serializers.IntegerField(source="family_id")
    name = serializers.CharField(source="family.name")
    scope = serializers.ChoiceField(choices=CareScope.choices)


class TherapistClaimsOut(serializers.Serializer[User]):
    """What a therapist said about themselves, for staff to check before verifying."""

    full_name = serializers.CharField(source="therapist_full_name")
    profession = serializers.CharField(source="therapist_profession")
    registration_body = serializers.CharField(source="therapist_registration_body")
    registration_number = serializers.CharField(source="therapist_registration_number")
    jurisdiction = serializers.CharField(source="therapist_jurisdiction")
    complete = serializers.BooleanField(source="therapist_claims_complete")
    editable = serializers.SerializerMethodField()

    @extend_schema_field(serializers.BooleanField(help_text="False once staff verified them."))
    def get_editable(self, user: User) -> bool:
        return not user.is_verified_therapist


class MeOut(serializers.Serializer[User]):
    """The signed-in person, their families, and the families whose care team they are on."""

    # Context: ``families`` (annotated with the role), ``care_grants`` and ``has_mfa``.

    id = serializers.IntegerField()
    email = serializers.EmailField(allow_null=True, help_text="Null for a child profile.")
    display_name = serializers.CharField()
    time_zone = serializers.CharField(help_text="An IANA time zone.")
    quiet_hours = serializers.SerializerMethodField()
    locale = serializers.CharField()
    birth_year = serializers.IntegerField(allow_null=True)
    age_band = serializers.SerializerMethodField()
    young_child = serializers.BooleanField(
        source="is_young_child",
        help_text="Under 8: every screen can be read aloud, targets are large and the flag needs "
        "no reading (feelings with `little`).",
    )
    notify_email = serializers.BooleanField()
    notify_push = serializers.BooleanField()
    is_child_profile = serializers.BooleanField()
    is_therapist = serializers.BooleanField()
    therapist_verified = serializers.BooleanField(source="is_verified_therapist")
    therapist_share_code = serializers.SerializerMethodField()
    therapist_claims = serializers.SerializerMethodField()
    mfa_enabled = serializers.SerializerMethodField()
    families = serializers.SerializerMethodField()
    care_families = serializers.SerializerMethodField()

    @extend_schema_field(QuietHoursOut(allow_null=True, help_text="Null: no quiet hours."))
    def get_quiet_hours(self, user: User) -> dict[str, Any] | None:
        if user.quiet_hours_start is None or user.quiet_hours_end is None:
            return None
        return QuietHoursOut(user).data

    @extend_schema_field(_age_band_field())
    def get_age_band(self, user: User) -> str:
        return _age_band(user)

    @extend_schema_field(
        serializers.CharField(
            allow_null=True, help_text="Given to families; null unless a verified therapist."
        )
    )
    def get_therapist_share_code(self, user: User) -> str | None:
        return user.therapist_share_code if user.is_verified_therapist else None

    @extend_schema_field(TherapistClaimsOut(allow_null=True, help_text="Null unless a therapist."))
    def get_therapist_claims(self, user: User) -> dict[str, Any] | None:
        return TherapistClaimsOut(user).data if user.is_therapist else None

    def get_mfa_enabled(self, user: User) -> bool:
        return bool(self.context["has_mfa"])

    @extend_schema_field(MeFamilyOut(many=True))
    def get_families(self, user: User) -> list[dict[str, Any]]:
        return MeFamilyOut(self.context["families"], many=True).data  # type: ignore[return-value]  # many=True: a list

    @extend_schema_field(CareFamilyOut(many=True, help_text="Empty unless a therapist."))
    def get_care_families(self, user: User) -> list[dict[str, Any]]:
        return CareFamilyOut(self.context["care_grants"], many=True).data  # type: ignore[return-value]  # many=True: a list


def me_body(
    user: User,
    *,
    families: list[dict[str, Any]],
    care_families: list[dict[str, Any]],
    has_mfa: bool,
) -> dict[str, Any]:
    """``MeOut(user, context=...).data`` as a plain dict (a test compares the two): the page
    every screen of the PWA starts from. ``families`` by column (``id``, ``name``, ``role``);
    ``care_families`` already as ``CareFamilyOut`` renders them."""
    verified = user.is_verified_therapist
    quiet_hours = None
    if user.quiet_hours_start is not None and user.quiet_hours_end is not None:
        quiet_hours = {
            "start": user.quiet_hours_start.strftime("%H:%M"),
            "end": user.quiet_hours_end.strftime("%H:%M"),
        }
    return {
        "id": user.pk,
        "email": user.email,
        "display_name": user.display_name,
        "time_zone": user.time_zone,
        "quiet_hours": quiet_hours,
        "locale": user.locale,
        "birth_year": user.birth_year,
        "age_band": _age_band(user),
        "young_child": user.is_young_child,
        "notify_email": user.notify_email,
        "notify_push": user.notify_push,
        "is_child_profile": user.is_child_profile,
        "is_therapist": user.is_therapist,
        "therapist_verified": verified,
        "therapist_share_code": user.therapist_share_code if verified else None,
        "therapist_claims": TherapistClaimsOut(user).data if user.is_therapist else None,
        "mfa_enabled": has_mfa,
        "families": [
            {"id": family["id"], "name": family["name"], "role": family["role"]}
            for family in families
        ],
        "care_families": care_families,
    }


class PairingOut(serializers.Serializer[dict[str, Any]]):
    """This device is now signed in as the child."""

    # Context: as for MeOut, about the child.

    user = MeOut()
    session_token = serializers.CharField(
        required=False,
        help_text="The X-Session-Token, for `client: app` only; a browser gets a session cookie.",
    )


class FamilyOut(serializers.Serializer[Family]):
    """A family, its settings, and the reader's role in it."""

    # Context: ``role`` (else the row's annotation from selectors.families_for) and, for a
    # therapist, ``scope``.

    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.SerializerMethodField()
    calm_down_minutes = serializers.IntegerField()
    reminder_minutes = serializers.SerializerMethodField()
    reminders_enabled = serializers.BooleanField(
        help_text="False: the family wants no reminders (reminder_minutes is then unused)."
    )
    follow_up_days = serializers.IntegerField()
    check_ins_enabled = serializers.BooleanField(help_text="The two-weekly family check-in.")
    time_zone = serializers.CharField(
        help_text="The family's IANA time zone (the creating parent's unless a parent changed it)."
    )
    created_at = serializers.DateTimeField()
    care_scope = serializers.ChoiceField(
        choices=CareScope.values,
        required=False,
        help_text="Only for a therapist: what the family's grant lets them see.",
    )

    @extend_schema_field(
        serializers.ChoiceField(choices=FAMILY_ROLES, help_text="The reader's role here.")
    )
    def get_role(self, family: Family) -> str:
        role: str = self.context.get("role") or family.role  # type: ignore[attr-defined]  # annotated
        return role

    @extend_schema_field(
        serializers.ListField(
            child=serializers.IntegerField(),
            help_text="Minutes between reminders; empty means the default schedule.",
        )
    )
    def get_reminder_minutes(self, family: Family) -> list[int]:
        return list(family.reminder_minutes or [])

    def to_representation(self, instance: Family) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        scope = self.context.get("scope")
        if scope is not None:
            data["care_scope"] = scope
        return data


def family_rows(families: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``FamilyOut`` of each family as plain dicts, from a kept statement's columns with the
    reader's ``role`` (``accounts.selectors.family_list``, ``family_of_member``); a test
    compares the two. Not a therapist's read (its ``care_scope``)."""
    when = moments_in(timezone.get_current_timezone())
    return [
        {
            "id": family["id"],
            "name": family["name"],
            "role": family["role"],
            "calm_down_minutes": family["calm_down_minutes"],
            "reminder_minutes": list(family["reminder_minutes"] or []),
            "reminders_enabled": family["reminders_enabled"],
            "follow_up_days": family["follow_up_days"],
            "check_ins_enabled": family["check_ins_enabled"],
            "time_zone": family["time_zone"],
            "created_at": when(family["created_at"]),
        }
        for family in families
    ]


class MemberOut(serializers.Serializer[Membership]):
    """A member of the family: the person, and their membership."""

    id = serializers.IntegerField(source="user_id")
    display_name = serializers.CharField(source="user.display_name")
    role = serializers.ChoiceField(choices=Role.choices)
    age_band = serializers.SerializerMethodField()
    young_child = serializers.BooleanField(
        source="user.is_young_child",
        help_text="Under 8: every screen can be read aloud, targets are large and the flag needs "
        "no reading (feelings with `little`).",
    )
    birth_year = serializers.IntegerField(source="user.birth_year", allow_null=True)
    is_child_profile = serializers.BooleanField(source="user.is_child_profile")
    joined_at = serializers.DateTimeField()
    details_opt_out = serializers.BooleanField()

    @extend_schema_field(_age_band_field())
    def get_age_band(self, membership: Membership) -> str:
        return _age_band(membership.user)


def member_rows(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``MemberOut(memberships, many=True).data`` from a kept statement's columns
    (``accounts.selectors.family_members``) as plain dicts; a test compares the two."""
    when = moments_in(timezone.get_current_timezone())
    alias = router.db_for_read(User)
    rows = []
    for member in members:
        born = {"id": member["user_id"], "birth_year": member["user__birth_year"]}
        person = loaded(User, alias, born)  # the age band and "young child" rules, by year
        rows.append(
            {
                "id": member["user_id"],
                "display_name": member["user__display_name"],
                "role": member["role"],
                "age_band": _age_band(person),
                "young_child": person.is_young_child,
                "birth_year": member["user__birth_year"],
                "is_child_profile": member["user__is_child_profile"],
                "joined_at": when(member["joined_at"]),
                "details_opt_out": member["details_opt_out"],
            }
        )
    return rows


class ChildOut(MemberOut):
    """A child profile just added, with what its device needs."""

    time_zone = serializers.CharField(source="user.time_zone")
    locale = serializers.CharField(source="user.locale")


class PairingCodeOut(serializers.Serializer[dict[str, Any]]):
    """A one-time code for a child's device; the code itself is never stored, so shown once."""

    code = serializers.CharField()
    expires_at = serializers.DateTimeField()
    child = UserRefOut()
    url = serializers.CharField(help_text="The `#/pair/{code}` link to open on the device.")
    qr_svg = serializers.CharField(help_text="The link as a QR code, an SVG document.")


class DeviceOut(serializers.Serializer[UserSession]):
    """A device signed in as the child."""

    id = serializers.IntegerField()
    user_agent = serializers.CharField()
    ip = serializers.CharField(help_text="IPv4 or IPv6 address it last signed in from.")
    created_at = serializers.DateTimeField()
    last_seen_at = serializers.DateTimeField()


def invite_url(code: str) -> str:
    return f"{settings.SITE_URL}/#/invite/{code}"


class InviteOut(serializers.Serializer[Invite]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    url = serializers.SerializerMethodField()
    role = serializers.ChoiceField(choices=Role.choices)
    expires_at = serializers.DateTimeField()
    max_uses = serializers.IntegerField()
    uses = serializers.IntegerField()
    revoked = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(help_text="The `#/invite/{code}` link to share."))
    def get_url(self, invite: Invite) -> str:
        return invite_url(invite.code)

    def get_revoked(self, invite: Invite) -> bool:
        return invite.revoked_at is not None


class CareGrantOut(serializers.Serializer[CareTeamGrant]):
    id = serializers.IntegerField()
    therapist = UserRefOut()
    scope = serializers.ChoiceField(choices=CareScope.choices)
    granted_at = serializers.DateTimeField()


def care_grant_rows(grants: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``CareGrantOut(grants, many=True).data`` from a kept statement's columns
    (``accounts.selectors.care_team``: verified therapists only, so never a former one)."""
    when = moments_in(timezone.get_current_timezone())
    return [
        {
            "id": grant["id"],
            "therapist": {
                "id": grant["therapist_id"],
                "display_name": grant["therapist__display_name"],
            },
            "scope": grant["scope"],
            "granted_at": when(grant["granted_at"]),
        }
        for grant in grants
    ]


class TherapistRefOut(serializers.Serializer[TherapistAccessLog]):
    """The therapist who read: ``id`` is null once they deleted their account (the name stays)."""

    id = serializers.IntegerField(source="therapist_id", allow_null=True)
    display_name = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField())
    def get_display_name(self, row: TherapistAccessLog) -> str:
        if row.therapist is not None:
            return row.therapist.display_name
        return row.therapist_name


class AccessLogOut(serializers.Serializer[TherapistAccessLog]):
    """One read a therapist made of the family's data."""

    id = serializers.IntegerField()
    therapist = TherapistRefOut(source="*")
    action = serializers.CharField(help_text="e.g. `family.view`, `rupture.view`.")
    object_type = serializers.CharField(help_text="Empty when the read was of no one object.")
    object_id = serializers.CharField()
    created_at = serializers.DateTimeField()


class PrivacyOut(serializers.Serializer[dict[str, str]]):
    privacy_notice_version = serializers.CharField(
        help_text="Send it back as `privacy_notice_version` when adding a child under 13."
    )
    privacy_notice_url = serializers.CharField(help_text="A path on this site.")
    retention_policy_version = serializers.CharField()
    retention_policy_url = serializers.CharField(help_text="A path on this site.")


# --- The account export ------------------------------------------------------------------------
#
# The one description of the export's shape: accounts.services.export.user_export gathers the rows
# and these serializers render them. Times are written as Python writes them (``+00:00``).


class ExportDateTimeField(serializers.DateTimeField):
    """A stored time as ``isoformat()`` gives it, in the zone it was stored in (UTC), so the
    export reads as it always has (DRF would write ``Z``)."""

    def to_representation(self, value: dt.datetime) -> str:
        return value.isoformat()


class ExportQuietHoursOut(serializers.Serializer[User]):
    start = serializers.CharField(
        source="quiet_hours_start", allow_null=True, help_text="Local time, `HH:MM:SS`."
    )
    end = serializers.CharField(
        source="quiet_hours_end", allow_null=True, help_text="Local time, `HH:MM:SS`."
    )


class ExportReflectionOut(serializers.Serializer[User]):
    enabled = serializers.BooleanField(source="reflection_enabled")
    time = serializers.CharField(source="reflection_time", allow_null=True)
    dismissals_in_row = serializers.IntegerField(source="reflection_dismissals")
    answered_at = ExportDateTimeField(source="reflection_answered_at", allow_null=True)


class ExportProfileOut(serializers.Serializer[User]):
    id = serializers.IntegerField()
    email = serializers.EmailField(allow_null=True)
    display_name = serializers.CharField()
    birth_year = serializers.IntegerField(allow_null=True)
    age_band = _age_band_field()  # User.age_band(), called by the field
    time_zone = serializers.CharField()
    quiet_hours = ExportQuietHoursOut(source="*", help_text="Both ends null: no quiet hours.")
    locale = serializers.CharField()
    notify_email = serializers.BooleanField()
    notify_push = serializers.BooleanField()
    reflection = ExportReflectionOut(source="*", help_text="The parent's evening reflection.")
    is_child_profile = serializers.BooleanField()
    is_therapist = serializers.BooleanField()
    therapist_verified_at = ExportDateTimeField(allow_null=True)
    date_joined = ExportDateTimeField()
    last_login = ExportDateTimeField(allow_null=True)


class ExportEmailOut(serializers.Serializer[EmailAddress]):
    email = serializers.EmailField()
    verified = serializers.BooleanField()
    primary = serializers.BooleanField()


class ExportMembershipOut(serializers.Serializer[Membership]):
    family_id = serializers.IntegerField()
    family_name = serializers.CharField(source="family.name")
    role = serializers.ChoiceField(choices=Role.choices)
    joined_at = ExportDateTimeField()
    details_opt_out = serializers.BooleanField()


class ExportConsentAboutMeOut(serializers.Serializer[ParentalConsent]):
    family_id = serializers.IntegerField()
    given_by_email = serializers.CharField(help_text="Empty if it was never known.")
    privacy_notice_version = serializers.CharField()
    given_at = ExportDateTimeField()


class ExportConsentGivenOut(serializers.Serializer[ParentalConsent]):
    child_id = serializers.IntegerField()
    family_id = serializers.IntegerField()
    privacy_notice_version = serializers.CharField()
    given_at = ExportDateTimeField()


class ExportInviteOut(serializers.Serializer[Invite]):
    family_id = serializers.IntegerField()
    role = serializers.ChoiceField(choices=Role.choices)
    created_at = ExportDateTimeField()
    expires_at = ExportDateTimeField()
    uses = serializers.IntegerField()
    max_uses = serializers.IntegerField()


class ExportGrantGivenOut(serializers.Serializer[CareTeamGrant]):
    family_id = serializers.IntegerField()
    therapist_id = serializers.IntegerField(allow_null=True, help_text="Null once they left.")
    scope = serializers.ChoiceField(choices=CareScope.choices)
    granted_at = ExportDateTimeField()
    revoked_at = ExportDateTimeField(allow_null=True)


class ExportGrantReceivedOut(serializers.Serializer[CareTeamGrant]):
    family_id = serializers.IntegerField()
    scope = serializers.ChoiceField(choices=CareScope.choices)
    granted_at = ExportDateTimeField()
    revoked_at = ExportDateTimeField(allow_null=True)


class ExportAccessLogOut(serializers.Serializer[TherapistAccessLog]):
    family_id = serializers.IntegerField()
    action = serializers.CharField()
    object_type = serializers.CharField()
    object_id = serializers.CharField()
    created_at = ExportDateTimeField()


class ExportSessionOut(serializers.Serializer[UserSession]):
    ip = serializers.CharField()
    user_agent = serializers.CharField()
    created_at = ExportDateTimeField()
    last_seen_at = ExportDateTimeField()


class ExportAuthenticatorOut(serializers.Serializer[Authenticator]):
    type = serializers.CharField(help_text=f"One of {', '.join(Authenticator.Type.values)}.")
    created_at = ExportDateTimeField()
    last_used_at = ExportDateTimeField(allow_null=True)


class MeExportOut(serializers.Serializer[AccountRecords]):
    """Everything held about the signed-in person. Other apps add sections of their own (the
    ruptures app: ``ruptures``, ``messages_written``, ``notifications``,
    ``push_subscriptions``), each a list of objects."""

    profile = ExportProfileOut()
    email_addresses = ExportEmailOut(many=True)
    memberships = ExportMembershipOut(many=True)
    parental_consents_about_me = ExportConsentAboutMeOut(many=True)
    parental_consents_given = ExportConsentGivenOut(many=True)
    invites_created = ExportInviteOut(many=True)
    care_team_grants_given = ExportGrantGivenOut(many=True)
    care_team_grants_received = ExportGrantReceivedOut(many=True)
    therapist_access_log = ExportAccessLogOut(many=True)
    sessions = ExportSessionOut(many=True)
    authenticators = ExportAuthenticatorOut(many=True)

    def to_representation(self, instance: AccountRecords) -> dict[str, Any]:
        body: dict[str, Any] = super().to_representation(instance)
        return body | instance.other_sections


class ReflectionIn(serializers.Serializer[Any]):
    enabled = serializers.BooleanField()
    time = serializers.TimeField(
        format="%H:%M", required=False, help_text="Local HH:MM; leaving it out keeps the time set."
    )


class ReflectionOut(serializers.Serializer[Any]):
    """The parent's evening reflection ("Was there a moment today you'd like to make right?")."""

    enabled = serializers.BooleanField(help_text="Off by default.")
    time = HourMinuteField(help_text="Local wall-clock time, HH:MM.")
    dismissals_in_row = serializers.IntegerField()
    ask_pause = serializers.BooleanField(
        help_text="Dismissed three times in a row: ask whether to pause it."
    )
    suggest = serializers.BooleanField(
        help_text="Suggest it (once, after the parent's first repair) until they answer."
    )
