"""Check-in endpoints: what a member (or a therapist on the care team) may see of the family's
check-ins, and answering one question."""

from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import selectors as accounts_selectors
from accounts.models import User
from accounts.services.care_team import therapist_access_record
from api import idempotency
from api.checkins import serializers as io
from api.ruptures.views import IDEMPOTENCY_PARAMETER
from api.views import APIView, validated
from checkins import selectors, services
from checkins.models import SCORE_MAX, SCORE_MIN, CheckInAnswer
from checkins.words import INSTRUMENT_NOTE, SCALE_LABELS, question_text

FORMER_MEMBER = gettext_lazy("Former member")


def _user(request: Request) -> User:
    return cast(User, request.user)


def _person(user: User | None) -> dict[str, Any]:
    if user is None:
        return {"id": None, "display_name": FORMER_MEMBER}
    return {"id": user.pk, "display_name": user.display_name or _("Family member")}


def _answer_row(answer: CheckInAnswer) -> dict[str, Any]:
    """An answer as AnswerOut reads it, with the two people as references."""
    return {
        "id": answer.pk,
        "round_id": answer.round_id,
        "round": {"period_start": answer.round.period_start},
        "parent": _person(answer.parent),
        "child": _person(answer.child),
        "question": answer.question,
        "score": answer.score,
        "shared_with_parents": answer.shared_with_parents,
        "answered_at": answer.answered_at,
    }


def _trend_rows(rows: list[dict[str, Any]], names: dict[int, str]) -> list[dict[str, Any]]:
    def ref(user_id: int) -> dict[str, Any]:
        return {"id": user_id, "display_name": names.get(user_id) or FORMER_MEMBER}

    return [
        {
            "period_start": row["period_start"],
            "parent": ref(row["parent_id"]),
            "child": ref(row["child_id"]),
            "question": row["question"],
            "average": row["average"],
            "answers": row["answers"],
        }
        for row in rows
    ]


def _scale() -> dict[str, Any]:
    return {"min": SCORE_MIN, "max": SCORE_MAX, "faces": list(SCALE_LABELS.values())}


class FamilyCheckInsView(APIView):
    @extend_schema(responses=io.CheckInsOut, operation_id="families_check_ins_retrieve")
    def get(self, request: Request, family_id: int) -> Response:
        family, _membership, grant = accounts_selectors.family_for_reader(
            actor=_user(request), family_id=family_id
        )
        base = {
            "family": family.pk,
            "enabled": family.check_ins_enabled,
            "about": INSTRUMENT_NOTE,
            "scale": _scale(),
        }
        if grant is not None:
            therapist_access_record(
                therapist=_user(request), family=family, action="check_ins.view"
            )
            names = {
                m.user_id: m.user.display_name for m in selectors.family_memberships(family.pk)
            }
            body = base | {
                "round": None,
                "questions": [],
                "my_answers": [],
                "trend": _trend_rows(selectors.family_trend(family.pk), names),
            }
            return Response(io.CheckInsOut(body).data)
        seen = selectors.family_check_ins(actor=_user(request), family_id=family_id)
        questions = [
            {
                "round": seen.round.pk if seen.round else 0,
                "parent": _person(q["parent"]),
                "child": _person(q["child"]),
                "about": _person(q["about"]),
                "question": q["question"].value,
                "text": question_text(q["question"], other_name=q["about"].display_name),
            }
            for q in seen.pending
        ]
        body = base | {
            "round": seen.round,
            "questions": questions,
            "my_answers": [_answer_row(a) for a in seen.answers],
            "trend": _trend_rows(seen.trend, seen.names) if seen.trend is not None else None,
        }
        return Response(io.CheckInsOut(body).data)


class CheckInAnswerView(APIView):
    @extend_schema(
        request=io.AnswerIn,
        responses={201: io.AnswerOut, 200: io.AnswerOut},
        parameters=[IDEMPOTENCY_PARAMETER],
        operation_id="check_ins_create",
        description="Answer one question about one parent-child pair you are in, for the open "
        "round: 201 the first time, 200 when it changes an earlier answer.",
    )
    def post(self, request: Request) -> Response:
        data = validated(io.AnswerIn, request.data)
        answer, created = services.check_in_answer(
            actor=_user(request),
            answer=services.AnswerInput(
                round_id=data["round"],
                parent_id=data["parent"],
                child_id=data["child"],
                question=data["question"],
                score=data["score"],
                shared_with_parents=data["shared_with_parents"],
            ),
        )
        idempotency.remember(request, kind="family", pk=answer.round.family_id)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(io.AnswerOut(_answer_row(answer)).data, status=code)
