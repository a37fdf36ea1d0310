"""The demo loader builds one family through the services and is safe to run twice."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.management.commands.load_demo import DEMO_PASSWORD, PARENT_EMAIL
from accounts.models import Family, Membership, ParentalConsent, User

pytestmark = pytest.mark.django_db


def test_load_demo_is_idempotent_and_prints_how_to_sign_in() -> None:
    out = StringIO()
    call_command("load_demo", stdout=out)
    call_command("load_demo", stdout=StringIO())

    family = Family.objects.get()
    roles = sorted((m.user.display_name, m.role) for m in Membership.objects.filter(family=family))
    assert roles == [("Alex", "parent"), ("Jordan", "parent"), ("Mia", "child"), ("Sam", "child")]
    assert User.objects.get(email=PARENT_EMAIL).check_password(DEMO_PASSWORD)
    consent = ParentalConsent.objects.select_related("child").get()
    assert consent.child is not None
    assert consent.child.display_name == "Mia"
    assert PARENT_EMAIL in out.getvalue()
    assert DEMO_PASSWORD in out.getvalue()
