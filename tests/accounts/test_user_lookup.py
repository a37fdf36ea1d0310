"""The signed-in user's lookup (``User.objects.get(pk=...)``, which Django's auth backends make on
every request) runs a statement compiled once per connection: the same row, the same instance, the
same errors as the ORM's query, without building it again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models.sql.query import Query
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from tests.world import ClientKind, World, client_for

pytestmark = pytest.mark.django_db


@contextmanager
def queries_built(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Each filter the ORM builds inside the block."""
    built: list[object] = []
    original = Query.add_q

    def counting(self: Query, *args: Any, **kwargs: Any) -> Any:
        built.append(args)
        return original(self, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(Query, "add_q", counting)
        yield built


def test_the_user_is_the_one_the_orm_loads(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    User.objects.filter(pk=world.parent.pk).update(
        display_name="Ana", birth_year=1985, time_zone="Europe/Madrid", locale="es"
    )
    from_the_orm = User.objects.filter(pk=world.parent.pk).get()
    User.objects.get(pk=world.other_parent.pk)  # compiled on this connection from here on

    with queries_built(monkeypatch) as built, CaptureQueriesContext(connection) as queries:
        user = User.objects.get(pk=world.parent.pk)

    assert built == []
    assert len(queries) == 1
    assert user.get_deferred_fields() == set()
    assert (user._state.adding, user._state.db) == (False, "default")
    for field in User._meta.concrete_fields:
        assert getattr(user, field.attname) == getattr(from_the_orm, field.attname), field.name
    assert user.quiet_hours_start == dt.time(21, 0)  # a time, converted as the ORM converts it
    assert user.date_joined.tzinfo is not None  # converted as the ORM converts it (SQLite too)
    assert User.objects.get(id=world.child.pk) == world.child


def test_a_missing_user_is_does_not_exist() -> None:
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=2**62)


def test_other_lookups_go_through_the_orm(world: World) -> None:
    group = Group.objects.create(name="reviewers")
    with pytest.raises(User.DoesNotExist):  # the relation still filters: parent is not in it
        group.user_set.get(pk=world.parent.pk)
    group.user_set.add(world.parent)
    assert group.user_set.get(pk=world.parent.pk) == world.parent
    assert User.objects.get(pk=str(world.parent.pk)) == world.parent
    assert User.objects.get(email=world.parent.email) == world.parent
    assert User.objects.db_manager("default").get(pk=world.parent.pk) == world.parent


def test_a_deactivated_account_is_signed_out(world: World, client_kind: ClientKind) -> None:
    api = client_for(world.parent, client_kind)
    assert api.get("/api/v1/me/").status_code == 200
    User.objects.filter(pk=world.parent.pk).update(is_active=False)

    response = api.get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "not_authenticated"
