"""The account export: every row we hold about the actor.

This module gathers the rows; ``api.accounts.serializers.MeExportOut`` is the one description of
their JSON shape (and of the schema's). Other apps add sections of their own, already JSON,
through ``account_exporting``.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class AccountRecords:
    """The rows of one person's export, each list in the order it was written."""

    profile: User
    email_addresses: list[EmailAddress]
    memberships: list[Membership]
    parental_consents_about_me: list[ParentalConsent]
    parental_consents_given: list[ParentalConsent]
    invites_created: list[Invite]
    care_team_grants_given: list[CareTeamGrant]
    care_team_grants_received: list[CareTeamGrant]
    therapist_access_log: list[TherapistAccessLog]
    sessions: list[UserSession]
    authenticators: list[Authenticator]
    other_sections: dict[str, Any]  # from other apps (``account_exporting``), already JSON


def user_export(*, actor: Actor) -> AccountRecords:
    """Everything we hold about the actor (404 for anyone not signed in)."""
    user = require_user(actor)
    other_sections: dict[str, Any] = {}
    for _receiver, sections in account_exporting.send(sender=User, user=user):
        if isinstance(sections, dict):
            other_sections.update(sections)
    return AccountRecords(
        profile=user,
        email_addresses=list(EmailAddress.objects.filter(user=user).order_by("id")),
        memberships=list(
            Membership.objects.filter(user=user).select_related("family").order_by("id")
        ),
        parental_consents_about_me=list(ParentalConsent.objects.filter(child=user).order_by("id")),
        parental_consents_given=list(ParentalConsent.objects.filter(given_by=user).order_by("id")),
        invites_created=list(Invite.objects.filter(created_by=user).order_by("id")),
        care_team_grants_given=list(CareTeamGrant.objects.filter(granted_by=user).order_by("id")),
        care_team_grants_received=list(CareTeamGrant.objects.filter(therapist=user).order_by("id")),
        therapist_access_log=list(TherapistAccessLog.objects.filter(therapist=user).order_by("id")),
        sessions=list(UserSession.objects.filter(user=user).order_by("id")),
        authenticators=list(Authenticator.objects.filter(user=user).order_by("id")),
        other_sections=other_sections,
    )
