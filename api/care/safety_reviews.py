"""The therapist's safety-review queue: the unsafe flags of families they support that they were
alerted to; opening one (and listing them) is audited; closing one records what was done.

Every read leaves an access-log row about the rupture (``object_type="rupture"``), so the
family's access log shows it only to those who can see the flag: never to the named parent.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.selectors import care_reader
from accounts.services.care_team import therapist_access_record
from api import idempotency
from api.ruptures.views import IDEMPOTENCY_PARAMETER
from api.views import APIView, GenericAPIView, validated
from familyrepair.errors import ErrorCode, NotFound
from ruptures import feelings, safety_reviews
from ruptures.models import SafetyOutcome, SafetyReview
from ruptures.selectors import ruptures_visible_to
from ruptures.states import Hold, hold_of_review

# --- shapes -------------------------------------------------------------------------------------


class CloseIn(serializers.Serializer[dict[str, Any]]):
    outcome = serializers.ChoiceField(choices=SafetyOutcome.choices)
    note = serializers.CharField(
        max_length=safety_reviews.NOTE_MAX, required=False, allow_blank=True, default=""
    )


class RefOut(serializers.Serializer[dict[str, Any]]):
    id = serializers.IntegerField(allow_null=True, help_text="Null once they left.")
    display_name = serializers.CharField()


class FamilyRefOut(serializers.Serializer[dict[str, Any]]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class FeelingRefOut(serializers.Serializer[dict[str, str]]):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like a DRF Field attribute
    emoji = serializers.CharField()


class FlagWordsOut(serializers.Serializer[dict[str, Any]]):
    feelings = FeelingRefOut(many=True)
    intensity = serializers.IntegerField()
    note = serializers.CharField()
    occurred_at = serializers.DateTimeField()


class SafetyReviewRowOut(serializers.Serializer[dict[str, Any]]):
    """One flag in the queue: who and when, never the child's words."""

    rupture = serializers.IntegerField(help_text="The flag's id (the path's `rupture_id`).")
    family = FamilyRefOut()
    child = RefOut()
    parent = RefOut()
    opened_at = serializers.DateTimeField()
    hold = serializers.ChoiceField(
        choices=[h.value for h in Hold],
        help_text="under_review (open), held (closed, stays hidden), releasable (closed with no "
        "safety concern: the child may let the parent see it), kept (the child said no for "
        "now: still hidden), released (the child did).",
    )
    closed_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.ChoiceField(
        choices=[("", "open"), *SafetyOutcome.choices], help_text="Empty while open."
    )
    closed_by_name = serializers.CharField()


class SafetyReviewOut(SafetyReviewRowOut):
    """One flag, opened: the reviewer's note, and the child's words if the family's grant gives
    `details` and the child did not opt out (else `flag` is null)."""

    note = serializers.CharField(help_text="The reviewer's note when it was closed.")
    flag = FlagWordsOut(allow_null=True)


def _ref(user_id: int | None, name: str) -> dict[str, Any]:
    return {"id": user_id, "display_name": name or _("Former member")}


def _row(review: SafetyReview) -> dict[str, Any]:
    rupture = review.rupture
    return {
        "rupture": rupture.pk,
        "family": {"id": review.family_id, "name": review.family.name},
        "child": _ref(rupture.child_id, review.child_name),
        "parent": _ref(rupture.parent_id, review.parent_name),
        "opened_at": review.opened_at,
        "hold": hold_of_review(review).value,
        "closed_at": review.closed_at,
        "outcome": review.outcome,
        "closed_by_name": review.closed_by_name,
    }


def _detail(review: SafetyReview, reader: User) -> dict[str, Any]:
    rupture = review.rupture
    readable = ruptures_visible_to(reader).filter(pk=rupture.pk).exists()
    flag = None
    if readable:
        flag = {
            "feelings": feelings.describe(rupture.feelings),
            "intensity": rupture.intensity,
            "note": rupture.note,
            "occurred_at": rupture.occurred_at,
        }
    return _row(review) | {"note": review.note, "flag": flag}


def _review(therapist: User, rupture_id: int) -> SafetyReview:
    review = safety_reviews.therapist_queue(therapist).filter(rupture_id=rupture_id).first()
    if review is None:
        raise NotFound(_("No such safety review."), code=ErrorCode.SAFETY_REVIEW_NOT_FOUND)
    return review


def _log(therapist: User, review: SafetyReview, action: str) -> None:
    therapist_access_record(
        therapist=therapist,
        family=review.family,
        action=action,
        object_type="rupture",
        object_id=review.rupture_id,
    )


# --- views --------------------------------------------------------------------------------------


class SafetyReviewListView(GenericAPIView):
    serializer_class = SafetyReviewRowOut

    @extend_schema(
        responses=SafetyReviewRowOut(many=True),
        operation_id="care_safety_reviews_list",
        description="The therapist's queue: open flags first (oldest first), then closed ones. "
        "403 `not_a_therapist`, `therapist_unverified`, `mfa_required`.",
    )
    def get(self, request: Request) -> Response:
        therapist = care_reader(request.user)
        page = self.paginate_queryset(safety_reviews.therapist_queue(therapist))
        rows = list(page if page is not None else [])
        for review in rows:
            _log(therapist, review, "safety_review.list")
        return self.get_paginated_response([_row(r) for r in rows])


class SafetyReviewDetailView(APIView):
    @extend_schema(responses=SafetyReviewOut, operation_id="care_safety_reviews_retrieve")
    def get(self, request: Request, rupture_id: int) -> Response:
        therapist = care_reader(request.user)
        review = _review(therapist, rupture_id)
        _log(therapist, review, "safety_review.view")
        return Response(SafetyReviewOut(_detail(review, therapist)).data)


class SafetyReviewCloseView(APIView):
    @extend_schema(
        request=CloseIn,
        responses=SafetyReviewOut,
        parameters=[IDEMPOTENCY_PARAMETER],
        operation_id="care_safety_reviews_close",
        description="Record what was done and close the review. Closed as `no_safety_concern`, "
        "the child is asked in the app whether their parent may see the flag now; with any "
        "other outcome it stays hidden from the parent.",
    )
    def post(self, request: Request, rupture_id: int) -> Response:
        therapist = care_reader(request.user)
        review = _review(therapist, rupture_id)
        data = validated(CloseIn, request.data)
        safety_reviews.safety_review_close(
            actor=therapist, review_id=review.pk, outcome=data["outcome"], note=data["note"]
        )
        closed = _review(therapist, rupture_id)
        _log(therapist, closed, "safety_review.close")
        idempotency.remember(request, kind="safety_review", pk=rupture_id)
        return Response(SafetyReviewOut(_detail(closed, therapist)).data)
