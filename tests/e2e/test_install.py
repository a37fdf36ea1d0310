"""Installability, checked in the browser (Lighthouse 12 has no PWA category any more): the web app
manifest and its icons, a service worker that controls the page, the app shell opening offline,
and the "Add to Home Screen" guidance an iPhone needs before it can show notifications."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PhoneFactory
from tests.e2e.family import log_in, young_family

pytestmark = pytest.mark.browser

IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)

READ_MANIFEST = """async () => {
  const link = document.querySelector('link[rel="manifest"]');
  const response = await fetch(link.href);
  return {
    url: response.url,
    status: response.status,
    type: response.headers.get("Content-Type"),
    body: await response.json(),
  };
}"""

LOAD_IMAGE = """(src) => new Promise((resolve) => {
  const img = new Image();
  img.onload = () => resolve([img.naturalWidth, img.naturalHeight]);
  img.onerror = () => resolve(null);
  img.src = src;
})"""

FETCH_PAGE = """async (url) => {
  const response = await fetch(url);
  return [response.status, response.headers.get("Content-Type"), await response.text()];
}"""


def test_manifest_service_worker_and_offline_start(phone: PhoneFactory) -> None:
    device = phone("visitor")
    device.open("/")
    device.screen("screen-login")

    manifest: dict[str, Any] = device.page.evaluate(READ_MANIFEST)
    assert manifest["status"] == 200
    assert manifest["type"] == "application/manifest+json"
    body = manifest["body"]
    assert (body["name"], body["short_name"]) == ("FamilyRepair", "FamilyRepair")
    assert (body["start_url"], body["scope"], body["display"]) == ("/", "/", "standalone")
    assert body["theme_color"]
    assert body["background_color"]
    for size in (192, 512):
        [icon] = [
            i
            for i in body["icons"]
            if i["sizes"] == f"{size}x{size}" and i.get("purpose", "any") == "any"
        ]
        assert icon["type"] == "image/png"
        assert device.page.evaluate(LOAD_IMAGE, icon["src"]) == [size, size], icon
    status, content_type, html = device.page.evaluate(FETCH_PAGE, body["start_url"])
    assert (status, content_type.split(";")[0]) == (200, "text/html")
    assert 'rel="manifest"' in html
    assert device.page.evaluate(LOAD_IMAGE, "/icons/apple-touch-icon.png") is not None

    # The service worker installs, and controls the page once it is loaded again.
    script: str = device.page.evaluate(
        "() => navigator.serviceWorker.ready.then((r) => r.active.scriptURL)"
    )
    assert script == f"{device.base_url}/sw.js"
    device.reload()
    device.screen("screen-login", audit=False)
    controller = device.page.evaluate(
        "() => navigator.serviceWorker.controller && navigator.serviceWorker.controller.scriptURL"
    )
    assert controller == f"{device.base_url}/sw.js"

    # Offline, the app shell still opens (from the precache), at start and on a deep link.
    device.set_offline(True)
    device.reload()
    device.screen("screen-login")
    expect(device.by_id("offline-banner")).to_be_visible()
    expect(device.page.locator("main")).to_contain_text("You are offline.")
    device.page.goto(f"{device.base_url}/some/where#/safety")
    device.screen("screen-safety")
    expect(device.by_id("help-fallback")).to_be_visible()


def test_an_iphone_is_shown_how_to_add_the_app_to_the_home_screen(phone: PhoneFactory) -> None:
    world = young_family()
    iphone = phone("parent's iPhone", user_agent=IPHONE_SAFARI)
    log_in(iphone, world.parent)
    expect(iphone.by_id("ios-install-hint")).to_contain_text("Add to Home Screen")
    expect(iphone.by_id("ios-install-hint")).to_contain_text(
        "notifications only work once FamilyRepair is on your Home Screen"
    )
    iphone.audit()
    iphone.screenshot("install-iphone")
    # Settings explain the same instead of offering a push button Safari would refuse.
    iphone.tap("settings-link")
    iphone.screen("screen-account")
    expect(iphone.by_id("ios-install-hint")).to_be_visible()
    expect(iphone.by_id("push-enable")).to_have_count(0)
