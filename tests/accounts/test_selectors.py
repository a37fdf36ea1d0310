"""Access helpers the rest of the domain relies on: 404 outside a family, 403 only inside."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts import selectors
from accounts.models import Role, TherapistAccessLog, User
from accounts.services.care_team import therapist_access_record
from care.selectors import preview_grant_for
from familyrepair.errors import Forbidden, NotFound
from tests.factories import (
    CareTeamGrantFactory,
    ChildProfileFactory,
    FamilyFactory,
    MembershipFactory,
    TherapistFactory,
    UserFactory,
    enrol_totp,
)

pytestmark = pytest.mark.django_db


def test_family_membership_and_access_family() -> None:
    family = FamilyFactory.create()
    parent = MembershipFactory.create(family=family, role=Role.PARENT).user
    child = MembershipFactory.create(
        family=family, user=ChildProfileFactory.create(), role=Role.CHILD
    ).user
    stranger = MembershipFactory.create(role=Role.PARENT).user

    assert selectors.family_membership(actor=parent, family_id=family.pk).role == Role.PARENT
    assert selectors.access_family(actor=parent, family_id=family.pk, require_parent=True) == family
    assert selectors.access_family(actor=child, family_id=family.pk) == family
    with pytest.raises(Forbidden) as forbidden:
        selectors.access_family(actor=child, family_id=family.pk, require_parent=True)
    assert forbidden.value.code == "parent_only"
    for outsider in (stranger, AnonymousUser()):
        with pytest.raises(NotFound):
            selectors.access_family(actor=outsider, family_id=family.pk)
    with pytest.raises(NotFound):
        selectors.family_membership(actor=parent, family_id=family.pk + 1000)


def test_families_for_annotates_role_and_scopes_to_member() -> None:
    user = UserFactory.create()
    a = MembershipFactory.create(user=user, role=Role.PARENT, family__name="A").family
    b = MembershipFactory.create(user=user, role=Role.CHILD, family__name="B").family
    MembershipFactory.create(family=a, role=Role.PARENT)  # another member must not duplicate rows
    MembershipFactory.create(family__name="C")

    rows = [(f.pk, f.role) for f in selectors.families_for(user)]  # type: ignore[attr-defined]  # role is annotated

    assert rows == [(a.pk, "parent"), (b.pk, "child")]
    assert list(selectors.families_for(AnonymousUser())) == []


@pytest.mark.parametrize(
    ("verified", "mfa", "revoked", "expected"),
    [
        (True, True, False, "ok"),
        (True, False, False, "mfa_required"),
        (False, True, False, "not_found"),
        (True, True, True, "not_found"),
    ],
)
def test_active_care_grant(verified: bool, mfa: bool, revoked: bool, expected: str) -> None:
    therapist = TherapistFactory.create(therapist_verified_at=timezone.now() if verified else None)
    if mfa:
        enrol_totp(therapist)
    grant = CareTeamGrantFactory.create(
        therapist=therapist, revoked_at=timezone.now() if revoked else None
    )

    if expected == "ok":
        assert selectors.active_care_grant(therapist=therapist, family_id=grant.family_id) == grant
    else:
        with pytest.raises((NotFound, Forbidden)) as raised:
            selectors.active_care_grant(therapist=therapist, family_id=grant.family_id)
        assert raised.value.code in {expected, "family_not_found"}
        assert (raised.value.code == "mfa_required") == (expected == "mfa_required")


def test_active_care_grant_other_family_is_not_found() -> None:
    therapist = TherapistFactory.create()
    enrol_totp(therapist)
    CareTeamGrantFactory.create(therapist=therapist)
    other = FamilyFactory.create()

    with pytest.raises(NotFound):
        selectors.active_care_grant(therapist=therapist, family_id=other.pk)


def test_linked_therapists_only_verified_and_active() -> None:
    family = FamilyFactory.create()
    active = CareTeamGrantFactory.create(family=family).therapist
    CareTeamGrantFactory.create(family=family, revoked_at=timezone.now())
    CareTeamGrantFactory.create(
        family=family, therapist=TherapistFactory.create(therapist_verified_at=None)
    )
    CareTeamGrantFactory.create()  # another family's

    assert list(selectors.linked_therapists(family_id=family.pk)) == [active]


def test_a_therapist_staff_unticked_loses_every_family_at_once() -> None:
    """``is_therapist`` off with the verification date kept (staff, in admin) is no verified
    therapist (``User.is_verified_therapist``): not for alerts, the caseload, the family's care
    team or a member's preview of what they see."""
    grant = CareTeamGrantFactory.create()
    therapist = grant.therapist
    assert therapist is not None
    parent = MembershipFactory.create(family=grant.family, role=Role.PARENT).user
    assert list(selectors.care_families_for(therapist)) == [grant]

    User.objects.filter(pk=therapist.pk).update(is_therapist=False)
    therapist.refresh_from_db()

    assert not therapist.is_verified_therapist
    assert list(selectors.linked_therapists(family_id=grant.family_id)) == []
    assert list(selectors.care_families_for(therapist)) == []
    assert selectors.care_team(actor=parent, family_id=grant.family_id) == []
    with pytest.raises(NotFound):
        preview_grant_for(actor=parent, family_id=grant.family_id, grant_id=grant.pk)


def test_therapist_access_record_writes_a_row() -> None:
    grant = CareTeamGrantFactory.create()
    at = timezone.now() - dt.timedelta(minutes=5)
    assert grant.therapist is not None

    row = therapist_access_record(
        therapist=grant.therapist,
        family=grant.family,
        action="rupture.view",
        object_type="rupture",
        object_id=42,
        now=at,
    )

    stored = TherapistAccessLog.objects.get()
    assert (stored.pk, stored.therapist_id, stored.family_id) == (
        row.pk,
        grant.therapist_id,
        grant.family_id,
    )
    assert (stored.action, stored.object_type, stored.object_id, stored.created_at) == (
        "rupture.view",
        "rupture",
        "42",
        at,
    )


def test_age_band_from_birth_year() -> None:
    today = dt.date(2026, 6, 1)
    assert User(birth_year=2014).age_band(today=today) == "under_13"
    assert User(birth_year=2013).age_band(today=today) == "13_17"
    assert User(birth_year=2008).age_band(today=today) == "adult"
    assert User().age_band(today=today) == "unknown"
