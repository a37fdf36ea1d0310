"""The family therapist's side, tried as a new therapist would, on a phone and on a laptop: sign up
(email code, then the registration claims), wait for staff's verification (nothing of any family
shows), enrol two-step sign-in, be linked by a family with the share code, open the caseload (the
safety review first) and the family's dashboard, export the CSV and print the one-page summary to
PDF, and close the safety review. The parent opens "What {therapist} sees". axe-core audits each
screen; UPDATE_SCREENSHOTS=1 saves each therapist screen for the README."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.mail import EmailMessage
from django.db import transaction
from playwright.sync_api import ViewportSize, expect

from accounts.models import User
from accounts.services.care_team import therapist_verify
from ruptures import services as ruptures
from ruptures.models import Prompt, PromptKind, PromptStatus, Rupture
from tests.e2e.conftest import PhoneFactory
from tests.e2e.family import YoungFamily, log_in, young_family
from tests.e2e.mfa import enrol_totp, fresh_totp_code
from tests.e2e.phone import Phone, code_from_mail, poll
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

LAPTOP: ViewportSize = {"width": 1280, "height": 800}
EMAIL = "dr.okoro@example.com"
# What changes from run to run (dates, times, the random share code), painted over in the
# screenshots.
DATES = (
    "time",
    '[data-testid="therapist-share-code"]',
    '[data-testid="period-range"]',
    ".print-summary > .lead",
    '[data-testid="weekly-chart"]',
    '[data-testid="weeks-table"] tbody th',
)


def family_history(world: YoungFamily) -> None:
    """Two repaired ruptures: one the child's flag, one the parent's own."""
    for started_by_child in (True, False):
        with transaction.atomic():
            flagged = ruptures.rupture_flag(
                actor=world.child if started_by_child else world.parent,
                flag=ruptures.FlagInput(
                    family_id=world.family.pk,
                    parent_id=world.parent.pk if started_by_child else None,
                    child_id=None if started_by_child else world.child.pk,
                    feelings=["sad"],
                    intensity=3,
                ),
            )
        steps = [(world.parent, ruptures.rupture_confirm), (world.child, ruptures.rupture_confirm)]
        if started_by_child:
            steps.insert(0, (world.parent, ruptures.rupture_acknowledge))
        for actor, service in steps:
            with transaction.atomic():
                service(actor=actor, rupture_id=flagged.pk)


def unsafe_flag(world: YoungFamily, therapist: User) -> Rupture:
    """The child says they feel unsafe: a safety review opens, and the worker delivers the safety
    alert to the family's therapist (the queue lists the flags they were alerted to)."""
    with transaction.atomic():
        flagged = ruptures.rupture_flag(
            actor=world.child,
            flag=ruptures.FlagInput(
                family_id=world.family.pk,
                parent_id=world.parent.pk,
                feelings=["scared"],
                intensity=5,
                unsafe=True,
                note="I am scared at home",
            ),
        )
    poll(
        "the safety alert to the therapist",
        lambda: Prompt.objects.filter(
            rupture=flagged,
            recipient=therapist,
            kind=PromptKind.SAFETY_ALERT,
            status=PromptStatus.SENT,
        ).exists(),
        timeout=30,
    )
    return flagged


def sign_up_therapist(device: Phone, mailoutbox: list[EmailMessage]) -> None:
    device.open("/signup")
    device.screen("screen-signup")
    device.tap("signup-therapist")
    device.screen("screen-signup", heading="Create your therapist account")
    device.fill("signup-email", EMAIL)
    device.fill("signup-password", PASSWORD)
    device.tap("signup-submit")
    device.screen("screen-verify-email")
    body = poll("the verification email", lambda: str(mailoutbox[-1].body) if mailoutbox else None)
    device.fill("verify-code", code_from_mail(body))
    device.tap("verify-submit")
    device.screen("screen-therapist-join")
    device.screenshot("therapist-join")
    device.fill("claims-full-name", "Dr Ngozi Okoro")
    device.fill("claims-profession", "Family therapist")
    device.fill("claims-registration-body", "Health and Care Professions Council")
    device.fill("claims-registration-number", "PYL012345")
    device.fill("claims-jurisdiction", "England")
    device.tap("claims-submit")


def test_a_new_therapist_from_sign_up_to_a_closed_safety_review(
    phone: PhoneFactory, mailoutbox: list[EmailMessage], worker_and_beat: object
) -> None:
    world = young_family()
    family_history(world)

    # Sign up, and wait: nothing of any family.
    therapist = phone("therapist")
    sign_up_therapist(therapist, mailoutbox)
    waiting = therapist.screen("screen-therapist-waiting", heading="Waiting for verification")
    expect(therapist.by_id("therapist-claims")).to_contain_text("PYL012345")
    expect(waiting).not_to_contain_text("Okafor")
    therapist.screenshot("therapist-waiting")
    therapist.go("/care/families/" + str(world.family.pk))
    therapist.screen("screen-care-family")
    expect(therapist.by_id("care-unverified")).to_be_visible()
    expect(therapist.page.locator("main")).not_to_contain_text("Okafor")

    # Staff verify; then two-step sign-in before any family.
    user = User.objects.get(email=EMAIL)
    with transaction.atomic():
        therapist_verify(therapist=user)
    therapist.go("/")
    therapist.reload()
    therapist.screen("screen-therapist-mfa")
    therapist.tap("therapist-security-link")
    therapist.screen("screen-security")
    enrol_totp(therapist)
    therapist.tap("security-continue")
    therapist.screen("screen-caseload")
    expect(therapist.by_id("caseload-empty")).to_be_visible()
    share_code = therapist.text("therapist-share-code")
    user.refresh_from_db()
    assert share_code == user.therapist_share_code

    # The family links them with the share code, and sees what they see.
    parent = phone("parent")
    log_in(parent, world.parent)
    parent.tap("family-settings-link")
    parent.screen("screen-family-settings")
    parent.fill("care-share-code", share_code)
    parent.page.get_by_text("Details too").click()
    parent.tap("care-add")
    parent.announced("Your care team is linked.")
    grant = parent.wait_until("the care team link", lambda: parent.ids("care-preview-"))
    assert len(grant) == 1
    expect(parent.by_id(grant[0])).to_have_text("What Dr Ngozi Okoro sees")
    parent.tap(grant[0])
    preview = parent.screen("screen-care-preview", heading="What Dr Ngozi Okoro sees")
    expect(preview.get_by_test_id("self-reported")).to_be_visible()
    expect(parent.page.locator("main")).not_to_contain_text("I am scared at home")
    parent.screenshot("care-preview", hide=DATES)
    unsafe = unsafe_flag(world, user)

    # The caseload: the safety review first and unmissable.
    therapist.reload()
    therapist.screen("screen-caseload")
    expect(therapist.by_id("safety-reviews-alert")).to_contain_text("1 safety review needs you")
    family_card = therapist.by_id(f"caseload-family-{world.family.pk}")
    expect(family_card).to_contain_text("A safety review is open")
    therapist.screenshot("therapist-caseload", hide=DATES)
    therapist.page.select_option('[data-testid="caseload-sort"]', "name")
    expect(family_card).to_be_visible()
    therapist.audit()

    # The family's dashboard, 30 days compared with the 30 before.
    therapist.tap(f"open-family-{world.family.pk}")
    therapist.screen("screen-care-family", heading="The Okafors")
    therapist.tap("period-30")
    therapist.tap("period-compare")
    headline = therapist.by_id("headline-figures")
    expect(headline).to_contain_text("Period before")
    expect(headline.locator("tr", has_text="Repairs (reconnected)")).to_contain_text("2")
    expect(therapist.by_id("starts-table")).to_contain_text("Ada")
    expect(therapist.by_id("pairs-table")).to_contain_text("Ada and Mia")
    expect(therapist.by_id("weekly-chart").locator("canvas")).to_be_visible()
    therapist.audit()
    therapist.page.evaluate("() => window.scrollTo(0, 0)")
    therapist.screenshot("therapist-dashboard", hide=DATES)

    # Export: the CSV, then the one-page summary printed to PDF.
    with therapist.page.expect_download() as download:
        therapist.tap("export-csv")
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert len(rows) > 1
    assert any("Ada" in cell for row in rows[1:] for cell in row)
    therapist.tap("export-summary")
    therapist.screen("screen-care-summary")
    expect(therapist.by_id("headline-figures")).to_be_visible()
    therapist.screenshot("therapist-summary", hide=DATES)
    therapist.page.emulate_media(media="print")
    pdf = therapist.page.pdf(format="A4", print_background=True)
    therapist.page.emulate_media(media="screen")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 1, f"the summary printed on {pages} pages"

    # The safety review: open it, record what was done, close it.
    therapist.go("/")
    therapist.screen("screen-caseload")
    therapist.tap("safety-reviews-alert")
    therapist.screen("screen-safety-reviews")
    therapist.screenshot("therapist-safety-reviews", hide=DATES)
    therapist.tap(f"safety-review-{unsafe.pk}")
    therapist.screen("screen-safety-review")
    expect(therapist.by_id("safety-review-flag")).to_contain_text("I am scared at home")
    therapist.tap("safety-close")
    expect(therapist.page.locator(".field-error")).to_contain_text("Choose what was done.")
    therapist.page.get_by_text("Spoke with the child").click()
    therapist.fill("safety-note", "Called Mia at school with her teacher; she is safe.")
    therapist.screenshot("therapist-safety-review", hide=DATES)
    therapist.tap("safety-close")
    expect(therapist.by_id("safety-review-closed")).to_contain_text("Spoke with the child")
    therapist.audit()
    therapist.go("/")
    therapist.screen("screen-caseload")
    expect(therapist.by_id("safety-reviews-link")).to_be_visible()
    # The parent still cannot tell: their preview is as it was.
    parent.reload()
    parent.screen("screen-care-preview")
    expect(parent.page.locator("main")).not_to_contain_text("scared")

    # On a laptop: log in with the second step, the caseload and the dashboard.
    # (The context's device settings come from browser_context_args; a laptop-sized window.)
    laptop = phone("therapist-laptop")
    laptop.page.set_viewport_size(LAPTOP)
    laptop.open("/login")
    laptop.screen("screen-login")
    laptop.fill("login-email", EMAIL)
    laptop.fill("login-password", PASSWORD)
    laptop.page.get_by_test_id("login-submit").click()
    laptop.screen("screen-mfa")
    secret = _totp_secret(user)
    laptop.fill("mfa-code", fresh_totp_code(laptop, secret, seconds_needed=5))
    laptop.page.get_by_test_id("mfa-submit").click()
    laptop.screen("screen-caseload")
    laptop.screenshot("therapist-caseload-laptop", hide=DATES)
    laptop.page.get_by_test_id(f"open-family-{world.family.pk}").click()
    laptop.screen("screen-care-family", heading="The Okafors")
    expect(laptop.by_id("weekly-chart").locator("canvas")).to_be_visible()


def _totp_secret(user: User) -> str:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import decrypt

    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return str(decrypt(totp.data["secret"]))
