"""A flag under safety review (issue 9): nothing a family does reveals, reaches or erases it.

Each test goes through the API as the family would, and checks what is left afterwards.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import override_settings

from accounts.models import CareTeamGrant, Family, TherapistAccessLog
from ruptures import safety_reviews, services, tasks
from ruptures.models import (
    Notification,
    Prompt,
    PromptKind,
    PromptStatus,
    Rupture,
    SafetyOutcome,
    SafetyReview,
    SafetyReviewActivity,
)
from tests.api.test_notifications import deliver_now
from tests.factories import UserFactory
from tests.world import World, client_for, flag

API = "/api/v1"


def read(world: World, who: str, rupture: Rupture) -> tuple[int, int]:
    client = client_for(world.actor(who))
    detail = client.get(f"{API}/ruptures/{rupture.pk}/")
    messages = client.get(f"{API}/ruptures/{rupture.pk}/messages/")
    return detail.status_code, messages.status_code


def log_rows(world: World, who: str) -> list[tuple[str, str, str]]:
    response = client_for(world.actor(who)).get(
        f"{API}/families/{world.family.pk}/access-log/", {"page_size": 100}
    )
    assert response.status_code == 200, response.content
    return sorted(
        (r["action"], r["object_type"], r["object_id"]) for r in response.json()["results"]
    )


# --- 1. the access log --------------------------------------------------------------------------
def test_the_access_log_shows_each_member_only_reads_of_what_they_can_see(world: World) -> None:
    held = flag(world, unsafe=True, note="He hits me.")
    ordinary = flag(world)
    therapist = client_for(world.therapist_details)
    therapist.get(f"{API}/families/{world.family.pk}/")
    assert read(world, "therapist_details", held) == (200, 200)
    assert read(world, "therapist_details", ordinary) == (200, 200)

    def about(rupture: Rupture) -> list[tuple[str, str, str]]:
        return [
            ("rupture.messages", "rupture", str(rupture.pk)),
            ("rupture.view", "rupture", str(rupture.pk)),
        ]

    dashboard = [("family.view", "", "")]
    # the named parent: the ordinary flag and the dashboard view, never the held flag
    assert log_rows(world, "parent") == sorted(about(ordinary) + dashboard)
    # the other parent sees neither flag (both are between the child and the named parent)
    assert log_rows(world, "other_parent") == dashboard
    # the child who flagged sees that the therapist read both their flags
    assert log_rows(world, "child") == sorted(about(held) + about(ordinary))


@pytest.mark.parametrize("rows", [1, 50])
def test_the_access_log_costs_the_same_queries_for_any_number_of_rows(
    world: World, rows: int, django_assert_num_queries: Any
) -> None:
    held = flag(world, unsafe=True)
    mine = flag(world)
    for _ in range(rows):
        for rupture in (held, mine):
            services.therapist_reads_record(
                reader=world.therapist_details, ruptures=[rupture], action="rupture.view"
            )
    for who, expected in (("child", 2 * rows), ("parent", rows)):
        client = client_for(world.actor(who))
        client.get(f"{API}/me/")  # the session is loaded before counting
        # the user, the membership, the page with its count
        with django_assert_num_queries(3):
            response = client.get(
                f"{API}/families/{world.family.pk}/access-log/", {"page_size": 100}
            )
        assert response.json()["count"] == expected


def test_a_child_under_13_is_not_shown_the_access_log(world: World) -> None:
    response = client_for(world.sibling).get(f"{API}/families/{world.family.pk}/access-log/")

    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "age_restricted"


# --- 2. a family cannot erase a flag under review -----------------------------------------------
def dismantle(world: World) -> list[tuple[int, bytes]]:
    """Everything a parent can do to make a family disappear, through the API."""
    parent = client_for(world.parent)
    family = f"{API}/families/{world.family.pk}"
    responses = []
    for grant in CareTeamGrant.objects.filter(family=world.family, revoked_at__isnull=True):
        responses.append(parent.delete(f"{family}/care-team/{grant.pk}/"))
    for member in (world.child, world.sibling, world.other_parent, world.child_profile):
        responses.append(parent.delete(f"{family}/members/{member.pk}/"))
    responses.append(parent.delete(f"{API}/me/"))
    return [(r.status_code, r.content) for r in responses]


@pytest.mark.parametrize("held", [True, False])
def test_dismantling_a_family_answers_the_same_whether_or_not_a_flag_is_held(
    world: World, held: bool
) -> None:
    if held:
        flag(world, unsafe=True)
    flag(world)

    assert dismantle(world) == [(204, b"")] * 8


def test_dismantling_a_family_keeps_the_held_flag_its_alert_and_its_audit_trail(
    world: World,
) -> None:
    held = flag(world, unsafe=True, note="He hits me.")
    ordinary = flag(world)
    deliver_now()
    assert read(world, "therapist_details", held) == (200, 200)
    alerts = set(Prompt.objects.filter(rupture=held, kind=PromptKind.SAFETY_ALERT))
    assert {p.recipient for p in alerts} == {world.therapist_details, world.therapist_metrics}
    notifications = set(Notification.objects.filter(rupture=held))
    grants = set(CareTeamGrant.objects.filter(family=world.family).values_list("pk", flat=True))
    log = set(TherapistAccessLog.objects.filter(family=world.family).values_list("pk", flat=True))

    dismantle(world)

    held.refresh_from_db()
    assert held.status == "safety_review"
    assert held.note == "He hits me."
    assert set(Prompt.objects.filter(rupture=held, kind=PromptKind.SAFETY_ALERT)) == alerts
    assert set(Notification.objects.filter(rupture=held)) == notifications
    assert set(CareTeamGrant.objects.filter(pk__in=grants).values_list("pk", flat=True)) == grants
    assert set(TherapistAccessLog.objects.filter(pk__in=log).values_list("pk", flat=True)) == log
    family = Family.objects.get(pk=world.family.pk)
    assert family.dissolved_at is not None
    # only what is held stays: the ordinary rupture went as the family would have
    assert not Rupture.objects.filter(pk=ordinary.pk).exists()
    # the family is gone for everyone in it...
    for who in ("child", "sibling", "other_parent"):
        assert client_for(world.actor(who)).get(f"{API}/families/").json()["count"] == 0
        assert read(world, who, held) == (404, 404)
    # ...and the therapist who was alerted still has that one flag
    assert read(world, "therapist_details", held) == (200, 200)
    review = SafetyReview.objects.get(rupture=held)
    assert review.closed_at is None
    assert (review.child_name, review.parent_name) == ("Maya", "Ada")
    kinds = list(review.activity.values_list("kind", flat=True))
    assert kinds == ["therapist_revoked"] * 3 + ["member_removed"] * 4 + [
        "child_erased",
        "account_deleted",
        "family_deleted",
    ]
    assert not any("He hits me" in a.detail for a in review.activity.all())


def test_the_family_is_purged_once_its_last_review_closes(world: World) -> None:
    held = flag(world, unsafe=True)
    dismantle(world)
    staff = UserFactory.create(is_staff=True)

    assert tasks.release_held_records() == (0, 0)  # still held
    safety_reviews.safety_review_close(
        actor=staff, review_id=held.safety_review.pk, outcome=SafetyOutcome.SPOKE_WITH_CHILD
    )
    assert tasks.release_held_records() == (0, 1)

    assert not Family.objects.filter(pk=world.family.pk).exists()
    assert not Rupture.objects.filter(pk=held.pk).exists()
    assert not TherapistAccessLog.objects.filter(family_id=world.family.pk).exists()


# --- the alerted therapist keeps that one flag --------------------------------------------------
def test_an_alerted_therapist_keeps_only_the_flag_they_were_alerted_to(world: World) -> None:
    held = flag(world, unsafe=True)
    ordinary = flag(world)
    deliver_now()
    parent = client_for(world.parent)
    for grant in CareTeamGrant.objects.filter(family=world.family, revoked_at__isnull=True):
        assert (
            parent.delete(f"{API}/families/{world.family.pk}/care-team/{grant.pk}/").status_code
            == 204
        )

    assert read(world, "therapist_details", held) == (200, 200)
    assert read(world, "therapist_details", ordinary) == (404, 404)
    # alerted too, but a metrics grant never let them read the words: revoking does not widen it
    assert read(world, "therapist_metrics", held) == (404, 404)
    listing = client_for(world.therapist_details).get(f"{API}/ruptures/")
    assert [r["id"] for r in listing.json()["results"]] == [held.pk]

    safety_reviews.safety_review_close(
        actor=UserFactory.create(is_staff=True),
        review_id=held.safety_review.pk,
        outcome=SafetyOutcome.REFERRED_TO_SERVICES,
    )
    assert read(world, "therapist_details", held) == (404, 404)
    assert read(world, "parent", held) == (404, 404)  # closing never shows it to the parent


def test_an_alert_that_was_never_sent_gives_no_access_after_revocation(world: World) -> None:
    held = flag(world, unsafe=True)
    Prompt.objects.filter(rupture=held).update(status=PromptStatus.CANCELLED)
    grant = CareTeamGrant.objects.get(family=world.family, therapist=world.therapist_details)

    client_for(world.parent).delete(f"{API}/families/{world.family.pk}/care-team/{grant.pk}/")

    assert read(world, "therapist_details", held) == (404, 404)


# --- 9. a therapist deleting their account ------------------------------------------------------
def test_the_access_log_and_grant_history_outlive_a_deleted_therapist(world: World) -> None:
    rupture = flag(world)
    read(world, "therapist_details", rupture)
    name = world.therapist_details.display_name

    assert client_for(world.therapist_details).delete(f"{API}/me/").status_code == 204

    rows = client_for(world.parent).get(f"{API}/families/{world.family.pk}/access-log/").json()
    assert [r["therapist"] for r in rows["results"]] == [{"id": None, "display_name": name}] * 2
    grants = CareTeamGrant.objects.filter(family=world.family, therapist__isnull=True)
    assert [(g.therapist_name, g.revoked_at is not None) for g in grants] == [(name, True)]


def test_an_alerted_therapist_deleting_their_account_keeps_the_alert(world: World) -> None:
    held = flag(world, unsafe=True)
    deliver_now()

    client_for(world.therapist_details).delete(f"{API}/me/")

    alert = Prompt.objects.get(rupture=held, kind=PromptKind.SAFETY_ALERT, recipient=None)
    assert alert.status == PromptStatus.SENT
    assert Notification.objects.filter(prompt=alert, recipient=None).exists()
    review = SafetyReview.objects.get(rupture=held)
    assert list(review.activity.values_list("kind", flat=True)) == ["therapist_deleted"]


# --- 12. the safety team is told ----------------------------------------------------------------
def other_family_flag(world: World, **overrides: Any) -> Rupture:
    fields: dict[str, Any] = {
        "family_id": world.other_family.pk,
        "parent_id": world.other_family_parent.pk,
        "feelings": [],
        "intensity": 5,
        "unsafe": True,
        "note": "Please help me, it happens every night.",
    } | overrides
    return services.rupture_flag(actor=world.other_family_child, flag=services.FlagInput(**fields))


@override_settings(SAFETY_TEAM_EMAILS=["safety@example.org"])
def test_an_unsafe_flag_nobody_was_alerted_to_emails_the_safety_team(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as enqueued:
        response = client_for(world.other_family_child).post(
            f"{API}/ruptures/",
            {
                "family": world.other_family.pk,
                "parent": world.other_family_parent.pk,
                "feelings": [],
                "intensity": 5,
                "unsafe": True,
                "note": "Please help me, it happens every night.",
            },
            format="json",
        )
    assert response.status_code == 201, response.content
    assert len(enqueued) == 1
    review = SafetyReview.objects.get(rupture_id=response.json()["id"])
    assert not Prompt.objects.filter(rupture_id=review.rupture_id).exists()

    assert tasks.notify_safety_team(review.pk) == "sent"
    assert tasks.notify_safety_team(review.pk) == "already_notified"

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["safety@example.org"]
    assert f"/admin/ruptures/safetyreview/{review.pk}/change/" in email.body
    assert "every night" not in f"{email.subject} {email.body}"
    assert world.other_family_child.display_name not in email.body
    review.refresh_from_db()
    assert review.staff_notified_at is not None


def test_a_flag_therapists_were_alerted_to_does_not_email_the_team(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as enqueued:
        flag(world, unsafe=True)

    assert enqueued == []


@override_settings(SAFETY_TEAM_EMAILS=["safety@example.org"])
def test_each_family_action_on_a_held_flag_emails_the_team_once(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    flag(world, unsafe=True, note="He hits me.")
    grant = CareTeamGrant.objects.get(family=world.family, therapist=world.therapist_details)

    with django_capture_on_commit_callbacks() as enqueued:
        client_for(world.other_parent).delete(
            f"{API}/families/{world.family.pk}/care-team/{grant.pk}/"
        )
    activity = SafetyReviewActivity.objects.get()
    assert len(enqueued) == 1
    assert activity.kind == "therapist_revoked"

    assert tasks.notify_safety_team_of_activity(activity.pk) == "sent"
    assert tasks.notify_safety_team_of_activity(activity.pk) == "already_notified"
    assert len(mail.outbox) == 1
    assert "He hits me" not in mail.outbox[0].body


def test_nothing_about_a_family_without_a_held_flag_is_recorded(world: World) -> None:
    flag(world)
    dismantle(world)

    assert not Family.objects.filter(pk=world.family.pk).exists()
    assert not SafetyReviewActivity.objects.exists()
