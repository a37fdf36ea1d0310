"""Input serializers (types, lengths, shapes) and output renderers for accounts and families.

Outputs are plain functions building dicts: list rows stay lean and the contract the PWA reads is
visible in one place.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from allauth.usersessions.models import UserSession
from django.conf import settings
from rest_framework import serializers

from accounts.models import (
    CareScope,
    CareTeamGrant,
    Family,
    Invite,
    Membership,
    PairingCode,
    Role,
    TherapistAccessLog,
    User,
)

LOCALES = [code for code, _name in settings.LANGUAGES]


# --- Inputs ---------------------------------------------------------------------------------


class QuietHoursInput(serializers.Serializer[Any]):
    start = serializers.TimeField(format="%H:%M")
    end = serializers.TimeField(format="%H:%M")


class MeUpdateInput(serializers.Serializer[Any]):
    display_name = serializers.CharField(max_length=80)
    time_zone = serializers.CharField(max_length=64)
    quiet_hours = QuietHoursInput(allow_null=True)
    locale = serializers.ChoiceField(choices=LOCALES)
    notify_email = serializers.BooleanField()
    notify_push = serializers.BooleanField()
    birth_year = serializers.IntegerField(min_value=1900, max_value=9999)
    is_therapist = serializers.BooleanField()

    def validate_quiet_hours(self, value: dict[str, Any] | None) -> dict[str, Any] | None:
        # PATCH is partial, and DRF lets partiality reach nested fields: insist on both ends.
        missing = [key for key in ("start", "end") if value is not None and key not in value]
        if missing:
            raise serializers.ValidationError(
                dict.fromkeys(missing, "This field is required."), code="required"
            )
        return value


class FamilyCreateInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=80)


class FamilyUpdateInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=80)
    calm_down_minutes = serializers.IntegerField(min_value=0, max_value=24 * 60)
    reminder_minutes = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=7 * 24 * 60),
        allow_empty=True,
        max_length=10,
    )
    follow_up_days = serializers.IntegerField(min_value=0, max_value=60)


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
    max_uses = serializers.IntegerField(min_value=1, max_value=20, default=1)


class CareGrantCreateInput(serializers.Serializer[Any]):
    share_code = serializers.CharField(max_length=32)
    scope = serializers.ChoiceField(choices=CareScope.choices, default=CareScope.METRICS)


# --- Outputs --------------------------------------------------------------------------------


def _hhmm(value: dt.time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def quiet_hours(user: User) -> dict[str, str | None] | None:
    if user.quiet_hours_start is None or user.quiet_hours_end is None:
        return None
    return {"start": _hhmm(user.quiet_hours_start), "end": _hhmm(user.quiet_hours_end)}


def me(
    user: User, *, families: list[Family], care_grants: list[CareTeamGrant], has_mfa: bool
) -> dict[str, Any]:
    return {
        "id": user.pk,
        "email": user.email,
        "display_name": user.display_name,
        "time_zone": user.time_zone,
        "quiet_hours": quiet_hours(user),
        "locale": user.locale,
        "birth_year": user.birth_year,
        "age_band": user.age_band().value,
        "notify_email": user.notify_email,
        "notify_push": user.notify_push,
        "is_child_profile": user.is_child_profile,
        "is_therapist": user.is_therapist,
        "therapist_verified": user.is_verified_therapist,
        "therapist_share_code": user.therapist_share_code if user.is_verified_therapist else None,
        "mfa_enabled": has_mfa,
        "families": [
            {"id": f.pk, "name": f.name, "role": f.role}  # type: ignore[attr-defined]  # annotated
            for f in families
        ],
        "care_families": [
            {"id": g.family_id, "name": g.family.name, "scope": g.scope} for g in care_grants
        ],
    }


def family(instance: Family, *, role: str, scope: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": instance.pk,
        "name": instance.name,
        "role": role,
        "calm_down_minutes": instance.calm_down_minutes,
        "reminder_minutes": list(instance.reminder_minutes or []),
        "follow_up_days": instance.follow_up_days,
        "created_at": instance.created_at,
    }
    if scope is not None:
        data["care_scope"] = scope
    return data


def member(membership: Membership) -> dict[str, Any]:
    user = membership.user
    return {
        "id": user.pk,
        "display_name": user.display_name,
        "role": membership.role,
        "age_band": user.age_band().value,
        "birth_year": user.birth_year,
        "is_child_profile": user.is_child_profile,
        "joined_at": membership.joined_at,
        "details_opt_out": membership.details_opt_out,
    }


def child(user: User, membership: Membership) -> dict[str, Any]:
    return {**member(membership), "time_zone": user.time_zone, "locale": user.locale}


def pairing_code(pairing: PairingCode, code: str, *, url: str, qr_svg: str) -> dict[str, Any]:
    return {
        "code": code,
        "expires_at": pairing.expires_at,
        "child": {"id": pairing.child_id, "display_name": pairing.child.display_name},
        "url": url,
        "qr_svg": qr_svg,
    }


def device(session: UserSession) -> dict[str, Any]:
    return {
        "id": session.pk,
        "user_agent": session.user_agent,
        "ip": session.ip,
        "created_at": session.created_at,
        "last_seen_at": session.last_seen_at,
    }


def invite(instance: Invite, *, url: str) -> dict[str, Any]:
    return {
        "id": instance.pk,
        "code": instance.code,
        "url": url,
        "role": instance.role,
        "expires_at": instance.expires_at,
        "max_uses": instance.max_uses,
        "uses": instance.uses,
        "revoked": instance.revoked_at is not None,
    }


def care_grant(grant: CareTeamGrant) -> dict[str, Any]:
    return {
        "id": grant.pk,
        "therapist": {"id": grant.therapist_id, "display_name": grant.therapist.display_name},
        "scope": grant.scope,
        "granted_at": grant.granted_at,
    }


def access_log_row(row: TherapistAccessLog) -> dict[str, Any]:
    return {
        "id": row.pk,
        "therapist": {"id": row.therapist_id, "display_name": row.therapist.display_name},
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "created_at": row.created_at,
    }
