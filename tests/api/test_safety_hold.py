"""An unsafe flag holds that flag only (issue 9, items 4 and 12): everything else between the child
and the parent reaches them exactly as it would have, and a therapist's safety alert is checked
again just before it is sent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import TestCase, override_settings
from django.utils import timezone

from accounts.models import CareTeamGrant, User
from accounts.services.care_team import therapist_unverify
from ruptures import delivery, tasks
from ruptures.models import Prompt, PromptKind, PromptStatus, SafetyReview
from tests.world import World, client_for

URL = "/api/v1/ruptures/"


@pytest.fixture(autouse=True)
def _no_quiet_hours(world: World) -> None:
    User.objects.update(quiet_hours_start=None, quiet_hours_end=None)


def deliver_due(now: dt.datetime) -> None:
    """The beat's sweep and a worker's delivery, called as they would be."""
    claimed: list[tuple[int, str]] = []
    with TestCase.captureOnCommitCallbacks(execute=True):
        delivery.prompts_claim_due(now=now, enqueue=lambda pk, t: claimed.append((pk, t)))
    for pk, token in claimed:
        delivery.prompt_deliver(prompt_id=pk, claim_token=token, now=now)


def flag_by(world: World, who: str, **fields: Any) -> int:
    body: dict[str, Any] = {"family": world.family.pk, "feelings": ["hurt"], "intensity": 2}
    if who == "child":
        body["parent"] = world.parent.pk
    else:
        body["child"] = world.child.pk
    response = client_for(getattr(world, who)).post(URL, body | fields, format="json")
    assert response.status_code == 201, response.json()
    rupture_id: int = response.json()["id"]
    return rupture_id


def inbox(user: User, ids: dict[int, str]) -> list[tuple[str, str]]:
    """What reached ``user``: (kind, which rupture by name), whatever the ids are."""
    rows = client_for(user).get("/api/v1/notifications/").json()["results"]
    return sorted((row["kind"], ids.get(row["rupture"], "held")) for row in rows)


@pytest.mark.parametrize("unsafe_flag", [False, True])
def test_everything_else_between_the_two_goes_on_as_it_would_have(
    world: World, unsafe_flag: bool
) -> None:
    ids: dict[int, str] = {}
    ids[flag_by(world, "child")] = "earlier"
    deliver_due(timezone.now())
    acknowledged = client_for(world.parent).post(f"{URL}{next(iter(ids))}/acknowledge/")
    assert acknowledged.status_code == 200
    if unsafe_flag:
        flag_by(world, "child", unsafe=True, note="I am scared at home")

    ids[flag_by(world, "parent")] = "parents_own"
    ids[flag_by(world, "child")] = "childs_later"
    deliver_due(timezone.now())
    deliver_due(timezone.now() + dt.timedelta(hours=5))  # reminders, the calm-down prompt

    assert inbox(world.parent, ids) == [
        ("heads_up", "childs_later"),
        ("heads_up", "earlier"),
        ("reminder", "earlier"),
        ("reminder", "parents_own"),
        ("repair_prompt", "childs_later"),
        ("repair_prompt", "earlier"),
        ("repair_prompt", "parents_own"),
    ]
    assert inbox(world.child, ids) == [
        ("acknowledged", "earlier"),
        ("heads_up", "parents_own"),
    ]
    assert not Prompt.objects.filter(cancelled_reason__in=["safety_hold", "safety_review"]).exists()


def _revoke_grant(world: World) -> None:
    grant = CareTeamGrant.objects.get(therapist=world.therapist_details, revoked_at__isnull=True)
    response = client_for(world.other_parent).delete(
        f"/api/v1/families/{world.family.pk}/care-team/{grant.pk}/"
    )
    assert response.status_code == 204


def _unverify(world: World) -> None:
    therapist_unverify(therapist=world.therapist_details)


def _drop_mfa(world: World) -> None:
    Authenticator.objects.filter(user=world.therapist_details).delete()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (None, ""),
        (_revoke_grant, "grant_revoked"),
        (_unverify, "therapist_unverified"),
        (_drop_mfa, ""),  # the alert carries no words; reading the flag is what needs MFA
    ],
)
def test_a_safety_alert_is_checked_again_just_before_it_is_sent(
    world: World, change: Any, reason: str
) -> None:
    flag_by(world, "child", unsafe=True)
    if change is not None:
        change(world)

    deliver_due(timezone.now())

    alert = Prompt.objects.get(kind=PromptKind.SAFETY_ALERT, recipient=world.therapist_details)
    kinds = [
        row["kind"]
        for row in client_for(world.therapist_details)
        .get("/api/v1/notifications/")
        .json()["results"]
    ]
    if not reason:
        assert (alert.status, kinds) == (PromptStatus.SENT, ["safety_alert"])
    else:
        assert (alert.status, alert.cancelled_reason, kinds) == (PromptStatus.CANCELLED, reason, [])


@override_settings(SAFETY_TEAM_EMAILS=["safety@example.org"])
def test_when_every_alert_is_dropped_before_sending_the_safety_team_is_emailed(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    rupture_id = flag_by(world, "child", unsafe=True)
    alerted = {p.recipient_id for p in Prompt.objects.filter(kind=PromptKind.SAFETY_ALERT)}
    assert alerted  # the family's therapists were to be alerted, so nobody emailed the team
    for grant in CareTeamGrant.objects.filter(family=world.family, revoked_at__isnull=True):
        response = client_for(world.parent).delete(
            f"/api/v1/families/{world.family.pk}/care-team/{grant.pk}/"
        )
        assert response.status_code == 204

    claimed: list[tuple[int, str]] = []
    with TestCase.captureOnCommitCallbacks(execute=True):
        delivery.prompts_claim_due(
            now=timezone.now(), enqueue=lambda pk, t: claimed.append((pk, t))
        )
    with django_capture_on_commit_callbacks() as enqueued:
        for pk, token in claimed:
            delivery.prompt_deliver(prompt_id=pk, claim_token=token, now=timezone.now())

    review = SafetyReview.objects.get(rupture_id=rupture_id)
    assert len(enqueued) == 1
    assert set(
        Prompt.objects.filter(kind=PromptKind.SAFETY_ALERT).values_list("status", flat=True)
    ) == {PromptStatus.CANCELLED}
    assert tasks.notify_safety_team(review.pk) == "sent"
    assert [m.to for m in mail.outbox] == [["safety@example.org"]]
    assert "no therapist was alerted" in mail.outbox[0].subject


def test_an_alert_that_goes_out_leaves_the_safety_team_alone(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    flag_by(world, "child", unsafe=True)

    claimed: list[tuple[int, str]] = []
    with TestCase.captureOnCommitCallbacks(execute=True):
        delivery.prompts_claim_due(
            now=timezone.now(), enqueue=lambda pk, t: claimed.append((pk, t))
        )
    with django_capture_on_commit_callbacks() as enqueued:
        for pk, token in claimed:
            delivery.prompt_deliver(prompt_id=pk, claim_token=token, now=timezone.now())

    assert enqueued == []
    assert Prompt.objects.filter(kind=PromptKind.SAFETY_ALERT, status=PromptStatus.SENT).exists()
