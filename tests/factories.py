"""Factories for the accounts domain. Other areas keep theirs beside their tests."""

from __future__ import annotations

from factory.declarations import Sequence, SubFactory
from factory.django import DjangoModelFactory, Password
from factory.faker import Faker

from accounts.models import Family, Membership, Role, User

PASSWORD = "correct horse battery staple"


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User

    email: object = Sequence(lambda n: f"person{n}@example.com")
    display_name = Faker("first_name")
    password: object = Password(PASSWORD)


class ChildProfileFactory(UserFactory):
    email = None
    birth_year = 2018
    is_child_profile = True
    password = "!unusable"  # Django's marker for "no password": pairing only


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
