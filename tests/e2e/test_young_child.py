"""A child under 8 flags without reading (issue 13, item 5): every step is reached by its picture,
and each screen, question and picture's word is read aloud on a tap, in the user's language."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ruptures.models import Rupture
from tests.e2e.conftest import PhoneFactory
from tests.e2e.family import pair_child, young_family
from tests.e2e.phone import Phone

pytestmark = pytest.mark.browser

# The browser's speech API, recorded instead of spoken: what the page asked to be said, and in
# which language. Our code runs unchanged; only the loudspeaker is swapped for a list.
RECORD_SPEECH = """(() => {
  window.__spoken = [];
  if (!window.speechSynthesis) return;
  window.speechSynthesis.speak = (u) => { window.__spoken.push({ text: u.text, lang: u.lang }); };
  window.speechSynthesis.cancel = () => {};
})();"""

LITTLE_FEELINGS = ["angry", "hurt", "ignored", "lonely", "sad", "scared"]


def spoken(device: Phone) -> list[dict[str, str]]:
    said: list[dict[str, str]] = device.page.evaluate("() => window.__spoken")
    return said


def last_said(device: Phone) -> str:
    said = spoken(device)
    assert said, "nothing was read aloud"
    return said[-1]["text"]


def has_picture_and_is_big(device: Phone, testid: str) -> None:
    """A control a non-reader can find: a picture in it, and a target at least 64 px tall."""
    control = device.by_id(testid)
    expect(control.locator(".emoji, .big-picture")).not_to_have_count(0)
    box = control.bounding_box()
    assert box is not None, testid
    assert box["height"] >= 64, (testid, box)


def test_a_young_child_flags_by_pictures_and_hears_every_step(phone: PhoneFactory) -> None:
    world = young_family()  # Mia is 7
    child = phone("child")
    child.page.add_init_script(RECORD_SPEECH)
    pair_child(child, world)

    # Home: the button to tell Ada has a picture, its own voice, and the screen reads itself.
    has_picture_and_is_big(child, "flag-start")
    child.tap("hear-flag-start")
    assert last_said(child) == "Tell Ada I'm hurt"
    child.tap("read-screen")
    assert last_said(child).startswith("Hi Mia")
    assert "Tell Ada I'm hurt" in last_said(child)
    assert {s["lang"] for s in spoken(child)} == {"en"}  # the user's locale, set on <html lang>

    # Feelings: six pictures, each with a voice.
    child.taps = 0
    child.tap("flag-start")
    child.screen("screen-flag")
    assert sorted(t.removeprefix("feeling-") for t in child.ids("feeling-")) == LITTLE_FEELINGS
    for code in LITTLE_FEELINGS:
        has_picture_and_is_big(child, f"feeling-{code}")
    child.tap("hear-sad")
    assert last_said(child) == "Sad"
    child.tap("read-screen")
    assert last_said(child).startswith("How do you feel?")
    child.screenshot("young-child-feelings")
    child.tap("feeling-sad")

    # Send: the chosen picture, the question read aloud, what would help as pictures, send.
    child.screen("screen-flag", heading="Send to Ada?")
    child.tap("hear-send")
    assert last_said(child) == "You feel Sad. Send to Ada?"
    child.page.locator("label[for='need-comfort']").tap()
    has_picture_and_is_big(child, "flag-send")
    child.tap("flag-send")
    child.screen("screen-flag-done")
    expect(child.by_id("flag-sent")).to_be_visible()
    has_picture_and_is_big(child, "flag-home")
    assert child.taps == 3 + 3  # three to flag; three taps to hear (word, screen, question)

    rupture = Rupture.objects.get()
    flagged = (rupture.parent_id, rupture.feelings, rupture.need)
    assert flagged == (world.parent.pk, ["sad"], "comfort")
