"""The whole family loop once in Spanish, on phones whose browsers speak Spanish: the child's
phone pairs and keeps the browser's language (saved once as the child's ``locale``), the child
flags, the repair prompt reaches the parent, whose account says English until they pick Español
in Settings, the parent walks the guided repair, and both confirm. Every screen is audited by
axe-core in Spanish, and ``<html lang>`` says so."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.mail import EmailMessage
from django.db import transaction
from django.test import TestCase
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from accounts.services.children import pairing_code_create
from ruptures import delivery
from ruptures.models import Notification, Rupture, Status
from tests.e2e.conftest import PhoneFactory
from tests.e2e.family import YoungFamily, log_in, young_family
from tests.e2e.phone import Phone, code_from_mail, poll

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """Phones whose browsers speak Mexican Spanish (``navigator.languages``)."""
    return {**browser_context_args, "locale": "es-MX"}


def spanish_family() -> YoungFamily:
    """Ada (a parent whose account still has the server's default, English) and Leo (10)."""
    return young_family(family_name="Los Okafor", child_name="Leo", child_age=10)


def deliver_due() -> None:
    """What the beat and a worker would do now (their own processes are the whole loop's test)."""
    now = timezone.now()
    claimed: list[tuple[int, str]] = []
    with TestCase.captureOnCommitCallbacks(execute=True):
        delivery.prompts_claim_due(now=now, enqueue=lambda pk, t: claimed.append((pk, t)))
    for pk, token in claimed:
        delivery.prompt_deliver(prompt_id=pk, claim_token=token, now=now)


def in_spanish(device: Phone) -> None:
    expect(device.page.locator("html")).to_have_attribute("lang", "es")


def test_the_family_loop_in_spanish(phone: PhoneFactory) -> None:
    world = spanish_family()

    # The child's phone pairs from the link; a new account keeps the phone's language.
    child = phone("child")
    with transaction.atomic():
        _, code = pairing_code_create(
            actor=world.parent, family_id=world.family.pk, child_id=world.child.pk
        )
    child.open(f"/pair/{code}")
    child.screen("screen-home", heading="Hola, Leo")
    in_spanish(child)
    expect(child.page.get_by_role("heading", name="¿Algo te dolió?")).to_be_visible()
    expect(child.by_id("flag-start")).to_have_text("Decirle a Ada que me dolió")
    expect(child.by_id("unsafe-button")).to_have_text("No me siento a salvo")
    world.child.refresh_from_db()
    assert world.child.locale == "es"
    child.screenshot("es-home-child")

    # The flag, in three taps.
    child.tap("flag-start")
    child.screen("screen-flag", heading="¿Cómo te sientes?")
    expect(child.page.locator(".lead")).to_have_text(
        "Elige el que mejor te quede. Le llegará a Ada."
    )
    child.screenshot("es-flag-feelings")
    child.tap("feeling-sad")
    child.screen("screen-flag", heading="¿Enviar a Ada?")
    more = child.page.get_by_role("heading", name="¿Quieres contar más? (no tienes que hacerlo)")
    expect(more).to_be_visible()
    expect(child.by_id("flag-send")).to_have_text("Enviar a Ada")
    child.tap("flag-send")
    child.screen("screen-flag-done", heading="Gracias por contarlo")
    expect(child.by_id("flag-sent")).to_have_text(
        "Ada verá cómo te sientes. Hiciste algo muy valiente."
    )
    rupture = Rupture.objects.get()
    assert (rupture.child_id, rupture.feelings) == (world.child.pk, ["sad"])

    # The parent's phone speaks Spanish before sign-in; their account's English wins after it.
    deliver_due()
    parent = phone("parent")
    parent.open("/login")
    parent.screen("screen-login", heading="Hola de nuevo")
    in_spanish(parent)
    log_in(parent, world.parent)
    expect(parent.page.locator("main h1")).to_have_text("Hi Ada")
    expect(parent.page.locator("html")).to_have_attribute("lang", "en")

    # Settings' picker: Español, saved on the account, the whole app in Spanish at once.
    parent.tap("settings-link")
    parent.screen("screen-account", heading="Settings")
    parent.page.get_by_test_id("locale").select_option("es")
    parent.screen("screen-account", heading="Ajustes")
    parent.announced("Idioma guardado.")
    in_spanish(parent)
    expect(parent.page.get_by_role("heading", name="Tus ajustes")).to_be_visible()
    world.parent.refresh_from_db()
    assert world.parent.locale == "es"

    # The prompt in the inbox, then the rupture, in Spanish.
    parent.tap("inbox-link")
    parent.screen("screen-inbox", heading="Avisos")
    notification = Notification.objects.filter(recipient=world.parent, rupture=rupture).latest("pk")
    parent.tap(f"notification-{notification.pk}")
    parent.screen("screen-rupture", heading="Tú y Leo")
    expect(parent.by_id("rupture-status")).to_have_text("Esperando a ser escuchado")
    expect(parent.page.get_by_role("heading", name="Cómo se sintió Leo")).to_be_visible()
    expect(parent.by_id("action-acknowledge")).to_have_text("Te escucho")
    parent.tap("action-acknowledge")
    parent.announced("Le hiciste saber que le escuchas.")
    expect(parent.by_id("action-repair-steps")).to_have_text("Empezar a arreglarlo paso a paso")
    parent.audit()
    parent.tap("action-repair-steps")
    for number in range(1, 7):
        parent.screen("screen-repair-steps", heading=f"Paso {number} de 6")
        expect(parent.by_id("repair-steps-next")).to_have_text(
            "Listo: terminar" if number == 6 else "Listo: siguiente paso"
        )
        if number == 4:
            expect(parent.page.get_by_text("Solo tú puedes leer esto.")).to_be_visible()
            parent.fill("repair-steps-reflection", "Se sintió triste cuando le grité.")
            parent.screenshot("es-guided-repair-step")
        parent.tap("repair-steps-next")
    parent.screen("screen-rupture", heading="Tú y Leo")
    expect(parent.by_id("repair-steps-progress")).to_contain_text("(hecho)")
    expect(parent.by_id("action-confirm")).to_have_text("Ya estamos bien")
    parent.tap("action-confirm")
    expect(parent.by_id("rupture-waiting-other")).to_have_text(
        "Dijiste que estás bien. Esperando a que Leo también lo diga."
    )
    parent.audit()

    # The child confirms too; both see that they found their way back.
    child.open("/")
    child.screen("screen-home", heading="Hola, Leo")
    child.tap(f"open-rupture-{rupture.pk}")
    child.screen("screen-rupture", heading="Tú y Ada")
    expect(child.by_id("rupture-status")).to_have_text("Comprobando: ¿estamos bien?")
    expect(child.page.get_by_text("Ada siente que ya están bien. ¿Y tú?")).to_be_visible()
    child.tap("action-confirm")
    expect(child.by_id("rupture-status")).to_have_text("Reconciliados")
    expect(child.by_id("rupture-celebrate")).to_have_text("Volvieron a encontrarse. 💚")
    child.audit()
    child.screenshot("es-reconnected")

    parent.reload()
    parent.screen("screen-rupture", heading="Tú y Leo")
    in_spanish(parent)
    expect(parent.by_id("rupture-status")).to_have_text("Reconciliados")
    rupture.refresh_from_db()
    assert rupture.status == Status.RECONNECTED


def test_a_language_picked_before_sign_up_is_the_new_accounts(
    phone: PhoneFactory, mailoutbox: list[EmailMessage]
) -> None:
    """On the log-in screen (here a Spanish phone), English picked by hand: sign-up, the emailed
    code and the first home are in English, and the new account's locale says so."""
    parent = phone("parent")
    parent.open("/login")
    parent.screen("screen-login", heading="Hola de nuevo")
    parent.page.get_by_test_id("locale").select_option("en-gb")
    parent.screen("screen-login", heading="Welcome back")
    expect(parent.page.locator("html")).to_have_attribute("lang", "en-GB")
    parent.reload()  # kept on this device until sign-in
    parent.screen("screen-login", heading="Welcome back")
    parent.tap("signup-link")
    parent.screen("screen-signup", heading="Create your account")
    parent.fill("signup-email", "ada@example.com")
    parent.fill("signup-password", "a calm long passphrase")
    parent.tap("signup-submit")
    parent.screen("screen-verify-email", heading="Check your email")
    body = poll("the verification email", lambda: str(mailoutbox[-1].body) if mailoutbox else None)
    parent.fill("verify-code", code_from_mail(body))
    parent.tap("verify-submit")
    parent.screen("screen-home", heading="Hi")
    expect(parent.by_id("create-family-link")).to_have_text("Create our family")
    assert User.objects.get(email="ada@example.com").locale == "en-gb"
