"""The family check-in through the API: the parents' switch, what each reader sees, answering
(with every kind of bad input), and its prompts going through the ordinary delivery."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import TestCase
from django.utils import timezone

from accounts.models import Family, Role, TherapistAccessLog
from checkins import services
from checkins.models import CheckInAnswer, CheckInRound
from checkins.selectors import period_start
from ruptures import delivery
from ruptures.models import Notification, Prompt, PromptKind, PromptStatus
from tests.factories import MembershipFactory
from tests.world import World, client_for

URL = "/api/v1/check-ins/"
NOTE = (
    "Our own two questions, asked every two weeks and answered on a 1 to 5 face scale; "
    "not a validated clinical instrument. The figures are self-reported."
)


def switch(world: World, enabled: bool, who: str = "parent") -> Any:
    return client_for(world.actor(who)).patch(
        f"/api/v1/families/{world.family.pk}/", {"check_ins_enabled": enabled}, format="json"
    )


@pytest.fixture
def round_(world: World) -> CheckInRound:
    assert switch(world, True).status_code == 200
    return CheckInRound.objects.get(family=world.family)


def answer(world: World, round_: CheckInRound, **fields: Any) -> dict[str, Any]:
    return {
        "round": round_.pk,
        "parent": world.parent.pk,
        "child": world.child.pk,
        "question": "closeness",
        "score": 4,
    } | fields


def deliver_due(now: dt.datetime) -> dict[int, str]:
    claimed: list[tuple[int, str]] = []
    with TestCase.captureOnCommitCallbacks(execute=True):
        delivery.prompts_claim_due(now=now, enqueue=lambda pk, t: claimed.append((pk, t)))
    return {pk: delivery.prompt_deliver(prompt_id=pk, claim_token=t, now=now) for pk, t in claimed}


# --- the switch -----------------------------------------------------------------------------------
def test_check_ins_are_off_by_default_and_a_parent_turns_them_on(world: World) -> None:
    assert (
        client_for(world.parent)
        .get(f"/api/v1/families/{world.family.pk}/")
        .json()["check_ins_enabled"]
        is False
    )

    response = switch(world, True)

    assert response.status_code == 200
    assert response.json()["check_ins_enabled"] is True
    round_ = CheckInRound.objects.get(family=world.family)
    assert round_.period_start == period_start(timezone.now().date())
    members = {
        u.pk
        for u in (world.parent, world.other_parent, world.child, world.sibling, world.child_profile)
    }
    prompts = Prompt.objects.filter(check_in_round=round_)
    assert {(p.recipient_id, p.kind) for p in prompts} == {
        (m, k) for m in members for k in (PromptKind.CHECK_IN, PromptKind.CHECK_IN_REMINDER)
    }
    assert switch(world, True).status_code == 200  # again: nothing new
    assert CheckInRound.objects.count() == 1
    assert prompts.count() == 10


@pytest.mark.parametrize(
    ("who", "body", "status", "code"),
    [
        ("child", {"check_ins_enabled": True}, 403, "parent_only"),
        ("other_family_parent", {"check_ins_enabled": True}, 404, "family_not_found"),
        ("therapist_details", {"check_ins_enabled": True}, 404, "family_not_found"),
        ("parent", {"check_ins_enabled": "maybe"}, 400, "invalid"),
        ("parent", {"check_ins_enabled": None}, 400, "null"),
    ],
)
def test_the_switch_refuses(
    world: World, who: str, body: dict[str, Any], status: int, code: str
) -> None:
    response = client_for(world.actor(who)).patch(
        f"/api/v1/families/{world.family.pk}/", body, format="json"
    )

    assert response.status_code == status, response.json()
    assert response.json()["errors"][0]["code"] == code
    assert Family.objects.get(pk=world.family.pk).check_ins_enabled is False
    assert not CheckInRound.objects.exists()


def test_turning_them_off_closes_the_round_and_cancels_its_prompts(
    world: World, round_: CheckInRound
) -> None:
    response = switch(world, False)

    assert response.json()["check_ins_enabled"] is False
    round_.refresh_from_db()
    assert round_.closes_at <= timezone.now()
    assert set(Prompt.objects.values_list("status", "cancelled_reason")) == {
        (PromptStatus.CANCELLED, "check_ins_off")
    }


# --- reading --------------------------------------------------------------------------------------
def test_a_child_sees_their_questions_and_no_trend(world: World, round_: CheckInRound) -> None:
    body = client_for(world.child).get(f"/api/v1/families/{world.family.pk}/check-ins/").json()

    assert body["about"] == NOTE
    assert body["enabled"] is True
    assert body["scale"] == {"min": 1, "max": 5, "faces": ["😞", "🙁", "😐", "🙂", "😄"]}
    assert body["round"]["id"] == round_.pk
    assert body["trend"] is None
    assert body["my_answers"] == []
    texts = [(q["about"]["id"], q["question"], q["text"]) for q in body["questions"]]
    assert texts == [
        (world.parent.pk, "closeness", "How close have you felt to Ada lately?"),
        (world.parent.pk, "make_up", "When things go wrong between us, we make up."),
        (
            world.other_parent.pk,
            "closeness",
            f"How close have you felt to {world.other_parent.display_name} lately?",
        ),
        (world.other_parent.pk, "make_up", "When things go wrong between us, we make up."),
    ]


def test_parents_see_only_the_answers_shared_with_them(world: World, round_: CheckInRound) -> None:
    child, parent = client_for(world.child), client_for(world.parent)
    child.post(URL, answer(world, round_, score=2), format="json")
    child.post(
        URL,
        answer(world, round_, question="make_up", score=5, shared_with_parents=True),
        format="json",
    )

    body = parent.get(f"/api/v1/families/{world.family.pk}/check-ins/").json()

    assert body["trend"] == [
        {
            "period_start": round_.period_start.isoformat(),
            "parent": {"id": world.parent.pk, "display_name": "Ada"},
            "child": {"id": world.child.pk, "display_name": "Maya"},
            "question": "make_up",
            "average": 5.0,
            "answers": 1,
        }
    ]
    assert body["my_answers"] == []
    child_body = child.get(f"/api/v1/families/{world.family.pk}/check-ins/").json()
    assert [(a["question"], a["score"]) for a in child_body["my_answers"]] == [
        ("closeness", 2),
        ("make_up", 5),
    ]
    assert len(child_body["questions"]) == 2  # the other parent's pair is still waiting


def test_a_therapist_sees_the_whole_trend_and_the_read_is_logged(
    world: World, round_: CheckInRound
) -> None:
    client_for(world.child).post(URL, answer(world, round_, score=2), format="json")
    client_for(world.parent).post(URL, answer(world, round_, score=4), format="json")

    body = (
        client_for(world.therapist_metrics)
        .get(f"/api/v1/families/{world.family.pk}/check-ins/")
        .json()
    )

    assert [(r["question"], r["average"], r["answers"]) for r in body["trend"]] == [
        ("closeness", 3.0, 2)
    ]
    assert (body["questions"], body["my_answers"], body["round"]) == ([], [], None)
    log = TherapistAccessLog.objects.get(therapist=world.therapist_metrics)
    assert (log.action, log.object_type) == ("check_ins.view", "")


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("other_family_parent", 404, "family_not_found"),
        ("therapist_ungranted", 404, "family_not_found"),
        ("therapist_unverified", 404, "family_not_found"),
    ],
)
def test_outsiders_read_nothing(world: World, who: str, status: int, code: str) -> None:
    response = client_for(world.actor(who)).get(f"/api/v1/families/{world.family.pk}/check-ins/")

    assert response.status_code == status
    assert response.json()["errors"][0]["code"] == code


def test_reading_costs_the_same_with_many_answers(
    world: World, round_: CheckInRound, django_assert_num_queries: Any
) -> None:
    client = client_for(world.child)
    url = f"/api/v1/families/{world.family.pk}/check-ins/"
    client.get(url)
    with django_assert_num_queries(7):
        client.get(url)
    for parent in (world.parent, world.other_parent):
        for question in ("closeness", "make_up"):
            client.post(
                URL, answer(world, round_, parent=parent.pk, question=question), format="json"
            )
    with django_assert_num_queries(7):
        assert len(client.get(url).json()["my_answers"]) == 4


# --- answering ------------------------------------------------------------------------------------
def test_an_answer_and_its_change(world: World, round_: CheckInRound) -> None:
    client = client_for(world.child)

    first = client.post(URL, answer(world, round_), format="json")
    changed = client.post(URL, answer(world, round_, score=2), format="json")

    assert first.status_code == 201
    body = first.json()
    assert body == {
        "id": body["id"],
        "round": round_.pk,
        "period_start": round_.period_start.isoformat(),
        "parent": {"id": world.parent.pk, "display_name": "Ada"},
        "child": {"id": world.child.pk, "display_name": "Maya"},
        "question": "closeness",
        "score": 4,
        "shared_with_parents": False,
        "answered_at": body["answered_at"],
    }
    assert changed.status_code == 200
    assert changed.json()["score"] == 2
    assert CheckInAnswer.objects.get().score == 2


def test_a_replay_with_its_key_answers_once(world: World, round_: CheckInRound) -> None:
    client = client_for(world.child)

    first = client.post(URL, answer(world, round_), format="json", HTTP_IDEMPOTENCY_KEY="c-1")
    again = client.post(URL, answer(world, round_), format="json", HTTP_IDEMPOTENCY_KEY="c-1")
    other = client.post(
        URL, answer(world, round_, score=1), format="json", HTTP_IDEMPOTENCY_KEY="c-1"
    )

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert other.status_code == 422
    assert CheckInAnswer.objects.get().score == 4


BAD_BODIES = [
    ({"score": "four"}, "score", "invalid"),
    ({"score": 0}, "score", "min_value"),
    ({"score": 6}, "score", "max_value"),
    ({"score": None}, "score", "null"),
    ({"question": "trust"}, "question", "invalid_choice"),
    ({"round": "latest"}, "round", "invalid"),
    ({"parent": [1]}, "parent", "invalid"),
    ({"shared_with_parents": "perhaps"}, "shared_with_parents", "invalid"),
]


@pytest.mark.parametrize(("change", "param", "code"), BAD_BODIES)
def test_bad_input_is_400_and_writes_nothing(
    world: World, round_: CheckInRound, change: dict[str, Any], param: str, code: str
) -> None:
    response = client_for(world.child).post(URL, answer(world, round_, **change), format="json")

    assert response.status_code == 400, response.json()
    assert response.json()["errors"][0]["code"] == code
    assert response.json()["errors"][0]["param"] == param
    assert not CheckInAnswer.objects.exists()


@pytest.mark.parametrize("missing", ["round", "parent", "child", "question", "score"])
def test_a_missing_field_is_named(world: World, round_: CheckInRound, missing: str) -> None:
    body = answer(world, round_)
    del body[missing]

    response = client_for(world.child).post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "code": "required",
        "message": "This field is required.",
        "param": missing,
    }


def test_refusals(world: World, round_: CheckInRound) -> None:
    other_round = CheckInRound.objects.create(
        family=world.other_family,
        period_start=round_.period_start,
        closes_at=timezone.now() + dt.timedelta(days=7),
    )
    young = MembershipFactory.create(
        family=world.family, role=Role.CHILD, user__birth_year=timezone.now().year - 6
    ).user
    cases: list[tuple[str, dict[str, Any], int, str]] = [
        ("child", {"round": other_round.pk}, 404, "check_in_round_not_found"),
        ("child", {"round": 2**62}, 404, "check_in_round_not_found"),
        ("other_family_child", {}, 404, "check_in_round_not_found"),
        ("therapist_details", {}, 404, "check_in_round_not_found"),
        ("sibling", {}, 404, "pair_not_found"),  # the child's pair, not the sibling's
        ("other_parent", {}, 404, "pair_not_found"),
        ("child", {"parent": world.sibling.pk}, 404, "pair_not_found"),
        ("child", {"parent": world.other_family_parent.pk}, 404, "pair_not_found"),
        ("parent", {"child": world.other_parent.pk}, 404, "pair_not_found"),
    ]
    for who, change, status, code in cases:
        response = client_for(world.actor(who)).post(
            URL, answer(world, round_, **change), format="json"
        )
        assert (response.status_code, response.json()["errors"][0]["code"]) == (status, code), who
    too_young = client_for(young).post(URL, answer(world, round_, child=young.pk), format="json")
    assert (too_young.status_code, too_young.json()["errors"][0]["code"]) == (403, "too_young")
    anonymous = client_for(None).post(URL, answer(world, round_), format="json")
    assert anonymous.status_code in (401, 403)
    assert not CheckInAnswer.objects.exists()


def test_a_closed_round_and_a_switched_off_family_refuse(
    world: World, round_: CheckInRound
) -> None:
    CheckInRound.objects.filter(pk=round_.pk).update(closes_at=timezone.now())
    closed = client_for(world.child).post(URL, answer(world, round_), format="json")
    switch(world, False)
    off = client_for(world.child).post(URL, answer(world, round_), format="json")

    assert (closed.status_code, closed.json()["errors"][0]["code"]) == (
        409,
        "check_in_round_closed",
    )
    assert (off.status_code, off.json()["errors"][0]["code"]) == (409, "check_ins_off")
    assert not CheckInAnswer.objects.exists()


# --- prompts --------------------------------------------------------------------------------------
def test_the_prompts_go_out_once_and_the_reminder_only_to_who_has_not_answered(
    world: World, round_: CheckInRound
) -> None:
    from accounts.models import User

    User.objects.update(quiet_hours_start=None, quiet_hours_end=None)
    now = timezone.now()

    sent = deliver_due(now + dt.timedelta(seconds=1))
    client_for(world.child).post(URL, answer(world, round_), format="json")
    later = deliver_due(now + dt.timedelta(days=3, minutes=1))

    assert sorted(sent.values()) == ["sent"] * 5  # two parents, three children
    inbox = Notification.objects.filter(kind=PromptKind.CHECK_IN)
    assert inbox.count() == 5
    assert inbox.first().url == f"/#/families/{world.family.pk}/check-in"  # type: ignore[union-attr]  # count() above
    reminders = Prompt.objects.filter(kind=PromptKind.CHECK_IN_REMINDER)
    assert sorted(later.values()) == ["cancelled", "sent", "sent", "sent", "sent"]
    assert reminders.get(recipient=world.child).cancelled_reason == "answered"
    assert deliver_due(now + dt.timedelta(days=30)) == {}  # nothing more, ever


def test_quiet_hours_hold_a_check_in_prompt(world: World, round_: CheckInRound) -> None:
    from accounts.models import User

    User.objects.update(quiet_hours_start=None, quiet_hours_end=None)
    now = timezone.now()
    start = (now - dt.timedelta(hours=1)).time().replace(microsecond=0)
    end = (now + dt.timedelta(hours=2)).time().replace(microsecond=0)
    User.objects.filter(pk=world.child.pk).update(
        time_zone="UTC", quiet_hours_start=start, quiet_hours_end=end
    )

    outcomes = deliver_due(now + dt.timedelta(seconds=1))

    child_prompt = Prompt.objects.get(recipient=world.child, kind=PromptKind.CHECK_IN)
    assert outcomes[child_prompt.pk] == "deferred"
    assert child_prompt.due_at > now


def test_beat_opens_each_period_once(world: World, round_: CheckInRound) -> None:
    later = timezone.now() + dt.timedelta(days=14)

    assert services.check_in_rounds_open_due(now=timezone.now()) == 0
    assert services.check_in_rounds_open_due(now=later) == 1
    assert services.check_in_rounds_open_due(now=later) == 0
    assert CheckInRound.objects.filter(family=world.family).count() == 2
    assert not CheckInRound.objects.filter(family=world.other_family).exists()
