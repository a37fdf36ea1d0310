"""On the child's phone: a flag written offline waits (and says so, across a restart) and is sent
exactly once when the phone is back, even when the answer to the first try is lost; and "I feel
unsafe" shows help at once while nothing ever reaches the parent, with a real worker and beat
delivering everything else that is due."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Route, expect

from accounts.models import CareScope, CareTeamGrant
from api.models import IdempotencyKey
from ruptures.models import Notification, Prompt, PromptKind, PromptStatus, Rupture, Status
from tests.e2e.conftest import PhoneFactory
from tests.e2e.family import log_in, pair_child, wait_for_service_worker, young_family
from tests.e2e.phone import Phone, poll
from tests.factories import TherapistFactory

pytestmark = pytest.mark.browser


def test_an_offline_flag_waits_and_is_delivered_once(phone: PhoneFactory) -> None:
    world = young_family()
    child = phone("child")
    pair_child(child, world)
    wait_for_service_worker(child)

    child.set_offline(True)
    expect(child.by_id("offline-banner")).to_be_visible()
    child.taps = 0
    child.tap("flag-start")
    child.screen("screen-flag")
    child.tap("feeling-sad")
    child.screen("screen-flag")
    child.tap("flag-send")
    child.screen("screen-flag-done")
    expect(child.by_id("flag-queued")).to_contain_text("as soon as it is back online")
    assert child.taps == 3

    # Waiting, and shown as waiting, also after the app is closed and opened again offline.
    child.page.get_by_role("link", name="Back to home").tap()
    child.screen("screen-home")
    expect(child.by_id("outbox-item")).to_contain_text("Waiting for a connection")
    child.reload()
    child.screen("screen-home")
    expect(child.by_id("offline-banner")).to_be_visible()
    expect(child.by_id("outbox-banner")).to_have_text("1 thing is waiting to send.")
    expect(child.by_id("outbox-item")).to_contain_text("Waiting for a connection")
    child.screenshot("offline-waiting")
    assert Rupture.objects.count() == 0

    # Back online, the first answer is lost on the way (the server did create the rupture): the
    # outbox keeps the item and tries again with the same Idempotency-Key.
    keys: list[str | None] = []
    lost: list[int] = []

    def lose_first_answer(route: Route) -> None:
        if route.request.method != "POST":
            route.fallback()
            return
        keys.append(route.request.headers.get("idempotency-key"))
        if len(keys) == 1:
            lost.append(route.fetch().status)
            route.abort("connectionreset")
        else:
            route.fallback()

    child.page.context.route("**/api/v1/ruptures/", lose_first_answer)
    child.set_offline(False)
    assert child.wait_until("the first try, answer lost", lambda: lost) == [201]
    expect(child.by_id("outbox-retry")).to_be_visible()
    assert Rupture.objects.count() == 1
    child.tap("outbox-retry")
    expect(child.by_id("outbox-pending")).to_have_count(0)
    expect(child.by_id("outbox-banner")).to_have_count(0)
    child.screen("screen-home")

    rupture = Rupture.objects.get()
    expect(child.by_id(f"open-rupture-{rupture.pk}")).to_be_visible()
    assert len(keys) == 2
    assert keys[0] is not None
    assert keys[0] == keys[1]
    assert IdempotencyKey.objects.filter(key=keys[0]).count() == 1
    assert rupture.child_id == world.child.pk
    assert rupture.parent_id == world.parent.pk
    assert rupture.feelings == ["sad"]

    # Nothing is left to replay: another start sends nothing more.
    child.page.context.unroute("**/api/v1/ruptures/")
    child.reload()
    child.screen("screen-home")
    expect(child.by_id("outbox-pending")).to_have_count(0)
    assert Rupture.objects.count() == 1


def test_a_flag_sent_while_a_replay_holds_the_outbox_waits_and_is_sent(phone: PhoneFactory) -> None:
    """Registering Background Sync starts the service worker's replay at once; while any replay
    holds the outbox, the page's own send waits for it instead of telling an online child
    "saved for later" (CI caught the worker winning that race)."""
    world = young_family()
    child = phone("child")
    pair_child(child, world)
    wait_for_service_worker(child)

    child.tap("flag-start")
    child.screen("screen-flag")
    child.tap("feeling-sad")
    child.screen("screen-flag")
    # Another context's replay: the outbox's Web Lock, held until the test lets go.
    child.page.evaluate(
        """() => new Promise((held) => {
            navigator.locks.request("familyrepair-outbox", () => new Promise((done) => {
                window.releaseOutbox = done;
                held(true);
            }));
        })"""
    )
    child.tap("flag-send")
    expect(child.by_id("flag-send")).to_be_disabled()  # sending: it waits for the replay
    assert Rupture.objects.count() == 0
    child.page.evaluate("() => window.releaseOutbox()")
    child.screen("screen-flag-done")
    expect(child.by_id("flag-sent")).to_be_visible()
    expect(child.by_id("flag-queued")).to_have_count(0)
    child.page.get_by_role("link", name="Back to home").tap()
    child.screen("screen-home")
    expect(child.by_id("outbox-pending")).to_have_count(0)
    rupture = Rupture.objects.get()
    assert rupture.child_id == world.child.pk
    assert rupture.feelings == ["sad"]


def _api(device: Phone, path: str) -> tuple[int, Any]:
    """GET one of our endpoints from inside the page, with the page's session."""
    answer: tuple[int, Any] = device.page.evaluate(
        """(url) => fetch(url, {headers: {Accept: "application/json"}})
                .then(async (r) => [r.status, await r.json()])""",
        path,
    )
    return answer[0], answer[1]


def test_feeling_unsafe_shows_help_and_never_reaches_the_parent(
    phone: PhoneFactory, worker_and_beat: object
) -> None:
    world = young_family()
    therapist = TherapistFactory.create(display_name="Dr Lee")
    CareTeamGrant.objects.create(family=world.family, therapist=therapist, scope=CareScope.DETAILS)
    parent = phone("parent")
    log_in(parent, world.parent)
    expect(parent.by_id("make-right-start")).to_be_visible()
    child = phone("child")
    pair_child(child, world)

    # "I feel unsafe" is one tap away on the flag screen, before any feeling is chosen.
    child.tap("flag-start")
    child.screen("screen-flag")
    child.tap("unsafe-button")
    child.screen("screen-safety")
    expect(child.by_id("unsafe-sent")).to_be_visible()
    expect(child.by_id("quick-exit")).to_be_visible()
    expect(child.by_id("help-resource")).to_have_count(4)
    child.audit()
    kinds = [
        str(link.get_attribute("href")).split(":", 1)[0]
        for link in child.by_id("help-resource").locator("a").all()
    ]
    assert kinds == ["sms", "sms", "tel", "tel"]  # text lines first: speaking may not be safe
    child.screenshot("safety")
    rupture = Rupture.objects.get()
    assert (rupture.status, rupture.unsafe) == (Status.SAFETY_REVIEW, True)

    # The therapist's alert is delivered by the worker: proof the sweep ran over this rupture.
    def alert_sent() -> bool:
        return Prompt.objects.filter(
            recipient=therapist, kind=PromptKind.SAFETY_ALERT, status=PromptStatus.SENT
        ).exists()

    poll("the therapist's safety alert", alert_sent, timeout=30, every=0.5)

    # The parent sees nothing: not on home, not in the inbox, not through the API.
    parent.reload()
    parent.screen("screen-home")
    expect(parent.by_id("nothing-open")).to_be_visible()
    expect(parent.by_id("inbox-badge")).to_have_count(0)
    parent.go("/inbox")
    inbox = parent.screen("screen-inbox")
    expect(inbox).to_contain_text("Nothing new. All is quiet.")
    assert _api(parent, "/api/v1/ruptures/")[1]["count"] == 0
    assert _api(parent, "/api/v1/notifications/")[1]["count"] == 0
    status, body = _api(parent, f"/api/v1/ruptures/{rupture.pk}/")
    assert (status, body["errors"][0]["code"]) == (404, "rupture_not_found")
    assert not Notification.objects.filter(recipient=world.parent).exists()
    to_parent = Prompt.objects.filter(recipient=world.parent)
    assert not to_parent.exclude(status=PromptStatus.CANCELLED).exists()

    # Quick exit leaves for a neutral page, and Back does not return to the help screen.
    child.tap("quick-exit")
    child.screen("screen-notes")
    assert child.page.url.endswith("/?notes#/notes")
    child.page.go_back()
    expect(child.page.locator('main[data-testid="screen-safety"]')).to_have_count(0)
