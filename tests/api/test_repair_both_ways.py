"""Repair in both directions (a child's "I want to make it right" toward a parent) and the pair's
plan ("What would help next time?", "Our plans", "Did our plan help?"), through the API: the flows,
who sees which words, bad input, other families, wrong roles, replays and query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import TestCase
from django.utils import timezone

from accounts.models import TherapistAccessLog, User
from api.ruptures.serializers import RuptureRowOut, rupture_rows
from ruptures import delivery, selectors, services
from ruptures.models import (
    Direction,
    Notification,
    Prompt,
    PromptKind,
    PromptStatus,
    RepairStep,
    Rupture,
    RuptureEvent,
)
from tests.world import World, client_for, flag

URL = "/api/v1/ruptures/"


@pytest.fixture(autouse=True)
def awake(world: World) -> None:
    """Nobody in quiet hours: what reaches whom is the subject here, not when."""
    User.objects.update(quiet_hours_start=None, quiet_hours_end=None)


def make_right(world: World, who: str = "child", **extra: Any) -> Any:
    """A child's "I want to make it right" toward the parent, through the API."""
    body = {
        "family": world.family.pk,
        "parent": world.parent.pk,
        "feelings": ["sad"],
        "intensity": 3,
        "note": "I slammed the door on you.",
        "direction": "child_repairs",
    } | extra
    return client_for(world.actor(who)).post(URL, body, format="json")


def deliver_due(now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    claimed: list[tuple[int, str]] = []
    with TestCase.captureOnCommitCallbacks(execute=True):
        delivery.prompts_claim_due(now=now, enqueue=lambda pk, t: claimed.append((pk, t)))
    for pk, token in claimed:
        delivery.prompt_deliver(prompt_id=pk, claim_token=token, now=now)


def inbox(user: User) -> list[tuple[str, str, str]]:
    return [
        (n.kind, n.title, n.body)
        for n in Notification.objects.filter(recipient=user).order_by("created_at", "id")
    ]


def steps(rupture_id: int, who: User, *changes: dict[str, Any]) -> Any:
    return client_for(who).patch(
        f"{URL}{rupture_id}/repair-steps/", {"steps": list(changes)}, format="json"
    )


# --- a child's own repair toward a parent -------------------------------------------------------
def test_a_child_starts_making_it_right_and_the_parent_is_gently_told(world: World) -> None:
    response = make_right(world)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["direction"] == "child_repairs"
    assert body["started_by"] == "child"
    assert body["status"] == "acknowledged"
    assert body["my_side"] == "child"
    assert body["allowed_actions"] == ["update_steps", "message", "confirm", "withdraw", "plan"]
    assert [s["step"] for s in body["repair_steps"]] == [
        "acknowledge",
        "responsibility",
        "validate",
        "change",
    ]
    assert body["plan"] == {"parent": "", "child": "", "updated_at": None}
    assert body["timeline"][0]["data"] == {"started_by": "child", "direction": "child_repairs"}
    kinds = set(Prompt.objects.values_list("recipient_id", "kind"))
    assert kinds == {(world.parent.pk, PromptKind.HEADS_UP)}  # no calm-down prompt, no reminder

    deliver_due()
    deliver_due(timezone.now() + dt.timedelta(days=2))  # nothing chases either of them

    assert inbox(world.parent) == [
        (
            "heads_up",
            "Maya wants to make something right with you",
            "You don't have to do anything yet.",
        ),
    ]
    assert inbox(world.child) == []


@pytest.mark.parametrize(
    ("birth_year", "title", "words"),
    [
        pytest.param(2019, "Say sorry", 'No "but"', id="young"),
        pytest.param(2011, 'Apologise without a "but"', 'A "but" takes the sorry back', id="teen"),
        pytest.param(
            None, 'Apologise without a "but"', 'A "but" takes the sorry back', id="age-unknown"
        ),
        pytest.param(1990, "Apologise, without excuses", 'with no "but"', id="adult"),
    ],
)
def test_the_childs_steps_are_worded_for_their_age(
    world: World, birth_year: int | None, title: str, words: str
) -> None:
    User.objects.filter(pk=world.child.pk).update(birth_year=birth_year)

    body = make_right(world, feelings=["sad", "worried"]).json()

    sorry = body["repair_steps"][1]
    assert sorry["title"] == title
    assert words in sorry["guidance"]
    assert "Ada" in body["repair_steps"][2]["title"] + body["repair_steps"][2]["guidance"]
    assert "(sad, worried)" in body["repair_steps"][2]["guidance"]


def test_the_child_works_through_the_steps_and_their_reflections_stay_theirs(
    world: World,
) -> None:
    rupture_id = make_right(world).json()["id"]

    reflection = {"step": "acknowledge", "done": True, "reflection": "I was angry about games."}
    mine = steps(rupture_id, world.child, reflection)
    parent_view = client_for(world.parent).get(f"{URL}{rupture_id}/").json()
    therapist_view = client_for(world.therapist_details).get(f"{URL}{rupture_id}/").json()

    assert mine.status_code == 200, mine.json()
    assert mine.json()["repair_steps"][0]["reflection"] == "I was angry about games."
    assert mine.json()["repair_steps"][0]["done"] is True
    assert parent_view["repair_steps"][0] == mine.json()["repair_steps"][0] | {"reflection": None}
    assert therapist_view["repair_steps"][0]["reflection"] is None
    assert therapist_view["plan"] is None
    assert parent_view["allowed_actions"] == ["message", "confirm", "not_yet", "plan"]


@pytest.mark.parametrize(
    ("who", "change", "status", "code", "param"),
    [
        pytest.param(
            "parent",
            {"step": "acknowledge", "done": True},
            403,
            "child_only",
            None,
            id="the-parent",
        ),
        pytest.param(
            "child",
            {"step": "calm", "done": True},
            400,
            "invalid_choice",
            "steps.0.step",
            id="a-parents-step",
        ),
        pytest.param(
            "child",
            {"step": "reconnect", "done": True},
            400,
            "invalid_choice",
            "steps.0.step",
            id="another-parents-step",
        ),
        pytest.param(
            "child",
            {"step": "change", "done": "yes please"},
            400,
            "invalid",
            "steps.0.done",
            id="done-wrong-type",
        ),
        pytest.param(
            "sibling",
            {"step": "change", "done": True},
            404,
            "rupture_not_found",
            None,
            id="sibling",
        ),
        pytest.param(
            "other_family_child",
            {"step": "change", "done": True},
            404,
            "rupture_not_found",
            None,
            id="other-family",
        ),
        pytest.param(
            "therapist_details",
            {"step": "change", "done": True},
            403,
            "not_a_party",
            None,
            id="therapist",
        ),
    ],
)
def test_bad_steps_in_a_childs_repair_write_nothing(
    world: World, who: str, change: dict[str, Any], status: int, code: str, param: str | None
) -> None:
    rupture_id = make_right(world).json()["id"]
    before = RuptureEvent.objects.count()

    response = steps(rupture_id, world.actor(who), change)  # type: ignore[arg-type]  # named actors exist

    assert response.status_code == status, response.json()
    assert (response.json()["errors"][0]["code"], response.json()["errors"][0]["param"]) == (
        code,
        param,
    )
    assert RuptureEvent.objects.count() == before
    assert RepairStep.objects.count() == 0


def test_the_parent_confirms_or_says_not_yet_like_a_child_does_today(world: World) -> None:
    rupture_id = make_right(world).json()["id"]
    child, parent = client_for(world.child), client_for(world.parent)

    child.post(f"{URL}{rupture_id}/confirm/")
    deliver_due()
    not_yet = parent.post(f"{URL}{rupture_id}/not-yet/", {"reason": "Still sore."}, format="json")
    deliver_due()
    child.post(f"{URL}{rupture_id}/confirm/")
    done = parent.post(f"{URL}{rupture_id}/confirm/")
    deliver_due()

    assert not_yet.status_code == 200, not_yet.json()
    assert not_yet.json()["confirmations"] == {"child": None, "parent": None}
    assert done.json()["status"] == "reconnected"
    # the second "confirm" prompt was made pointless by the parent's own confirm, undelivered
    assert [k for k, _, _ in inbox(world.parent)] == ["heads_up", "confirm_prompt"]
    assert inbox(world.child) == [
        (
            "not_yet",
            "Ada isn't OK yet",
            "That's alright. Keep the door open; there may be a note for you.",
        ),
        ("reconnected", "You and Ada reconnected", "Repair is what matters. 💛"),
    ]
    follow_ups = Prompt.objects.filter(kind=PromptKind.FOLLOW_UP, status=PromptStatus.PENDING)
    assert set(follow_ups.values_list("recipient_id", flat=True)) == {
        world.child.pk,
        world.parent.pk,
    }
    assert not Prompt.objects.filter(kind=PromptKind.REMINDER).exists()


@pytest.mark.parametrize(
    ("who", "direction", "named"),
    [
        # the child goes on making it right, never turned into "you upset me"
        ("child", "child_repairs", "parent"),
        # the parent reaches out as their own repair, as after any rupture
        ("parent", "parent_repairs", "child"),
    ],
)
def test_not_really_after_a_childs_repair_reopens_it_without_blame(
    world: World, who: str, direction: str, named: str
) -> None:
    rupture_id = make_right(world).json()["id"]
    client_for(world.child).post(f"{URL}{rupture_id}/confirm/")
    assert client_for(world.parent).post(f"{URL}{rupture_id}/confirm/").json()["status"] == (
        "reconnected"
    )

    response = client_for(world.actor(who)).post(
        f"{URL}{rupture_id}/follow-up/", {"answer": "not_really"}, format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["follow_up_of"] == rupture_id
    # started by whoever answered, and acknowledged by being made
    assert (body["direction"], body["started_by"], body["status"]) == (
        direction,
        who,
        "acknowledged",
    )
    assert body[named]["id"] == getattr(world, named).pk
    assert Rupture.objects.count() == 2


BAD_MAKE_RIGHT: list[tuple[str, str, dict[str, Any], int, str, str | None]] = [
    ("direction wrong type", "child", {"direction": 5}, 400, "invalid_choice", "direction"),
    ("direction unknown", "child", {"direction": "both"}, 400, "invalid_choice", "direction"),
    ("direction null", "child", {"direction": None}, 400, "null", "direction"),
    ("feelings missing", "child", {"feelings": None}, 400, "required", "feelings"),
    ("unsafe", "child", {"unsafe": True}, 400, "inconsistent", "unsafe"),
    ("a need", "child", {"need": "talk"}, 400, "inconsistent", "need"),
    ("space", "child", {"needs_space_until": "+1h"}, 400, "inconsistent", "needs_space_until"),
    ("parent missing", "child", {"parent": None}, 400, "required", "parent"),
    (
        "parent of another family",
        "child",
        {"parent": "other_family_parent"},
        404,
        "parent_not_found",
        "parent",
    ),
    ("a sibling as parent", "child", {"parent": "sibling"}, 404, "parent_not_found", "parent"),
    ("other family", "child", {"family": "other"}, 404, "family_not_found", None),
    ("a parent", "parent", {"parent": None, "child": "child"}, 400, "invalid", "direction"),
    ("therapist", "therapist_details", {}, 404, "family_not_found", None),
    ("other family's child", "other_family_child", {}, 404, "family_not_found", None),
]


@pytest.mark.parametrize(
    ("who", "change", "status", "code", "param"),
    [pytest.param(w, c, s, code, p, id=name) for name, w, c, s, code, p in BAD_MAKE_RIGHT],
)
def test_bad_make_it_right_is_refused_and_writes_nothing(
    world: World, who: str, change: dict[str, Any], status: int, code: str, param: str | None
) -> None:
    extra: dict[str, Any] = {}
    drop: list[str] = []
    for key, value in change.items():
        if value is None and key != "direction":
            drop.append(key)
        elif key == "family":
            extra["family"] = world.other_family.pk
        elif value == "+1h":
            extra[key] = (timezone.now() + dt.timedelta(hours=1)).isoformat()
        elif isinstance(value, str) and key in {"parent", "child"}:
            extra[key] = world.actor(value).pk  # type: ignore[union-attr]  # named actors exist
        else:
            extra[key] = value
    body = {
        "family": world.family.pk,
        "parent": world.parent.pk,
        "feelings": ["sad"],
        "intensity": 3,
        "direction": "child_repairs",
    } | extra
    body = {k: v for k, v in body.items() if k not in drop}

    response = client_for(world.actor(who)).post(URL, body, format="json")

    assert response.status_code == status, response.json()
    error = response.json()["errors"][0]
    assert (error["code"], error["param"]) == (code, param)
    assert Rupture.objects.count() == 0
    assert Prompt.objects.count() == 0


def test_anonymous_cannot_make_it_right(world: World) -> None:
    response = make_right(world, who="anonymous")

    assert response.status_code == 401
    assert Rupture.objects.count() == 0


def test_a_replayed_make_it_right_creates_one(world: World) -> None:
    client = client_for(world.child)
    body = {
        "family": world.family.pk,
        "parent": world.parent.pk,
        "feelings": ["sad"],
        "intensity": 2,
        "direction": "child_repairs",
    }

    first = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="mr-1")
    again = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="mr-1")
    other_body = client.post(
        URL, body | {"intensity": 4}, format="json", HTTP_IDEMPOTENCY_KEY="mr-1"
    )

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert other_body.status_code == 422
    assert Rupture.objects.count() == 1
    assert Prompt.objects.count() == 1


def test_direction_is_in_every_row_for_the_dashboard_to_count(world: World) -> None:
    flag(world)
    flag(world, by="parent")
    flag(world, direction=Direction.CHILD_REPAIRS)

    rows = client_for(world.therapist_details).get(URL).json()["results"]
    listed, _count = selectors.rupture_list(actor=world.therapist_details).counted_page(0, 20)
    ruptures = [Rupture.objects.select_related("child", "parent").get(pk=r.id) for r in listed]

    assert sorted(r["direction"] for r in rows) == [
        "child_repairs",
        "parent_repairs",
        "parent_repairs",
    ]
    assert rupture_rows(listed) == RuptureRowOut(ruptures, many=True).data  # type: ignore[arg-type]  # many=True: a list
    assert TherapistAccessLog.objects.filter(therapist=world.therapist_details).exists()


# --- the pair's plan ----------------------------------------------------------------------------
def plan(rupture_id: int, who: User | None, body: Any, key: str | None = None) -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client_for(who).post(f"{URL}{rupture_id}/plan/", body, format="json", **headers)  # type: ignore[arg-type]  # extra headers, as Django's test client takes them


def repaired_by_parent(world: World) -> int:
    """A child's flag the parent acknowledged and worked through to step six."""
    rupture = flag(world)
    services.rupture_acknowledge(actor=world.parent, rupture_id=rupture.pk)
    return rupture.pk


def test_after_step_six_the_child_is_asked_and_the_two_answers_are_the_plan(
    world: World,
) -> None:
    rupture_id = repaired_by_parent(world)
    steps(rupture_id, world.parent, {"step": "change", "done": True, "reflection": "private"})
    steps(
        rupture_id,
        world.parent,
        {"step": "change", "done": False},
    )
    steps(rupture_id, world.parent, {"step": "change", "done": True})  # asked once, not twice
    deliver_due()
    asked = [n for n in inbox(world.child) if n[0] == "plan_ask"]

    by_parent = plan(rupture_id, world.parent, {"words": "  I'll take a breath before I answer. "})
    by_child = plan(rupture_id, world.child, {"words": "Ask me what's wrong first."})
    therapist = client_for(world.therapist_details).get(f"{URL}{rupture_id}/").json()

    assert asked == [
        (
            "plan_ask",
            "What would help next time?",
            "Ada said what they'll try differently. Add your part to your plan, if you like.",
        )
    ]
    assert by_parent.status_code == by_child.status_code == 200, by_child.json()
    expected = {
        "parent": "I'll take a breath before I answer.",
        "child": "Ask me what's wrong first.",
    }
    assert by_child.json()["plan"] | {"updated_at": None} == expected | {"updated_at": None}
    parent_view = client_for(world.parent).get(f"{URL}{rupture_id}/").json()
    assert parent_view["plan"] == by_child.json()["plan"]
    assert therapist["plan"] is None  # the pair's words
    events = [e for e in parent_view["timeline"] if e["kind"] == "plan"]
    assert [e["data"] for e in events] == [{"side": "parent"}, {"side": "child"}]
    assert Prompt.objects.get(kind=PromptKind.PLAN_ASK).status == PromptStatus.SENT
    assert all("wrong first" not in n.body + n.title for n in Notification.objects.all())


def test_answering_before_the_ask_is_sent_cancels_it(world: World) -> None:
    rupture_id = repaired_by_parent(world)
    steps(rupture_id, world.parent, {"step": "change", "done": True})

    plan(rupture_id, world.child, {"words": "A hug."})

    assert Prompt.objects.get(kind=PromptKind.PLAN_ASK).cancelled_reason == "answered"


def test_in_a_childs_repair_the_parent_is_asked(world: World) -> None:
    rupture_id = make_right(world).json()["id"]

    steps(rupture_id, world.child, {"step": "change", "done": True})
    plan(rupture_id, world.child, {"words": "Count to ten."})
    deliver_due()

    assert [n[0] for n in inbox(world.parent)] == ["heads_up", "plan_ask"]
    assert Prompt.objects.get(kind=PromptKind.PLAN_ASK).recipient_id == world.parent.pk


BAD_PLANS: list[tuple[str, str, Any, int, str, str | None]] = [
    ("words missing", "child", {}, 400, "required", "words"),
    ("words null", "child", {"words": None}, 400, "null", "words"),
    ("words wrong type", "child", {"words": ["a", "b"]}, 400, "invalid", "words"),
    ("words blank", "child", {"words": "   "}, 400, "blank", "words"),
    ("words too long", "child", {"words": "x" * 501}, 400, "max_length", "words"),
    ("body not an object", "child", ["words"], 400, "invalid", None),
    ("sibling", "sibling", {"words": "hi"}, 404, "rupture_not_found", None),
    ("other parent", "other_parent", {"words": "hi"}, 404, "rupture_not_found", None),
    ("other family", "other_family_parent", {"words": "hi"}, 404, "rupture_not_found", None),
    ("therapist", "therapist_details", {"words": "hi"}, 403, "not_a_party", None),
    ("metrics therapist", "therapist_metrics", {"words": "hi"}, 404, "rupture_not_found", None),
    ("anonymous", "anonymous", {"words": "hi"}, 401, "not_authenticated", None),
    # a wrong body from someone who may not act answers as that person, never a 400
    (
        "other family, bad body",
        "other_family_child",
        {"words": 5.5},
        404,
        "rupture_not_found",
        None,
    ),
]


@pytest.mark.parametrize(
    ("who", "body", "status", "code", "param"),
    [pytest.param(w, b, s, c, p, id=name) for name, w, b, s, c, p in BAD_PLANS],
)
def test_bad_plans_write_nothing(
    world: World, who: str, body: Any, status: int, code: str, param: str | None
) -> None:
    rupture_id = repaired_by_parent(world)
    before = Rupture.objects.filter(pk=rupture_id).values().get()
    events = RuptureEvent.objects.count()

    response = plan(rupture_id, world.actor(who), body)

    assert response.status_code == status, response.json()
    error = response.json()["errors"][0]
    assert error["code"] == code
    if param:
        assert error["param"] == param
    assert Rupture.objects.filter(pk=rupture_id).values().get() == before
    assert RuptureEvent.objects.count() == events


@pytest.mark.parametrize(
    ("state", "status", "code"),
    [("flagged", 409, "rupture_not_acknowledged"), ("withdrawn", 409, "rupture_closed")],
)
def test_a_plan_waits_for_the_repair_and_ends_with_a_withdrawal(
    world: World, state: str, status: int, code: str
) -> None:
    rupture = flag(world)
    if state == "withdrawn":
        services.rupture_withdraw(actor=world.child, rupture_id=rupture.pk)

    response = plan(rupture.pk, world.child, {"words": "A hug."})

    assert response.status_code == status
    assert response.json()["errors"][0]["code"] == code


def test_a_plan_held_for_safety_review_is_hidden_from_the_parent(world: World) -> None:
    rupture = flag(world, unsafe=True)

    as_parent = plan(rupture.pk, world.parent, {"words": "x"})
    as_child = plan(rupture.pk, world.child, {"words": "x"})

    assert as_parent.status_code == 404
    assert as_parent.json()["errors"][0]["code"] == "rupture_not_found"
    assert as_child.status_code == 409
    assert as_child.json()["errors"][0]["code"] == "rupture_in_safety_review"


def test_a_replayed_plan_answers_the_same_and_writes_once(world: World) -> None:
    rupture_id = repaired_by_parent(world)

    first = plan(rupture_id, world.child, {"words": "A hug."}, key="plan-1")
    again = plan(rupture_id, world.child, {"words": "A hug."}, key="plan-1")
    changed = plan(rupture_id, world.child, {"words": "Space."}, key="plan-1")

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert changed.status_code == 422
    assert RuptureEvent.objects.filter(kind="plan").count() == 1


def test_a_plan_can_be_changed_and_made_after_reconnecting(world: World) -> None:
    rupture_id = repaired_by_parent(world)
    services.rupture_confirm(actor=world.parent, rupture_id=rupture_id)
    services.rupture_confirm(actor=world.child, rupture_id=rupture_id)

    plan(rupture_id, world.child, {"words": "A hug."})
    response = plan(rupture_id, world.child, {"words": "A hug, then talk."})

    assert response.status_code == 200
    assert response.json()["status"] == "reconnected"
    assert response.json()["plan"]["child"] == "A hug, then talk."


# --- "Our plans" --------------------------------------------------------------------------------
def plans_url(world: World, family: Any = None) -> str:
    return f"/api/v1/families/{(family or world.family).pk}/plans/"


def with_plan(world: World, *, child: User, parent: User, words: str) -> Rupture:
    rupture = services.rupture_flag(
        actor=child,
        flag=services.FlagInput(
            family_id=world.family.pk, parent_id=parent.pk, feelings=["sad"], intensity=2
        ),
    )
    services.rupture_acknowledge(actor=parent, rupture_id=rupture.pk)
    services.rupture_plan_say(actor=child, rupture_id=rupture.pk, words=words)
    return rupture


def test_our_plans_lists_each_pairs_plans_to_the_two_of_them(world: World) -> None:
    first = with_plan(world, child=world.child, parent=world.parent, words="A hug.")
    second = with_plan(world, child=world.child, parent=world.parent, words="Ten minutes.")
    with_plan(world, child=world.sibling, parent=world.parent, words="Sibling's words.")
    with_plan(world, child=world.child, parent=world.other_parent, words="Other parent's.")
    flag(world)  # no plan: not listed

    as_child = client_for(world.child).get(plans_url(world), {"parent": world.parent.pk})
    as_parent = client_for(world.parent).get(plans_url(world), {"child": world.child.pk})
    all_mine = client_for(world.parent).get(plans_url(world))

    assert as_child.status_code == as_parent.status_code == 200
    assert as_child.json() == as_parent.json()
    rows = as_parent.json()
    assert [r["rupture"] for r in rows] == [second.pk, first.pk]
    assert rows[0] == {
        "rupture": second.pk,
        "family": world.family.pk,
        "direction": "parent_repairs",
        "status": "acknowledged",
        "child": {"id": world.child.pk, "display_name": "Maya"},
        "parent": {"id": world.parent.pk, "display_name": "Ada"},
        "occurred_at": rows[0]["occurred_at"],
        "plan": {
            "parent": "",
            "child": "Ten minutes.",
            "updated_at": rows[0]["plan"]["updated_at"],
        },
    }
    assert len(all_mine.json()) == 3  # the parent's pairs: Maya twice, the sibling once


@pytest.mark.parametrize(
    ("who", "query", "status", "code", "param"),
    [
        pytest.param("child", {"parent": "x"}, 400, "invalid", "parent", id="parent-wrong-type"),
        pytest.param("child", {"child": "-3"}, 400, "min_value", "child", id="child-negative"),
        pytest.param("child", {"child": str(10**30)}, 400, "max_value", "child", id="child-huge"),
        pytest.param("other_family_parent", {}, 404, "family_not_found", None, id="outsider"),
        pytest.param("therapist_details", {}, 404, "family_not_found", None, id="therapist"),
        pytest.param("anonymous", {}, 401, "not_authenticated", None, id="anonymous"),
    ],
)
def test_bad_plan_lists(
    world: World, who: str, query: dict[str, str], status: int, code: str, param: str | None
) -> None:
    response = client_for(world.actor(who)).get(plans_url(world), query)

    assert response.status_code == status, response.json()
    assert (response.json()["errors"][0]["code"], response.json()["errors"][0]["param"]) == (
        code,
        param,
    )


def test_another_familys_ids_find_no_plans(world: World) -> None:
    with_plan(world, child=world.child, parent=world.parent, words="A hug.")

    other_child = client_for(world.parent).get(
        plans_url(world), {"child": world.other_family_child.pk}
    )
    other_family = client_for(world.parent).get(plans_url(world, world.other_family))

    assert other_child.json() == []
    assert other_family.status_code == 404
    assert not TherapistAccessLog.objects.exists()


def test_our_plans_runs_the_same_queries_for_1_or_50(
    world: World, django_assert_max_num_queries: Any
) -> None:
    with_plan(world, child=world.child, parent=world.parent, words="One.")
    client = client_for(world.parent)
    client.get(plans_url(world))  # the session is read once

    with django_assert_max_num_queries(20) as one:
        assert len(client.get(plans_url(world)).json()) == 1
    for n in range(49):
        with_plan(world, child=world.child, parent=world.parent, words=f"Plan {n}.")
    with django_assert_max_num_queries(20) as fifty:
        assert len(client.get(plans_url(world)).json()) == 50

    assert len(fifty.captured_queries) == len(one.captured_queries)


# --- "Did our plan help?" -----------------------------------------------------------------------
def reconnected_with_plan(world: World, *, words: str | None = "A hug.") -> int:
    rupture_id = repaired_by_parent(world)
    if words:
        services.rupture_plan_say(actor=world.child, rupture_id=rupture_id, words=words)
    services.rupture_confirm(actor=world.parent, rupture_id=rupture_id)
    services.rupture_confirm(actor=world.child, rupture_id=rupture_id)
    return rupture_id


def test_the_follow_up_brings_the_plan_back(world: World) -> None:
    rupture_id = reconnected_with_plan(world)
    deliver_due(timezone.now() + dt.timedelta(days=world.family.follow_up_days, minutes=1))

    answer = client_for(world.child).post(
        f"{URL}{rupture_id}/follow-up/", {"answer": "ok", "plan_helped": True}, format="json"
    )

    follow_up = [n for n in inbox(world.child) if n[0] == "follow_up"]
    assert follow_up == [
        (
            "follow_up",
            "Are you and Ada still OK?",
            "A few days on: did your plan help? A quick check-in, nothing more.",
        ),
    ]
    assert answer.status_code == 200, answer.json()
    assert answer.json()["timeline"][-1]["data"] == {"answer": "ok", "plan_helped": True}
    assert answer.json()["plan"]["child"] == "A hug."


def test_without_a_plan_the_follow_up_is_as_before(world: World) -> None:
    rupture_id = reconnected_with_plan(world, words=None)
    deliver_due(timezone.now() + dt.timedelta(days=world.family.follow_up_days, minutes=1))

    asked = client_for(world.parent).post(
        f"{URL}{rupture_id}/follow-up/", {"answer": "ok", "plan_helped": False}, format="json"
    )
    plain = client_for(world.parent).post(
        f"{URL}{rupture_id}/follow-up/", {"answer": "ok"}, format="json"
    )

    assert [n[2] for n in inbox(world.parent) if n[0] == "follow_up"] == [
        "A few days on: a quick check-in, nothing more."
    ]
    assert asked.status_code == 400
    assert asked.json()["errors"][0] | {"message": ""} == {
        "code": "no_plan",
        "param": "plan_helped",
        "message": "",
    }
    assert plain.status_code == 200
    assert plain.json()["timeline"][-1]["data"] == {"answer": "ok"}


@pytest.mark.parametrize(
    ("body", "code", "param"),
    [
        ({"answer": "ok", "plan_helped": "sort of"}, "invalid", "plan_helped"),
        ({"plan_helped": True}, "required", "answer"),
        ({"answer": 3, "plan_helped": True}, "invalid_choice", "answer"),
    ],
)
def test_bad_plan_answers_write_nothing(
    world: World, body: dict[str, Any], code: str, param: str
) -> None:
    rupture_id = reconnected_with_plan(world)
    before = RuptureEvent.objects.count()

    response = client_for(world.child).post(f"{URL}{rupture_id}/follow-up/", body, format="json")

    assert response.status_code == 400
    assert (response.json()["errors"][0]["code"], response.json()["errors"][0]["param"]) == (
        code,
        param,
    )
    assert RuptureEvent.objects.count() == before


def test_a_plan_answer_replayed_is_answered_once(world: World) -> None:
    rupture_id = reconnected_with_plan(world)
    client = client_for(world.child)
    body = {"answer": "ok", "plan_helped": True}

    first = client.post(
        f"{URL}{rupture_id}/follow-up/", body, format="json", HTTP_IDEMPOTENCY_KEY="fu-1"
    )
    replay = client.post(
        f"{URL}{rupture_id}/follow-up/", body, format="json", HTTP_IDEMPOTENCY_KEY="fu-1"
    )
    again = client.post(f"{URL}{rupture_id}/follow-up/", body, format="json")

    assert replay.json() == first.json()
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "already_answered"
    assert RuptureEvent.objects.filter(kind="follow_up").count() == 1
