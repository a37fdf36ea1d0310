"""Input and output shapes for ruptures. Outputs redact by the reader's side: a parent's private
reflections go to the parent only; help resources to the child only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from api.rows import moments_in
from ruptures import feelings
from ruptures.models import (
    MESSAGE_MAX_LENGTH,
    NOT_YET_REASON_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    PLAN_MAX_LENGTH,
    Direction,
    EventKind,
    FollowUpAnswer,
    Message,
    Need,
    Party,
    RepairStep,
    Rupture,
    RuptureEvent,
    Size,
    Status,
)
from ruptures.repair_guide import repair_guide
from ruptures.safety import help_resources
from ruptures.selectors import RuptureRow
from ruptures.states import Action, allowed_actions, repairer

FORMER_MEMBER = gettext_lazy("Former member")
REVIEW_EVENTS = frozenset(
    {
        EventKind.SAFETY_REVIEW,
        EventKind.REVIEW_CLOSED,
        EventKind.RELEASED,
        EventKind.RELEASE_DECLINED,
    }
)


# --- inputs ------------------------------------------------------------------------------------
MAX_ID = 2**63 - 1


class RuptureListFilter(serializers.Serializer[dict[str, Any]]):
    """The list's query parameters; an empty one is as if it were absent."""

    status = serializers.ChoiceField(choices=Status.choices, required=False)
    family = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)


class FlagIn(serializers.Serializer[dict[str, Any]]):
    family = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    parent = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)  # type: ignore[assignment]  # a field named like a DRF Field attribute
    child = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    feelings = serializers.ListField(
        child=serializers.CharField(max_length=32),
        max_length=feelings.MAX_FEELINGS,
        help_text="At least one, except on a flag marked unsafe.",
    )
    intensity = serializers.IntegerField(min_value=1, max_value=5)
    size = serializers.ChoiceField(choices=Size.choices, required=False, allow_blank=True)
    need = serializers.ChoiceField(choices=Need.choices, required=False, allow_blank=True)
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)
    occurred_at = serializers.DateTimeField(required=False)
    needs_space_until = serializers.DateTimeField(required=False, allow_null=True)
    unsafe = serializers.BooleanField(required=False, default=False)
    direction = serializers.ChoiceField(
        choices=Direction.choices,
        required=False,
        help_text="Absent: `parent_repairs`. `child_repairs`: a child's \"I want to make it "
        'right" toward `parent` (not unsafe, no need or space).',
    )
    started_from_nudge = serializers.BooleanField(
        required=False, help_text="A parent's own flag, started from their evening reflection."
    )


class StepChangeIn(serializers.Serializer[dict[str, Any]]):
    step = serializers.ChoiceField(choices=RepairStep.Code.choices)
    done = serializers.BooleanField(required=False)
    reflection = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)


class RepairStepsIn(serializers.Serializer[dict[str, Any]]):
    steps = serializers.ListField(child=StepChangeIn(), min_length=1, max_length=6)


class MessageIn(serializers.Serializer[dict[str, Any]]):
    body = serializers.CharField(max_length=MESSAGE_MAX_LENGTH)


class FollowUpIn(serializers.Serializer[dict[str, Any]]):
    answer = serializers.ChoiceField(choices=FollowUpAnswer.choices)
    plan_helped = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text='"Did our plan help?", only when the two made a plan (else 400 `no_plan`).',
    )


class PlanIn(serializers.Serializer[dict[str, Any]]):
    words = serializers.CharField(max_length=PLAN_MAX_LENGTH)


class PlanFilter(serializers.Serializer[dict[str, Any]]):
    """ "Our plans" query parameters: narrow to one pair."""

    child = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    parent = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)  # type: ignore[assignment]  # a field named like a DRF Field attribute


class NotYetIn(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField(
        max_length=NOT_YET_REASON_MAX_LENGTH, required=False, allow_blank=True
    )


# --- outputs -----------------------------------------------------------------------------------
class PersonOut(serializers.Serializer[User]):
    id = serializers.IntegerField(allow_null=True)
    display_name = serializers.CharField()


def person(user: User | None) -> dict[str, Any]:
    return named(None, None) if user is None else named(user.pk, user.display_name)


def named(user_id: int | None, display_name: str | None) -> dict[str, Any]:
    """``person`` from a user's id and name, as a kept statement or a list row reads them (no
    account loaded; no id: a former member)."""
    if user_id is None:
        return {"id": None, "display_name": FORMER_MEMBER}
    return {"id": user_id, "display_name": display_name or _("Family member")}


class FeelingOut(serializers.Serializer[dict[str, str]]):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like a DRF Field attribute
    emoji = serializers.CharField()


class FeelingVocabularyOut(serializers.Serializer[dict[str, Any]]):
    code = serializers.CharField()
    emoji = serializers.CharField()
    label_young = serializers.CharField(help_text="Simple words for children under 13.")
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like a DRF Field attribute
    young = serializers.BooleanField(help_text="Shown to children under 13.")
    little = serializers.BooleanField(
        help_text="The smaller picture set for children under 8, picked without reading."
    )


class ConfirmationsOut(serializers.Serializer[dict[str, Any]]):
    child = serializers.DateTimeField(allow_null=True)
    parent = serializers.DateTimeField(allow_null=True)  # type: ignore[assignment]  # a field named like a DRF Field attribute


class RuptureRowOut(serializers.Serializer[Rupture]):
    """A list row: what is open, with whom, how it felt; no words, no timeline."""

    id = serializers.IntegerField()
    family = serializers.IntegerField(source="family_id")
    status = serializers.ChoiceField(choices=Status.choices)
    started_by = serializers.ChoiceField(choices=Party.choices)
    direction = serializers.ChoiceField(
        choices=Direction.choices,
        help_text="Who makes it right: the parent (a child's flag, a parent's own) or the child "
        '(a child\'s "I want to make it right" toward a parent).',
    )
    child = serializers.SerializerMethodField()
    parent = serializers.SerializerMethodField()  # type: ignore[assignment]  # a field named like a DRF Field attribute
    feelings = serializers.SerializerMethodField()
    intensity = serializers.IntegerField()
    size = serializers.CharField()
    need = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    needs_space_until = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    reconnected_at = serializers.DateTimeField(allow_null=True)
    started_from_nudge = serializers.BooleanField(
        help_text="Read-only: a parent's own flag started from their evening reflection."
    )

    @extend_schema_field(PersonOut)
    def get_child(self, rupture: Rupture) -> dict[str, Any]:
        return person(rupture.child)

    @extend_schema_field(PersonOut)
    def get_parent(self, rupture: Rupture) -> dict[str, Any]:
        return person(rupture.parent)

    @extend_schema_field(FeelingOut(many=True))
    def get_feelings(self, rupture: Rupture) -> list[dict[str, str]]:
        return feelings.describe(rupture.feelings)


def _when(value: dt.datetime | None) -> str | None:
    return moments_in(timezone.get_current_timezone())(value)


def rupture_rows(rows: Iterable[RuptureRow]) -> list[dict[str, Any]]:
    """What ``RuptureRowOut`` renders for these ruptures, built as plain dicts straight from the
    list's rows: the same keys, order and values (a test compares the two), for a fraction of
    DRF's per-field cost on a page of 20 rows. RuptureRowOut stays the documented shape (the
    OpenAPI schema)."""
    when = moments_in(timezone.get_current_timezone())
    return [
        {
            "id": row.id,
            "family": row.family_id,
            "status": row.status,
            "started_by": row.started_by,
            "direction": row.direction,
            "child": named(row.child_id, row.child_name),
            "parent": named(row.parent_id, row.parent_name),
            "feelings": feelings.describe(row.feelings),
            "intensity": row.intensity,
            "size": row.size,
            "need": row.need,
            "occurred_at": when(row.occurred_at),
            "needs_space_until": when(row.needs_space_until),
            "created_at": when(row.created_at),
            "updated_at": when(row.updated_at),
            "acknowledged_at": when(row.acknowledged_at),
            "reconnected_at": when(row.reconnected_at),
            "started_from_nudge": row.started_from_nudge,
        }
        for row in rows
    ]


class EventOut(serializers.Serializer[RuptureEvent]):
    """One timeline entry (who, what, when); rendered by RuptureOut.get_timeline."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    actor = PersonOut(allow_null=True, help_text="Null for what the system did.")
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    data = serializers.DictField()  # type: ignore[assignment]  # a field named like a DRF Field attribute
    created_at = serializers.DateTimeField()


class RepairStepOut(serializers.Serializer[dict[str, Any]]):
    step = serializers.ChoiceField(choices=RepairStep.Code.choices)
    title = serializers.CharField()
    guidance = serializers.CharField()
    done = serializers.BooleanField()
    done_at = serializers.DateTimeField(allow_null=True)
    reflection = serializers.CharField(
        allow_null=True,
        help_text="Private to the one making it right (the parent, or the child in their own "
        "repair); null for anyone else.",
    )


class HelpLineOut(serializers.Serializer[dict[str, str]]):
    kind = serializers.ChoiceField(choices=[("text", "text"), ("chat", "chat"), ("call", "call")])
    name = serializers.CharField()
    how = serializers.CharField()
    value = serializers.CharField()


class HelpResourcesOut(serializers.Serializer[dict[str, Any]]):
    region = serializers.CharField()
    emergency = serializers.CharField()
    lines = HelpLineOut(many=True)


class PlanOut(serializers.Serializer[Rupture]):
    """The pair's plan: what each of the two said they will do, or what would help."""

    parent = serializers.CharField(help_text="The parent's part; empty if not said.")  # type: ignore[assignment]  # a field named like a DRF Field attribute
    child = serializers.CharField(help_text="The child's part; empty if not said.")
    updated_at = serializers.DateTimeField(allow_null=True)


def plan(rupture: Rupture) -> dict[str, Any]:
    return {
        "parent": rupture.plan_by_parent,
        "child": rupture.plan_by_child,
        "updated_at": _when(rupture.plan_updated_at),
    }


class PlanRowOut(serializers.Serializer[Rupture]):
    """One of "Our plans": the rupture it came from and the two parts."""

    rupture = serializers.IntegerField(source="pk")
    family = serializers.IntegerField(source="family_id")
    direction = serializers.ChoiceField(choices=Direction.choices)
    status = serializers.ChoiceField(choices=Status.choices)
    child = PersonOut()
    parent = PersonOut()
    occurred_at = serializers.DateTimeField()
    plan = PlanOut()


def plan_rows(ruptures: Iterable[Rupture]) -> list[dict[str, Any]]:
    return [
        {
            "rupture": rupture.pk,
            "family": rupture.family_id,
            "direction": rupture.direction,
            "status": rupture.status,
            "child": person(rupture.child),
            "parent": person(rupture.parent),
            "occurred_at": _when(rupture.occurred_at),
            "plan": plan(rupture),
        }
        for rupture in ruptures
    ]


class RuptureOut(RuptureRowOut):
    """A rupture as it now stands, for its child, its parent, or a therapist granted details."""

    note = serializers.CharField()
    unsafe = serializers.SerializerMethodField()
    closed_at = serializers.DateTimeField(allow_null=True)
    follow_up_of = serializers.IntegerField(source="follow_up_of_id", allow_null=True)
    confirmations = serializers.SerializerMethodField()
    repair_steps = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    my_side = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()
    release_question = serializers.SerializerMethodField()
    help_resources = serializers.SerializerMethodField()
    plan = serializers.SerializerMethodField()

    def _party(self) -> Party | None:
        party: Party | None = self.context.get("party")
        return party

    def get_unsafe(self, rupture: Rupture) -> bool:
        return rupture.unsafe and self._party() != Party.PARENT

    @extend_schema_field(ConfirmationsOut)
    def get_confirmations(self, rupture: Rupture) -> dict[str, Any]:
        return {"child": rupture.child_confirmed_at, "parent": rupture.parent_confirmed_at}

    @extend_schema_field(RepairStepOut(many=True))
    def get_repair_steps(self, rupture: Rupture) -> list[dict[str, Any]]:
        done = {step.step: step for step in rupture.repair_steps.all()}
        is_repairer = self._party() == repairer(rupture)
        rows = []
        for guide in repair_guide(rupture):
            step = done.get(guide["step"])
            rows.append(
                {
                    **guide,
                    "done": bool(step and step.done_at),
                    "done_at": step.done_at if step else None,
                    "reflection": (step.reflection if step else "") if is_repairer else None,
                }
            )
        return rows

    @extend_schema_field(EventOut(many=True))
    def get_timeline(self, rupture: Rupture) -> list[dict[str, Any]]:
        # A flag the child released after a safety review reaches the parent as an ordinary one.
        hidden = REVIEW_EVENTS if self._party() == Party.PARENT else frozenset()
        return [
            {
                "id": event.pk,
                "kind": event.kind,
                "actor": person(event.actor) if event.actor_id else None,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "data": event.data,
                "created_at": event.created_at,
            }
            for event in rupture.events.all()
            if event.kind not in hidden
        ]

    @extend_schema_field(serializers.ChoiceField(choices=Party.choices, allow_null=True))
    def get_my_side(self, rupture: Rupture) -> str | None:
        return self._party()

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=[a.value for a in Action]))
    )
    def get_allowed_actions(self, rupture: Rupture) -> list[str]:
        return [str(action) for action in allowed_actions(rupture, self._party())]

    @extend_schema_field(PlanOut(allow_null=True, help_text="The two people in it only."))
    def get_plan(self, rupture: Rupture) -> dict[str, Any] | None:
        return plan(rupture) if self._party() is not None else None

    @extend_schema_field(
        serializers.CharField(
            allow_null=True,
            help_text="For the child only, once, after a review found no safety concern: the "
            "question to ask (yes: `release`; no: `keep_held`, after which it is not asked "
            "again though `release` stays allowed).",
        )
    )
    def get_release_question(self, rupture: Rupture) -> str | None:
        if Action.KEEP_HELD not in allowed_actions(rupture, self._party()):
            return None
        parent = rupture.parent.display_name if rupture.parent else ""
        return _("Would you like %(parent)s to see this now?") % {
            "parent": parent or _("your parent")
        }

    @extend_schema_field(HelpResourcesOut(allow_null=True))
    def get_help_resources(self, rupture: Rupture) -> dict[str, Any] | None:
        if not rupture.unsafe or self._party() != Party.CHILD:
            return None
        return help_resources(rupture.child.locale if rupture.child else "en")


def rupture_body(
    rupture: Rupture,
    *,
    party: Party | None,
    timeline: Iterable[dict[str, Any]],
    steps: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """``RuptureOut(rupture, context={"party": party}).data`` as a plain dict (a test compares the
    two), as ``rupture_rows`` does for the list: a rupture's page is what its two people open
    most. ``timeline`` is its events oldest first (``id``, ``kind``, ``actor_id``,
    ``actor__display_name``, ``from_status``, ``to_status``, ``data``, ``created_at``);
    ``steps`` its repair steps by code (``done_at``, ``reflection``)."""
    when = moments_in(timezone.get_current_timezone())
    actions = allowed_actions(rupture, party)
    is_repairer = party == repairer(rupture)
    repair_steps = []
    for guide in repair_guide(rupture):
        step = steps.get(guide["step"])
        repair_steps.append(
            {
                **guide,
                "done": bool(step and step["done_at"]),
                "done_at": step["done_at"] if step else None,
                "reflection": (step["reflection"] if step else "") if is_repairer else None,
            }
        )
    # A flag the child released after a safety review reaches the parent as an ordinary one.
    hidden = REVIEW_EVENTS if party == Party.PARENT else frozenset()
    release_question = None
    if Action.KEEP_HELD in actions:
        parent = rupture.parent.display_name if rupture.parent else ""
        release_question = _("Would you like %(parent)s to see this now?") % {
            "parent": parent or _("your parent")
        }
    help_lines = None
    if rupture.unsafe and party == Party.CHILD:
        help_lines = help_resources(rupture.child.locale if rupture.child else "en")
    return {
        "id": rupture.pk,
        "family": rupture.family_id,
        "status": rupture.status,
        "started_by": rupture.started_by,
        "direction": rupture.direction,
        "child": person(rupture.child),
        "parent": person(rupture.parent),
        "feelings": feelings.describe(rupture.feelings),
        "intensity": rupture.intensity,
        "size": rupture.size,
        "need": rupture.need,
        "occurred_at": when(rupture.occurred_at),
        "needs_space_until": when(rupture.needs_space_until),
        "created_at": when(rupture.created_at),
        "updated_at": when(rupture.updated_at),
        "acknowledged_at": when(rupture.acknowledged_at),
        "reconnected_at": when(rupture.reconnected_at),
        "started_from_nudge": rupture.started_from_nudge,
        "note": rupture.note,
        "unsafe": rupture.unsafe and party != Party.PARENT,
        "closed_at": when(rupture.closed_at),
        "follow_up_of": rupture.follow_up_of_id,
        "confirmations": {
            "child": rupture.child_confirmed_at,
            "parent": rupture.parent_confirmed_at,
        },
        "repair_steps": repair_steps,
        "timeline": [
            {
                "id": event["id"],
                "kind": event["kind"],
                "actor": (
                    named(event["actor_id"], event["actor__display_name"])
                    if event["actor_id"]
                    else None
                ),
                "from_status": event["from_status"],
                "to_status": event["to_status"],
                "data": event["data"],
                "created_at": event["created_at"],
            }
            for event in timeline
            if event["kind"] not in hidden
        ],
        "my_side": party,
        "allowed_actions": [str(action) for action in actions],
        "release_question": release_question,
        "help_resources": help_lines,
        "plan": plan(rupture) if party is not None else None,
    }


def timeline_of(rupture: Rupture) -> list[dict[str, Any]]:
    """A rupture's prefetched events as ``rupture_body`` takes them."""
    return [
        {
            "id": event.pk,
            "kind": event.kind,
            "actor_id": event.actor_id,
            "actor__display_name": event.actor.display_name if event.actor else None,
            "from_status": event.from_status,
            "to_status": event.to_status,
            "data": event.data,
            "created_at": event.created_at,
        }
        for event in rupture.events.all()
    ]


def steps_of(rupture: Rupture) -> dict[str, dict[str, Any]]:
    """A rupture's prefetched repair steps as ``rupture_body`` takes them."""
    return {
        step.step: {"done_at": step.done_at, "reflection": step.reflection}
        for step in rupture.repair_steps.all()
    }


class MessageOut(serializers.Serializer[Message]):
    id = serializers.IntegerField()
    rupture = serializers.IntegerField(source="rupture_id")
    author = serializers.SerializerMethodField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()
    mine = serializers.SerializerMethodField()

    @extend_schema_field(PersonOut)
    def get_author(self, message: Message) -> dict[str, Any]:
        return person(message.author)

    def get_mine(self, message: Message) -> bool:
        user = self.context["request"].user
        return bool(message.author_id == user.pk)


def message_rows(messages: Iterable[Message], *, reader: User) -> list[dict[str, Any]]:
    """``MessageOut(messages, many=True).data`` as plain dicts (a test compares the two), for
    messages loaded as models (a therapist's read): ``conversation_rows`` renders them."""
    return conversation_rows(
        (
            {
                "id": message.pk,
                "rupture_id": message.rupture_id,
                "author_id": message.author_id,
                "author_name": message.author.display_name if message.author else None,
                "body": message.body,
                "created_at": message.created_at,
            }
            for message in messages
        ),
        reader=reader,
    )


def conversation_rows(messages: Iterable[dict[str, Any]], *, reader: User) -> list[dict[str, Any]]:
    """``MessageOut(messages, many=True).data`` as plain dicts (a test compares the two), from a
    kept statement's columns (``ruptures.selectors.messages_of_party``): a conversation is read
    every time its screen opens."""
    when = moments_in(timezone.get_current_timezone())
    return [
        {
            "id": message["id"],
            "rupture": message["rupture_id"],
            "author": named(message["author_id"], message["author_name"]),
            "body": message["body"],
            "created_at": when(message["created_at"]),
            "mine": message["author_id"] == reader.pk,
        }
        for message in messages
    ]
