"""Rupture endpoints: flag, list, read, and one action per transition. Each action answers 200
with the rupture as it now stands."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status as http_status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from api import idempotency
from api.ruptures import serializers as s
from api.views import APIView, GenericViewSet, validated
from familyrepair.errors import ErrorCode, NotFound
from ruptures import feelings, selectors, services
from ruptures.models import Direction, Party, Rupture, Status
from ruptures.states import Action

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="A client-made unique key per action; retries with it create nothing new.",
)


PLANS_MAX = 100  # a pair's plans on one screen; older ones are on their ruptures


class FeelingsView(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(responses=s.FeelingVocabularyOut(many=True), operation_id="feelings_list")
    def get(self, request: Request) -> Response:
        return Response(feelings.vocabulary())


class RuptureViewSet(GenericViewSet):
    serializer_class = s.RuptureOut
    queryset = Rupture.objects.none()  # for the schema's id type; reads go through selectors
    lookup_value_regex = r"[0-9]{1,18}"  # an absurd id is a 404, never an integer overflow

    def _user(self) -> User:
        user: User = self.request.user  # type: ignore[assignment]  # IsAuthenticated ran first
        return user

    def _page(self, rupture_id: int) -> tuple[Rupture, Party | None, list[Any], dict[str, Any]]:
        """A rupture's page as the caller sees it: its child or parent, from the kept statements;
        a therapist, through the selector that decides their reach by grants and alerts."""
        user = self._user()
        if not user.is_therapist:
            return selectors.rupture_detail_of_party(actor=user, rupture_id=rupture_id)
        rupture, party = selectors.rupture_detail(actor=user, rupture_id=rupture_id)
        return rupture, party, s.timeline_of(rupture), s.steps_of(rupture)

    def _answer(self, rupture_id: int, *, status: int = http_status.HTTP_200_OK) -> Response:
        """A write's answer: the rupture's page after it, remembered for a replay."""
        rupture, party, timeline, steps = self._page(rupture_id)
        idempotency.remember(self.request, kind="rupture", pk=rupture.pk)
        body = s.rupture_body(rupture, party=party, timeline=timeline, steps=steps)
        return Response(body, status=status)

    @extend_schema(parameters=[s.RuptureListFilter], responses=s.RuptureRowOut(many=True))
    def list(self, request: Request) -> Response:
        user = self._user()
        status, family_id = list_filter(request.query_params)
        ruptures = selectors.rupture_list(actor=user, status=status, family_id=family_id)
        rows: list[selectors.RuptureRow] | None = self.paginate_queryset(ruptures)  # type: ignore[arg-type]  # a RuptureList pages as a queryset does (api.pagination)
        if rows is None:  # the API's lists are always paginated
            raise ImproperlyConfigured("the rupture list needs a pagination class")
        if user.is_therapist:  # the one reader who leaves access-log rows
            services.therapist_reads_record(
                reader=user,
                ruptures=selectors.as_ruptures(rows),
                action="rupture.list",
                per_family=True,
            )
        return self.get_paginated_response(s.rupture_rows(rows))

    @extend_schema(
        request=s.FlagIn,
        responses={201: s.RuptureOut},
        parameters=[IDEMPOTENCY_PARAMETER],
        description="A child flags 'you upset me' to one parent (`parent`), or a parent flags "
        "their own rupture toward a child (`child`). `unsafe: true` holds it for safety review: "
        "the parent is never told, and the response carries help resources. A child's "
        "`direction: child_repairs` starts 'I want to make it right' toward `parent`: the "
        "child works through the steps, the parent confirms (or says not yet).",
    )
    def create(self, request: Request) -> Response:
        data = validated(s.FlagIn, request.data)
        rupture = services.rupture_flag(
            actor=self._user(),
            flag=services.FlagInput(
                family_id=data["family"],
                parent_id=data.get("parent"),
                child_id=data.get("child"),
                feelings=data["feelings"],
                intensity=data["intensity"],
                size=data.get("size", ""),
                need=data.get("need", ""),
                note=data.get("note", ""),
                occurred_at=data.get("occurred_at"),
                needs_space_until=data.get("needs_space_until"),
                unsafe=data["unsafe"],
                direction=data.get("direction", Direction.PARENT_REPAIRS),
                started_from_nudge=data.get("started_from_nudge", False),
            ),
        )
        return self._answer(rupture.pk, status=http_status.HTTP_201_CREATED)

    @extend_schema(responses=s.RuptureOut)
    def retrieve(self, request: Request, pk: str) -> Response:
        user = self._user()
        rupture, party, timeline, steps = self._page(_id(pk))
        if user.is_therapist:  # every therapist read is logged
            services.therapist_reads_record(reader=user, ruptures=[rupture], action="rupture.view")
        return Response(s.rupture_body(rupture, party=party, timeline=timeline, steps=steps))

    @extend_schema(request=None, responses=s.RuptureOut, parameters=[IDEMPOTENCY_PARAMETER])
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str) -> Response:
        services.rupture_acknowledge(actor=self._user(), rupture_id=_id(pk))
        return self._answer(_id(pk))

    @extend_schema(request=s.RepairStepsIn, responses=s.RuptureOut)
    @action(detail=True, methods=["patch"], url_path="repair-steps")
    def repair_steps(self, request: Request, pk: str) -> Response:
        selectors.authorize_action(
            actor=self._user(), rupture_id=_id(pk), action=Action.REPAIR_STEPS
        )
        data = validated(s.RepairStepsIn, request.data)
        services.rupture_repair_steps_update(
            actor=self._user(),
            rupture_id=_id(pk),
            changes=[
                services.StepChange(
                    step=c["step"], done=c.get("done"), reflection=c.get("reflection")
                )
                for c in data["steps"]
            ],
        )
        return self._answer(_id(pk))

    @extend_schema(request=None, responses=s.RuptureOut, parameters=[IDEMPOTENCY_PARAMETER])
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        services.rupture_confirm(actor=self._user(), rupture_id=_id(pk))
        return self._answer(_id(pk))

    @extend_schema(request=s.NotYetIn, responses=s.RuptureOut, parameters=[IDEMPOTENCY_PARAMETER])
    @action(detail=True, methods=["post"], url_path="not-yet")
    def not_yet(self, request: Request, pk: str) -> Response:
        selectors.authorize_action(actor=self._user(), rupture_id=_id(pk), action=Action.NOT_YET)
        data = validated(s.NotYetIn, request.data)
        services.rupture_not_yet(
            actor=self._user(), rupture_id=_id(pk), reason=data.get("reason", "")
        )
        return self._answer(_id(pk))

    @extend_schema(request=None, responses=s.RuptureOut, parameters=[IDEMPOTENCY_PARAMETER])
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        services.rupture_withdraw(actor=self._user(), rupture_id=_id(pk))
        return self._answer(_id(pk))

    @extend_schema(
        request=s.FollowUpIn,
        responses={200: s.RuptureOut, 201: s.RuptureOut},
        parameters=[IDEMPOTENCY_PARAMETER],
        description="Answer 'Are you two still OK?' and, when the two made a plan, 'Did our "
        "plan help?' (`plan_helped`). `not_really` opens a new rupture linked to this one "
        "(`follow_up_of`), started by whoever answered, and answers with it: a child who was "
        "making it right goes on making it right (`child_repairs`); a parent reaches out as "
        "their own repair (`parent_repairs`).",
    )
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request: Request, pk: str) -> Response:
        selectors.authorize_action(actor=self._user(), rupture_id=_id(pk), action=Action.FOLLOW_UP)
        data = validated(s.FollowUpIn, request.data)
        shown = services.rupture_follow_up_answer(
            actor=self._user(),
            rupture_id=_id(pk),
            answer=data["answer"],
            plan_helped=data["plan_helped"],
        )
        created = shown.pk != _id(pk)
        return self._answer(shown.pk, status=201 if created else 200)

    @extend_schema(
        request=s.PlanIn,
        responses=s.RuptureOut,
        parameters=[IDEMPOTENCY_PARAMETER],
        description="Say (or change) your part of the pair's plan: what you will do "
        "differently, or what would help next time. Seen by the two of you only.",
    )
    @action(detail=True, methods=["post"])
    def plan(self, request: Request, pk: str) -> Response:
        selectors.authorize_action(actor=self._user(), rupture_id=_id(pk), action=Action.PLAN)
        data = validated(s.PlanIn, request.data)
        services.rupture_plan_say(actor=self._user(), rupture_id=_id(pk), words=data["words"])
        return self._answer(_id(pk))

    @extend_schema(
        request=None,
        responses=s.RuptureOut,
        parameters=[IDEMPOTENCY_PARAMETER],
        description="The child's answer 'yes' to \"Would you like {parent} to see this now?\" "
        "(`release_question`), offered once a safety review found no safety concern: the flag "
        "goes to the parent as an ordinary flag. The child's alone (`allowed_actions`).",
    )
    @action(detail=True, methods=["post"])
    def release(self, request: Request, pk: str) -> Response:
        services.rupture_release(actor=self._user(), rupture_id=_id(pk))
        return self._answer(_id(pk))

    @extend_schema(
        request=None,
        responses=s.RuptureOut,
        parameters=[IDEMPOTENCY_PARAMETER],
        operation_id="ruptures_keep_held",
        description="The child's answer 'no' to `release_question`: the flag stays held from "
        "the parent, and the question is not asked again (`release` stays allowed, for a "
        "child who changes their mind). The child's alone (`allowed_actions`).",
    )
    @action(detail=True, methods=["post"], url_path="keep-held")
    def keep_held(self, request: Request, pk: str) -> Response:
        services.rupture_keep_held(actor=self._user(), rupture_id=_id(pk))
        return self._answer(_id(pk))


class PlanListView(APIView):
    @extend_schema(
        parameters=[s.PlanFilter],
        responses=s.PlanRowOut(many=True),
        operation_id="families_plans_list",
        description='"Our plans": the plans the caller made with each child or parent in the '
        "family (`child` or `parent` narrows it to one pair), newest first. Members only: a "
        "plan is the pair's words.",
    )
    def get(self, request: Request, family_id: int) -> Response:
        user: User = request.user  # type: ignore[assignment]  # IsAuthenticated ran first
        query = validated(s.PlanFilter, request.query_params)
        ruptures = selectors.plans_of_pair(
            actor=user,
            family_id=family_id,
            child_id=query.get("child"),
            parent_id=query.get("parent"),
        )
        return Response(s.plan_rows(ruptures[:PLANS_MAX]))


class RuptureMessagesView(APIView):
    @extend_schema(responses=s.MessageOut(many=True), operation_id="ruptures_messages_list")
    def get(self, request: Request, pk: int) -> Response:
        user: User = request.user  # type: ignore[assignment]  # IsAuthenticated ran first
        if not user.is_therapist:  # its child or parent: one kept statement
            return Response(
                s.conversation_rows(
                    selectors.messages_of_party(actor=user, rupture_id=pk), reader=user
                )
            )
        rupture, _party = selectors.access_rupture(actor=user, rupture_id=pk)
        services.therapist_reads_record(reader=user, ruptures=[rupture], action="rupture.messages")
        messages = selectors.message_list(rupture=rupture)
        return Response(s.message_rows(messages, reader=user))

    @extend_schema(
        request=s.MessageIn,
        responses={201: s.MessageOut},
        parameters=[IDEMPOTENCY_PARAMETER],
        operation_id="ruptures_messages_create",
    )
    def post(self, request: Request, pk: int) -> Response:
        user: User = request.user  # type: ignore[assignment]  # IsAuthenticated ran first
        selectors.authorize_action(actor=user, rupture_id=pk, action=Action.MESSAGE)
        data = validated(s.MessageIn, request.data)
        message = services.rupture_message_post(actor=user, rupture_id=pk, body=data["body"])
        body = s.MessageOut(message, context={"request": request}).data
        idempotency.remember(request, kind="rupture", pk=pk)
        return Response(body, status=http_status.HTTP_201_CREATED)


_STATUSES = frozenset(Status.values)


def list_filter(params: QueryDict) -> tuple[str | None, int | None]:
    """The list's ``status`` and ``family``, as ``RuptureListFilter`` validates them: read
    directly when plainly valid (a known status, a family id in digits, or neither: what the
    PWA sends), through the serializer otherwise, so a bad one gets DRF's 400 word for word."""
    status = params.get("status") or None
    family = params.get("family") or None
    if (status is None or status in _STATUSES) and (family is None or _plain_id(family)):
        return status, int(family) if family is not None else None
    query = validated(s.RuptureListFilter, params)
    return query.get("status"), query.get("family")


def _plain_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) <= 19 and 1 <= int(value) <= s.MAX_ID


def _id(pk: str) -> int:
    """URL ids are digits by the route; anything else is simply not found."""
    if not pk.isdigit() or len(pk) > 18:
        raise NotFound(_("No such rupture."), code=ErrorCode.RUPTURE_NOT_FOUND)
    return int(pk)
