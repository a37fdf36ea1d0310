"""The family dashboard, its export and the family's preview, computed exactly against a family
with a known fortnight: London time across the spring DST change, a withdrawn and a follow-up
rupture, reminders, repair steps, a member who left, and a held unsafe flag that counts nowhere.

The period is Monday 23 March to Sunday 5 April 2026 (London); clocks went forward at 01:00 UTC
on Sunday 29 March.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Membership
from checkins.models import CheckInAnswer, CheckInRound
from ruptures import services
from ruptures.models import Prompt, PromptKind, PromptStatus, Rupture
from tests.world import World, client_for

PERIOD = {"from": "2026-03-23", "to": "2026-04-05"}
STEPS = ("calm", "acknowledge", "responsibility", "validate", "reconnect", "change")


def utc(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=dt.UTC)


def later(at: dt.datetime, seconds: int) -> dt.datetime:
    return at + dt.timedelta(seconds=seconds)


def child_flag(
    world: World, at: dt.datetime, *, by: Any = None, parent: Any = None, **fields: Any
) -> Rupture:
    return services.rupture_flag(
        actor=by or world.child,
        flag=services.FlagInput(
            family_id=world.family.pk,
            parent_id=(parent or world.parent).pk,
            feelings=fields.pop("feelings", ["hurt"]),
            intensity=3,
            **fields,
        ),
        now=at,
    )


def reconnect(world: World, rupture: Rupture, at: dt.datetime, child: Any = None) -> None:
    services.rupture_confirm(actor=world.parent, rupture_id=rupture.pk, now=later(at, -60))
    services.rupture_confirm(actor=child or world.child, rupture_id=rupture.pk, now=at)


def steps(world: World, rupture: Rupture, codes: tuple[str, ...], at: dt.datetime) -> None:
    services.rupture_repair_steps_update(
        actor=world.parent,
        rupture_id=rupture.pk,
        changes=[services.StepChange(step=code, done=True) for code in codes],
        now=at,
    )


def reminder(world: World, rupture: Rupture, sent_at: dt.datetime) -> None:
    Prompt.objects.create(
        rupture=rupture,
        recipient=world.parent,
        kind=PromptKind.REMINDER,
        status=PromptStatus.SENT,
        due_at=sent_at,
        sent_at=sent_at,
    )


@pytest.fixture
def history(world: World) -> dict[str, Rupture]:
    world.family.time_zone = "Europe/London"  # the family's zone, whoever's device says what
    world.family.save(update_fields=["time_zone"])
    for member, name in ((world.other_parent, "Zed"), (world.sibling, "Zoe")):
        member.display_name = name  # the tables below are ordered by name
        member.save(update_fields=["display_name"])
    made: dict[str, Rupture] = {}

    # H: before the period, reconnected in it (8 days after the flag).
    h = made["h"] = child_flag(world, utc(3, 16, 10), feelings=["sad"])
    services.rupture_acknowledge(actor=world.parent, rupture_id=h.pk, now=utc(3, 16, 10, 1))
    reconnect(world, h, utc(3, 24, 10))

    # A: Tuesday 09:00 GMT; acknowledged after 10 minutes, every step done, reconnected in 2 h.
    a = made["a"] = child_flag(world, utc(3, 24, 9), size="small", need="comfort")
    services.rupture_acknowledge(actor=world.parent, rupture_id=a.pk, now=utc(3, 24, 9, 10))
    steps(world, a, STEPS, utc(3, 24, 9, 30))
    reconnect(world, a, utc(3, 24, 11))

    # E: the sibling's, Wednesday 08:00 GMT, acknowledged after an hour; the sibling then leaves.
    e = made["e"] = child_flag(world, utc(3, 25, 8), by=world.sibling, need="try_again")
    services.rupture_acknowledge(actor=world.parent, rupture_id=e.pk, now=utc(3, 25, 9))

    # G: an unsafe flag, held for safety review: in no figure.
    made["g"] = child_flag(world, utc(3, 26, 10), unsafe=True, feelings=["scared"])

    # B: 01:30 UTC on the DST day is 02:30 BST; two reminders, acknowledged after 30 minutes;
    # "not yet", then reconnected a day after the flag with two of the six steps done.
    b = made["b"] = child_flag(
        world, utc(3, 29, 1, 30), size="big", need="talk", feelings=["hurt", "angry"]
    )
    reminder(world, b, utc(3, 29, 1, 40))
    reminder(world, b, utc(3, 29, 1, 50))
    services.rupture_acknowledge(actor=world.parent, rupture_id=b.pk, now=utc(3, 29, 2))
    steps(world, b, STEPS[:2], utc(3, 29, 2, 30))
    services.rupture_not_yet(actor=world.child, rupture_id=b.pk, now=utc(3, 29, 3))
    reconnect(world, b, utc(3, 30, 1, 30))

    # C: the parent's own flag, Tuesday 19:00 BST, withdrawn an hour later.
    c = made["c"] = services.rupture_flag(
        actor=world.parent,
        flag=services.FlagInput(
            family_id=world.family.pk,
            child_id=world.child.pk,
            feelings=["sad"],
            intensity=2,
            size="medium",
        ),
        now=utc(3, 31, 18),
    )
    services.rupture_withdraw(actor=world.parent, rupture_id=c.pk, now=utc(3, 31, 19))

    # D: to the other parent, Wednesday 13:00 BST, never acknowledged.
    made["d"] = child_flag(world, utc(4, 1, 12), parent=world.other_parent)

    # F: "not really" to A's follow-up opens a new rupture; the parent answers "we're OK".
    made["f"] = services.rupture_follow_up_answer(
        actor=world.child, rupture_id=a.pk, answer="not_really", now=utc(4, 2, 10)
    )
    services.rupture_follow_up_answer(
        actor=world.parent, rupture_id=a.pk, answer="ok", now=utc(4, 2, 11)
    )

    Membership.objects.filter(family=world.family, user=world.sibling).delete()
    return made


def person(user: Any, *, is_member: bool = True) -> dict[str, Any]:
    return {"id": user.pk, "display_name": user.display_name, "is_member": is_member}


def duration(count: int, median: int | None, p90: int | None) -> dict[str, Any]:
    return {"count": count, "median_seconds": median, "p90_seconds": p90}


def zero_heat_map() -> list[list[int]]:
    return [[0] * 24 for _ in range(7)]


def common(**figures: Any) -> dict[str, Any]:
    """The figures a family and a pair share, zero unless given."""
    ruptures, parent = figures.get("ruptures", 0), figures.get("parent", 0)
    return {
        "ruptures": ruptures,
        "repairs": figures.get("repairs", 0),
        "closed": figures.get("closed", 0),
        "withdrawn": figures.get("withdrawn", 0),
        "repair_rate": figures.get("repair_rate"),
        "time_to_acknowledge": figures.get("ack", duration(0, None, None)),
        "time_to_reconnect": figures.get("reconnect", duration(0, None, None)),
        "not_yet_answers": figures.get("not_yet", 0),
        "follow_up_answers": {
            "ok": figures.get("ok", 0),
            "not_really": figures.get("not_really", 0),
        },
        "started_by": {
            "parent": parent,
            "child": ruptures - parent,
            "parent_share": round(parent / ruptures, 4) if ruptures else None,
        },
    }


def dashboard(world: World, who: str = "therapist_metrics", **params: Any) -> Any:
    response = client_for(getattr(world, who)).get(
        f"/api/v1/care/families/{world.family.pk}/dashboard/", PERIOD | params
    )
    assert response.status_code == 200, response.json()
    return response.json()


def test_the_figures_of_a_known_fortnight(world: World, history: dict[str, Rupture]) -> None:
    body = dashboard(world, compare="true")

    heat_map = zero_heat_map()
    heat_map[1][9] = 1  # A: Tuesday 09:00 GMT
    heat_map[6][2] = 1  # B: Sunday 02:30 BST, the DST day (01:30 UTC)
    heat_map[1][19] = 1  # C: Tuesday 19:00 BST
    heat_map[2][13] = 1  # D: Wednesday 13:00 BST
    heat_map[2][8] = 1  # E: Wednesday 08:00 GMT
    heat_map[3][11] = 1  # F: Thursday 11:00 BST
    reconnect_times = duration(3, 86400, 570240)  # A 2 h, B 1 day, H 8 days

    def by_pair(pair: dict[str, Any]) -> tuple[str, int, str, int]:
        parent, child = pair["parent"], pair["child"]
        return (parent["display_name"], parent["id"], child["display_name"], child["id"])

    pairs = body.pop("pairs")
    assert {k: v for k, v in body.items() if k not in ("previous", "check_ins")} == {
        **common(
            ruptures=6,
            parent=1,
            repairs=3,
            closed=4,
            withdrawn=1,
            repair_rate=0.75,
            ack=duration(3, 1800, 3240),  # A 10 min, B 30 min, E 1 h
            reconnect=reconnect_times,
            not_yet=1,
            ok=1,
            not_really=1,
        ),
        "follow_up_ruptures": 1,
        "by_parent": [
            {
                "parent": person(world.parent),
                "parent_started": 1,
                "child_flagged": 4,
                "parent_share": 0.2,
            },
            {
                "parent": person(world.other_parent),
                "parent_started": 0,
                "child_flagged": 1,
                "parent_share": 0.0,
            },
        ],
        "weeks": [
            {"week_start": "2026-03-23", "ruptures": 3, "repairs": 2},
            {"week_start": "2026-03-30", "ruptures": 3, "repairs": 1},
        ],
        "heat_map": heat_map,
        "feelings": [
            {"code": "hurt", "label": "Hurt", "emoji": "🤕", "count": 5},
            {"code": "angry", "label": "Angry", "emoji": "😠", "count": 1},
            {"code": "sad", "label": "Sad", "emoji": "😢", "count": 1},
        ],
        "needs": [
            {"code": "comfort", "label": "Be with me", "count": 1},
            {"code": "space", "label": "Give me time", "count": 0},
            {"code": "talk", "label": "Help me understand", "count": 1},
            {"code": "try_again", "label": "Help me have another go", "count": 1},
            {"code": "", "label": "Not said", "count": 3},
        ],
        "sizes": [
            {"code": "small", "label": "Small", "count": 1},
            {"code": "medium", "label": "Medium", "count": 1},
            {"code": "big", "label": "Big", "count": 1},
            {"code": "", "label": "Not said", "count": 3},
        ],
        "reminders_before_acknowledgement": {
            "acknowledged": 3,
            "none": 2,
            "one": 0,
            "two": 1,
            "three_or_more": 0,
        },
        "repair_steps": {"all_done": 1, "some_skipped": 1, "none_done": 1},
        "family": {"id": world.family.pk, "name": "Okafor"},
        "time_zone": "Europe/London",
        "self_reported": True,
        "label": body["label"],
        "scope": "metrics",
        "can_open_words": False,
        "viewer_limited": False,
        "period": {
            "preset": "custom",
            "from_date": "2026-03-23",
            "to_date": "2026-04-05",
            "days": 14,
        },
    }
    assert body["label"].startswith("Self-reported")
    assert body["check_ins"]["rounds"] == []
    expected_pairs = [
        {
            "parent": person(world.parent),
            "child": person(world.child),
            **common(
                ruptures=4,
                parent=1,
                repairs=3,
                closed=4,
                withdrawn=1,
                repair_rate=0.75,
                ack=duration(2, 1200, 1680),
                reconnect=reconnect_times,
                not_yet=1,
                ok=1,
                not_really=1,
            ),
        },
        {
            "parent": person(world.parent),
            "child": person(world.sibling, is_member=False),
            **common(ruptures=1, ack=duration(1, 3600, 3600)),
        },
        {"parent": person(world.other_parent), "child": person(world.child), **common(ruptures=1)},
    ]
    assert pairs == sorted(expected_pairs, key=by_pair)

    previous = body["previous"]
    assert previous["period"] == {
        "preset": "custom",
        "from_date": "2026-03-09",
        "to_date": "2026-03-22",
        "days": 14,
    }
    assert (previous["ruptures"], previous["repairs"], previous["closed"]) == (1, 0, 0)
    assert previous["time_to_acknowledge"] == duration(1, 60, 60)  # H, a minute
    assert previous["weeks"] == [
        {"week_start": "2026-03-09", "ruptures": 0, "repairs": 0},
        {"week_start": "2026-03-16", "ruptures": 1, "repairs": 0},
    ]


def test_the_feelings_are_most_named_first(world: World, history: dict[str, Rupture]) -> None:
    counts = [f["count"] for f in dashboard(world)["feelings"]]

    assert counts == sorted(counts, reverse=True)


def test_details_may_open_words_and_a_preset_period_ends_today(
    world: World, history: dict[str, Rupture]
) -> None:
    response = client_for(world.therapist_details).get(
        f"/api/v1/care/families/{world.family.pk}/dashboard/", {"period": "30"}
    )

    body = response.json()
    assert (body["scope"], body["can_open_words"]) == ("details", True)
    assert body["period"]["preset"] == "30"
    assert body["period"]["days"] == 30
    assert body["ruptures"] == 0  # March is long past
    assert body["previous"] is None


def test_all_starts_at_the_first_counted_rupture(world: World, history: dict[str, Rupture]) -> None:
    body = (
        client_for(world.therapist_metrics)
        .get(f"/api/v1/care/families/{world.family.pk}/dashboard/", {"period": "all"})
        .json()
    )

    assert body["period"]["from_date"] == "2026-03-16"
    assert body["ruptures"] == 7  # A, B, C, D, E, F, H: never the held flag


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"period": "7"}, "invalid_choice", "period"),
        ({"from": "2026-04-05", "to": "2026-03-23"}, "invalid_period", "from"),
        ({"from": "yesterday"}, "invalid", "from"),
        ({"compare": "perhaps"}, "invalid", "compare"),
    ],
)
def test_a_bad_period_is_a_400(world: World, params: dict[str, str], code: str, param: str) -> None:
    response = client_for(world.therapist_metrics).get(
        f"/api/v1/care/families/{world.family.pk}/dashboard/", params
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == code
    assert response.json()["errors"][0]["param"] == param


def test_every_read_and_export_leaves_an_access_log_row_the_parents_see(
    world: World, history: dict[str, Rupture]
) -> None:
    therapist = client_for(world.therapist_metrics)
    base = f"/api/v1/care/families/{world.family.pk}/"
    therapist.get(f"{base}dashboard/", PERIOD)
    therapist.get(f"{base}export/", PERIOD)
    therapist.get(f"{base}summary/", PERIOD)
    therapist.get("/api/v1/care/families/")

    rows = client_for(world.parent).get(f"/api/v1/families/{world.family.pk}/access-log/").json()

    assert [row["action"] for row in rows["results"]] == [
        "caseload.view",
        "export.summary",
        "export.csv",
        "dashboard.view",
    ]
    assert {row["therapist"]["id"] for row in rows["results"]} == {world.therapist_metrics.pk}


def test_the_export_is_one_row_per_pair_per_week(world: World, history: dict[str, Rupture]) -> None:
    response = client_for(world.therapist_metrics).get(
        f"/api/v1/care/families/{world.family.pk}/export/", PERIOD
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("# Self-reported")
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[1:]))))
    ada, maya = world.parent.display_name, world.child.display_name
    table = {(r["parent"], r["child"], r["week_start"]): r for r in rows}
    assert set(table) == {
        (ada, maya, "2026-03-23"),
        (ada, maya, "2026-03-30"),
        (ada, world.sibling.display_name, "2026-03-23"),
        (world.other_parent.display_name, maya, "2026-03-30"),
    }
    first = table[(ada, maya, "2026-03-23")]  # A and B flagged; A and H reconnected
    assert (first["ruptures"], first["repairs"], first["closed"], first["repair_rate"]) == (
        "2",
        "2",
        "2",
        "1.0",
    )
    assert (first["median_seconds_to_reconnect"], first["not_yet_answers"]) == ("349200", "1")
    second = table[(ada, maya, "2026-03-30")]  # C and F flagged; B reconnected, C withdrawn
    assert (second["ruptures"], second["parent_started"], second["withdrawn"]) == ("2", "1", "1")
    assert (second["follow_up_ok"], second["follow_up_not_really"]) == ("1", "1")


def test_a_name_is_never_a_spreadsheet_formula(world: World, history: dict[str, Rupture]) -> None:
    world.parent.display_name = "=HYPERLINK(1)"
    world.parent.save(update_fields=["display_name"])

    response = client_for(world.therapist_metrics).get(
        f"/api/v1/care/families/{world.family.pk}/export/", PERIOD
    )

    assert "'=HYPERLINK(1)" in response.content.decode()


def test_the_preview_shows_a_parent_only_their_own_pairs(
    world: World, history: dict[str, Rupture]
) -> None:
    grant = world.family.care_team.get(therapist=world.therapist_details)

    body = (
        client_for(world.other_parent)
        .get(f"/api/v1/families/{world.family.pk}/care-team/{grant.pk}/preview/", PERIOD)
        .json()
    )

    assert body["viewer_limited"] is True
    assert body["can_open_words"] is False
    assert body["scope"] == "details"
    assert body["therapist_name"] == grant.therapist_name
    assert body["ruptures"] == 1  # D only
    assert [(p["parent"]["id"], p["child"]["id"]) for p in body["pairs"]] == [
        (world.other_parent.pk, world.child.pk)
    ]


def test_a_teen_previews_their_own_pair_and_a_young_child_may_not(
    world: World, history: dict[str, Rupture]
) -> None:
    grant = world.family.care_team.get(therapist=world.therapist_metrics)
    url = f"/api/v1/families/{world.family.pk}/care-team/{grant.pk}/preview/"
    world.child.birth_year = timezone.localdate().year - 14
    world.child.save(update_fields=["birth_year"])

    teen = client_for(world.child).get(url, PERIOD).json()
    world.child.birth_year = timezone.localdate().year - 10
    world.child.save(update_fields=["birth_year"])
    young = client_for(world.child).get(url, PERIOD)

    assert teen["ruptures"] == 5  # A, B, C, D, F: their own, never the held flag
    assert {p["child"]["id"] for p in teen["pairs"]} == {world.child.pk}
    assert young.status_code == 403
    assert young.json()["errors"][0]["code"] == "age_restricted"


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("other_family_parent", 404, "family_not_found"),
        ("therapist_details", 404, "family_not_found"),  # a therapist is not a member
        ("anonymous", 401, "not_authenticated"),
    ],
)
def test_the_preview_outside_the_family(world: World, who: str, status: int, code: str) -> None:
    grant = world.family.care_team.get(therapist=world.therapist_metrics)

    response = client_for(world.actor(who)).get(
        f"/api/v1/families/{world.family.pk}/care-team/{grant.pk}/preview/"
    )

    assert response.status_code == status
    assert response.json()["errors"][0]["code"] == code


def test_the_preview_of_a_revoked_grant_is_not_found(world: World) -> None:
    grant = world.family.care_team.get(therapist=world.therapist_metrics)
    client_for(world.parent).delete(f"/api/v1/families/{world.family.pk}/care-team/{grant.pk}/")

    response = client_for(world.parent).get(
        f"/api/v1/families/{world.family.pk}/care-team/{grant.pk}/preview/"
    )

    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "care_grant_not_found"


def test_the_dashboard_query_count_does_not_grow_with_ruptures(
    world: World, django_assert_num_queries: Any
) -> None:
    url = f"/api/v1/care/families/{world.family.pk}/dashboard/"
    client = client_for(world.therapist_metrics)
    client.get(url)  # the session is loaded once
    start = utc(10, 1, 9)
    counts = []
    for n in (1, 20):
        for i in range(n):
            rupture = child_flag(world, later(start, 3600 * i))
            services.rupture_acknowledge(
                actor=world.parent, rupture_id=rupture.pk, now=later(start, 3600 * i + 60)
            )
        with django_assert_num_queries(DASHBOARD_QUERIES) as captured:
            assert client.get(url, {"compare": "true"}).status_code == 200
        counts.append(len(captured.captured_queries))

    assert counts[0] == counts[1]


# user, MFA check, grant; per period (this one and the one compared) the pairs, their events, the
# family's own figures, weeks flagged, weeks repaired, heat map, feelings; check-ins; access log
DASHBOARD_QUERIES = 3 + 2 * 7 + 1 + 1


@pytest.fixture
def check_ins(world: World) -> None:
    """One round in the period: the child (shared with parents) and the parent answer closeness
    about their pair; a round before the period that must not show."""
    for start, scores in ((dt.date(2026, 3, 23), (4, 2)), (dt.date(2026, 2, 2), (1, 1))):
        round_ = CheckInRound.objects.create(
            family=world.family,
            period_start=start,
            opens_at=dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC),
            closes_at=dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC) + dt.timedelta(14),
        )
        for respondent, score, shared in (
            (world.child, scores[0], True),
            (world.parent, scores[1], False),
        ):
            CheckInAnswer.objects.create(
                round=round_,
                respondent=respondent,
                parent=world.parent,
                child=world.child,
                question="closeness",
                score=score,
                shared_with_parents=shared,
            )


def test_the_check_in_trend_of_the_period(world: World, check_ins: None) -> None:
    body = dashboard(world)

    assert body["check_ins"]["label"].startswith("Our own two questions")
    assert body["check_ins"]["rounds"] == [
        {
            "period_start": "2026-03-23",
            "parent": person(world.parent),
            "child": person(world.child),
            "question": "closeness",
            "average": 3.0,
            "answers": 2,
        }
    ]


def test_a_parent_previews_only_the_shared_check_ins_and_a_teen_none(
    world: World, check_ins: None
) -> None:
    grant = world.family.care_team.get(therapist=world.therapist_metrics)
    url = f"/api/v1/families/{world.family.pk}/care-team/{grant.pk}/preview/"
    world.child.birth_year = timezone.localdate().year - 14
    world.child.save(update_fields=["birth_year"])

    parent = client_for(world.parent).get(url, PERIOD).json()["check_ins"]["rounds"]
    teen = client_for(world.child).get(url, PERIOD).json()["check_ins"]["rounds"]

    assert [(row["average"], row["answers"]) for row in parent] == [(4.0, 1)]
    assert teen == []
