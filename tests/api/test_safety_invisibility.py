"""The rule issue 9 rests on, as a property: a parent cannot tell that an unsafe flag exists.

The same family lives the same day twice, once with the child's unsafe flag naming a parent and
once without (the second run starts from a savepoint of the first one's start). For the named
parent and for the other parent, through the browser and the app client, every GET operation in
the OpenAPI schema (read from the schema, so a new endpoint is covered without touching this
file), their main writes and their inbox answer the same: status, body with ids and times
normalised, counts, list lengths and ``allowed_actions``. Compared right after the flag, after the
prompts due then are delivered, and hours later when reminders and calm-down prompts have gone
out.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import TestCase
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts.models import User
from ruptures import delivery
from ruptures.models import (
    RUPTURE_ID_LIMIT,
    Prompt,
    PromptKind,
    Rupture,
    SafetyReview,
    Status,
)
from tests.world import ClientKind, World, client_for

URL = "/api/v1/ruptures/"
PARENTS = ("parent", "other_parent")
ID_KEYS = {
    "id",
    "rupture",
    "message",
    "follow_up_of",
    "family",
    "parent",
    "child",
    "user",
    "therapist",
}
TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T[0-9:.]+(Z|[+-]\d{2}:\d{2})?$")


@functools.cache
def get_operations() -> tuple[str, ...]:
    """Every path with a GET in the schema (generated once: it is read forty times a test)."""
    spec = SchemaGenerator().get_schema(request=None, public=True)
    return tuple(sorted(path for path, ops in spec["paths"].items() if "get" in ops))


def normalise(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: normalise(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int) and (key in ID_KEYS or key.endswith("_id")):
        return "<id>"
    if key.endswith("_seconds") and value is not None:
        return "<seconds>"  # wall-clock durations (time to acknowledge), like times
    if isinstance(value, str):
        if TIME.match(value):
            return "<time>"
        return re.sub(r"\d{4,}", "<n>", value)  # ids inside urls and "next" links
    return value


def answer(response: Any) -> tuple[int, Any]:
    if response.get("Content-Type", "").startswith("application/json"):
        return response.status_code, normalise(response.json())
    return response.status_code, len(response.content)


def path_values(world: World) -> dict[str, int]:
    """What fills each path's ``{...}`` but the rupture id (one query, not one per path)."""
    grant = world.family.care_team.get(therapist=world.therapist_details)
    return {"family_id": world.family.pk, "user_id": world.child.pk, "grant_id": grant.pk}


def fill(path: str, values: dict[str, int], rupture_id: int) -> str:
    values = values | {"id": rupture_id, "rupture_id": rupture_id}
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)


class Callers:
    """One signed-in client per person for a day, as each keeps one device through it: signing
    in anew for every request cost a session write each time and tells the comparison nothing."""

    def __init__(self, world: World, kind: ClientKind = "browser") -> None:
        self.world = world
        self.kind = kind
        self._clients: dict[str, APIClient] = {}

    def __call__(self, who: str) -> APIClient:
        if who not in self._clients:
            self._clients[who] = client_for(getattr(self.world, who), self.kind)
        return self._clients[who]


def read_everything(callers: Callers, who: str, rupture_ids: dict[str, int]) -> dict[str, Any]:
    client = callers(who)
    values = path_values(callers.world)
    seen: dict[str, Any] = {}
    for path in get_operations():
        targets = rupture_ids if "{id}" in path or "{rupture_id}" in path else {"": 0}
        for name, rupture_id in targets.items():
            seen[f"{path} {name}".strip()] = answer(client.get(fill(path, values, rupture_id)))
    for status in Status.values:
        seen[f"{URL}?status={status}"] = answer(client.get(URL, {"status": status}))
    seen[f"{URL}?family"] = answer(client.get(URL, {"family": callers.world.family.pk}))
    return seen


def deliver_due(now: dt.datetime) -> None:
    claimed: list[tuple[int, str]] = []
    with TestCase.captureOnCommitCallbacks(execute=True):
        delivery.prompts_claim_due(now=now, enqueue=lambda pk, t: claimed.append((pk, t)))
    for pk, token in claimed:
        delivery.prompt_deliver(prompt_id=pk, claim_token=token, now=now)


def post(callers: Callers, who: str, path: str, body: dict[str, Any] | None = None) -> Any:
    return callers(who).post(path, body or {}, format="json")


def flag(callers: Callers, who: str, **fields: Any) -> int:
    world = callers.world
    body: dict[str, Any] = {"family": world.family.pk, "feelings": ["hurt"], "intensity": 2}
    if who in ("child", "sibling"):
        body["parent"] = world.parent.pk
    else:
        body["child"] = world.child.pk
    response = post(callers, who, URL, body | fields)
    assert response.status_code == 201, response.json()
    rupture_id: int = response.json()["id"]
    return rupture_id


def unused_rupture_id() -> int:
    candidate = RUPTURE_ID_LIMIT - 1
    while Rupture.objects.filter(pk=candidate).exists():
        candidate -= 1
    return candidate


def the_day(world: World, *, unsafe: bool, kind: ClientKind) -> dict[str, Any]:
    """What each parent sees and gets through the day; the unsafe flag is the only difference."""
    User.objects.update(quiet_hours_start=None, quiet_hours_end=None)
    callers = Callers(world, kind)
    browsers = callers if kind == "browser" else Callers(world)  # the flags come from the PWA
    ids = {
        "childs": flag(browsers, "child"),
        "parents": flag(browsers, "parent"),
        "siblings": flag(browsers, "sibling"),
        "childs_repair": flag(browsers, "child", direction="child_repairs"),
    }
    plan = post(browsers, "child", f"{URL}{ids['childs_repair']}/plan/", {"words": "Knock first."})
    assert plan.status_code == 200, plan.json()
    deliver_due(timezone.now())
    seen: dict[str, Any] = {}

    if unsafe:
        ids["probe"] = flag(browsers, "child", unsafe=True, note="I am scared of him.")
    else:
        ids["probe"] = unused_rupture_id()
    for who in PARENTS:
        seen[f"{who}: after the flag"] = read_everything(callers, who, ids)

    deliver_due(timezone.now() + dt.timedelta(minutes=1))
    for who in PARENTS:
        seen[f"{who}: after dispatch"] = read_everything(callers, who, ids)

    childs = f"{URL}{ids['childs']}/"
    writes = {
        "flag": lambda who: answer(
            post(
                callers,
                who,
                URL,
                {
                    "family": world.family.pk,
                    "child": world.child.pk,
                    "feelings": ["sad"],
                    "intensity": 1,
                },
            )
        ),
        "acknowledge": lambda who: answer(post(callers, who, f"{childs}acknowledge/")),
        "message": lambda who: answer(post(callers, who, f"{childs}messages/", {"body": "Sorry."})),
        "steps": lambda who: answer(
            callers(who).patch(
                f"{childs}repair-steps/",
                {"steps": [{"step": "calm", "done": True}]},
                format="json",
            )
        ),
        "plan": lambda who: answer(post(callers, who, f"{childs}plan/", {"words": "Breathe."})),
        "read all": lambda who: answer(post(callers, who, "/api/v1/notifications/read-all/")),
        "release": lambda who: answer(post(callers, who, f"{URL}{ids['probe']}/release/")),
        "keep held": lambda who: answer(post(callers, who, f"{URL}{ids['probe']}/keep-held/")),
        "close review": lambda who: answer(
            post(
                callers,
                who,
                f"/api/v1/care/safety-reviews/{ids['probe']}/close/",
                {"outcome": "no_safety_concern"},
            )
        ),
        "answer a check-in": lambda who: answer(
            post(
                callers,
                who,
                "/api/v1/check-ins/",
                {
                    "round": 1,
                    "parent": world.parent.pk,
                    "child": world.child.pk,
                    "question": "closeness",
                    "score": 3,
                },
            )
        ),
        "reflection on": lambda who: answer(
            callers(who).put(
                "/api/v1/me/reflection/", {"enabled": True, "time": "20:00"}, format="json"
            )
        ),
        "not today": lambda who: answer(post(callers, who, "/api/v1/me/reflection/dismiss/")),
        "flag from the reflection": lambda who: answer(
            post(
                callers,
                who,
                URL,
                {
                    "family": world.family.pk,
                    "child": world.child.pk,
                    "feelings": ["sad"],
                    "intensity": 1,
                    "started_from_nudge": True,
                },
            )
        ),
    }
    for who in PARENTS:
        for name, write in writes.items():
            seen[f"{who}: {name}"] = write(who)
    ids["later"] = flag(browsers, "child")  # the child's later, ordinary flag

    deliver_due(timezone.now() + dt.timedelta(hours=5))
    for who in PARENTS:
        seen[f"{who}: hours later"] = read_everything(callers, who, ids)

    # The review closes with no safety concern: the child is asked, the parent hears nothing.
    if unsafe:
        review = SafetyReview.objects.get(rupture_id=ids["probe"])
        response = post(
            callers,
            "therapist_details",
            f"/api/v1/care/safety-reviews/{ids['probe']}/close/",
            {"outcome": "no_safety_concern", "note": "Spoke with Maya."},
        )
        assert response.status_code == 200, response.json()
        assert Prompt.objects.filter(
            rupture_id=review.rupture_id, recipient=world.child, kind=PromptKind.RELEASE_QUESTION
        ).exists()
    deliver_due(timezone.now() + dt.timedelta(hours=6))
    for who in PARENTS:
        seen[f"{who}: after the review closed"] = read_everything(callers, who, ids)

    # The child answers "not now": it stays held, and still nothing reaches the parent.
    if unsafe:
        response = post(callers, "child", f"{URL}{ids['probe']}/keep-held/")
        assert response.status_code == 200, response.json()
        assert response.json()["release_question"] is None
    deliver_due(timezone.now() + dt.timedelta(hours=7))
    for who in PARENTS:
        seen[f"{who}: after the child kept it held"] = read_everything(callers, who, ids)
    return seen


@contextmanager
def undone() -> Iterator[None]:
    """Whatever happens inside is rolled back (a savepoint in the test's transaction)."""
    savepoint = transaction.savepoint_create()
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)
        cache.clear()


def test_a_parent_cannot_tell_that_an_unsafe_flag_exists(
    world: World, client_kind: ClientKind
) -> None:
    with undone():
        without = the_day(world, unsafe=False, kind=client_kind)
    with undone():
        with_flag = the_day(world, unsafe=True, kind=client_kind)

    assert Rupture.objects.count() == 0  # both days were undone: the second started as the first
    assert without.keys() == with_flag.keys()
    for key, expected in without.items():
        assert with_flag[key] == expected, key


def test_the_property_can_see_a_difference(world: World) -> None:
    """The comparison is not blind: a rupture the parent can see changes what they read."""
    User.objects.update(quiet_hours_start=None, quiet_hours_end=None)
    callers = Callers(world)
    probe = unused_rupture_id()
    before = read_everything(callers, "parent", {"probe": probe})

    flag(callers, "child")
    after = read_everything(callers, "parent", {"probe": probe})

    changed = {key for key in before if before[key] != after[key]}
    assert {f"{URL}", f"{URL}?status=flagged", f"{URL}?family"} <= changed


@pytest.mark.parametrize("who", PARENTS)
def test_every_get_operation_in_the_schema_is_read(world: World, who: str) -> None:
    seen = read_everything(Callers(world), who, {"probe": 1})

    assert {key.split(" ")[0] for key in seen} >= set(get_operations())
    assert all(status != 500 for status, _ in seen.values())
