"""Me: one's own profile and preferences."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AgeBand, User
from accounts.selectors import Actor
from accounts.services.common import require_user
from familyrepair.errors import Conflict, ErrorCode, InvalidInput, Unprocessable


class UserChanges(TypedDict, total=False):
    display_name: str
    time_zone: str
    quiet_hours_start: dt.time | None
    quiet_hours_end: dt.time | None
    locale: str
    notify_email: bool
    notify_push: bool
    birth_year: int
    is_therapist: bool
    therapist_full_name: str
    therapist_profession: str
    therapist_registration_body: str
    therapist_registration_number: str
    therapist_jurisdiction: str


@transaction.atomic
def user_update(*, actor: Actor, changes: UserChanges, now: dt.datetime | None = None) -> User:
    """Change one's own profile and preferences.

    Quiet hours are both set or both cleared, and never empty (400 ``invalid_quiet_hours``).
    A birth year can be declared once by someone who signed up themselves (409
    ``birth_year_set`` after); under 13 cannot (422 ``under_13_needs_parent``). ``is_therapist``
    can be switched on (verification is by staff), never off here.
    """
    user = require_user(actor)
    now = now or timezone.now()
    fields: dict[str, Any] = dict(changes)
    if ("quiet_hours_start" in fields) != ("quiet_hours_end" in fields):
        raise InvalidInput(code=ErrorCode.INVALID_QUIET_HOURS, param="quiet_hours")
    start, end = fields.get("quiet_hours_start"), fields.get("quiet_hours_end")
    if "quiet_hours_start" in fields and (
        (start is None) != (end is None) or (start is not None and start == end)
    ):
        raise InvalidInput(
            _("Quiet hours need a start and a different end, or none at all."),
            code=ErrorCode.INVALID_QUIET_HOURS,
            param="quiet_hours",
        )
    if "birth_year" in fields:
        if user.birth_year is not None and user.birth_year != fields["birth_year"]:
            raise Conflict(
                _("Your birth year is already set."),
                code=ErrorCode.BIRTH_YEAR_SET,
                param="birth_year",
            )
        if not 1900 <= fields["birth_year"] <= now.year:
            raise InvalidInput(code=ErrorCode.INVALID_BIRTH_YEAR, param="birth_year")
        declared = User(birth_year=fields["birth_year"]).age_band(today=now.date())
        if user.birth_year is None and declared == AgeBand.UNDER_13:
            raise Unprocessable(
                _("Under 13, a parent sets up your profile."),
                code=ErrorCode.UNDER_13_NEEDS_PARENT,
                param="birth_year",
            )
    if "is_therapist" in fields and not fields["is_therapist"] and user.is_therapist:
        raise InvalidInput(
            _("Ask us to close your therapist profile."),
            code=ErrorCode.THERAPIST_STATUS_BY_STAFF,
            param="is_therapist",
        )
    if fields.get("is_therapist") is False:
        fields.pop("is_therapist")
    claims = [name for name in User.THERAPIST_CLAIMS if name in fields]
    if claims:
        if not (user.is_therapist or fields.get("is_therapist")):
            raise InvalidInput(
                _("Only a therapist account states these."),
                code=ErrorCode.NOT_A_THERAPIST,
                param="therapist_claims",
            )
        if user.is_verified_therapist:
            raise Conflict(
                _("Your details were checked when you were verified; ask us to change them."),
                code=ErrorCode.THERAPIST_CLAIMS_LOCKED,
                param="therapist_claims",
            )
        for name in claims:
            fields[name] = str(fields[name]).strip()
    if "display_name" in fields:
        fields["display_name"] = str(fields["display_name"]).strip()
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean()
    user.save(update_fields=list(fields))
    return user
