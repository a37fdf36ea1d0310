"""A phone in the browser tests: one Playwright page at 390x844 that audits every screen it lands on
with axe-core, counts taps, watches for CSP refusals and uncaught errors, and can save screenshots.

Playwright's ``wait_for_function`` evaluates its string with ``eval``, which the app's CSP refuses,
so waits here use locators or poll ``page.evaluate`` (DevTools evaluation is not subject to CSP,
which is also how axe-core gets in without weakening the policy).
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import ConsoleMessage, Locator, Page, expect

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"

# Every rule axe-core enables by default (WCAG 2.0-2.2 A and AA, and best practices).
AXE_RUN = """() => axe.run(document, {resultTypes: ["violations"]}).then((r) =>
  r.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + "  " + n.failureSummary),
  })))"""


def poll[T](
    what: str,
    probe: Callable[[], T | None],
    *,
    timeout: float = 10,
    every: float = 0.2,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``probe`` until it returns something truthy, or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        sleep(every)


@dataclass
class AxeAudit:
    """axe-core's verdict on each screen; ``covered`` counts audits per screen test id."""

    source: str
    covered: Counter[str] = field(default_factory=Counter)

    def check(self, page: Page, screen: str) -> None:
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(self.source)
        # The settled screen is what a person reads: a 0.15 s colour transition caught halfway
        # (a button restyled in place) is not a contrast failure.
        page.evaluate(
            "() => Promise.all(document.getAnimations()"
            ".filter((a) => a.effect?.getTiming().iterations !== Infinity)"
            ".map((a) => a.finished.catch(() => null)))"
        )
        violations: list[dict[str, Any]] = page.evaluate(AXE_RUN)
        assert violations == [], f"axe-core on {screen} ({page.url}):\n" + "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"])
            for v in violations
        )
        self.covered[screen] += 1


class Phone:
    """One person's device. ``screen()`` waits for a screen and audits it; ``tap()`` counts."""

    def __init__(self, page: Page, *, base_url: str, axe: AxeAudit, who: str) -> None:
        self.page = page
        self.base_url = base_url
        self.axe = axe
        self.who = who
        self.taps = 0
        self.refusals: list[str] = []
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"{exc.name}: {exc.message}"))

    def _console(self, message: ConsoleMessage) -> None:
        # Chromium reports every CSP refusal on the console as "Refused to ...".
        if message.text.startswith("Refused to"):
            self.refusals.append(message.text)

    # --- moving around ------------------------------------------------------------------------
    def open(self, path: str = "/") -> None:
        """Go to a hash route as a typed URL does (only a different hash when the app is open)."""
        self.page.goto(f"{self.base_url}/#{path}")

    def go(self, path: str) -> None:
        """Change the hash route in the running app, as a link does."""
        self.page.evaluate("(hash) => { location.hash = hash; }", path)

    def reload(self) -> None:
        self.page.reload()

    def screen(
        self, testid: str, *, heading: str | None = None, audit: bool = True, timeout: float = 15
    ) -> Locator:
        """Wait until ``testid`` is the screen on show (with ``heading`` in its title, for screens
        that change in place) and has finished loading; then audit it."""
        main = self.page.locator(f'main[data-testid="{testid}"]')
        expect(main, f"{self.who}: screen {testid}").to_be_visible(timeout=timeout * 1000)
        if heading is not None:
            expect(main.locator("h1")).to_contain_text(heading, timeout=timeout * 1000)
        expect(main.locator(".loading")).to_have_count(0, timeout=timeout * 1000)
        if audit:
            self.axe.check(self.page, testid)
        return main

    def audit(self) -> None:
        """Audit the screen on show again, after it changed in place (a panel opened)."""
        screen = self.current_screen()
        assert screen, f"{self.who}: no screen on show at {self.page.url}"
        self.axe.check(self.page, screen)

    def announced(self, message: str) -> None:
        """The polite live region said ``message`` (how the app confirms a save)."""
        expect(self.by_id("live-region")).to_have_text(message)

    def current_screen(self) -> str | None:
        return self.page.locator("main[data-testid]").first.get_attribute("data-testid")

    # --- doing things -------------------------------------------------------------------------
    def tap(self, testid: str) -> None:
        self.page.get_by_test_id(testid).tap()
        self.taps += 1

    def fill(self, testid: str, value: str) -> None:
        self.page.get_by_test_id(testid).fill(value)

    def text(self, testid: str) -> str:
        return self.page.get_by_test_id(testid).inner_text().strip()

    def by_id(self, testid: str) -> Locator:
        return self.page.get_by_test_id(testid)

    def ids(self, prefix: str) -> list[str]:
        """The data-testid values that start with ``prefix`` (``open-rupture-`` → each one)."""
        found: list[str] = self.page.evaluate(
            "(p) => [...document.querySelectorAll('[data-testid]')]"
            ".map((e) => e.dataset.testid).filter((t) => t.startsWith(p))",
            prefix,
        )
        return found

    def scroll_to(self, testid: str) -> None:
        """Scroll so ``testid`` starts just below the sticky header."""
        self.by_id(testid).evaluate(
            """(element) => {
                const header = document.querySelector("header").getBoundingClientRect().height;
                const top = element.getBoundingClientRect().top + window.scrollY - header - 8;
                window.scrollTo(0, top);
            }"""
        )

    def screenshot(self, name: str, *, hide: tuple[str, ...] = ()) -> None:
        """Save ``docs/screenshots/{name}.png`` (the viewport, in CSS pixels) when
        UPDATE_SCREENSHOTS=1. ``hide``: selectors painted over in white, for what carries the
        run's date or time (so the pictures only change when the screen does)."""
        if os.environ.get("UPDATE_SCREENSHOTS") != "1":
            return
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        # The caret blinks and focus rings move: hide both so the pictures are stable.
        self.page.evaluate("() => document.activeElement && document.activeElement.blur()")
        self.page.screenshot(
            path=str(SCREENSHOTS / f"{name}.png"),
            scale="css",
            animations="disabled",
            caret="hide",
            mask=[self.page.locator(selector) for selector in hide],
            mask_color="#ffffff",
        )

    def wait_until[T](
        self, what: str, probe: Callable[[], T | None], *, timeout: float = 10, every: float = 0.2
    ) -> T:
        """``poll`` that keeps Playwright's event loop turning between tries (``time.sleep``
        would hold up route handlers and page events until the next Playwright call)."""
        return poll(
            f"{self.who}: {what}",
            probe,
            timeout=timeout,
            every=every,
            sleep=lambda seconds: self.page.wait_for_timeout(seconds * 1000),
        )

    def set_offline(self, offline: bool) -> None:
        self.page.context.set_offline(offline)

    def assert_clean(self) -> None:
        """No CSP refusal and no uncaught error on this phone, from start to end."""
        assert self.refusals == [], f"{self.who}: CSP refusals: {self.refusals}"
        assert self.errors == [], f"{self.who}: uncaught errors: {self.errors}"


def code_from_mail(body: str) -> str:
    """allauth's emailed code (``ABCD-1234``)."""
    found = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", body, re.MULTILINE)
    assert found, body
    return found.group(1)
