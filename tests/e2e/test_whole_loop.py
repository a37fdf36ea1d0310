"""The whole loop on two phones, through the PWA only, with a real Celery worker and beat: a parent
signs up and sets up the family, a young child's device pairs, the child flags in three taps, the
repair prompt reaches the parent's inbox, the parent walks the six steps and confirms, the child
confirms, and both see that they reconnected."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.mail import EmailMessage
from playwright.sync_api import expect

from accounts.models import Family, User
from ruptures.models import Notification, Rupture, Status
from tests.e2e.conftest import PhoneFactory
from tests.e2e.phone import Phone, code_from_mail, poll

pytestmark = pytest.mark.browser

PASSWORD = "a calm long passphrase"
PROMPT_WAIT_SECONDS = 30


def sign_up_parent(parent: Phone, mailoutbox: list[EmailMessage], email: str) -> None:
    parent.open("/")
    parent.screen("screen-login")
    parent.tap("signup-link")
    parent.screen("screen-signup")
    parent.fill("signup-email", email)
    parent.fill("signup-password", PASSWORD)
    parent.tap("signup-submit")
    parent.screen("screen-verify-email")
    # The live server runs in this process, so the code lands in this process's locmem outbox.
    body = poll("the verification email", lambda: str(mailoutbox[-1].body) if mailoutbox else None)
    parent.fill("verify-code", code_from_mail(body))
    parent.tap("verify-submit")
    parent.screen("screen-home")


def set_up_family(parent: Phone) -> None:
    """Create the family; no calm-down wait and no quiet hours, so the prompt goes at once even
    when CI runs at night."""
    parent.tap("create-family-link")
    parent.screen("screen-create-family")
    parent.fill("family-name", "The Okafors")
    parent.tap("create-family-submit")
    parent.screen("screen-family-settings")
    parent.fill("calm-minutes", "0")
    parent.tap("save-family")
    parent.announced("Family saved.")
    parent.fill("display-name", "Ada")
    parent.fill("quiet-start", "")
    parent.fill("quiet-end", "")
    parent.tap("save-settings")
    parent.announced("Saved.")


def add_child_and_show_pairing_code(parent: Phone) -> str:
    parent.fill("child-name", "Mia")
    parent.fill("child-birth-year", str(dt.datetime.now(tz=dt.UTC).year - 7))
    parent.tap("add-child-submit")
    parent.announced("Child added. You can pair their device now.")
    [card] = parent.ids("child-card-")
    parent.tap(f"pair-device-{card.removeprefix('child-card-')}")
    expect(parent.by_id("qr-code")).to_be_visible()
    parent.audit()
    parent.scroll_to(card)
    parent.screenshot("pairing-qr")
    return parent.text("pairing-code")


def test_the_whole_loop_on_two_phones(
    phone: PhoneFactory, worker_and_beat: object, mailoutbox: list[EmailMessage]
) -> None:
    parent = phone("parent")
    sign_up_parent(parent, mailoutbox, "ada@example.com")
    set_up_family(parent)
    code = add_child_and_show_pairing_code(parent)
    ada = User.objects.get(email="ada@example.com")
    family = Family.objects.get(memberships__user=ada)
    assert (ada.display_name, ada.quiet_hours_start, ada.quiet_hours_end) == ("Ada", None, None)
    assert family.calm_down_minutes == 0
    parent.page.evaluate("() => window.scrollTo(0, 0)")
    parent.screenshot("family-settings")

    # The child's own device pairs with the code.
    child = phone("child")
    child.open("/pair")
    child.screen("screen-pair")
    child.fill("pair-code", code)
    child.tap("pair-submit")
    child.screen("screen-home")
    child.screenshot("home-child")

    # Three taps from home: who (the home button names the parent), how I feel, send.
    child.taps = 0
    child.tap("flag-start")
    child.screen("screen-flag")
    expect(child.by_id("feeling-hurt")).to_be_visible()
    child.screenshot("flag-feelings")
    child.tap("feeling-hurt")
    child.screen("screen-flag")
    expect(child.by_id("flag-send")).to_contain_text("Send to Ada")  # after its picture (Mia is 7)
    child.tap("flag-send")
    child.screen("screen-flag-done")
    expect(child.by_id("flag-sent")).to_be_visible()
    assert child.taps == 3
    rupture = Rupture.objects.get()
    assert (rupture.parent_id, rupture.feelings, rupture.status) == (ada.pk, ["hurt"], "flagged")

    # The repair prompt travels: beat claims it, the worker delivers it to the parent's inbox.
    def repair_prompt_in_inbox() -> str | None:
        parent.go("/")  # home and back: the inbox loads afresh each time it opens
        parent.screen("screen-home", audit=False)
        parent.go("/inbox")
        parent.screen("screen-inbox", audit=False)
        found = parent.page.get_by_text("Ready to make it right with Mia?")
        return "found" if found.count() else None

    parent.wait_until(
        "the repair prompt in the inbox",
        repair_prompt_in_inbox,
        timeout=PROMPT_WAIT_SECONDS,
        every=1.0,
    )
    parent.screen("screen-inbox")
    assert Notification.objects.filter(recipient=ada).exists()
    parent.screenshot("parent-inbox")
    parent.page.get_by_text("Ready to make it right with Mia?").tap()

    # The parent hears the child, then walks the six steps one screen at a time.
    parent.screen("screen-rupture")
    expect(parent.by_id("rupture-feelings")).to_contain_text("Hurt")
    parent.tap("action-acknowledge")
    expect(parent.by_id("action-repair-steps")).to_be_visible()
    parent.audit()
    parent.tap("action-repair-steps")
    for number in range(1, 7):
        parent.screen("screen-repair-steps", heading=f"Step {number} of 6")
        if number == 4:  # name what the child felt: the guidance names Mia's feeling
            expect(parent.page.locator("main")).to_contain_text("Name what Mia felt (hurt)")
            parent.fill("repair-steps-reflection", "She felt hurt when I raised my voice.")
            parent.screenshot("guided-repair-step")
        parent.tap("repair-steps-next")
    parent.screen("screen-rupture", heading="You and Mia")
    expect(parent.by_id("repair-steps-progress")).to_contain_text("(done)")
    parent.tap("action-confirm")
    expect(parent.by_id("rupture-waiting-other")).to_be_visible()
    parent.audit()

    # The child sees what the parent has done, and confirms too.
    child.open("/")
    child.screen("screen-home")
    child.tap(f"open-rupture-{rupture.pk}")
    child.screen("screen-rupture")
    expect(child.by_id("rupture-status")).to_have_text("Checking in: are we OK?")
    child.tap("action-confirm")
    expect(child.by_id("rupture-status")).to_have_text("Reconnected")
    expect(child.by_id("rupture-celebrate")).to_be_visible()
    child.audit()
    child.screenshot("reconnected")

    parent.reload()
    parent.screen("screen-rupture")
    expect(parent.by_id("rupture-status")).to_have_text("Reconnected")
    expect(parent.by_id("rupture-celebrate")).to_be_visible()
    rupture.refresh_from_db()
    assert rupture.status == Status.RECONNECTED
    assert Rupture.objects.count() == 1
