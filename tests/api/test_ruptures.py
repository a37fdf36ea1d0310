"""The rupture API: who sees what, bad input, safety, idempotency, and query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.http import QueryDict
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from accounts.models import Membership, TherapistAccessLog, User
from api.ruptures import serializers as s
from api.ruptures.serializers import MessageOut, RuptureRowOut, message_rows, rupture_rows
from api.ruptures.views import list_filter
from api.views import validated
from ruptures import selectors, services
from ruptures.models import Message, Rupture, RuptureEvent, Status
from tests.world import ClientKind, World, client_for, flag

URL = "/api/v1/ruptures/"

# --- visibility ---------------------------------------------------------------------------------
OUTSIDERS = [
    "other_parent",
    "sibling",
    "other_family_parent",
    "other_family_child",
    "therapist_metrics",
    "therapist_ungranted",
    "therapist_unverified",
]
READS = ["detail", "messages"]
WRITES = ["acknowledge", "repair_steps", "message", "confirm", "not_yet", "withdraw"]


def call(world: World, who: str, what: str, rupture: Rupture, kind: ClientKind = "browser") -> Any:
    client = client_for(world.actor(who), kind)
    base = f"{URL}{rupture.pk}"
    return {
        "detail": lambda: client.get(f"{base}/"),
        "messages": lambda: client.get(f"{base}/messages/"),
        "acknowledge": lambda: client.post(f"{base}/acknowledge/"),
        "repair_steps": lambda: client.patch(
            f"{base}/repair-steps/", {"steps": [{"step": "calm", "done": True}]}, format="json"
        ),
        "message": lambda: client.post(f"{base}/messages/", {"body": "hi"}, format="json"),
        "confirm": lambda: client.post(f"{base}/confirm/"),
        "not_yet": lambda: client.post(f"{base}/not-yet/", {}, format="json"),
        "withdraw": lambda: client.post(f"{base}/withdraw/"),
    }[what]()


@pytest.mark.parametrize("what", READS + WRITES)
@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404_everywhere(
    world: World, who: str, what: str, client_kind: ClientKind
) -> None:
    rupture = flag(world)
    before = RuptureEvent.objects.count()

    response = call(world, who, what, rupture, client_kind)

    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "rupture_not_found"
    assert RuptureEvent.objects.count() == before


@pytest.mark.parametrize("what", READS + WRITES)
def test_anonymous_gets_401(world: World, what: str, client_kind: ClientKind) -> None:
    response = call(world, "anonymous", what, flag(world), client_kind)

    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "not_authenticated"


@pytest.mark.parametrize("what", WRITES)
def test_a_details_therapist_reads_but_never_acts(
    world: World, what: str, client_kind: ClientKind
) -> None:
    rupture = flag(world)

    response = call(world, "therapist_details", what, rupture, client_kind)

    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "not_a_party"


def test_a_details_therapist_read_is_logged_and_private_reflections_hidden(world: World) -> None:
    rupture = flag(world)
    services.rupture_acknowledge(actor=world.parent, rupture_id=rupture.pk)
    services.rupture_repair_steps_update(
        actor=world.parent,
        rupture_id=rupture.pk,
        changes=[services.StepChange(step="calm", done=True, reflection="I was exhausted")],
    )

    body = call(world, "therapist_details", "detail", rupture).json()
    listed = client_for(world.therapist_details).get(URL).json()

    assert body["note"] == "You shouted at me in front of my friends."
    assert body["my_side"] is None
    assert body["allowed_actions"] == []
    assert {s["reflection"] for s in body["repair_steps"]} == {None}
    assert [r["id"] for r in listed["results"]] == [rupture.pk]
    log = TherapistAccessLog.objects.filter(therapist=world.therapist_details)
    assert sorted(log.values_list("action", flat=True)) == ["rupture.list", "rupture.view"]
    assert log.get(action="rupture.view").object_id == str(rupture.pk)


def test_the_child_never_sees_the_parents_private_reflection(world: World) -> None:
    rupture = flag(world)
    services.rupture_acknowledge(actor=world.parent, rupture_id=rupture.pk)
    patch = client_for(world.parent).patch(
        f"{URL}{rupture.pk}/repair-steps/",
        {"steps": [{"step": "calm", "done": True, "reflection": "I was exhausted"}]},
        format="json",
    )

    child_view = call(world, "child", "detail", rupture).json()

    assert patch.json()["repair_steps"][0]["reflection"] == "I was exhausted"
    assert child_view["repair_steps"][0] == {
        "step": "calm",
        "title": "Calm yourself first",
        "guidance": child_view["repair_steps"][0]["guidance"],
        "done": True,
        "done_at": child_view["repair_steps"][0]["done_at"],
        "reflection": None,
    }


def test_a_child_who_opted_out_of_details_is_hidden_from_therapists(world: World) -> None:
    rupture = flag(world)
    opted = client_for(world.child).patch(
        f"/api/v1/families/{world.family.pk}/members/{world.child.pk}/",
        {"details_opt_out": True},
        format="json",
    )

    response = call(world, "therapist_details", "detail", rupture)

    assert opted.status_code == 200

    assert response.status_code == 404


def test_a_therapist_without_mfa_sees_nothing(world: World) -> None:
    rupture = flag(world)
    Authenticator.objects.filter(user=world.therapist_details).delete()

    assert call(world, "therapist_details", "detail", rupture).status_code == 404


def test_a_parent_removed_from_the_family_no_longer_sees_it(world: World) -> None:
    rupture = flag(world)
    Membership.objects.filter(user=world.parent, family=world.family).delete()

    assert call(world, "parent", "detail", rupture).status_code == 404


def test_list_shows_each_person_only_their_own(world: World, client_kind: ClientKind) -> None:
    mine = flag(world)
    services.rupture_flag(
        actor=world.sibling,
        flag=services.FlagInput(
            family_id=world.family.pk,
            parent_id=world.other_parent.pk,
            feelings=["sad"],
            intensity=2,
        ),
    )

    def ids(who: str) -> list[int]:
        client = client_for(world.actor(who), client_kind)
        return [r["id"] for r in client.get(URL).json()["results"]]

    assert ids("child") == [mine.pk]
    assert ids("parent") == [mine.pk]
    assert mine.pk not in ids("other_parent")
    assert ids("other_family_parent") == []
    assert ids("therapist_metrics") == []


def test_list_filters_and_is_newest_first(world: World) -> None:
    old = flag(world)
    new = flag(world)
    services.rupture_acknowledge(actor=world.parent, rupture_id=new.pk)
    client = client_for(world.child)

    all_rows = client.get(URL).json()
    acknowledged = client.get(URL, {"status": "acknowledged"}).json()
    other_family = client.get(URL, {"family": world.other_family.pk}).json()
    bad_status = client.get(URL, {"status": "sideways"})

    assert [r["id"] for r in all_rows["results"]] == [new.pk, old.pk]
    assert set(all_rows) == {"count", "next", "previous", "results"}
    assert [r["id"] for r in acknowledged["results"]] == [new.pk]
    assert other_family["count"] == 0
    assert bad_status.status_code == 400
    assert bad_status.json()["errors"][0]["param"] == "status"


@pytest.mark.parametrize(
    ("query", "code", "param"),
    [
        pytest.param({"status": "sideways"}, "invalid_choice", "status", id="status"),
        pytest.param({"family": "abc"}, "invalid", "family", id="family-not-a-number"),
        pytest.param({"family": "0"}, "min_value", "family", id="family-zero"),
        pytest.param({"family": "9" * 30}, "max_value", "family", id="family-too-big"),
    ],
)
def test_a_bad_list_filter_is_a_400_naming_it(
    world: World, query: dict[str, str], code: str, param: str
) -> None:
    flag(world)

    response = client_for(world.child).get(URL, query)

    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400
    assert [(e["code"], e["param"]) for e in body["errors"]] == [(code, param)]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "status=flagged",
        "status=safety_review&family=12",
        "status=&family=",
        "family=012",
        "family=+12",
        "family=%2012",
        "family=12.0",
        "family=\u0661\u0662",  # Arabic-Indic digits: int() reads them
        "family=9223372036854775807",
        "family=9223372036854775808",
        "family=" + "9" * 30,
        "family=" + "9" * 5000,  # past Python's int() limit for digits in a string
        "family=0",
        "family=-1",
        "family=abc",
        "status=Flagged",
        "status=flagged&status=sideways",
        "status=sideways&status=flagged",
        "family=3&family=",
        "page=2&page_size=5&other=1",
    ],
)
def test_the_list_filter_reads_as_its_serializer_does(query: str) -> None:
    """The list reads plainly valid filters itself, for speed: for any query it answers what
    RuptureListFilter validates, or raises the same errors (the 400's codes and words)."""
    params = QueryDict(query)

    assert answer(list_filter, params) == answer(serializer_reads, params)


def serializer_reads(params: QueryDict) -> tuple[str | None, int | None]:
    data = validated(s.RuptureListFilter, params)
    return data.get("status"), data.get("family")


def answer(read: Any, params: QueryDict) -> tuple[str, Any]:
    try:
        return "read", read(params)
    except ValidationError as error:
        return "400", error.detail


def test_an_empty_list_filter_is_as_if_absent(world: World) -> None:
    rupture = flag(world)

    response = client_for(world.child).get(URL, {"status": "", "family": ""})

    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [rupture.pk]


def test_the_schema_documents_the_list_filters(db: None) -> None:
    response = client_for(None).get("/api/v1/schema/", {"format": "json"})

    parameters = {
        p["name"]: p["schema"] for p in response.json()["paths"][URL]["get"]["parameters"]
    }
    assert set(parameters["status"]["enum"]) == set(Status.values)
    assert parameters["family"]["type"] == "integer"
    assert parameters["family"]["minimum"] == 1


# --- flagging: the whole body, bad input --------------------------------------------------------
def test_a_child_flags_and_sees_it_was_sent(world: World) -> None:
    space_until = (timezone.now() + dt.timedelta(hours=2)).replace(microsecond=0)

    response = client_for(world.child).post(
        URL,
        {
            "family": world.family.pk,
            "parent": world.parent.pk,
            "feelings": ["hurt", "embarrassed"],
            "intensity": 4,
            "size": "big",
            "note": "You shouted at me in front of my friends.",
            "needs_space_until": space_until.isoformat(),
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "flagged"
    assert body["started_by"] == "child"
    assert body["child"] == {"id": world.child.pk, "display_name": "Maya"}
    assert body["parent"] == {"id": world.parent.pk, "display_name": "Ada"}
    assert body["feelings"] == [
        {"code": "hurt", "label": "Hurt", "emoji": "🤕"},
        {"code": "embarrassed", "label": "Embarrassed", "emoji": "😳"},
    ]
    assert body["need"] == "space"
    assert body["size"] == "big"
    assert body["help_resources"] is None
    assert body["my_side"] == "child"
    assert [e["kind"] for e in body["timeline"]] == ["flagged"]
    assert "Maya" in body["repair_steps"][1]["guidance"]
    assert "(hurt, embarrassed)" in body["repair_steps"][3]["guidance"]


def valid_flag(world: World) -> dict[str, Any]:
    return {
        "family": world.family.pk,
        "parent": world.parent.pk,
        "feelings": ["hurt"],
        "intensity": 3,
    }


BAD_FLAGS: list[tuple[str, dict[str, Any], int, str, str | None]] = [
    ("family missing", {"family": None}, 400, "null", "family"),
    ("family wrong type", {"family": "abc"}, 400, "invalid", "family"),
    ("feelings not a list", {"feelings": "hurt"}, 400, "not_a_list", "feelings"),
    ("feelings empty", {"feelings": []}, 400, "required", "feelings"),
    ("family id absurd", {"family": 10**30}, 400, "max_value", "family"),
    ("unknown feeling", {"feelings": ["hurt", "bored"]}, 400, "unknown_feeling", "feelings.1"),
    ("too many feelings", {"feelings": ["hurt"] * 7}, 400, "max_length", "feelings"),
    ("intensity too high", {"intensity": 6}, 400, "max_value", "intensity"),
    ("intensity wrong type", {"intensity": "loud"}, 400, "invalid", "intensity"),
    ("unknown size", {"size": "huge"}, 400, "invalid_choice", "size"),
    ("unknown need", {"need": "pizza"}, 400, "invalid_choice", "need"),
    ("note too long", {"note": "x" * 2001}, 400, "max_length", "note"),
    ("unsafe wrong type", {"unsafe": "maybe"}, 400, "invalid", "unsafe"),
    ("space in the past", {"needs_space_until": "2020-01-01T00:00:00Z"}, 400, "out_of_range",
     "needs_space_until"),
    ("happened in the future", {"occurred_at": "2999-01-01T00:00:00Z"}, 400, "out_of_range",
     "occurred_at"),
    ("space with another need", {"need": "talk", "needs_space_until": "+1h"}, 400, "inconsistent",
     "needs_space_until"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "status", "code", "param"),
    [pytest.param(c, s, code, p, id=name) for name, c, s, code, p in BAD_FLAGS],
)
def test_bad_flags_are_refused_and_write_nothing(
    world: World, change: dict[str, Any], status: int, code: str, param: str | None
) -> None:
    body = valid_flag(world) | change
    if body.get("needs_space_until") == "+1h":
        body["needs_space_until"] = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    body = {k: v for k, v in body.items() if not (k == "family" and v is None)}

    response = client_for(world.child).post(URL, body, format="json")

    assert response.status_code == status, response.json()
    assert response.json()["status"] == status
    assert (response.json()["errors"][0]["code"], response.json()["errors"][0]["param"]) == (
        "required" if "family" not in body else code,
        param,
    )
    assert Rupture.objects.count() == 0
    assert RuptureEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "change", "status", "code"),
    [
        pytest.param("child", {"family": "other"}, 404, "family_not_found", id="other-family"),
        pytest.param("child", {"family": 999_999}, 404, "family_not_found", id="unknown-family"),
        pytest.param("child", {"parent": "other_family_parent"}, 404, "parent_not_found",
                     id="parent-of-another-family"),
        pytest.param("child", {"parent": "sibling"}, 404, "parent_not_found",
                     id="sibling-named-as-parent"),
        pytest.param("child", {"parent": None}, 400, "required", id="child-names-no-parent"),
        pytest.param("child", {"child": "sibling"}, 400, "invalid", id="child-flags-for-sibling"),
        pytest.param("parent", {"parent": None, "child": "other_parent"}, 404,
                     "child_not_found", id="parent-names-a-parent"),
        pytest.param("parent", {"parent": None, "child": "child", "unsafe": True}, 400,
                     "invalid", id="parent-marks-unsafe"),
        pytest.param("other_family_parent", {}, 404, "family_not_found", id="outsider"),
        pytest.param("therapist_details", {}, 404, "family_not_found", id="therapist"),
    ],
)  # fmt: skip
def test_wrong_people_and_other_families(
    world: World, who: str, change: dict[str, Any], status: int, code: str
) -> None:
    body = valid_flag(world)
    for key, value in change.items():
        if value is None:
            body.pop(key, None)
        elif key == "family" and value == "other":
            body["family"] = world.other_family.pk
        elif isinstance(value, str) and key in {"parent", "child"}:
            body[key] = world.actor(value).pk  # type: ignore[union-attr]  # named actors exist
        else:
            body[key] = value

    response = client_for(world.actor(who)).post(URL, body, format="json")

    assert response.status_code == status, response.json()
    assert response.json()["errors"][0]["code"] == code
    assert Rupture.objects.count() == 0


def test_non_json_body_is_415(world: World) -> None:
    response = client_for(world.child).post(URL, "family=1", content_type="text/plain")

    assert response.status_code == 415
    assert Rupture.objects.count() == 0


# --- safety ---------------------------------------------------------------------------------------
def test_an_unsafe_flag_never_reaches_the_named_parent(world: World) -> None:
    response = client_for(world.child).post(
        URL, valid_flag(world) | {"unsafe": True, "note": "I'm scared at home"}, format="json"
    )
    rupture_id = response.json()["id"]
    parent = client_for(world.parent)

    assert response.status_code == 201
    assert response.json()["status"] == "safety_review"
    help_lines = response.json()["help_resources"]["lines"]
    assert [line["kind"] for line in help_lines][:2] == ["text", "text"]
    assert parent.get(URL).json()["count"] == 0
    assert parent.get(URL, {"status": "safety_review"}).json()["count"] == 0
    for path in (f"{URL}{rupture_id}/", f"{URL}{rupture_id}/messages/"):
        assert parent.get(path).status_code == 404
    assert parent.post(f"{URL}{rupture_id}/acknowledge/").status_code == 404


def test_an_unsafe_flag_needs_no_feelings(world: World) -> None:
    response = client_for(world.child).post(
        URL, valid_flag(world) | {"unsafe": True, "feelings": []}, format="json"
    )

    assert response.status_code == 201
    assert [f["code"] for f in response.json()["feelings"]] == ["scared"]


@pytest.mark.parametrize("path", ["1" * 25 + "/", "1" * 25 + "/messages/", "abc/confirm/"])
def test_absurd_rupture_ids_are_404(world: World, path: str) -> None:
    response = client_for(world.child).get(f"{URL}{path}")

    assert response.status_code in (404, 405)
    assert response.json()["status"] == response.status_code


def test_an_account_export_holds_my_ruptures_as_i_see_them(world: World) -> None:
    rupture = flag(world)
    services.rupture_acknowledge(actor=world.parent, rupture_id=rupture.pk)
    services.rupture_repair_steps_update(
        actor=world.parent,
        rupture_id=rupture.pk,
        changes=[services.StepChange(step="calm", done=True, reflection="tired")],
    )
    services.rupture_message_post(actor=world.child, rupture_id=rupture.pk, body="ok")
    flag(world, unsafe=True)

    parent = client_for(world.parent).get("/api/v1/me/export/").json()
    child = client_for(world.child).get("/api/v1/me/export/").json()

    assert [r["id"] for r in parent["ruptures"]] == [rupture.pk]
    assert parent["ruptures"][0]["repair_steps"][0]["reflection"] == "tired"
    assert len(child["ruptures"]) == 2
    assert child["ruptures"][0]["repair_steps"] == []
    assert child["messages_written"][0]["body"] == "ok"


def test_an_account_export_holds_no_rupture_of_a_family_i_left(world: World) -> None:
    """The export follows the one visibility rule: a parent removed from the family no longer
    reads the child's ruptures there, in the API or in their export."""
    rupture = flag(world)
    services.rupture_message_post(actor=world.parent, rupture_id=rupture.pk, body="sorry")
    before = client_for(world.parent).get("/api/v1/me/export/").json()

    Membership.objects.filter(family=world.family, user=world.parent).delete()
    after = client_for(world.parent).get("/api/v1/me/export/").json()

    assert [r["id"] for r in before["ruptures"]] == [rupture.pk]
    assert after["ruptures"] == []
    assert [m["body"] for m in after["messages_written"]] == ["sorry"]


def test_a_deleted_account_leaves_the_rupture_to_the_other_as_former_member(world: World) -> None:
    rupture = flag(world)
    services.rupture_acknowledge(actor=world.parent, rupture_id=rupture.pk)
    services.rupture_repair_steps_update(
        actor=world.parent,
        rupture_id=rupture.pk,
        changes=[services.StepChange(step="calm", done=True, reflection="private")],
    )
    services.rupture_message_post(actor=world.parent, rupture_id=rupture.pk, body="sorry")

    deleted = client_for(world.parent).delete("/api/v1/me/")
    seen = client_for(world.child).get(f"{URL}{rupture.pk}/").json()
    messages = client_for(world.child).get(f"{URL}{rupture.pk}/messages/").json()

    assert deleted.status_code == 204
    assert seen["parent"] == {"id": None, "display_name": "Former member"}
    assert messages[0]["author"] == {"id": None, "display_name": "Former member"}
    assert rupture.repair_steps.get().reflection == ""


def test_help_resources_follow_the_childs_locale(world: World) -> None:
    world.child.locale = "en-GB"
    world.child.save(update_fields=["locale"])

    body = (
        client_for(world.child)
        .post(URL, valid_flag(world) | {"unsafe": True}, format="json")
        .json()
    )

    assert body["help_resources"]["region"] == "United Kingdom"
    assert body["help_resources"]["lines"][0]["name"] == "Childline"


# --- messages -----------------------------------------------------------------------------------
def test_messages_between_the_two(world: World) -> None:
    rupture = flag(world)
    parent, child = client_for(world.parent), client_for(world.child)

    sorry = parent.post(f"{URL}{rupture.pk}/messages/", {"body": " I'm sorry. "}, format="json")
    reply = child.post(f"{URL}{rupture.pk}/messages/", {"body": "OK"}, format="json")
    listed = child.get(f"{URL}{rupture.pk}/messages/").json()

    assert sorry.status_code == 201
    assert sorry.json()["body"] == "I'm sorry."
    assert reply.json()["mine"] is True
    assert [(m["body"], m["mine"]) for m in listed] == [("I'm sorry.", False), ("OK", True)]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "required"),
        ({"body": ""}, "blank"),
        ({"body": "   "}, "blank"),
        ({"body": "x" * 2001}, "max_length"),
        ({"body": ["a"]}, "invalid"),
    ],
)
def test_bad_messages_write_nothing(world: World, body: dict[str, Any], code: str) -> None:
    rupture = flag(world)

    response = client_for(world.child).post(f"{URL}{rupture.pk}/messages/", body, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == code
    assert Message.objects.count() == 0


@pytest.mark.parametrize(
    ("steps", "code", "param"),
    [
        ([], "min_length", "steps"),
        ([{"step": "dance"}], "invalid_choice", "steps.0.step"),
        ([{"step": "calm"}, {"step": "calm"}], "duplicate", "steps.1.step"),
        ([{"step": "calm", "done": "yes please"}], "invalid", "steps.0.done"),
        ([{"step": "calm", "reflection": "x" * 2001}], "max_length", "steps.0.reflection"),
    ],
)
def test_bad_repair_steps_write_nothing(
    world: World, steps: list[dict[str, Any]], code: str, param: str
) -> None:
    rupture = flag(world)
    services.rupture_acknowledge(actor=world.parent, rupture_id=rupture.pk)

    response = client_for(world.parent).patch(
        f"{URL}{rupture.pk}/repair-steps/", {"steps": steps}, format="json"
    )

    assert response.status_code == 400
    assert (response.json()["errors"][0]["code"], response.json()["errors"][0]["param"]) == (
        code,
        param,
    )
    assert rupture.repair_steps.count() == 0


# --- query counts -------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["child", "parent", "therapist_details"])
def test_list_runs_the_same_queries_for_1_or_50(
    world: World, who: str, django_assert_max_num_queries: Any
) -> None:
    client = client_for(world.actor(who))
    flag(world)
    client.get(URL)  # warm the session
    with django_assert_max_num_queries(50) as one:
        client.get(URL)
    for _ in range(49):
        flag(world)
    with django_assert_max_num_queries(50) as fifty:
        response = client.get(URL, {"page_size": 50})

    assert response.json()["count"] == 50
    assert len(fifty.captured_queries) == len(one.captured_queries)


# The user, the page with its count (the session comes from the cache; a read opens no
# transaction); a therapist adds the MFA check and the access-log writes.
LIST_QUERIES = {"child": 2, "parent": 2, "therapist_details": 5}


@pytest.mark.parametrize("who", ["child", "parent", "therapist_details"])
def test_list_query_count_is_fixed(world: World, who: str, django_assert_num_queries: Any) -> None:
    client = client_for(world.actor(who))
    for _ in range(3):
        flag(world)
    client.get(URL)  # warm the session

    with django_assert_num_queries(LIST_QUERIES[who]):
        client.get(URL)


def documented_rows(rows: list[selectors.RuptureRow]) -> Any:
    """What RuptureRowOut renders for the listed ruptures, read through the ORM."""
    ruptures = {
        rupture.pk: rupture
        for rupture in Rupture.objects.filter(pk__in=[row.id for row in rows]).select_related(
            "child", "parent"
        )
    }
    return RuptureRowOut([ruptures[row.id] for row in rows], many=True).data  # type: ignore[arg-type]  # many=True: a list


LISTERS = ["parent", "child", "therapist_details"]  # a kept statement, and the ORM's


@pytest.mark.parametrize("who", LISTERS)
def test_list_rows_are_what_the_documented_serializer_renders(world: World, who: str) -> None:
    """The list renders plain dicts straight from its statement's rows, for speed;
    RuptureRowOut documents them: the two agree, for a former member and a nameless one too."""
    former, acknowledged, _ = flag(world), flag(world), flag(world, by="parent")
    services.rupture_acknowledge(actor=world.parent, rupture_id=acknowledged.pk)
    Rupture.objects.filter(pk=former.pk).update(child=None)  # the child deleted their account
    User.objects.filter(pk=world.parent.pk).update(display_name="")
    actor = world.actor(who)
    assert actor is not None

    rows, count = selectors.rupture_list(actor=actor).counted_page(0, 20)

    assert count == len(rows) == (2 if who == "child" else 3)
    assert rupture_rows(rows) == documented_rows(rows)


@pytest.mark.parametrize("status", [None, Status.ACKNOWLEDGED, Status.SAFETY_REVIEW])
@pytest.mark.parametrize("family", [None, "family", "other_family"])
@pytest.mark.parametrize("who", ["parent", "other_parent", "child", "therapist"])
def test_the_list_is_what_each_reader_sees_newest_first(
    world: World, who: str, status: Status | None, family: str | None
) -> None:
    """The child's and parent's list is a kept statement, not ``ruptures_visible_to``: the two
    read the same ruptures in the same order, a page and its count at a time, with each filter,
    held flags included (shown to the child, never to the named parent)."""
    flag(world)
    acknowledged = flag(world)
    services.rupture_acknowledge(actor=world.parent, rupture_id=acknowledged.pk)
    flag(world, by="parent")
    flag(world, parent_id=world.other_parent.pk)
    flag(world, unsafe=True, feelings=[])
    Membership.objects.filter(user=world.other_parent).delete()  # gone: their flag with them
    actor = world.therapist_details if who == "therapist" else world.actor(who)
    assert actor is not None
    family_id = getattr(world, family).pk if family else None
    visible = selectors.ruptures_visible_to(actor).order_by("-created_at", "-id")
    if status is not None:
        visible = visible.filter(status=status)
    if family_id is not None:
        visible = visible.filter(family_id=family_id)
    expected = list(visible.values_list("pk", flat=True))
    listed = selectors.rupture_list(actor=actor, status=status, family_id=family_id)

    pages = [listed.counted_page(offset, 2) for offset in range(0, 6, 2)]

    assert [row.id for rows, _count in pages for row in rows] == expected
    assert {count for rows, count in pages if rows} <= {len(expected)}
    assert listed.count() == len(expected)
    if status is None and family is None:
        assert len(expected) == {"parent": 3, "other_parent": 0, "child": 5, "therapist": 5}[who]


def test_message_rows_are_what_the_documented_serializer_renders(world: World) -> None:
    """The conversation renders plain dicts for speed; MessageOut documents them: the two agree,
    for the reader's own messages, the other's, and a former member's."""
    rupture = flag(world)
    services.rupture_acknowledge(actor=world.parent, rupture_id=rupture.pk)
    services.rupture_message_post(actor=world.child, rupture_id=rupture.pk, body="Ça m'a fait mal")
    services.rupture_message_post(actor=world.parent, rupture_id=rupture.pk, body="I hear you.")
    gone = services.rupture_message_post(actor=world.child, rupture_id=rupture.pk, body="ok")
    Message.objects.filter(pk=gone.pk).update(author=None)  # the child deleted their account
    request = type("Request", (), {"user": world.parent})()

    messages = list(selectors.message_list(rupture=rupture))

    assert len(messages) == 3
    assert [row["mine"] for row in message_rows(messages, reader=world.parent)] == [
        False,
        True,
        False,
    ]
    assert (
        message_rows(messages, reader=world.parent)
        == MessageOut(messages, many=True, context={"request": request}).data  # type: ignore[arg-type]  # many=True: a list
    )


def test_detail_runs_the_same_queries_whatever_its_history(
    world: World, django_assert_max_num_queries: Any
) -> None:
    small, big = flag(world), flag(world)
    services.rupture_acknowledge(actor=world.parent, rupture_id=big.pk)
    for i in range(20):
        services.rupture_message_post(actor=world.child, rupture_id=big.pk, body=f"m{i}")
    services.rupture_repair_steps_update(
        actor=world.parent,
        rupture_id=big.pk,
        changes=[
            services.StepChange(step=code, done=True)
            for code in ("calm", "acknowledge", "responsibility", "validate", "reconnect", "change")
        ],
    )
    client = client_for(world.parent)
    client.get(f"{URL}{small.pk}/")

    with django_assert_max_num_queries(50) as small_q:
        client.get(f"{URL}{small.pk}/")
    with django_assert_max_num_queries(50) as big_q:
        body = client.get(f"{URL}{big.pk}/").json()
    with django_assert_max_num_queries(50) as messages_small:
        client.get(f"{URL}{small.pk}/messages/")
    with django_assert_max_num_queries(50) as messages_big:
        messages = client.get(f"{URL}{big.pk}/messages/").json()

    assert len(body["timeline"]) == 28
    assert len(messages) == 20
    assert len(big_q.captured_queries) == len(small_q.captured_queries)
    assert len(messages_big.captured_queries) == len(messages_small.captured_queries)


def test_feelings_vocabulary_is_public_and_complete(world: World) -> None:
    response = client_for(None).get("/api/v1/feelings/")

    codes = [f["code"] for f in response.json()]
    assert response.status_code == 200
    assert {
        "hurt",
        "sad",
        "angry",
        "scared",
        "embarrassed",
        "ignored",
        "confused",
        "lonely",
        "frustrated",
    } <= set(codes)
    assert all(f["emoji"] and f["label_young"] for f in response.json())
