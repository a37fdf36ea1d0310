"""Spanish end to end, the server's half: whoever reads it gets it in their own language.

An account's ``User.locale`` chooses for everything said to them (API errors and words, in-app
notices, push and email, whichever process renders them); an anonymous caller's Accept-Language
chooses for them. English stays as it was; the codes and the schema never change.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone, translation
from rest_framework.test import APIClient

from accounts.models import Family, User
from familyrepair.errors import InvalidInput
from ruptures import delivery, services
from ruptures.models import Notification, Prompt, PromptKind
from ruptures.services import FlagInput
from tests.world import ClientKind, World, client_for, flag

URL = "/api/v1/ruptures/"


def speaks(user: User, locale: str) -> None:
    user.locale = locale
    user.save(update_fields=["locale"])


def deliver_due(now: dt.datetime) -> None:
    """Run the sweep and deliver what it claimed, as beat and a worker would."""
    claimed: list[tuple[int, str]] = []
    with TestCase.captureOnCommitCallbacks(execute=True):
        delivery.prompts_claim_due(now=now, enqueue=lambda pk, t: claimed.append((pk, t)))
    for pk, token in claimed:
        delivery.prompt_deliver(prompt_id=pk, claim_token=token, now=now)


@pytest.fixture(autouse=True)
def _daytime(world: World) -> None:
    User.objects.update(quiet_hours_start=None, quiet_hours_end=None)


# --- errors ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("locale", "message", "language"),
    [("es", "No existe ese momento.", "es"), ("en", "No such rupture.", "en")],
)
def test_an_error_is_in_the_readers_language_and_its_code_is_not(
    world: World, client_kind: ClientKind, locale: str, message: str, language: str
) -> None:
    speaks(world.parent, locale)

    response = client_for(world.parent, client_kind).get(f"{URL}12345/")

    assert response.status_code == 404
    assert response.json() == {
        "status": 404,
        "errors": [{"code": "rupture_not_found", "message": message, "param": None}],
    }
    assert response["Content-Language"] == language


def test_drf_field_errors_and_ours_with_a_number_in_them_are_spanish(world: World) -> None:
    speaks(world.child, "es")
    body = {"family": world.family.pk, "parent": world.parent.pk, "intensity": 3}

    missing = client_for(world.child).post(URL, body, format="json")
    too_many = client_for(world.child).post(
        URL,
        body | {"feelings": ["hurt", "sad", "angry", "scared", "lonely", "worried", "confused"]},
        format="json",
    )

    assert missing.status_code == 400
    assert missing.json()["errors"] == [
        {"code": "required", "message": "Este campo es obligatorio.", "param": "feelings"}
    ]
    assert too_many.status_code == 400
    assert too_many.json()["errors"][0]["message"] == (
        "Asegúrese de que este campo no tiene más de 6 elementos."  # DRF's own, translated
    )


def test_our_messages_with_a_number_keep_it_in_spanish(world: World) -> None:
    too_many = FlagInput(
        family_id=world.family.pk,
        parent_id=world.parent.pk,
        feelings=["hurt", "sad", "angry", "scared", "lonely", "worried", "confused"],
        intensity=3,
    )

    with translation.override("es"), pytest.raises(InvalidInput) as spanish:
        services.rupture_flag(actor=world.child, flag=too_many)
    with pytest.raises(InvalidInput) as english:
        services.rupture_flag(actor=world.child, flag=too_many)

    assert spanish.value.message == "Elige hasta 6 sentimientos."
    assert english.value.message == "Choose up to 6 feelings."
    assert spanish.value.code == english.value.code == "too_many"


def test_a_refusal_of_the_state_machine_is_spanish(world: World) -> None:
    speaks(world.child, "es")
    rupture = flag(world)

    response = client_for(world.child).post(f"{URL}{rupture.pk}/acknowledge/")

    assert response.status_code == 403
    assert response.json()["errors"][0] == {
        "code": "parent_only",
        "message": "Solo el papá o la mamá a quien se le avisó puede reconocerlo.",
        "param": None,
    }


def test_an_anonymous_caller_is_answered_in_their_accept_language(db: None) -> None:
    spanish = client_for(None).get(URL, headers={"Accept-Language": "es-MX,es;q=0.9"})
    english = client_for(None).get(URL)

    assert spanish.status_code == english.status_code == 401
    assert spanish["Content-Language"] == "es"
    assert spanish.json()["errors"][0]["code"] == english.json()["errors"][0]["code"]
    assert spanish.json()["errors"][0]["message"] != english.json()["errors"][0]["message"]
    assert english.json()["errors"][0]["message"] == (
        "Authentication credentials were not provided."
    )


def test_an_unknown_address_is_not_found_in_spanish(db: None) -> None:
    response = client_for(None).get("/api/v1/no-such-thing/", headers={"Accept-Language": "es"})

    assert response.status_code == 404
    assert response.json()["errors"] == [
        {"code": "not_found", "message": "No se encontró.", "param": None}
    ]


def test_an_accounts_locale_wins_over_its_browsers_accept_language(world: World) -> None:
    speaks(world.parent, "es")

    response = client_for(world.parent).get(f"{URL}12345/", headers={"Accept-Language": "en"})

    assert response.json()["errors"][0]["message"] == "No existe ese momento."


def test_the_readers_language_does_not_outlive_the_request(world: World) -> None:
    speaks(world.parent, "es")

    client_for(world.parent).get(f"{URL}12345/")

    assert translation.get_language() == "en"


# --- words the API serves -------------------------------------------------------------------------
def test_the_feelings_vocabulary_is_spanish_for_a_spanish_reader(world: World) -> None:
    speaks(world.child, "es")

    spanish = client_for(world.child).get("/api/v1/feelings/").json()
    english = client_for(world.parent).get("/api/v1/feelings/").json()

    hurt_es = next(f for f in spanish if f["code"] == "hurt")
    hurt_en = next(f for f in english if f["code"] == "hurt")
    assert (hurt_es["label"], hurt_es["label_young"], hurt_es["emoji"]) == ("Dolor", "Dolor", "🤕")
    assert (hurt_en["label"], hurt_en["label_young"]) == ("Hurt", "Hurt")
    assert [f["code"] for f in spanish] == [f["code"] for f in english]


def test_the_feelings_words_are_kept_per_language_and_handed_out_as_copies() -> None:
    from ruptures import feelings

    with translation.override("es"):
        spanish = feelings.vocabulary()
        spanish[0]["label"] = "changed by a caller"
        feelings.describe(["hurt"])[0]["label"] = "changed by a caller"
        assert feelings.vocabulary()[0]["label"] == "Dolor"
        assert feelings.describe(["hurt", "an_old_code"]) == [
            {"code": "hurt", "label": "Dolor", "emoji": "🤕"},
            {"code": "an_old_code", "label": "An old code", "emoji": ""},
        ]
    with translation.override("en"):
        assert feelings.vocabulary()[0]["label"] == "Hurt"
        assert feelings.describe(["hurt"])[0]["label"] == "Hurt"


def test_the_repair_guide_names_the_child_in_spanish(world: World) -> None:
    speaks(world.parent, "es")
    rupture = flag(world)

    body = client_for(world.parent).get(f"{URL}{rupture.pk}/").json()

    steps = {step["step"]: step for step in body["repair_steps"]}
    assert steps["calm"]["title"] == "Primero, cálmate"
    assert steps["validate"]["guidance"].startswith("Nombra lo que sintió Maya (dolor, vergüenza).")
    assert [f["label"] for f in body["feelings"]] == ["Dolor", "Vergüenza"]


def test_the_check_in_question_names_the_other_in_spanish(world: World) -> None:
    from checkins.words import question_text

    with translation.override("es"):
        assert question_text("closeness", other_name="Ada") == (
            "¿Qué tan cerca te has sentido de Ada últimamente?"
        )
    assert question_text("closeness", other_name="Ada") == "How close have you felt to Ada lately?"


# --- help lines -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("locale", "region", "first_line"),
    [
        ("es", "Estados Unidos", "Envía AYUDA al 988"),
        ("es-es", "España", "Chat en anar.org"),
        ("en", "United States", "Text 1-800-422-4453"),
    ],
)
def test_a_child_who_feels_unsafe_sees_help_lines_in_their_language(
    world: World, locale: str, region: str, first_line: str
) -> None:
    speaks(world.child, locale)
    body = {
        "family": world.family.pk,
        "parent": world.parent.pk,
        "feelings": ["scared"],
        "intensity": 3,
        "unsafe": True,
    }

    help_resources = client_for(world.child).post(URL, body, format="json").json()["help_resources"]

    assert help_resources["region"] == region
    assert help_resources["lines"][0]["how"] == first_line


def test_spains_lines_are_anar_and_the_eu_child_helpline(world: World) -> None:
    from ruptures.safety import help_resources

    lines = help_resources("es-ES")

    assert lines["emergency"] == "Si estás en peligro ahora mismo, llama al 112."
    assert [line["value"] for line in lines["lines"]] == ["anar.org", "900202010", "116111"]


# --- notices, push and email ----------------------------------------------------------------------
def test_notices_and_emails_are_in_each_recipients_language(world: World) -> None:
    """The heads-up about a child's flag reaches a Spanish-speaking parent in Spanish, with the
    child's name and feelings in place; nothing about it changes for an English one."""
    speaks(world.parent, "es")
    Family.objects.filter(pk=world.family.pk).update(calm_down_minutes=0)
    flag(world)

    deliver_due(timezone.now() + dt.timedelta(seconds=1))

    notices = {
        n.kind: (n.title, n.body) for n in Notification.objects.filter(recipient=world.parent)
    }
    assert notices[PromptKind.HEADS_UP] == (
        "Maya te avisó de un momento contigo",
        "Maya se sintió así: dolor, vergüenza. Primero respira; te ayudaremos a arreglarlo.",
    )
    assert notices[PromptKind.REPAIR_PROMPT][0] == "¿Quieres arreglar las cosas con Maya?"
    emails = sorted(mail.outbox, key=lambda m: m.subject)
    assert [m.subject for m in emails] == [
        "Maya te avisó de un momento contigo",
        "¿Quieres arreglar las cosas con Maya?",
    ]
    assert emails[0].body.startswith("Hola, Ada:")
    assert "Abrir FamilyRepair:" in emails[0].body
    assert "Recibes este correo porque tienes activados los avisos por correo." in emails[0].body
    html = str(emails[0].alternatives[0].content)  # type: ignore[attr-defined]  # EmailMultiAlternatives
    assert '<html lang="es">' in html
    assert "Hola, Ada:" in html


def test_an_english_speaking_parent_reads_english_as_before(world: World) -> None:
    Family.objects.filter(pk=world.family.pk).update(calm_down_minutes=0)
    flag(world)

    deliver_due(timezone.now() + dt.timedelta(seconds=1))

    heads_up = Notification.objects.get(recipient=world.parent, kind=PromptKind.HEADS_UP)
    assert (heads_up.title, heads_up.body) == (
        "Maya flagged a moment with you",
        "Maya felt hurt, embarrassed. Take a breath first; we'll help you make it right.",
    )
    assert sorted(m.subject for m in mail.outbox) == [
        "Maya flagged a moment with you",
        "Ready to make it right with Maya?",
    ]
    assert all(m.body.startswith("Hi Ada,") for m in mail.outbox)


@pytest.mark.parametrize(
    ("kind", "title"),
    [
        (PromptKind.REFLECTION, "Un momento para repasar tu día"),
        (PromptKind.CHECK_IN, "Es hora de la consulta familiar"),
        (PromptKind.CHECK_IN_REMINDER, "La consulta familiar sigue abierta"),
    ],
)
def test_prompts_about_no_rupture_are_in_the_recipients_language_too(
    world: World, kind: PromptKind, title: str
) -> None:
    speaks(world.parent, "es")

    content = delivery.render(Prompt(kind=kind, recipient=world.parent))

    assert content.title == title


def test_the_language_of_a_notice_is_the_recipients_not_the_callers(world: World) -> None:
    """A Spanish-speaking child's message reaches an English-speaking parent in English, however
    the process delivering it was left."""
    speaks(world.child, "es")
    Family.objects.filter(pk=world.family.pk).update(calm_down_minutes=0)
    rupture = flag(world)
    with translation.override("es"):  # a worker left in Spanish by what it did last
        deliver_due(timezone.now() + dt.timedelta(seconds=1))
    client_for(world.parent).post(f"{URL}{rupture.pk}/acknowledge/")
    with translation.override("es"):
        deliver_due(timezone.now() + dt.timedelta(seconds=2))

    seen = Notification.objects.get(recipient=world.child, kind=PromptKind.ACKNOWLEDGED)
    assert seen.title == "Ada vio lo que compartiste"
    assert Notification.objects.get(recipient=world.parent, kind=PromptKind.HEADS_UP).title == (
        "Maya flagged a moment with you"
    )


# --- allauth's emails -----------------------------------------------------------------------------
def _csrf(client: APIClient) -> str:
    client.get("/_allauth/browser/v1/config")
    return str(client.cookies["csrftoken"].value)


def test_a_password_reset_email_is_in_the_accounts_language(world: World) -> None:
    """Asked for from a browser that says English: the account's Spanish wins."""
    speaks(world.parent, "es")
    client = APIClient(enforce_csrf_checks=True)

    client.post(
        "/_allauth/browser/v1/auth/password/request",
        {"email": world.parent.email},
        format="json",
        HTTP_X_CSRFTOKEN=_csrf(client),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    message = mail.outbox[-1]
    assert message.subject == "[FamilyRepair] Código de restablecimiento de contraseña"
    assert "¡Hola de parte de FamilyRepair!" in str(message.body)


def test_a_sign_up_email_is_in_the_browsers_language_and_so_is_the_account(db: None) -> None:
    client = APIClient(enforce_csrf_checks=True)

    client.post(
        "/_allauth/browser/v1/auth/signup",
        {"email": "nueva@example.com", "password": "a long enough passphrase 42"},
        format="json",
        HTTP_X_CSRFTOKEN=_csrf(client),
        HTTP_ACCEPT_LANGUAGE="es",
    )

    assert "¡Hola de parte de FamilyRepair!" in str(mail.outbox[-1].body)
    assert User.objects.get(email="nueva@example.com").locale == "es"


def test_the_repair_guide_is_translated_once_per_language(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ruptures.repair_guide import repair_guide

    rupture = flag(world)
    with translation.override("es"):
        spanish = repair_guide(rupture)
    looked_up: list[str] = []
    original = translation.gettext

    def counting(message: str) -> str:
        looked_up.append(message)
        return original(message)

    with monkeypatch.context() as patch:
        patch.setattr(translation._trans, "gettext", counting, raising=False)  # type: ignore[attr-defined]  # Django's private dispatcher
        with translation.override("es"):
            again = repair_guide(rupture)
    with translation.override("en"):
        english = repair_guide(rupture)

    assert again == spanish
    assert not [message for message in looked_up if "Breathe out slowly" in message]
    assert english[0]["guidance"].startswith("Before anything else")
    assert spanish[0]["guidance"] != english[0]["guidance"]
