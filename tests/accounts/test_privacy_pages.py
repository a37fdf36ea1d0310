"""The privacy notice and retention policy are pages the app serves, naming their versions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Invite, PairingCode
from accounts.privacy import PRIVACY_NOTICE_VERSION, RETENTION_POLICY_VERSION
from accounts.services.children import pairing_code_create
from accounts.services.invites import invite_create
from accounts.services.retention import expired_codes_purge
from tests.factories import ChildProfileFactory, FamilyFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "heading", "version"),
    [
        ("/privacy/", "<h1>Privacy notice</h1>", PRIVACY_NOTICE_VERSION),
        ("/privacy/retention/", "<h1>How long we keep data</h1>", RETENTION_POLICY_VERSION),
    ],
)
def test_pages_are_served(url: str, heading: str, version: str) -> None:
    response = Client().get(url)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert heading in html
    assert f"Version {version}." in html


@pytest.mark.parametrize(
    ("url", "heading", "version"),
    [
        ("/privacy/", "<h1>Aviso de privacidad</h1>", PRIVACY_NOTICE_VERSION),
        (
            "/privacy/retention/",
            "<h1>Cuánto tiempo guardamos los datos</h1>",
            RETENTION_POLICY_VERSION,
        ),
    ],
)
def test_pages_are_served_in_spanish_to_a_spanish_browser(
    url: str, heading: str, version: str
) -> None:
    response = Client().get(url, headers={"Accept-Language": "es-US,es;q=0.9,en;q=0.5"})

    html = response.content.decode()
    assert response["Content-Language"] == "es"
    assert '<html lang="es">' in html
    assert heading in html
    assert f"Versión {version}." in html


def test_privacy_endpoint_names_current_versions() -> None:
    response = Client().get("/api/v1/privacy/")

    assert response.json() == {
        "privacy_notice_version": PRIVACY_NOTICE_VERSION,
        "privacy_notice_url": "/privacy/",
        "retention_policy_version": RETENTION_POLICY_VERSION,
        "retention_policy_url": "/privacy/retention/",
    }


def test_retention_sweep_deletes_what_the_policy_says() -> None:
    family = FamilyFactory.create()
    parent = MembershipFactory.create(family=family).user
    child = MembershipFactory.create(family=family, user=ChildProfileFactory.create(), role="child")
    now = timezone.now()
    pairing_code_create(
        actor=parent, family_id=family.pk, child_id=child.user_id, now=now - dt.timedelta(days=2)
    )
    pairing_code_create(actor=parent, family_id=family.pk, child_id=child.user_id, now=now)
    invite_create(actor=parent, family_id=family.pk, role="child", now=now - dt.timedelta(days=40))
    invite_create(actor=parent, family_id=family.pk, role="child", now=now - dt.timedelta(days=8))

    assert expired_codes_purge(now=now) == (1, 1)
    assert expired_codes_purge(now=now) == (0, 0)
    assert PairingCode.objects.count() == 1
    assert Invite.objects.count() == 1


def test_the_pages_say_what_erasing_a_child_and_a_safety_review_keep() -> None:
    notice = Client().get("/privacy/").content.decode()
    retention = Client().get("/privacy/retention/").content.decode()

    assert "erase the child's profile at any time" in notice  # one line: translated whole
    assert "Anything under safety review is kept" in notice
    assert "a receipt without the child's identity" in retention
    assert "Kept, with its alerts, the care-team history and the access log" in retention
