"""Admin: reached only through allauth's sign-in with a second factor, rate limited, and no page
in it deletes the evidence (consents, therapist access log, ruptures and their timeline)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.db.models import Model
from django.test import Client
from django.urls import NoReverseMatch, reverse

from accounts.models import ParentalConsent, TherapistAccessLog, User
from ruptures.models import Rupture, RuptureEvent
from tests.factories import PASSWORD, TherapistFactory, UserFactory, enrol_totp, verified_email
from tests.support.admin import new_staff, totp_now
from tests.world import World, flag

pytestmark = pytest.mark.django_db


def _password(client: Client, email: str | None, password: str = PASSWORD) -> Any:
    return client.post("/admin/signin/?next=/admin/", {"login": email, "password": password})


# --- The way in -----------------------------------------------------------------------------


def test_anonymous_admin_visit_is_sent_to_allauth_sign_in() -> None:
    client = Client()

    first = client.get("/admin/", follow=True)

    assert first.redirect_chain == [
        ("/admin/login/?next=/admin/", 302),
        ("/admin/signin/?next=%2Fadmin%2F", 302),
    ]
    assert first.status_code == 200
    assert b'name="password"' in first.content


def test_djangos_admin_password_form_no_longer_signs_anyone_in() -> None:
    staff, _secret = new_staff(is_superuser=True)
    client = Client()

    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": staff.email, "password": PASSWORD, "next": "/admin/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/signin/?next=%2Fadmin%2F"
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_password_alone_does_not_open_admin_the_second_factor_does() -> None:
    staff, secret = new_staff()
    client = Client()

    password = _password(client, staff.email)
    assert password.status_code == 302
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    wrong = client.post("/admin/signin/2fa/", {"code": "000000"})
    assert wrong.status_code == 200
    assert client.get("/admin/").status_code == 302

    right = client.post("/admin/signin/2fa/", {"code": totp_now(secret)})

    assert (right.status_code, right["Location"]) == (302, "/admin/")
    assert client.get("/admin/").status_code == 200


def test_staff_without_an_authenticator_enrols_one_before_admin_opens() -> None:
    staff = verified_email(UserFactory.create(is_staff=True))
    client = Client()
    assert _password(client, staff.email).status_code == 302

    sent = client.get("/admin/", follow=True)
    enrol = "/admin/signin/2fa/totp/?next=%2Fadmin%2F"
    assert [url for url, _ in sent.redirect_chain][-2] == enrol
    # allauth asks for the password again before an authenticator is added, as in the PWA
    assert sent.redirect_chain[-1][0].startswith("/admin/signin/reauthenticate/")
    confirmed = client.post(sent.redirect_chain[-1][0], {"password": PASSWORD}, follow=True)
    assert confirmed.redirect_chain[-1][0] == enrol
    found = re.search(rb"<code>([A-Z2-7]+)</code>", confirmed.content)
    assert found, sent.content
    assert b'src="data:image/svg+xml;base64,' in confirmed.content
    activated = client.post("/admin/signin/2fa/totp/", {"code": totp_now(found.group(1).decode())})
    assert activated["Location"] == "/admin/signin/2fa/recovery-codes/"
    codes_page = client.get(activated["Location"])
    recovery_codes = re.findall(rb"^([a-z0-9]{8})$", codes_page.content, re.MULTILINE)
    assert len(recovery_codes) == 10, codes_page.content

    # enrolling is not itself a second factor for this session: admin asks for one
    asked = client.get("/admin/", follow=True)
    assert [url for url, _ in asked.redirect_chain][
        -1
    ] == "/admin/signin/2fa/again/?next=%2Fadmin%2F"
    again = client.post(
        "/admin/signin/2fa/again/?next=/admin/", {"code": recovery_codes[0].decode()}
    )

    assert (again.status_code, again["Location"]) == (302, "/admin/")
    assert client.get("/admin/").status_code == 200


def test_only_active_staff_reach_admin_whatever_their_second_factor() -> None:
    therapist = verified_email(TherapistFactory.create())
    client = sign_in_to_admin_as(therapist)

    assert client.get("/admin/", follow=True).status_code == 403
    assert client.get("/admin/accounts/user/", follow=True).status_code == 403
    assert client.get("/admin/login/").status_code == 403


def sign_in_to_admin_as(user: User) -> Client:
    """Password and TOTP through the sign-in pages, for someone who is not staff."""
    secret = enrol_totp(user)
    client = Client()
    password = _password(client, user.email)
    assert password["Location"].startswith("/admin/signin/2fa/")
    assert client.post("/admin/signin/2fa/", {"code": totp_now(secret)}).status_code == 302
    return client


def test_a_staff_session_loses_admin_when_the_authenticator_is_removed(
    staff_client: Client,
) -> None:
    assert staff_client.get("/admin/").status_code == 200
    Authenticator.objects.all().delete()

    assert staff_client.get("/admin/").status_code == 302


# --- Rate limits (allauth's, in the Redis cache) -----------------------------------------------


def test_failed_admin_logins_are_limited_even_for_the_right_password() -> None:
    staff, _secret = new_staff()
    attacker = Client()
    failures = [_password(attacker, f"guess{n}@example.com", "wrong") for n in range(10)]

    blocked = _password(attacker, staff.email)

    assert {f.status_code for f in failures} == {200}
    assert blocked.status_code == 200
    assert b"Too many failed login attempts. Try again later." in blocked.content
    assert "_auth_user_id" not in attacker.session


def test_the_sign_in_page_answers_429_once_the_address_limit_is_spent() -> None:
    client = Client()
    statuses = [_password(client, f"nobody{n}@example.com", "wrong").status_code for n in range(31)]

    assert set(statuses[:30]) == {200}
    assert statuses[30] == 429


# --- Nothing else of allauth's HTML pages exists -------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/signup/",
        "/admin/signin/signup/",
        "/accounts/login/",
        "/accounts/password/reset/",
        "/admin/signin/password/reset/",
        "/accounts/email/",
        "/accounts/3rdparty/",
    ],
)
def test_no_signup_or_account_management_pages(url: str) -> None:
    """Nothing answers there: a 404, or under /admin/ the redirect every unknown page gets."""
    users = User.objects.count()

    page = Client().get(url)
    posted = Client().post(url, {"email": "new@example.com", "password1": PASSWORD})

    assert page.status_code in {302, 404}
    assert page.status_code == 404 or page["Location"].startswith("/admin/login/")
    assert posted.status_code in {302, 403, 404}
    assert User.objects.count() == users
    assert not mail.outbox


@pytest.mark.parametrize("name", ["account_signup", "account_reset_password", "account_email"])
def test_allauth_account_views_are_not_routed(name: str) -> None:
    with pytest.raises(NoReverseMatch):
        reverse(name)


def test_sign_in_pages_keep_the_content_security_policy() -> None:
    staff = verified_email(UserFactory.create(is_staff=True))
    client = Client()
    pages = [client.get("/admin/signin/")]
    _password(client, staff.email)
    reauthenticate = client.get("/admin/signin/2fa/totp/", follow=True)
    enrol = client.post(reauthenticate.redirect_chain[-1][0], {"password": PASSWORD}, follow=True)
    pages += [reauthenticate, enrol]
    assert b'<img src="data:image/svg+xml' in enrol.content  # img-src allows data: for the QR

    for page in pages:
        assert page.status_code == 200
        policy = page["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "style-src 'self'" in policy
        assert "img-src 'self' data:" in policy
        assert b"<script" not in page.content
        assert b"style=" not in page.content
        assert b"<style" not in page.content


# --- Evidence cannot be deleted from admin ----------------------------------------------------


@pytest.fixture
def evidence(world: World) -> dict[str, Model]:
    consent = ParentalConsent.objects.create(
        child=world.child,
        family=world.family,
        given_by=world.parent,
        given_by_email=world.parent.email or "",
        privacy_notice_version="2026-01",
    )
    log = TherapistAccessLog.objects.create(
        therapist=world.therapist_details, family=world.family, action="rupture.view"
    )
    rupture = flag(world)
    return {
        "accounts/parentalconsent": consent,
        "accounts/therapistaccesslog": log,
        "ruptures/rupture": rupture,
    }


@pytest.mark.parametrize(
    "model", ["accounts/parentalconsent", "accounts/therapistaccesslog", "ruptures/rupture"]
)
def test_evidence_has_no_delete_page_and_no_bulk_delete(
    staff_client: Client, evidence: dict[str, Model], model: str
) -> None:
    row = evidence[model]
    pk = row.pk
    changelist = staff_client.get(f"/admin/{model}/")
    assert changelist.status_code == 200
    action_form = changelist.context["action_form"]  # None when no action is left at all
    actions = [name for name, _ in action_form.fields["action"].choices] if action_form else []
    assert "delete_selected" not in actions

    page = staff_client.get(f"/admin/{model}/{pk}/delete/")
    confirmed = staff_client.post(f"/admin/{model}/{pk}/delete/", {"post": "yes"})
    bulk = staff_client.post(
        f"/admin/{model}/", {"action": "delete_selected", "_selected_action": [pk], "post": "yes"}
    )

    assert page.status_code == 403
    assert confirmed.status_code == 403
    assert bulk.status_code in {200, 302, 403}
    assert type(row)._default_manager.filter(pk=pk).exists()


def test_deleting_a_family_from_admin_cannot_cascade_to_its_evidence(
    staff_client: Client, evidence: dict[str, Model], world: World
) -> None:
    events = RuptureEvent.objects.filter(rupture__family=world.family).count()
    assert events > 0

    page = staff_client.get(f"/admin/accounts/family/{world.family.pk}/delete/")
    confirmed = staff_client.post(
        f"/admin/accounts/family/{world.family.pk}/delete/", {"post": "yes"}
    )
    bulk = staff_client.post(
        "/admin/accounts/family/",
        {"action": "delete_selected", "_selected_action": [world.family.pk], "post": "yes"},
    )

    assert page.status_code == 200
    assert b"permission to delete the following types of objects" in page.content
    assert confirmed.status_code == 403
    assert bulk.status_code in {200, 302, 403}
    assert ParentalConsent.objects.filter(family=world.family).exists()
    assert TherapistAccessLog.objects.filter(family=world.family).exists()
    assert Rupture.objects.filter(family=world.family).exists()
    assert RuptureEvent.objects.filter(rupture__family=world.family).count() == events


def test_a_rupture_timeline_cannot_be_edited_or_deleted_inline(
    staff_client: Client, evidence: dict[str, Model]
) -> None:
    rupture = evidence["ruptures/rupture"]

    page = staff_client.get(f"/admin/ruptures/rupture/{rupture.pk}/change/")

    assert page.status_code == 200
    formset = page.context["inline_admin_formsets"][0]
    assert formset.formset.model is RuptureEvent
    assert formset.has_delete_permission is False
    assert b"-DELETE" not in page.content
    assert staff_client.get("/admin/ruptures/ruptureevent/").status_code == 404


def test_a_new_superuser_confirms_their_email_by_code_then_enrols() -> None:
    """``createsuperuser`` leaves no allauth address: the first sign-in confirms it by code."""
    staff = UserFactory.create(is_staff=True, is_superuser=True)
    client = Client()

    sent = _password(client, staff.email)
    assert sent["Location"].startswith("/admin/signin/confirm-email/")
    assert mail.outbox[-1].to == [staff.email]
    code = re.search(r"^\s*([A-Z0-9]{4}-?[A-Z0-9]{4})\s*$", str(mail.outbox[-1].body), re.M)
    assert code, mail.outbox[-1].body
    confirmed = client.post(sent["Location"], {"code": code.group(1)}, follow=True)

    assert [url for url, _ in confirmed.redirect_chain][:3] == [
        "/admin/",
        "/admin/login/?next=/admin/",
        "/admin/signin/2fa/totp/?next=%2Fadmin%2F",
    ]
    assert client.get("/admin/").status_code == 302
