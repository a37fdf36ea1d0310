"""The therapist's caseload: every family that granted them access, with its figures, safety
reviews first; who may call it and what each caller is told; its query count."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import TestCase
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from accounts.models import CareScope, CareTeamGrant, TherapistAccessLog
from api.care.serializers import CaseloadOut
from checkins.models import CheckInAnswer, CheckInRound
from checkins.selectors import PERIOD_DAYS, period_start
from ruptures import delivery, services
from ruptures.models import Rupture
from tests.factories import FamilyFactory, MembershipFactory
from tests.world import World, client_for, therapist

URL = "/api/v1/care/families/"


def days_ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def child_flag(world: World, at: dt.datetime, **fields: Any) -> Rupture:
    return services.rupture_flag(
        actor=world.child,
        flag=services.FlagInput(
            family_id=world.family.pk,
            parent_id=world.parent.pk,
            feelings=["hurt"],
            intensity=2,
            **fields,
        ),
        now=at,
    )


def repaired(world: World, flagged: dt.datetime, reconnected: dt.datetime) -> None:
    rupture = child_flag(world, flagged)
    services.rupture_acknowledge(actor=world.parent, rupture_id=rupture.pk, now=flagged)
    services.rupture_confirm(actor=world.parent, rupture_id=rupture.pk, now=reconnected)
    services.rupture_confirm(actor=world.child, rupture_id=rupture.pk, now=reconnected)


def withdrawn(world: World, flagged: dt.datetime, closed: dt.datetime) -> None:
    rupture = child_flag(world, flagged)
    services.rupture_withdraw(actor=world.child, rupture_id=rupture.pk, now=closed)


@pytest.fixture
def caseload(world: World) -> World:
    """The world's family: two repairs 40 days ago, one repair and one withdrawal 5 days ago (a
    falling repair rate), a parent's own flag and a rupture open for ten days. The other family
    granted the same therapist and has nothing yet."""
    repaired(world, days_ago(41), days_ago(40))
    repaired(world, days_ago(42), days_ago(40))
    repaired(world, days_ago(6), days_ago(5))
    withdrawn(world, days_ago(6), days_ago(5))
    services.rupture_flag(
        actor=world.parent,
        flag=services.FlagInput(
            family_id=world.family.pk, child_id=world.child.pk, feelings=["sad"], intensity=1
        ),
        now=days_ago(2),
    )
    child_flag(world, days_ago(10))
    CareTeamGrant.objects.create(
        family=world.other_family, therapist=world.therapist_metrics, scope=CareScope.METRICS
    )
    return world


def test_the_caseload_figures(caseload: World) -> None:
    world = caseload
    response = client_for(world.therapist_metrics).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["safety_reviews"], body["unrepaired_days"]) == (2, 0, 7)
    assert body["self_reported"] is True
    first, second = body["results"]
    grant = CareTeamGrant.objects.get(family=world.family, therapist=world.therapist_metrics)
    oldest = Rupture.objects.filter(family=world.family, status="flagged").get().created_at
    assert first == {
        "family": {"id": world.family.pk, "name": "Okafor"},
        "grant": {"id": grant.pk, "scope": "metrics", "granted_at": first["grant"]["granted_at"]},
        "safety_reviews": 0,
        "open_ruptures": 2,  # the parent's own flag (acknowledged) and the ten-day-old one
        "oldest_unrepaired_at": first["oldest_unrepaired_at"],
        "oldest_unrepaired_days": 10,
        "repairs_last_30_days": 1,
        "repairs_previous_30_days": 2,
        "repair_rate_last_30_days": 0.5,
        "repair_rate_previous_30_days": 1.0,
        "ruptures_last_90_days": 6,
        "parent_started_share": round(1 / 6, 4),
        "last_activity": first["last_activity"],
        "check_in_trend": None,
        "needs_attention": True,
        "attention_reasons": ["unrepaired", "repair_rate_falling"],
    }
    assert dt.datetime.fromisoformat(first["oldest_unrepaired_at"]) == oldest
    assert second["family"]["id"] == world.other_family.pk
    assert (second["open_ruptures"], second["needs_attention"], second["last_activity"]) == (
        0,
        False,
        None,
    )


def test_the_unrepaired_threshold_is_a_parameter(caseload: World) -> None:
    response = client_for(caseload.therapist_metrics).get(URL, {"unrepaired_days": 14})

    assert response.json()["results"][0]["attention_reasons"] == ["repair_rate_falling"]


def deliver_due(now: dt.datetime) -> None:
    """What beat and a worker do: the due prompts (here, the safety alerts) are sent."""
    claimed: list[tuple[int, str]] = []
    with TestCase.captureOnCommitCallbacks(execute=True):
        delivery.prompts_claim_due(now=now, enqueue=lambda pk, t: claimed.append((pk, t)))
    for pk, token in claimed:
        delivery.prompt_deliver(prompt_id=pk, claim_token=token, now=now)


def test_a_safety_review_comes_first_whatever_the_order(caseload: World) -> None:
    world = caseload
    world.other_family.name = "Aardvark"  # first by name
    world.other_family.save(update_fields=["name"])
    services.rupture_flag(
        actor=world.child,
        flag=services.FlagInput(
            family_id=world.family.pk,
            parent_id=world.parent.pk,
            feelings=[],
            intensity=3,
            unsafe=True,
        ),
    )
    client = client_for(world.therapist_metrics)
    assert client.get(URL).json()["safety_reviews"] == 0  # not before the alert reached them
    deliver_due(timezone.now())

    for sort in ("needs_attention", "name", "last_activity"):
        body = client.get(URL, {"sort": sort}).json()
        first = body["results"][0]
        assert first["family"]["id"] == world.family.pk, sort
        assert first["safety_reviews"] == 1
        assert first["attention_reasons"][0] == "safety_review"
        assert body["safety_reviews"] == 1
    assert first["open_ruptures"] == 2  # the held flag is a review, not a rupture here


def test_filter_and_sort(caseload: World) -> None:
    world = caseload
    client = client_for(world.therapist_metrics)

    attention = client.get(URL, {"needs_attention": "true"}).json()["results"]
    calm = client.get(URL, {"needs_attention": "false"}).json()["results"]
    by_name = client.get(URL, {"sort": "name"}).json()["results"]
    by_activity = client.get(URL, {"sort": "last_activity"}).json()["results"]

    assert [r["family"]["id"] for r in attention] == [world.family.pk]
    assert [r["family"]["id"] for r in calm] == [world.other_family.pk]
    assert [r["family"]["name"] for r in by_name] == ["Okafor", "Other"]
    assert [r["family"]["id"] for r in by_activity] == [world.family.pk, world.other_family.pk]


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"sort": "age"}, "sort"),
        ({"unrepaired_days": 0}, "unrepaired_days"),
        ({"unrepaired_days": "x"}, "unrepaired_days"),
        ({"needs_attention": "maybe"}, "needs_attention"),
    ],
)
def test_bad_parameters_are_a_400(world: World, params: dict[str, Any], param: str) -> None:
    response = client_for(world.therapist_metrics).get(URL, params)

    assert response.status_code == 400
    assert response.json()["errors"][0]["param"] == param


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("parent", 403, "not_a_therapist"),
        ("child", 403, "not_a_therapist"),
        ("therapist_unverified", 403, "therapist_unverified"),
        ("anonymous", 401, "not_authenticated"),
    ],
)
@pytest.mark.parametrize(
    "path", ["", "{family}/dashboard/", "{family}/export/", "{family}/summary/"]
)
def test_who_may_not_read(world: World, who: str, status: int, code: str, path: str) -> None:
    response = client_for(world.actor(who)).get(URL + path.format(family=world.family.pk))

    assert response.status_code == status
    assert response.json()["errors"][0]["code"] == code
    assert not TherapistAccessLog.objects.exists()


@pytest.mark.parametrize(
    "path", ["", "{family}/dashboard/", "{family}/export/", "{family}/summary/"]
)
def test_a_therapist_without_mfa_is_sent_to_enrol(world: World, path: str) -> None:
    without = therapist(mfa=False)
    CareTeamGrant.objects.create(family=world.family, therapist=without)

    response = client_for(without).get(URL + path.format(family=world.family.pk))

    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "mfa_required"


@pytest.mark.parametrize("path", ["dashboard/", "export/", "summary/"])
@pytest.mark.parametrize("who", ["therapist_ungranted", "therapist_metrics"])
def test_another_family_is_not_found(world: World, who: str, path: str) -> None:
    family = world.other_family if who == "therapist_metrics" else world.family

    response = client_for(world.actor(who)).get(f"{URL}{family.pk}/{path}")

    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "family_not_found"


def test_a_revocation_counts_on_the_next_request(world: World) -> None:
    client = client_for(world.therapist_metrics)
    dashboard = f"{URL}{world.family.pk}/dashboard/"
    assert client.get(dashboard).status_code == 200
    grant = CareTeamGrant.objects.get(family=world.family, therapist=world.therapist_metrics)

    client_for(world.parent).delete(f"/api/v1/families/{world.family.pk}/care-team/{grant.pk}/")

    assert client.get(dashboard).status_code == 404
    assert client.get(URL).json()["results"] == []


def test_each_family_read_leaves_an_access_log_row(caseload: World) -> None:
    client_for(caseload.therapist_metrics).get(URL)

    rows = TherapistAccessLog.objects.filter(therapist=caseload.therapist_metrics)
    assert sorted(rows.values_list("family_id", "action", "object_type")) == sorted(
        [(caseload.family.pk, "caseload.view", ""), (caseload.other_family.pk, "caseload.view", "")]
    )


# session, user, MFA check, grants, one aggregate over the families' ruptures, their open reviews,
# the check-in trend (one aggregate)
CASELOAD_QUERIES = 7


@pytest.mark.parametrize("families", [1, 12])
def test_the_caseload_query_count_does_not_grow_with_families(
    world: World, families: int, django_assert_num_queries: Any
) -> None:
    care = therapist()
    for n in range(families):
        family = FamilyFactory.create()
        parent = MembershipFactory.create(family=family).user
        child = MembershipFactory.create(family=family, role="child").user
        CareTeamGrant.objects.create(family=family, therapist=care)
        services.rupture_flag(
            actor=child,
            flag=services.FlagInput(
                family_id=family.pk, parent_id=parent.pk, feelings=["hurt"], intensity=n % 5 + 1
            ),
        )
    client = client_for(care)
    client.get(URL)  # the session is loaded once

    with django_assert_num_queries(CASELOAD_QUERIES):
        response = client.get(URL)

    assert response.json()["count"] == families


def test_old_ruptures_count_by_what_happened_to_them_lately(world: World) -> None:
    """The caseload reads only open ruptures and those flagged, reconnected or closed in its
    windows: a rupture flagged long ago still counts for its recent repair, closing or being
    open, and last activity is the latest change whenever the rupture was flagged."""
    repaired(world, days_ago(300), days_ago(20))  # flagged 300 days ago, repaired this month
    withdrawn(world, days_ago(400), days_ago(45))  # closed in the previous 30 days
    child_flag(world, days_ago(500))  # open for 500 days
    repaired(world, days_ago(600), days_ago(200))  # nothing lately: in no figure but activity

    row = client_for(world.therapist_metrics).get(URL).json()["results"][0]

    assert row["family"]["id"] == world.family.pk
    assert (row["open_ruptures"], row["oldest_unrepaired_days"]) == (1, 500)
    assert (row["repairs_last_30_days"], row["repairs_previous_30_days"]) == (1, 0)
    assert (row["repair_rate_last_30_days"], row["repair_rate_previous_30_days"]) == (1.0, 0.0)
    assert (row["ruptures_last_90_days"], row["parent_started_share"]) == (0, None)
    assert dt.datetime.fromisoformat(row["last_activity"]) == max(
        Rupture.objects.filter(family=world.family).values_list("updated_at", flat=True)
    )
    assert row["attention_reasons"] == ["unrepaired"]


def test_the_check_in_trend_column_is_the_latest_two_answered_rounds(world: World) -> None:
    """All pairs and both questions averaged per round; a round older than eight weeks is out."""
    today = timezone.localdate()
    for rounds_ago, scores in ((0, (4, 5)), (1, (2, 3)), (4, (1, 1))):
        start = period_start(today) - dt.timedelta(days=PERIOD_DAYS * rounds_ago)
        round_ = CheckInRound.objects.create(
            family=world.family,
            period_start=start,
            opens_at=days_ago(PERIOD_DAYS * rounds_ago + 1),
            closes_at=days_ago(PERIOD_DAYS * rounds_ago - 13),
        )
        for question, score in zip(("closeness", "make_up"), scores, strict=True):
            CheckInAnswer.objects.create(
                round=round_,
                respondent=world.parent,
                parent=world.parent,
                child=world.child,
                question=question,
                score=score,
            )

    rows = client_for(world.therapist_metrics).get(URL).json()["results"]

    assert rows[0]["check_in_trend"] == {
        "period_start": period_start(today).isoformat(),
        "average": 4.5,
        "previous_average": 2.5,
    }
    CheckInRound.objects.filter(period_start=period_start(today)).delete()
    rows = client_for(world.therapist_metrics).get(URL).json()["results"]
    assert rows[0]["check_in_trend"]["previous_average"] is None  # four rounds back is out


def test_the_caseload_body_is_what_its_serializer_documents(caseload: World) -> None:
    """The view sends the selector's rows without a pass through CaseloadOut (for speed): the body
    must read back through CaseloadOut and come out of it unchanged, field for field."""
    world = caseload
    start = period_start(timezone.localdate())
    CheckInAnswer.objects.create(
        round=CheckInRound.objects.create(
            family=world.family,
            period_start=start,
            opens_at=days_ago(1),
            closes_at=days_ago(-13),
        ),
        respondent=world.parent,
        parent=world.parent,
        child=world.child,
        question="closeness",
        score=4,
    )
    body = client_for(world.therapist_metrics).get(URL).json()

    read_back = CaseloadOut(data=body)

    assert read_back.is_valid(), read_back.errors
    assert json.loads(JSONRenderer().render(CaseloadOut(read_back.validated_data).data)) == body
    assert [row["check_in_trend"] is not None for row in body["results"]] == [True, False]
    assert body["results"][0]["oldest_unrepaired_at"] is not None
