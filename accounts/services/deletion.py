"""Deleting one's own account."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CareTeamGrant, Family, Membership, TherapistAccessLog, User
from accounts.selectors import Actor
from accounts.services.common import (
    end_sessions,
    lock_family,
    name_of,
    require_user,
    tell_reviewers,
)
from accounts.services.families import check_parent_leaving, family_end
from accounts.signals import account_deleting
from familyrepair.errors import ErrorCode, Forbidden


@transaction.atomic
def user_delete(*, actor: Actor, now: dt.datetime | None = None) -> None:
    """Delete one's own account.

    Refused for a child profile (403 ``child_profile``: a parent removes it) and for the last
    parent of a family with other members (409 ``last_parent``). A family left with nobody is
    deleted with it (dissolved instead while a flag in it is under safety review: see
    ``family_end``). Other apps anonymise what the other party keeps through
    ``account_deleting`` (ruptures stay, with the author gone). A therapist's grants and the
    families' access log stay with their name. Every session of the account ends. The safety
    reviewer hears of it where a family has a flag under review.
    """
    user = require_user(actor)
    if user.is_child_profile:
        raise Forbidden(_("Ask a parent to remove your profile."), code=ErrorCode.CHILD_PROFILE)
    now = now or timezone.now()
    memberships = list(Membership.objects.filter(user=user).order_by("family_id"))
    alone_in: list[int] = []
    for membership in memberships:
        family = lock_family(membership.family_id)
        check_parent_leaving(family, membership)
        if not Membership.objects.filter(family=family).exclude(pk=membership.pk).exists():
            alone_in.append(family.pk)
    name = name_of(user)
    tell_reviewers(
        [m.family_id for m in memberships],
        kind="account_deleted",
        actor=user,
        now=now,
        user_id=user.pk,
        detail=f"{name} deleted their account.",
    )
    granted = CareTeamGrant.objects.filter(therapist=user)
    tell_reviewers(
        sorted(set(granted.filter(revoked_at__isnull=True).values_list("family_id", flat=True))),
        kind="therapist_deleted",
        actor=user,
        now=now,
        user_id=user.pk,
        detail=f"{name}, a therapist, deleted their account.",
    )
    granted.filter(revoked_at__isnull=True).update(revoked_at=now)
    granted.update(therapist_name=name)
    TherapistAccessLog.objects.filter(therapist=user).update(therapist_name=name)
    account_deleting.send(sender=User, user=user, now=now)
    end_sessions(user)
    for family in Family.objects.select_for_update().filter(pk__in=alone_in).order_by("pk"):
        family_end(family, actor=user, now=now)
    user.delete()
