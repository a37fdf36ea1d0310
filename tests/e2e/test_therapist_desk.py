"""The therapist at their desk (a real 1280x800 desktop context, not a resized phone), with what a
review found missing: a safety review closed as "no safety concern" and the child's answer to
"Would you like Ada to see this now?" up to the parent seeing the flag; the caseload's own
"unrepaired for more than N days", remembered on the device; the family check-in trend with its
table; the period's ruptures opened one at a time with `details` (never a record the child
opted out of). axe-core audits every screen on the way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import Browser, ViewportSize, expect

from accounts.models import CareScope, Membership, TherapistAccessLog, User
from checkins import services as checkins
from checkins.models import CheckInRound
from ruptures import delivery
from ruptures import services as ruptures
from ruptures.models import Prompt, PromptKind, PromptStatus, Rupture
from tests.e2e.conftest import PhoneFactory
from tests.e2e.family import YoungFamily, log_in, pair_child, young_family
from tests.e2e.mfa import fresh_totp_code
from tests.e2e.phone import AxeAudit, Phone
from tests.factories import (
    PASSWORD,
    CareTeamGrantFactory,
    TherapistFactory,
    enrol_totp,
    verified_email,
)
from tests.world import client_for

pytestmark = pytest.mark.browser

# What changes from run to run, painted over in the screenshots.
DATES = ("time", '[data-testid="period-range"]', "#check-in-table tbody th", "canvas")

DESK: ViewportSize = {"width": 1280, "height": 800}
DESKTOP: dict[str, Any] = {
    "viewport": DESK,
    "screen": DESK,
    "device_scale_factor": 1,
    "is_mobile": False,
    "has_touch": False,
}


class Desk(Phone):
    """A desktop computer: a mouse clicks where a phone's finger taps."""

    def tap(self, testid: str) -> None:
        self.page.get_by_test_id(testid).click()
        self.taps += 1


@pytest.fixture
def desktop(
    browser: Browser, browser_context_args: dict[str, Any], app_url: str, axe: AxeAudit
) -> Iterator[Callable[[str], Phone]]:
    """A desktop browser context of its own (the phones' settings with a desktop's on top: no
    touch, no mobile viewport), checked for CSP refusals and uncaught errors like the phones."""
    made: list[Phone] = []

    def make(who: str) -> Phone:
        context = browser.new_context(**{**browser_context_args, **DESKTOP})
        context.set_default_timeout(15_000)
        device = Desk(context.new_page(), base_url=app_url, axe=axe, who=who)
        made.append(device)
        return device

    yield make
    for device in made:
        device.page.context.close()
        device.assert_clean()


def deliver_due() -> None:
    """What the beat and a worker would do now, in this process."""
    claimed: list[tuple[int, str]] = []
    delivery.prompts_claim_due(now=timezone.now(), enqueue=lambda pk, t: claimed.append((pk, t)))
    for pk, token in claimed:
        delivery.prompt_deliver(prompt_id=pk, claim_token=token, now=timezone.now())


def therapist_of(
    world: YoungFamily, scope: str = CareScope.DETAILS, locale: str = "en"
) -> tuple[User, str]:
    """Dr Okoro: verified, with an authenticator app, on the family's care team."""
    with transaction.atomic():
        user = verified_email(
            TherapistFactory.create(
                email="dr.okoro@example.com",
                display_name="Dr Okoro",
                therapist_full_name="Dr Ngozi Okoro",
                therapist_profession="Family therapist",
                therapist_registration_body="Health and Care Professions Council",
                therapist_registration_number="PYL012345",
                therapist_jurisdiction="England",
                locale=locale,
            )
        )
        secret = enrol_totp(user)
        CareTeamGrantFactory.create(family=world.family, therapist=user, scope=scope)
    return user, secret


def at_the_desk(desktop: Callable[[str], Phone], email: str, secret: str) -> Phone:
    desk = desktop("therapist-desk")
    assert desk.page.evaluate("() => [innerWidth, innerHeight]") == [1280, 800]
    assert desk.page.evaluate("() => navigator.maxTouchPoints") == 0
    desk.open("/login")
    desk.screen("screen-login")
    desk.fill("login-email", email)
    desk.fill("login-password", PASSWORD)
    desk.tap("login-submit")
    desk.screen("screen-mfa")
    desk.fill("mfa-code", fresh_totp_code(desk, secret, seconds_needed=5))
    desk.tap("mfa-submit")
    desk.screen("screen-caseload")
    return desk


def child_flag(world: YoungFamily, *, note: str = "", unsafe: bool = False) -> Rupture:
    with transaction.atomic():
        return ruptures.rupture_flag(
            actor=world.child,
            flag=ruptures.FlagInput(
                family_id=world.family.pk,
                parent_id=world.parent.pk,
                feelings=["scared" if unsafe else "sad"],
                intensity=4,
                unsafe=unsafe,
                note=note,
            ),
        )


def test_a_review_closed_with_no_concern_reaches_the_parent_only_when_the_child_says_yes(
    phone: PhoneFactory, desktop: Callable[[str], Phone]
) -> None:
    world = young_family()
    user, secret = therapist_of(world)
    child = phone("child")
    pair_child(child, world)
    unsafe = child_flag(world, unsafe=True, note="He shouted at me")
    deliver_due()
    assert Prompt.objects.filter(
        rupture=unsafe, recipient=user, kind=PromptKind.SAFETY_ALERT, status=PromptStatus.SENT
    ).exists()
    parent = phone("parent")
    log_in(parent, world.parent)
    expect(parent.by_id("nothing-open")).to_be_visible()

    # The therapist closes the review: no safety concern.
    desk = at_the_desk(desktop, "dr.okoro@example.com", secret)
    desk.tap("safety-reviews-alert")
    desk.screen("screen-safety-reviews")
    desk.tap(f"safety-review-{unsafe.pk}")
    desk.screen("screen-safety-review")
    desk.page.get_by_text("No safety concern").click()
    desk.fill("safety-note", "Talked it through with Mia and Ada's partner; no concern.")
    desk.tap("safety-close")
    expect(desk.by_id("safety-review-closed")).to_contain_text("The child will be asked")
    desk.audit()

    # The parent still cannot tell; the child is asked, neutrally on Home, by name on the flag.
    parent.reload()
    parent.screen("screen-home")
    expect(parent.by_id("nothing-open")).to_be_visible()
    child.reload()
    child.screen("screen-home")
    card = child.by_id("safety-review-card")
    expect(card.get_by_test_id("release-question-link")).to_have_text("There's a question for you")
    expect(card).not_to_contain_text("Ada")
    child.tap("release-question-link")
    child.screen("screen-rupture")
    expect(child.by_id("release-question")).to_contain_text("Would you like Ada to see this now?")
    child.audit()
    child.screenshot("child-release-question")
    child.tap("release-yes")
    child.announced("Ada can see it now.")
    expect(child.by_id("release-question")).to_have_count(0)
    expect(child.by_id("rupture-safety")).to_have_count(0)

    # Now it is an ordinary flag for the parent.
    parent.reload()
    parent.screen("screen-home")
    parent.tap(f"open-rupture-{unsafe.pk}")
    parent.screen("screen-rupture")
    expect(parent.by_id("action-acknowledge")).to_be_visible()
    expect(parent.page.locator("main")).not_to_contain_text("safety")


def test_not_now_keeps_it_private_and_is_not_asked_again(phone: PhoneFactory) -> None:
    world = young_family()
    user, _ = therapist_of(world)
    unsafe = child_flag(world, unsafe=True)
    deliver_due()
    response = client_for(user).post(
        f"/api/v1/care/safety-reviews/{unsafe.pk}/close/",
        {"outcome": "no_safety_concern"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    child = phone("child")
    pair_child(child, world)
    child.tap("release-question-link")
    child.screen("screen-rupture")
    child.tap("release-no")
    child.announced("It stays private. We won't ask again.")
    expect(child.by_id("release-later")).to_contain_text("We won't ask you again")
    child.audit()
    child.go("/")
    child.screen("screen-home")
    expect(child.by_id("safety-review-card")).to_be_visible()
    expect(child.by_id("release-question-link")).to_have_count(0)
    assert Rupture.objects.get(pk=unsafe.pk).status == "safety_review"
    parent = phone("parent")
    log_in(parent, world.parent)
    expect(parent.by_id("nothing-open")).to_be_visible()


def test_the_caseload_and_a_family_at_a_desk(desktop: Callable[[str], Phone]) -> None:
    world = young_family()
    user, secret = therapist_of(world)
    shared = child_flag(world, note="You took my drawing away")
    # Mia opted out of 'details' therapists (as a child of 13 or more does in Settings; Mia is
    # 7, so set here): what she writes from now on stays with the family.
    Membership.objects.filter(family=world.family, user=world.child).update(details_opt_out=True)
    withheld = child_flag(world, note="Private words")
    # The family's check-in: on, and Ada answers this round's two questions about Mia.
    with transaction.atomic():
        checkins.check_ins_set(actor=world.parent, family_id=world.family.pk, enabled=True)
    round_ = CheckInRound.objects.get(family=world.family)
    for question, score in (("closeness", 4), ("make_up", 3)):
        with transaction.atomic():
            checkins.check_in_answer(
                actor=world.parent,
                answer=checkins.AnswerInput(
                    round_id=round_.pk,
                    parent_id=world.parent.pk,
                    child_id=world.child.pk,
                    question=question,
                    score=score,
                ),
                now=max(timezone.now(), round_.opens_at + dt.timedelta(seconds=1)),
            )

    desk = at_the_desk(desktop, "dr.okoro@example.com", secret)
    card = desk.by_id(f"caseload-family-{world.family.pk}")
    expect(card).to_be_visible()
    expect(desk.by_id(f"check-in-trend-{world.family.pk}")).to_have_text("3.5")
    expect(desk.by_id("check-in-note")).to_contain_text(
        "our own question set, not a validated instrument"
    )
    expect(desk.by_id("caseload-days")).to_have_value("7")
    desk.fill("caseload-days", "0")
    desk.page.keyboard.press("Enter")
    expect(desk.page.locator("#caseload-days-error")).to_contain_text("from 1 to 365")
    desk.fill("caseload-days", "30")
    desk.page.keyboard.press("Enter")
    expect(desk.page.locator("#caseload-days-error")).to_have_count(0)
    desk.audit()
    desk.reload()
    desk.screen("screen-caseload")
    expect(desk.by_id("caseload-days")).to_have_value("30")  # remembered on this device

    desk.tap(f"open-family-{world.family.pk}")
    desk.screen("screen-care-family", heading="The Okafors")
    trend = desk.by_id("check-in-trend")
    expect(trend.get_by_test_id("check-in-label")).to_contain_text(
        "Our own question set, not a validated instrument"
    )
    table = desk.by_id("check-in-table")
    expect(table.locator("tr", has_text="Feeling close")).to_contain_text("4.0")
    expect(table.locator("tr", has_text="Making up")).to_contain_text("3.0")
    expect(desk.by_id("check-in-chart").locator("canvas")).to_be_visible()
    desk.audit()

    # The words, one at a time: the list has no words; opening one is in the access log.
    logged = TherapistAccessLog.objects.filter(therapist=user, action="rupture.view")
    assert not logged.exists()
    desk.tap("care-ruptures-load")
    expect(desk.by_id(f"care-rupture-{shared.pk}")).to_be_visible()
    expect(desk.by_id(f"care-rupture-{withheld.pk}")).to_have_count(0)
    expect(desk.by_id("care-ruptures")).not_to_contain_text("drawing")
    desk.audit()
    desk.by_id("check-in-trend").scroll_into_view_if_needed()
    desk.screenshot("therapist-check-ins-and-words", hide=DATES)
    desk.tap(f"care-rupture-{shared.pk}")
    desk.screen("screen-care-rupture", heading="Ada and Mia")
    expect(desk.by_id("care-rupture-note")).to_have_text("You took my drawing away")
    expect(desk.page.locator("main button")).to_have_count(0)  # read-only
    desk.screenshot("therapist-rupture", hide=DATES)
    assert list(logged.values_list("object_id", flat=True)) == [str(shared.pk)]
    desk.go(f"/care/families/{world.family.pk}/ruptures/{withheld.pk}")
    desk.screen("screen-care-rupture")
    expect(desk.page.locator("main")).not_to_contain_text("Private words")


def test_metrics_scope_shows_no_list_of_words_in_spanish_too(
    desktop: Callable[[str], Phone],
) -> None:
    world = young_family()
    _, secret = therapist_of(world, scope=CareScope.METRICS, locale="es")
    child_flag(world, note="You took my drawing away")
    desk = at_the_desk(desktop, "dr.okoro@example.com", secret)
    desk.screen("screen-caseload", heading="Sus familias")
    desk.tap(f"open-family-{world.family.pk}")
    desk.screen("screen-care-family", heading="The Okafors")
    expect(desk.page.locator("#fig-headline")).to_have_text("De un vistazo")
    expect(desk.by_id("headline-figures")).to_be_visible()
    expect(desk.by_id("care-ruptures")).to_have_count(0)
    expect(desk.by_id("check-in-label")).to_contain_text(
        "Nuestro propio cuestionario, no un instrumento validado."
    )
    expect(desk.by_id("check-in-none")).to_be_visible()


def test_the_desk_follows_a_change_of_language(desktop: Callable[[str], Phone]) -> None:
    """The care words are their own catalog (loaded with the care screens): picking Spanish after
    a care screen has loaded in English fetches their Spanish too, not only the shell's."""
    world = young_family()
    _, secret = therapist_of(world, scope=CareScope.METRICS)
    desk = at_the_desk(desktop, "dr.okoro@example.com", secret)
    desk.screen("screen-caseload", heading="Your families")
    desk.tap("settings-link")
    desk.screen("screen-account", heading="Settings")
    desk.page.get_by_test_id("locale").select_option("es")
    desk.screen("screen-account", heading="Ajustes")
    desk.go("/")
    desk.screen("screen-caseload", heading="Sus familias")
    desk.tap(f"open-family-{world.family.pk}")
    desk.screen("screen-care-family", heading="The Okafors")
    expect(desk.page.locator("#fig-headline")).to_have_text("De un vistazo")
