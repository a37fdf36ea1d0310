"""A family shares one phone (issue 9, item 11). A flag in safety review shows on the child's phone
only as a neutral card, never with the parent it names or its words; and when a session ends (the
child signs out, or a parent ends the device's session) nothing of that person stays on the phone:
no localStorage key, no queued flag in IndexedDB, no push subscription in the browser or on the
server."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.usersessions.models import UserSession
from django.db import transaction
from playwright.sync_api import Route, expect
from pytest_django.fixtures import Settings

from accounts.services.children import device_session_end
from ruptures import services as ruptures
from ruptures.models import PushSubscription, Rupture, Status
from tests.e2e.conftest import PhoneFactory
from tests.e2e.family import YoungFamily, pair_child, wait_for_service_worker, young_family
from tests.e2e.phone import Phone
from tests.e2e.test_push import FAKE_PUSH_SERVICE, VAPID_PUBLIC_KEY

pytestmark = pytest.mark.browser

NOTE = "The words only the safety reviewer may read"

# Every IndexedDB database of the origin, and how many records each of its stores holds.
IDB_CONTENTS = """async () => {
  const out = {};
  for (const info of await indexedDB.databases()) {
    const db = await new Promise((ok, fail) => {
      const req = indexedDB.open(info.name);
      req.onsuccess = () => ok(req.result);
      req.onerror = () => fail(req.error);
    });
    for (const store of db.objectStoreNames) {
      out[info.name + "/" + store] = await new Promise((ok, fail) => {
        const req = db.transaction(store).objectStore(store).count();
        req.onsuccess = () => ok(req.result);
        req.onerror = () => fail(req.error);
      });
    }
    db.close();
  }
  return out;
}"""

STORAGE = "() => Object.fromEntries(Object.keys(localStorage).map((k) => [k, localStorage[k]]))"
SUBSCRIBED = """() => navigator.serviceWorker.getRegistration()
  .then((reg) => reg.pushManager.getSubscription()).then((sub) => sub !== null)"""


def _unsafe_flag(world: YoungFamily) -> Rupture:
    with transaction.atomic():
        return ruptures.rupture_flag(
            actor=world.child,
            flag=ruptures.FlagInput(
                family_id=world.family.pk,
                parent_id=world.parent.pk,
                feelings=["scared"],
                intensity=5,
                note=NOTE,
                unsafe=True,
            ),
        )


def test_a_flag_in_review_is_a_neutral_card_without_the_parents_name(
    phone: PhoneFactory,
) -> None:
    world = young_family()
    child = phone("child")
    pair_child(child, world)
    rupture = _unsafe_flag(world)
    assert rupture.status == Status.SAFETY_REVIEW

    child.reload()
    home = child.screen("screen-home")
    card = child.by_id("safety-review-card")
    expect(card).to_contain_text("Someone who helps is looking at what you told us")
    open_list = home.locator("section", has=child.page.locator("#open-title"))
    expect(open_list).not_to_contain_text("Ada")
    expect(open_list).not_to_contain_text("scared", ignore_case=True)
    # Not one tap from the note: the card links to help, not to the flag.
    expect(child.by_id(f"open-rupture-{rupture.pk}")).to_have_count(0)
    expect(card.locator(f'a[href*="ruptures/{rupture.pk}"]')).to_have_count(0)
    # Nor in the offline copy of the list: the held flag is kept as its id alone.
    kept = child.page.evaluate("() => JSON.parse(localStorage.getItem('fr:open'))")
    assert kept == [{"id": rupture.pk, "held": True}]
    child.screenshot("safety-review-home")

    child.tap("safety-review-help")
    child.screen("screen-safety")

    # The flag's own screen, opened by its address, is the same neutral view with help lines.
    child.go(f"/ruptures/{rupture.pk}")
    detail = child.screen("screen-rupture", heading="Getting help")
    expect(child.by_id("rupture-safety")).to_contain_text("Someone who helps is looking")
    expect(child.by_id("help-resource")).to_have_count(4)
    expect(detail).not_to_contain_text("Ada")
    expect(detail).not_to_contain_text(NOTE)
    expect(child.by_id("message-body")).to_have_count(0)

    # The history lists it the same way.
    child.go("/history")
    history = child.screen("screen-history")
    expect(history.get_by_test_id("safety-review-card")).to_have_count(1)
    expect(history).not_to_contain_text("Ada")


def _subscribe_and_queue(child: Phone, world: YoungFamily) -> str:
    """Turns on notifications, then queues an unsafe flag the server never receives. Returns the
    subscription's endpoint."""
    wait_for_service_worker(child)
    child.tap("settings-link")
    child.screen("screen-account")
    child.tap("push-enable")
    expect(child.by_id("push-disable")).to_be_visible()
    subscription = PushSubscription.objects.get(user=world.child)
    assert child.page.evaluate(SUBSCRIBED)

    def server_down(route: Route) -> None:
        if route.request.method == "POST":
            route.fulfill(status=503, body="")
        else:
            route.fallback()

    child.page.context.route("**/api/v1/ruptures/", server_down)
    child.tap("home-link")
    child.screen("screen-home")
    child.tap("unsafe-button")
    child.screen("screen-safety")
    child.wait_until(
        "the unsafe flag queued",
        lambda: child.page.evaluate(IDB_CONTENTS).get("familyrepair-outbox/items") == 1,
    )
    assert Rupture.objects.count() == 0
    storage: dict[str, Any] = child.page.evaluate(STORAGE)
    assert any(key.startswith("fr:") for key in storage), storage
    return subscription.endpoint


def _nothing_left(child: Phone) -> None:
    child.wait_until("localStorage empty", lambda: child.page.evaluate(STORAGE) == {})
    child.wait_until(
        "IndexedDB empty",
        lambda: not any(child.page.evaluate(IDB_CONTENTS).values()),
    )
    assert child.page.evaluate(SUBSCRIBED) is False
    caches: list[str] = child.page.evaluate("() => caches.keys()")
    assert all(name.startswith("workbox-precache") for name in caches), caches  # the app shell


def test_signing_out_leaves_nothing_of_the_child_on_the_phone(
    phone: PhoneFactory, settings: Settings
) -> None:
    settings.WEBPUSH_VAPID_PUBLIC_KEY = VAPID_PUBLIC_KEY  # the live server runs in this process
    world = young_family()
    child = phone("child")
    child.page.context.grant_permissions(["notifications"])
    child.page.context.add_init_script(FAKE_PUSH_SERVICE)
    pair_child(child, world)
    _subscribe_and_queue(child, world)

    child.tap("settings-link")
    child.screen("screen-account")
    child.tap("logout")  # warns: one thing has not been sent
    child.tap("logout")
    child.screen("screen-login")

    _nothing_left(child)
    # The server forgot the subscription while the session still allowed it.
    assert not PushSubscription.objects.filter(user=world.child).exists()
    assert UserSession.objects.purge_and_list(world.child) == []  # signed out on the server too
    assert Rupture.objects.count() == 0


def parent_ends_the_phones_session(world: YoungFamily) -> None:
    """A parent ends the child's device session from their own phone (the family screen's
    "sign this phone out")."""
    session = UserSession.objects.get(user=world.child)
    with transaction.atomic():
        device_session_end(
            actor=world.parent,
            family_id=world.family.pk,
            child_id=world.child.pk,
            session_id=session.pk,
        )


def test_a_session_a_parent_ends_leaves_nothing_of_the_child_on_the_phone(
    phone: PhoneFactory, settings: Settings
) -> None:
    settings.WEBPUSH_VAPID_PUBLIC_KEY = VAPID_PUBLIC_KEY
    world = young_family()
    child = phone("child")
    child.page.context.grant_permissions(["notifications"])
    child.page.context.add_init_script(FAKE_PUSH_SERVICE)
    pair_child(child, world)
    _subscribe_and_queue(child, world)

    parent_ends_the_phones_session(world)

    # The next request answers 401 (here the history's): the app forgets everything of the child,
    # and the browser drops the push subscription (the push service then answers 410 to the
    # server, which deletes its copy at the next delivery).
    child.go("/history")
    child.screen("screen-login")
    _nothing_left(child)
    assert Rupture.objects.count() == 0


def test_a_phone_started_offline_asks_about_its_session_once_back_online(
    phone: PhoneFactory,
) -> None:
    """Opened offline, the app asks the network nothing and shows the cached profile; the
    session check waits for the connection, and then finds the session a parent ended meanwhile
    (with nothing queued, no other request would have found it)."""
    world = young_family()
    child = phone("child")
    pair_child(child, world)
    wait_for_service_worker(child)

    child.set_offline(True)
    child.reload()
    child.screen("screen-home")
    expect(child.by_id("offline-banner")).to_be_visible()
    parent_ends_the_phones_session(world)

    with child.page.expect_response("**/_allauth/browser/v1/auth/session"):
        child.set_offline(False)
    child.screen("screen-login")
    _nothing_left(child)


def test_an_unsafe_flag_meeting_an_ended_session_leaves_no_trace_on_the_phone(
    phone: PhoneFactory,
) -> None:
    """The parent ends the phone's session; the child then taps "I feel unsafe". The help stays
    on screen, but the send meets the ended session and the app forgets the child: the screen
    must not then claim the flag is waiting to send (the outbox went with the session), and
    nothing of it stays for whoever holds the phone next."""
    world = young_family()
    device = phone("child")
    pair_child(device, world)
    parent_ends_the_phones_session(world)

    with device.page.expect_response("**/_allauth/browser/v1/auth/session"):
        device.tap("unsafe-button")
    device.screen("screen-safety")
    _nothing_left(device)

    expect(device.by_id("help-emergency")).to_be_visible()
    expect(device.by_id("unsafe-queued")).to_have_count(0)
    expect(device.by_id("unsafe-sent")).to_have_count(0)
    assert Rupture.objects.count() == 0
