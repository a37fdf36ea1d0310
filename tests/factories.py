"""Factories for the accounts domain. Other areas keep theirs beside their tests."""

from __future__ import annotations

import datetime as dt

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone
from factory.declarations import LazyFunction, Sequence, SubFactory
from factory.django import DjangoModelFactory, Password
from factory.faker import Faker

from accounts.models import CareScope, CareTeamGrant, Family, Membership, Role, User

PASSWORD = "correct horse battery staple"


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User

    email: object = Sequence(lambda n: f"person{n}@example.com")
    display_name = Faker("first_name")
    password: object = Password(PASSWORD)


class ChildProfileFactory(UserFactory):
    email = None
    birth_year: object = LazyFunction(lambda: timezone.localdate().year - 8)
    is_child_profile = True
    password = "!unusable"  # Django's marker for "no password": pairing only


class TeenFactory(UserFactory):
    """A teenager with their own email account (signed up, then joined by invite)."""

    birth_year: object = LazyFunction(lambda: timezone.localdate().year - 15)


class TherapistFactory(UserFactory):
    """A verified therapist with a share code (MFA is separate: see ``enrol_totp``)."""

    is_therapist = True
    therapist_verified_at: object = LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    therapist_share_code: object = Sequence(lambda n: f"SHARE{n:05d}")


class FamilyFactory(DjangoModelFactory[Family]):
    class Meta:
        model = Family

    name = Sequence(lambda n: f"Family {n}")


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    family = SubFactory(FamilyFactory)
    user = SubFactory(UserFactory)
    role = Role.PARENT


class CareTeamGrantFactory(DjangoModelFactory[CareTeamGrant]):
    class Meta:
        model = CareTeamGrant

    family = SubFactory(FamilyFactory)
    therapist = SubFactory(TherapistFactory)
    scope = CareScope.METRICS


def verified_email(user: User) -> User:
    """Mark the user's address verified for allauth, as signing up and confirming would."""
    assert user.email
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def enrol_totp(user: User) -> str:
    """Activate a TOTP authenticator as allauth's enrolment does; returns the secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return str(secret)


def has_totp(user: User) -> bool:
    return bool(Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists())
