"""Reads of check-ins, already scoped to what the actor may see.

- A member sees their own answers and, while a round is open, the questions still waiting for
  them (one per question, per parent-child pair they are in, if they are 8 or over).
- Parents see the family trend made only of answers their author shared
  (``CheckInAnswer.shared_with_parents``); children see no trend.
- ``family_trend`` is the whole trend, for the therapist dashboard (the caller checks the grant
  and writes the access-log row).

Every trend is computed in the database: averages per period, per pair, per question.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Family, Membership, Role, User
from accounts.selectors import Actor, family_membership
from checkins.models import MIN_AGE, CheckInAnswer, CheckInRound, Question
from familyrepair.errors import ErrorCode, NotFound

# Periods are fixed two-week windows counted from this Monday, the same for every family.
PERIOD_EPOCH = dt.date(2024, 1, 1)
PERIOD_DAYS = 14
ROUND_OPEN_DAYS = 7
REMIND_AFTER = dt.timedelta(days=3)
MY_ANSWERS_ROUNDS = 26  # a year of rounds


def period_start(day: dt.date) -> dt.date:
    return PERIOD_EPOCH + dt.timedelta(
        days=PERIOD_DAYS * ((day - PERIOD_EPOCH).days // PERIOD_DAYS)
    )


def old_enough(user: User, *, today: dt.date) -> bool:
    """8 or more by birth year; someone with no birth year signed up themselves (13 or over)."""
    return user.birth_year is None or today.year - user.birth_year >= MIN_AGE


@dataclass(frozen=True)
class Pair:
    parent: User
    child: User

    def other(self, user_id: int) -> User:
        return self.child if user_id == self.parent.pk else self.parent


def pairs_of(user: User, memberships: list[Membership]) -> list[Pair]:
    """The parent-child pairs ``user`` is in, from the family's memberships (with users)."""
    mine = next((m for m in memberships if m.user_id == user.pk), None)
    if mine is None:
        return []
    if mine.role == Role.PARENT:
        return [Pair(user, m.user) for m in memberships if m.role == Role.CHILD]
    return [Pair(m.user, user) for m in memberships if m.role == Role.PARENT]


def family_memberships(family_id: int) -> list[Membership]:
    return list(
        Membership.objects.filter(family_id=family_id)
        .select_related("user")
        .order_by("-role", "joined_at", "id")
    )


def open_round(family_id: int, *, now: dt.datetime) -> CheckInRound | None:
    return (
        CheckInRound.objects.filter(family_id=family_id, opens_at__lte=now, closes_at__gt=now)
        .order_by("-opens_at")
        .first()
    )


def answerable_round(*, actor: Actor, round_id: int) -> tuple[CheckInRound, Membership]:
    """A round of one of the actor's families (404 ``check_in_round_not_found`` otherwise), with
    the actor's membership."""
    round_ = CheckInRound.objects.select_related("family").filter(pk=round_id).first()
    if round_ is None:
        raise NotFound(
            _("No such check-in."), code=ErrorCode.CHECK_IN_ROUND_NOT_FOUND, param="round"
        )
    try:
        membership = family_membership(actor=actor, family_id=round_.family_id)
    except NotFound:
        raise NotFound(
            _("No such check-in."), code=ErrorCode.CHECK_IN_ROUND_NOT_FOUND, param="round"
        ) from None
    return round_, membership


def pending_questions(
    *, user: User, round_: CheckInRound, memberships: list[Membership], today: dt.date
) -> list[dict[str, Any]]:
    """What the round still asks ``user``: each question about each pair, not yet answered."""
    if not old_enough(user, today=today):
        return []
    answered = set(
        CheckInAnswer.objects.filter(round=round_, respondent=user).values_list(
            "parent_id", "child_id", "question"
        )
    )
    pending = []
    for pair in pairs_of(user, memberships):
        other = pair.other(user.pk)
        for question in Question:
            if (pair.parent.pk, pair.child.pk, question.value) in answered:
                continue
            pending.append(
                {"parent": pair.parent, "child": pair.child, "about": other, "question": question}
            )
    return pending


def my_answers(*, user: User, family_id: int) -> QuerySet[CheckInAnswer]:
    rounds = CheckInRound.objects.filter(family_id=family_id).order_by("-period_start")
    recent = rounds.values("pk")[:MY_ANSWERS_ROUNDS]
    return (
        CheckInAnswer.objects.filter(respondent=user, round__in=recent)
        .select_related("round", "parent", "child")
        .order_by("-round__period_start", "parent_id", "child_id", "question")
    )


def family_trend(
    family_id: int,
    start: dt.date | None = None,
    end: dt.date | None = None,
    *,
    shared_only: bool = False,
) -> list[dict[str, Any]]:
    """Per two-week period, per parent-child pair, per question: the average score and how many
    answered, computed in the database. ``start``/``end`` bound the period starts (inclusive,
    exclusive). Rows: ``{period_start, parent_id, child_id, question, average, answers}``, ordered
    by period, pair, question. ``shared_only``: just the answers shared with the parents."""
    answers = CheckInAnswer.objects.filter(round__family_id=family_id)
    if start is not None:
        answers = answers.filter(round__period_start__gte=start)
    if end is not None:
        answers = answers.filter(round__period_start__lt=end)
    if shared_only:
        answers = answers.filter(shared_with_parents=True)
    rows = (
        answers.values("parent_id", "child_id", "question", period_start=F("round__period_start"))
        .annotate(average=Avg("score"), answers=Count("id"))
        .order_by("period_start", "parent_id", "child_id", "question")
    )
    return [{**row, "average": round(float(row["average"]), 2)} for row in rows]


@dataclass(frozen=True)
class FamilyCheckIns:
    family: Family
    role: str
    round: CheckInRound | None
    pending: list[dict[str, Any]]
    answers: list[CheckInAnswer]
    trend: list[dict[str, Any]] | None
    names: dict[int, str]


def family_check_ins(
    *, actor: User, family_id: int, now: dt.datetime | None = None
) -> FamilyCheckIns:
    """What a member may see of the family's check-ins (404 outside the family)."""
    now = now or timezone.now()
    membership = family_membership(actor=actor, family_id=family_id)
    memberships = family_memberships(family_id)
    round_ = open_round(family_id, now=now) if membership.family.check_ins_enabled else None
    pending = (
        pending_questions(user=actor, round_=round_, memberships=memberships, today=now.date())
        if round_ is not None
        else []
    )
    is_parent = membership.role == Role.PARENT
    return FamilyCheckIns(
        family=membership.family,
        role=membership.role,
        round=round_,
        pending=pending,
        answers=list(my_answers(user=actor, family_id=family_id)),
        trend=family_trend(family_id, shared_only=True) if is_parent else None,
        names={m.user_id: m.user.display_name for m in memberships},
    )


def caseload_trends(
    family_ids: list[int], *, today: dt.date, rounds: int = 4
) -> dict[int, dict[str, Any]]:
    """Per family, the check-in's two latest answered rounds of the last ``rounds`` (all pairs and
    both questions averaged), for the caseload's "check-in trend" column: one aggregate query
    whatever the number of families. Families with no answers then are left out."""
    if not family_ids:
        return {}
    since = period_start(today) - dt.timedelta(days=PERIOD_DAYS * (rounds - 1))
    rows = (
        CheckInAnswer.objects.filter(
            round__family_id__in=family_ids, round__period_start__gte=since
        )
        .values(family_id=F("round__family_id"), period_start=F("round__period_start"))
        .annotate(average=Avg("score"))
        .order_by("family_id", "-period_start")
    )
    trends: dict[int, dict[str, Any]] = {}
    for row in rows:
        trend = trends.setdefault(
            row["family_id"],
            {"period_start": row["period_start"], "average": None, "previous_average": None},
        )
        if trend["average"] is None:
            trend["average"] = round(float(row["average"]), 2)
        elif trend["previous_average"] is None:
            trend["previous_average"] = round(float(row["average"]), 2)
    return trends
