"""Input and output shapes for the family check-in."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from checkins.models import SCORE_MAX, SCORE_MIN, Question
from checkins.words import INSTRUMENT_NOTE

MAX_ID = 2**63 - 1


class AnswerIn(serializers.Serializer[dict[str, Any]]):
    round = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    parent = serializers.IntegerField(min_value=1, max_value=MAX_ID)  # type: ignore[assignment]  # a field named like a DRF Field attribute
    child = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    question = serializers.ChoiceField(choices=Question.choices)
    score = serializers.IntegerField(min_value=SCORE_MIN, max_value=SCORE_MAX)
    shared_with_parents = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Let this answer count in the trend the family's parents see (default off).",
    )


class PersonRefOut(serializers.Serializer[dict[str, Any]]):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class RoundOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    period_start = serializers.DateField()
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()


class QuestionOut(serializers.Serializer[dict[str, Any]]):
    """One question still waiting for the reader in the open round."""

    round = serializers.IntegerField()
    parent = PersonRefOut()
    child = PersonRefOut()
    about = PersonRefOut(help_text="The other person in the pair.")
    question = serializers.ChoiceField(choices=Question.choices)
    text = serializers.CharField(help_text="The question as the reader sees it, name filled in.")


class AnswerOut(serializers.Serializer[dict[str, Any]]):
    id = serializers.IntegerField()
    round = serializers.IntegerField(source="round_id")
    period_start = serializers.DateField(source="round.period_start")
    parent = PersonRefOut()
    child = PersonRefOut()
    question = serializers.ChoiceField(choices=Question.choices)
    score = serializers.IntegerField(min_value=SCORE_MIN, max_value=SCORE_MAX)
    shared_with_parents = serializers.BooleanField()
    answered_at = serializers.DateTimeField()


class TrendRowOut(serializers.Serializer[dict[str, Any]]):
    period_start = serializers.DateField()
    parent = PersonRefOut()
    child = PersonRefOut()
    question = serializers.ChoiceField(choices=Question.choices)
    average = serializers.FloatField(help_text="Mean score, 1 to 5, two decimals.")
    answers = serializers.IntegerField(help_text="How many answers the average is of.")


class ScaleOut(serializers.Serializer[dict[str, Any]]):
    min = serializers.IntegerField()
    max = serializers.IntegerField()
    faces = serializers.ListField(child=serializers.CharField(), help_text="From min to max.")


class CheckInsOut(serializers.Serializer[dict[str, Any]]):
    """What the reader may see of the family's check-ins."""

    family = serializers.IntegerField()
    enabled = serializers.BooleanField(help_text="The parents' switch (`check_ins_enabled`).")
    about = serializers.CharField(
        help_text=f"Always: {str(INSTRUMENT_NOTE)!r} (show it with any figure)."
    )
    scale = ScaleOut()
    round = RoundOut(allow_null=True, help_text="The open round, if any.")
    questions = QuestionOut(many=True, help_text="Still waiting for the reader; empty if none.")
    my_answers = AnswerOut(many=True, help_text="The reader's own answers, last year's rounds.")
    trend = TrendRowOut(
        many=True,
        allow_null=True,
        help_text="Parents: only answers their author shared. A therapist: all answers. "
        "Null for a child.",
    )
