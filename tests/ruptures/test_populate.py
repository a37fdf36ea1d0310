"""The population generator (``manage.py populate``) at a tiny size: counts, relations, states."""

from __future__ import annotations

import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Q

from accounts.models import CareScope, CareTeamGrant, Family, Membership, Role, User
from ruptures.models import (
    Message,
    Notification,
    Prompt,
    PromptStatus,
    Rupture,
    RuptureEvent,
    Status,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgresql]

FAMILIES = 60


def populate(families: int = FAMILIES, seed: int = 12) -> str:
    out = io.StringIO()
    call_command("populate", "--families", str(families), "--seed", str(seed), stdout=out)
    return out.getvalue()


def test_counts_scale_with_families() -> None:
    summary = populate()

    assert Family.objects.count() == FAMILIES
    users = User.objects.filter(is_therapist=False).count()
    assert 2.5 * FAMILIES <= users <= 5.5 * FAMILIES  # about four people a family
    assert 5 * FAMILIES <= Rupture.objects.count() <= 15 * FAMILIES  # about ten a family
    assert RuptureEvent.objects.count() > Rupture.objects.count()
    assert Message.objects.exists()
    assert Prompt.objects.filter(status=PromptStatus.SENT).count() == Notification.objects.count()
    assert Prompt.objects.filter(status=PromptStatus.PENDING).exists()
    assert f"{FAMILIES:,} families" in summary


def test_relations_hold() -> None:
    populate()

    per_family = Family.objects.annotate(
        parents=Count("memberships", filter=Q(memberships__role=Role.PARENT)),
        children=Count("memberships", filter=Q(memberships__role=Role.CHILD)),
    )
    assert all(f.parents >= 1 and f.children >= 1 for f in per_family)
    # A rupture's child and parent are members of its family, on their sides.
    assert not Rupture.objects.exclude(
        family__memberships__user=F("child"), family__memberships__role=Role.CHILD
    ).exists()
    assert not Rupture.objects.exclude(
        family__memberships__user=F("parent"), family__memberships__role=Role.PARENT
    ).exists()
    assert not Rupture.objects.annotate(n=Count("events")).filter(n=0).exists()
    assert not Rupture.objects.filter(status=Status.RECONNECTED, reconnected_at__isnull=True)
    assert not Message.objects.exclude(author=F("rupture__child")).exclude(
        author=F("rupture__parent")
    )
    assert not Notification.objects.exclude(recipient=F("prompt__recipient")).exists()
    # Every status is represented; a parent is never prompted about a safety hold.
    assert set(Rupture.objects.values_list("status", flat=True)) == set(Status.values)
    assert not Prompt.objects.filter(
        rupture__status=Status.SAFETY_REVIEW, recipient=F("rupture__parent")
    ).exists()
    # Parents and teens sign in by email (verified); young children have none.
    parents = User.objects.filter(memberships__role=Role.PARENT)
    assert EmailAddress.objects.filter(user__in=parents, verified=True).count() == parents.count()
    assert User.objects.filter(is_child_profile=True, email__isnull=True).exists()
    assert not User.objects.filter(password__startswith="argon2").exists()


def test_therapists_have_caseloads() -> None:
    populate()

    therapists = User.objects.filter(is_therapist=True, therapist_verified_at__isnull=False)
    assert therapists.count() == 1
    grants = CareTeamGrant.objects.filter(therapist__in=therapists, revoked_at__isnull=True)
    assert grants.count() == 2  # one family in fifty
    assert {grant.scope for grant in grants} == {CareScope.METRICS, CareScope.DETAILS}
    assert not Membership.objects.filter(user__in=therapists).exists()


def test_same_seed_same_rows_and_ids_continue() -> None:
    populate(families=5)
    first = list(Rupture.objects.order_by("pk").values_list("status", "intensity", "feelings"))
    populate(families=5)  # adds, with ids after the first run's

    assert Family.objects.count() == 10
    second = list(
        Rupture.objects.order_by("pk").values_list("status", "intensity", "feelings")[len(first) :]
    )
    assert second == first
    user = User.objects.create_user(email="after@example.com")  # the sequences moved on
    assert user.pk > User.objects.exclude(pk=user.pk).order_by("-pk")[0].pk


def test_refuses_an_empty_population() -> None:
    with pytest.raises(CommandError, match="at least 1"):
        call_command("populate", "--families", "0", stdout=io.StringIO())
