"""The inbox, push subscriptions and the follow-up answer, through the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import TestCase, override_settings

from accounts.models import User
from ruptures import delivery, services
from ruptures.models import Notification, PushSubscription, Rupture
from tests.world import World, client_for, flag


def deliver_now() -> None:
    claimed: list[tuple[int, str]] = []
    with TestCase.captureOnCommitCallbacks(execute=True):
        delivery.prompts_claim_due(enqueue=lambda pk, t: claimed.append((pk, t)))
    for pk, token in claimed:
        delivery.prompt_deliver(prompt_id=pk, claim_token=token)


@pytest.fixture(autouse=True)
def _daytime(world: World) -> None:
    User.objects.update(quiet_hours_start=None, quiet_hours_end=None)


def test_inbox_rows_are_what_the_documented_serializer_renders(world: World) -> None:
    """The inbox renders plain dicts for speed; NotificationOut documents them: the two agree,
    read and unread, with and without a rupture, in another time zone too."""
    from django.utils import timezone

    from api.notifications.views import NotificationOut, inbox_rows

    first = flag(world)
    deliver_now()
    second = flag(world)
    deliver_now()
    Notification.objects.filter(rupture=first).update(read_at=timezone.now())
    Notification.objects.filter(rupture=second).update(rupture=None)  # as a reflection's has none
    rows = list(Notification.objects.filter(recipient=world.parent).order_by("id"))

    assert len(rows) >= 2
    assert {row.rupture_id for row in rows} >= {first.pk, None}
    columns: list[dict[str, Any]] = [  # what the kept inbox reads (notifications.inbox_pages)
        dict(row)
        for row in Notification.objects.filter(pk__in=[row.pk for row in rows])
        .order_by("id")
        .values("id", "kind", "rupture_id", "title", "body", "url", "created_at", "read_at")
    ]
    documented: Any = NotificationOut(rows, many=True).data  # type: ignore[arg-type]  # many=True: a list
    assert inbox_rows(columns) == documented
    with timezone.override("America/Los_Angeles"):
        shown = inbox_rows(columns)
        documented = NotificationOut(rows, many=True).data  # type: ignore[arg-type]  # many=True: a list
    assert shown == documented
    assert not shown[0]["created_at"].endswith("Z")


def test_the_inbox_lists_unread_first_and_marks_read(world: World) -> None:
    first = flag(world)
    deliver_now()
    flag(world)
    deliver_now()
    client = client_for(world.parent)
    oldest = Notification.objects.get(rupture=first)

    read = client.post(f"/api/v1/notifications/{oldest.pk}/read/")
    inbox = client.get("/api/v1/notifications/").json()

    assert read.status_code == 200
    assert read.json()["read_at"] is not None
    assert [n["read_at"] is None for n in inbox["results"]] == [True, False]
    assert set(inbox["results"][0]) == {
        "id",
        "kind",
        "rupture",
        "title",
        "body",
        "url",
        "created_at",
        "read_at",
    }
    assert inbox["results"][1]["rupture"] == first.pk


def test_read_all_and_nobody_elses(world: World) -> None:
    flag(world)
    deliver_now()
    note = Notification.objects.get()

    stranger = client_for(world.other_parent).post(f"/api/v1/notifications/{note.pk}/read/")
    child = client_for(world.child).post(f"/api/v1/notifications/{note.pk}/read/")
    everything = client_for(world.parent).post("/api/v1/notifications/read-all/")

    assert stranger.status_code == child.status_code == 404
    assert stranger.json()["errors"][0]["code"] == "notification_not_found"
    assert everything.json() == {"marked_read": 1}
    assert client_for(world.other_parent).get("/api/v1/notifications/").json()["count"] == 0


def test_the_inbox_is_for_signed_in_people_only(world: World) -> None:
    assert client_for(None).get("/api/v1/notifications/").status_code == 401


def subscription(endpoint: str = "https://push.example.test/sub/1") -> dict[str, Any]:
    return {
        "endpoint": endpoint,
        "expirationTime": None,
        "keys": {
            "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1"
            "XbjhazAkj7I99e8QcYP7DkM",
            "auth": "tBHItJI5svbpez7KI4CCXg",
        },  # a browser's keys
    }


def test_a_browser_subscribes_once_and_can_unsubscribe(world: World) -> None:
    client = client_for(world.parent)

    first = client.post("/api/v1/push-subscriptions/", subscription(), format="json")
    again = client.post("/api/v1/push-subscriptions/", subscription(), format="json")
    gone = client.delete(
        "/api/v1/push-subscriptions/", {"endpoint": subscription()["endpoint"]}, format="json"
    )
    gone_again = client.delete(
        "/api/v1/push-subscriptions/", {"endpoint": subscription()["endpoint"]}, format="json"
    )

    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert gone.status_code == 204
    assert gone_again.status_code == 404
    assert PushSubscription.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"endpoint": "not a url"}, "endpoint"),
        ({"endpoint": "http://insecure.example/push"}, "endpoint"),
        ({"keys": {"auth": "x"}}, "keys.p256dh"),
        ({"keys": "p256dh"}, "keys.non_field_errors"),
    ],
)
def test_bad_subscriptions_are_refused(world: World, change: dict[str, Any], param: str) -> None:
    response = client_for(world.parent).post(
        "/api/v1/push-subscriptions/", subscription() | change, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["param"] in {param, param.rsplit(".", 1)[0]}
    assert PushSubscription.objects.count() == 0


def test_another_persons_subscription_cannot_be_deleted(world: World) -> None:
    client_for(world.parent).post("/api/v1/push-subscriptions/", subscription(), format="json")

    response = client_for(world.child).delete(
        "/api/v1/push-subscriptions/", {"endpoint": subscription()["endpoint"]}, format="json"
    )

    assert response.status_code == 404
    assert PushSubscription.objects.count() == 1


@override_settings(WEBPUSH_VAPID_PUBLIC_KEY="BPublicKeyForTests")
def test_the_public_key_is_served(world: World) -> None:
    response = client_for(None).get("/api/v1/push/public-key/")

    assert response.json() == {"public_key": "BPublicKeyForTests"}


def reconnected(world: World) -> Rupture:
    rupture = flag(world)
    services.rupture_acknowledge(actor=world.parent, rupture_id=rupture.pk)
    services.rupture_confirm(actor=world.parent, rupture_id=rupture.pk)
    return services.rupture_confirm(actor=world.child, rupture_id=rupture.pk)


def test_a_not_really_opens_a_new_linked_rupture(world: World) -> None:
    rupture = reconnected(world)

    response = client_for(world.child).post(
        f"/api/v1/ruptures/{rupture.pk}/follow-up/", {"answer": "not_really"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["follow_up_of"] == rupture.pk
    assert body["status"] == "flagged"
    assert body["parent"]["id"] == world.parent.pk
    assert body["feelings"][0]["code"] == "hurt"


def test_an_ok_closes_the_check_in_once(world: World) -> None:
    rupture = reconnected(world)
    client = client_for(world.parent)

    ok = client.post(f"/api/v1/ruptures/{rupture.pk}/follow-up/", {"answer": "ok"}, format="json")
    again = client.post(
        f"/api/v1/ruptures/{rupture.pk}/follow-up/", {"answer": "ok"}, format="json"
    )
    bad = client_for(world.child).post(
        f"/api/v1/ruptures/{rupture.pk}/follow-up/", {"answer": "meh"}, format="json"
    )

    assert ok.status_code == 200
    assert ok.json()["timeline"][-1]["data"] == {"answer": "ok"}
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "already_answered"
    assert bad.status_code == 400
    assert Rupture.objects.count() == 1


PAGES = [
    {},
    {"page": "2"},
    {"page_size": "5", "page": "3"},
    {"page_size": "5", "page": "9"},  # past the end
    {"page": "last"},
    {"page": "0"},
    {"page": "x"},
    {"page": str(2**70)},
    {"page_size": "100"},
]


def test_inbox_pages_are_what_the_documented_pagination_answers(world: World) -> None:
    """The inbox reads a kept statement (``familyrepair.statements``): its pages, links and 404s
    are those of the paginator over ``notifications.inbox`` rendered by NotificationOut."""
    from django.utils import timezone
    from rest_framework.exceptions import NotFound
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from api.notifications.views import NotificationOut
    from api.pagination import PageNumberPagination
    from ruptures import notifications

    for _ in range(23):
        flag(world)
    deliver_now()
    read = list(Notification.objects.filter(recipient=world.parent).values_list("pk", flat=True))
    Notification.objects.filter(pk__in=read[::3]).update(read_at=timezone.now())
    client = client_for(world.parent)

    for params in PAGES:
        pagination = PageNumberPagination()
        request = Request(APIRequestFactory().get("/api/v1/notifications/", params))
        try:
            page = pagination.paginate_queryset(notifications.inbox(actor=world.parent), request)
            rows = NotificationOut(page, many=True).data  # type: ignore[arg-type]  # many=True: a list
            expected: Any = (200, pagination.get_paginated_response(rows).data)
        except NotFound as error:
            expected = (404, str(error.detail))

        response = client.get("/api/v1/notifications/", params)

        body = response.json()
        answered = body["errors"][0]["message"] if response.status_code == 404 else body
        assert (response.status_code, answered) == expected, params


def test_an_inbox_page_is_one_statement(world: World, django_assert_num_queries: Any) -> None:
    """The user, then the page with its total (``familyrepair.statements.KeptList``); a page past
    the end answers its 404 from that one statement too."""
    flag(world)
    deliver_now()
    client = client_for(world.parent)
    client.get("/api/v1/notifications/")  # warm the session

    with django_assert_num_queries(2):
        assert client.get("/api/v1/notifications/").json()["count"] == 1
    with django_assert_num_queries(2):
        assert client.get("/api/v1/notifications/", {"page": "2"}).status_code == 404
