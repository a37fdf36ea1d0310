"""The account export: everything we hold about the actor."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession

from accounts.models import (
    CareTeamGrant,
    Invite,
    Membership,
    ParentalConsent,
    TherapistAccessLog,
    User,
)
from accounts.selectors import Actor
from accounts.services.common import require_user
from accounts.signals import account_exporting


def _iso(value: dt.datetime | dt.date | dt.time | None) -> str | None:
    return value.isoformat() if value is not None else None


def user_export(*, actor: Actor) -> dict[str, Any]:
    """Everything we hold about the actor, as JSON values. Other apps add sections through the
    ``account_exporting`` signal."""
    user = require_user(actor)
    data: dict[str, Any] = {
        "profile": {
            "id": user.pk,
            "email": user.email,
            "display_name": user.display_name,
            "birth_year": user.birth_year,
            "age_band": user.age_band().value,
            "time_zone": user.time_zone,
            "quiet_hours": {
                "start": _iso(user.quiet_hours_start),
                "end": _iso(user.quiet_hours_end),
            },
            "locale": user.locale,
            "notify_email": user.notify_email,
            "notify_push": user.notify_push,
            "is_child_profile": user.is_child_profile,
            "is_therapist": user.is_therapist,
            "therapist_verified_at": _iso(user.therapist_verified_at),
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user).order_by("id")
        ],
        "memberships": [
            {
                "family_id": m.family_id,
                "family_name": m.family.name,
                "role": m.role,
                "joined_at": _iso(m.joined_at),
                "details_opt_out": m.details_opt_out,
            }
            for m in Membership.objects.filter(user=user).select_related("family").order_by("id")
        ],
        "parental_consents_about_me": [
            {
                "family_id": c.family_id,
                "given_by_email": c.given_by_email,
                "privacy_notice_version": c.privacy_notice_version,
                "given_at": _iso(c.given_at),
            }
            for c in ParentalConsent.objects.filter(child=user).order_by("id")
        ],
        "parental_consents_given": [
            {
                "child_id": c.child_id,
                "family_id": c.family_id,
                "privacy_notice_version": c.privacy_notice_version,
                "given_at": _iso(c.given_at),
            }
            for c in ParentalConsent.objects.filter(given_by=user).order_by("id")
        ],
        "invites_created": [
            {
                "family_id": i.family_id,
                "role": i.role,
                "created_at": _iso(i.created_at),
                "expires_at": _iso(i.expires_at),
                "uses": i.uses,
                "max_uses": i.max_uses,
            }
            for i in Invite.objects.filter(created_by=user).order_by("id")
        ],
        "care_team_grants_given": [
            {
                "family_id": g.family_id,
                "therapist_id": g.therapist_id,
                "scope": g.scope,
                "granted_at": _iso(g.granted_at),
                "revoked_at": _iso(g.revoked_at),
            }
            for g in CareTeamGrant.objects.filter(granted_by=user).order_by("id")
        ],
        "care_team_grants_received": [
            {
                "family_id": g.family_id,
                "scope": g.scope,
                "granted_at": _iso(g.granted_at),
                "revoked_at": _iso(g.revoked_at),
            }
            for g in CareTeamGrant.objects.filter(therapist=user).order_by("id")
        ],
        "therapist_access_log": [
            {
                "family_id": row.family_id,
                "action": row.action,
                "object_type": row.object_type,
                "object_id": row.object_id,
                "created_at": _iso(row.created_at),
            }
            for row in TherapistAccessLog.objects.filter(therapist=user).order_by("id")
        ],
        "sessions": [
            {
                "ip": s.ip,
                "user_agent": s.user_agent,
                "created_at": _iso(s.created_at),
                "last_seen_at": _iso(s.last_seen_at),
            }
            for s in UserSession.objects.filter(user=user).order_by("id")
        ],
        "authenticators": [
            {"type": a.type, "created_at": _iso(a.created_at), "last_used_at": _iso(a.last_used_at)}
            for a in Authenticator.objects.filter(user=user).order_by("id")
        ],
    }
    # django-stubs types a receiver's reply as str | None; ours return {section_name: data}.
    replies: Sequence[tuple[object, object]] = account_exporting.send(sender=User, user=user)
    for _receiver, sections in replies:
        if isinstance(sections, dict):
            data.update(sections)
    return data
