"""A parent turns on notifications for their phone. Headless Chromium has no push service, so the
browser's ``PushManager.subscribe`` is replaced by a stand-in that answers as Chrome would; the
rest (permission, the VAPID key from the server, the subscription sent to the API) is real. The
delivery side is tested against a real local push service in ``tests/support``."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from pytest_django.fixtures import Settings

from ruptures.models import PushSubscription
from tests.e2e.conftest import PhoneFactory
from tests.e2e.family import log_in, wait_for_service_worker, young_family

pytestmark = pytest.mark.browser

ENDPOINT = "https://push.example.test/send/parent-phone"
# A P-256 public key (the Web Push codelab's): the page only decodes it; nothing is sent here.
VAPID_PUBLIC_KEY = (
    "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U"
)

# Runs before the app in every document (DevTools injection: the page's CSP does not apply).
FAKE_PUSH_SERVICE = """
(() => {
  let current = null;
  const subscription = (key) => ({
    endpoint: "ENDPOINT",
    expirationTime: null,
    options: {applicationServerKey: key, userVisibleOnly: true},
    toJSON() {
      return {endpoint: this.endpoint, expirationTime: null,
              keys: {p256dh: "BEl62iUYgUivxIkv69yViEuiBIa-Ib9", auth: "xL1FfQ3Wm2xGWS"}};
    },
    unsubscribe() { current = null; return Promise.resolve(true); },
  });
  PushManager.prototype.getSubscription = function () { return Promise.resolve(current); };
  PushManager.prototype.subscribe = function (options) {
    window.__subscribedWithKey = options.applicationServerKey.byteLength;
    current = subscription(options.applicationServerKey);
    return Promise.resolve(current);
  };
})();
""".replace("ENDPOINT", ENDPOINT)


def test_a_parent_turns_on_notifications_for_their_phone(
    phone: PhoneFactory, settings: Settings
) -> None:
    settings.WEBPUSH_VAPID_PUBLIC_KEY = VAPID_PUBLIC_KEY  # the live server runs in this process
    world = young_family()
    parent = phone("parent")
    parent.page.context.grant_permissions(["notifications"])
    parent.page.context.add_init_script(FAKE_PUSH_SERVICE)
    log_in(parent, world.parent)
    wait_for_service_worker(parent)

    parent.tap("settings-link")
    parent.screen("screen-account")
    parent.tap("push-enable")
    expect(parent.by_id("push-disable")).to_be_visible()
    parent.announced("Notifications are on for this device.")
    parent.audit()
    # The server's VAPID public key (65 bytes, uncompressed P-256) reached the subscribe call.
    assert parent.page.evaluate("() => window.__subscribedWithKey") == 65
    subscription = PushSubscription.objects.get()
    assert (subscription.user_id, subscription.endpoint) == (world.parent.pk, ENDPOINT)
    world.parent.refresh_from_db()
    assert world.parent.notify_push is True

    parent.tap("push-disable")
    expect(parent.by_id("push-enable")).to_be_visible()
    parent.wait_until(
        "the subscription removed", lambda: not PushSubscription.objects.exists(), timeout=5
    )
