"""The family check-in: every two weeks, each member aged 8 or more answers two questions about
each parent-child pair they are in, on a 1-5 face scale. Our own question set, not a validated
instrument."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import Family

SCORE_MIN, SCORE_MAX = 1, 5
MIN_AGE = 8


class Question(models.TextChoices):
    CLOSENESS = "closeness", gettext_lazy("How close have you felt to {name} lately?")
    MAKE_UP = "make_up", gettext_lazy("When things go wrong between us, we make up.")


class CheckInRound(models.Model):
    """One family's check-in for one two-week period: open from ``opens_at`` until ``closes_at``.
    Its prompts (``ruptures.Prompt`` with kind ``check_in``) are the only way it is announced."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="check_in_rounds")
    period_start = models.DateField(help_text="The first day of the two-week period (UTC).")
    opens_at = models.DateTimeField(default=timezone.now)
    closes_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["family", "period_start"], name="check_in_round_once_per_period"
            ),
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="check_in_round_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"Check-in {self.period_start} for {self.family}"


class CheckInAnswer(models.Model):
    """One person's answer to one question about one parent-child pair they are in.

    Seen by its author, and as part of a trend by therapists within scope; by the family's
    parents (as a trend) only when its author shared it (``shared_with_parents``, default off).
    """

    round = models.ForeignKey(CheckInRound, on_delete=models.CASCADE, related_name="answers")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="check_in_answers"
    )
    parent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    question = models.CharField(max_length=16, choices=Question.choices)
    score = models.PositiveSmallIntegerField()
    shared_with_parents = models.BooleanField(default=False)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["round", "respondent", "parent", "child", "question"],
                name="check_in_answer_once",
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=SCORE_MIN, score__lte=SCORE_MAX),
                name="check_in_score_1_to_5",
            ),
            models.CheckConstraint(
                condition=models.Q(question__in=Question.values), name="check_in_question_known"
            ),
            models.CheckConstraint(
                condition=models.Q(respondent=models.F("parent"))
                | models.Q(respondent=models.F("child")),
                name="check_in_respondent_in_pair",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["round", "parent", "child"])]

    def __str__(self) -> str:
        return f"{self.question}={self.score} by {self.respondent_id}"
