"""The one world every API test shares: two families and every kind of caller around them, and
``client_for`` to call the API as any of them, as the PWA (browser) or an app would (a plugin).

- ``family`` (Okafor): ``parent`` (Ada) and ``other_parent``; ``child`` (Maya, 13+, her own email
  account), ``sibling`` (under 13, own account) and ``child_profile`` (Zoe, under 13, no email or
  password: she signs in on a device a parent pairs).
- ``other_family``: ``other_family_parent``, ``other_family_child`` (own account) and
  ``other_family_child_profile``.
- Therapists, all with a share code and TOTP: ``therapist_details`` and ``therapist_metrics`` on
  ``family``'s care team with those scopes (``therapist_metrics_grant``, given by ``parent``),
  ``therapist_ungranted`` on no team, ``therapist_unverified`` with a grant staff never verified.

Everyone with an email address has it verified, as signing up and confirming would leave it.

The world is built through the factories once per test process (``draw_blueprint``); each test
gets the same rows laid out again, one INSERT per table, and fresh objects for them.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal, cast

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import CareScope, CareTeamGrant, Family, Role, User
from ruptures import services
from ruptures.models import Rupture
from tests.factories import (
    CareTeamGrantFactory,
    ChildProfileFactory,
    FamilyFactory,
    MembershipFactory,
    TherapistFactory,
    UserFactory,
    enrol_totp,
    verified_email,
)


@dataclass
class World:
    family: Family
    parent: User
    other_parent: User
    child: User
    sibling: User
    child_profile: User
    other_family: Family
    other_family_parent: User
    other_family_child: User
    other_family_child_profile: User
    therapist_details: User
    therapist_metrics: User
    therapist_metrics_grant: CareTeamGrant
    therapist_ungranted: User
    therapist_unverified: User

    def actor(self, name: str) -> User | None:
        return None if name == "anonymous" else getattr(self, name)


def therapist(*, verified: bool = True, mfa: bool = True, display_name: str = "") -> User:
    user = verified_email(
        TherapistFactory.create(
            display_name=display_name or "Dr Therapist",
            therapist_verified_at=timezone.now() if verified else None,
        )
    )
    if mfa:
        enrol_totp(user)
    return user


def member(family: Family, role: Role, user: User | None = None, **fields: Any) -> User:
    """A member of ``family``; a new account with a verified address unless ``user`` is given."""
    user = user or verified_email(UserFactory.create(**fields))
    MembershipFactory.create(family=family, user=user, role=role)
    return user


def build_world() -> World:
    """The world, made through the factories as its people would be made."""
    family = FamilyFactory.create(name="Okafor")
    parent = member(family, Role.PARENT, display_name="Ada")
    other_parent = member(family, Role.PARENT)
    child = member(family, Role.CHILD, display_name="Maya", birth_year=2012)
    sibling = member(family, Role.CHILD, birth_year=2014)
    child_profile = member(family, Role.CHILD, ChildProfileFactory.create(display_name="Zoe"))
    other_family = FamilyFactory.create(name="Other")
    other_family_parent = member(other_family, Role.PARENT)
    other_family_child = member(other_family, Role.CHILD)
    other_family_child_profile = member(
        other_family, Role.CHILD, ChildProfileFactory.create(display_name="Ben")
    )
    details = therapist(display_name="Dr Osei")
    metrics = therapist(display_name="Dr Reyes")
    CareTeamGrant.objects.create(family=family, therapist=details, scope=CareScope.DETAILS)
    metrics_grant = CareTeamGrantFactory.create(
        family=family,
        therapist=metrics,
        scope=CareScope.METRICS,
        granted_by=parent,
        granted_at=timezone.now() - dt.timedelta(days=2),
    )
    unverified = therapist(verified=False, display_name="Mx Vale")
    CareTeamGrant.objects.create(family=family, therapist=unverified, scope=CareScope.DETAILS)
    return World(
        family=family,
        parent=parent,
        other_parent=other_parent,
        child=child,
        sibling=sibling,
        child_profile=child_profile,
        other_family=other_family,
        other_family_parent=other_family_parent,
        other_family_child=other_family_child,
        other_family_child_profile=other_family_child_profile,
        therapist_details=details,
        therapist_metrics=metrics,
        therapist_metrics_grant=metrics_grant,
        therapist_ungranted=therapist(display_name="Dr Lind"),
        therapist_unverified=unverified,
    )


@dataclass(frozen=True)
class Blueprint:
    """The rows ``build_world`` writes, and which of them each ``World`` field is."""

    rows: list[tuple[type[Model], list[Model]]]
    fields: dict[str, tuple[type[Model], Any]]


class _Discard(Exception):
    pass


AUTO_FIELDS = frozenset({"AutoField", "BigAutoField", "SmallAutoField"})
_blueprint: Blueprint | None = None  # one per test process (each xdist worker has its own)


def draw_blueprint() -> Blueprint:
    """Builds the world once, reads back every row it wrote and rolls them back.

    The primary keys it used stay taken: PostgreSQL's sequences do not roll back, and SQLite
    numbers new rows after the largest key in the table, so the laid-out rows never collide with
    rows a test makes.
    """
    models = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]
    before = {model: set(model._base_manager.values_list("pk", flat=True)) for model in models}
    rows: list[tuple[type[Model], list[Model]]] = []
    fields: dict[str, tuple[type[Model], Any]] = {}
    try:
        with transaction.atomic():
            built = build_world()
            for model in models:
                new = [row for row in model._base_manager.all() if row.pk not in before[model]]
                if new:
                    rows.append((model, new))
            for field in dataclasses.fields(World):
                value = getattr(built, field.name)
                fields[field.name] = (value._meta.concrete_model, value.pk)
            raise _Discard
    except _Discard:
        pass
    return Blueprint(rows=rows, fields=fields)


def lay_out(blueprint: Blueprint) -> World:
    """The blueprint's rows, one INSERT per table, as fresh objects: about a tenth of the time
    ``build_world`` takes, which most API tests spent before their first request."""
    laid: dict[tuple[type[Model], Any], Model] = {}
    with transaction.atomic():  # foreign keys are checked once all rows are in, in any order
        for model, rows in blueprint.rows:
            copies = copy.deepcopy(rows)
            model._base_manager.bulk_create(copies)
            laid.update({(model, row.pk): row for row in copies})
    keep_sequences_past(blueprint)
    people: dict[str, Any] = {name: laid[key] for name, key in blueprint.fields.items()}
    return World(**people)


def keep_sequences_past(blueprint: Blueprint) -> None:
    """On PostgreSQL, moves each id sequence past the laid-out rows if it is not already.

    Drawing the blueprint took its ids from the sequences, but ``populate`` (and anything else that
    sets a sequence from the rows it sees) can move one back below them; one statement for all.
    """
    if connection.vendor != "postgresql":
        return  # SQLite numbers a new row after the largest key in its table
    moves: list[str] = []
    params: list[str | int | None] = []
    for model, rows in blueprint.rows:
        pk = model._meta.pk
        if pk is not None and pk.get_internal_type() in AUTO_FIELDS:
            sequence = "pg_get_serial_sequence(%s, %s)::regclass"
            moves.append(
                f"setval({sequence}, GREATEST(%s, COALESCE(pg_sequence_last_value({sequence}), 0)))"
            )
            table, column = model._meta.db_table, pk.column
            params += [table, column, max(row.pk for row in rows), table, column]
    if moves:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(moves)}", params)


@pytest.fixture
def world(db: None) -> World:
    global _blueprint
    if _blueprint is None:
        _blueprint = draw_blueprint()
    return lay_out(_blueprint)


def other_family_grant(world: World) -> CareTeamGrant:
    """Puts ``therapist_metrics`` on ``other_family``'s care team too. The world leaves that team
    empty on purpose: a flag there alerts no therapist, so the safety team is told."""
    return CareTeamGrantFactory.create(family=world.other_family, therapist=world.therapist_metrics)


def flag(world: World, *, by: str = "child", **overrides: Any) -> Rupture:
    """A rupture flagged through the service, by the child (to the parent) or the parent."""
    actor = world.child if by == "child" else world.parent
    fields: dict[str, Any] = {
        "family_id": world.family.pk,
        "feelings": ["hurt", "embarrassed"],
        "intensity": 3,
        "note": "You shouted at me in front of my friends.",
    }
    fields |= {"parent_id": world.parent.pk} if by == "child" else {"child_id": world.child.pk}
    fields |= overrides
    return services.rupture_flag(actor=actor, flag=services.FlagInput(**fields))


ClientKind = Literal["browser", "app"]


def client_for(user: User | None, kind: ClientKind = "browser") -> APIClient:
    """A client signed in as ``user`` (anonymous when None), as allauth headless's two clients are.

    ``browser`` is the PWA: a session cookie, and the CSRF cookie and ``X-CSRFToken`` header it
    reads, with CSRF enforced as in production. ``app`` is a native app: allauth's session token in
    ``X-Session-Token`` and no cookie (allauth's own tests make the token the same way).
    """
    if kind == "app":
        app = APIClient()
        if user is not None:
            app.force_login(user)
            token = app.cookies.pop(settings.SESSION_COOKIE_NAME).value
            app.credentials(HTTP_X_SESSION_TOKEN=token)
        return app
    browser = APIClient(enforce_csrf_checks=True)
    if user is not None:
        browser.force_login(user)
    request = HttpRequest()
    browser.credentials(HTTP_X_CSRFTOKEN=get_token(request))
    browser.cookies[settings.CSRF_COOKIE_NAME] = request.META["CSRF_COOKIE"]
    return browser


@pytest.fixture(params=["browser", "app"])
def client_kind(request: pytest.FixtureRequest) -> ClientKind:
    """Runs a permission or visibility test once per client, as allauth's headless tests do."""
    return cast(ClientKind, request.param)


def later(minutes: int = 1) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)
