"""Writes for the family check-in: the parents' switch, opening each two-week round (with its
prompts, delivered by the ruptures app's prompt machinery), and answering.

A round is a row; its prompts are ``ruptures.Prompt`` rows of kind ``check_in`` (due when the
round opens) and ``check_in_reminder`` (once, a few days later, dropped if the person answered
anything meanwhile). Quiet hours, claims and delivery are the prompt machinery's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Family, Membership, Role, User
from accounts.selectors import Actor, access_family
from accounts.services.families import FamilyChanges, family_update
from checkins import selectors
from checkins.models import SCORE_MAX, SCORE_MIN, CheckInAnswer, CheckInRound, Question
from familyrepair.errors import Conflict, ErrorCode, Forbidden, InvalidInput, NotFound
from ruptures.models import Prompt, PromptKind, PromptStatus


@transaction.atomic
def check_ins_set(
    *, actor: Actor, family_id: int, enabled: bool, now: dt.datetime | None = None
) -> Family:
    """A parent turns the family's check-in on (the current period's round opens at once) or off
    (an open round closes and its waiting prompts are cancelled). 404 outside the family, 403
    ``parent_only``. Turning it to what it already is changes nothing."""
    access_family(actor=actor, family_id=family_id, require_parent=True)
    now = now or timezone.now()
    family = Family.objects.select_for_update().get(pk=family_id)
    if family.check_ins_enabled == enabled:
        return family
    family.check_ins_enabled = enabled
    family.save(update_fields=["check_ins_enabled"])
    if enabled:
        _rounds_open([family], now=now)
    else:
        open_rounds = CheckInRound.objects.filter(family=family, closes_at__gt=now)
        Prompt.objects.filter(check_in_round__in=open_rounds, status=PromptStatus.PENDING).update(
            status=PromptStatus.CANCELLED, cancelled_reason="check_ins_off"
        )
        open_rounds.filter(opens_at__lt=now).update(closes_at=now)
        open_rounds.filter(opens_at__gte=now).delete()  # not yet open: nobody saw it
    return family


@transaction.atomic
def family_settings_update(
    *, actor: Actor, family_id: int, changes: FamilyChanges, check_ins_enabled: bool | None
) -> Family:
    """``PATCH /families/{id}/``: the family's own settings and its check-in switch in one
    transaction, so a refusal of either leaves both as they were."""
    family = family_update(actor=actor, family_id=family_id, changes=changes)
    if check_ins_enabled is not None:
        family = check_ins_set(actor=actor, family_id=family_id, enabled=check_ins_enabled)
    return family


def check_in_rounds_open_due(*, now: dt.datetime | None = None) -> int:
    """Open this period's round for every family with check-ins on that has none yet (run daily
    by beat; idempotent by the one-round-per-period constraint). Returns how many opened."""
    now = now or timezone.now()
    with transaction.atomic():
        start = selectors.period_start(now.date())
        due = list(
            Family.objects.select_for_update(skip_locked=True)
            .filter(check_ins_enabled=True, dissolved_at__isnull=True)
            .exclude(Exists(CheckInRound.objects.filter(family=OuterRef("pk"), period_start=start)))
            .order_by("pk")
        )
        return len(_rounds_open(due, now=now))


def _rounds_open(families: list[Family], *, now: dt.datetime) -> list[CheckInRound]:
    """This period's round for each family (unless it has one), with a prompt and one reminder
    for each member aged 8 or over who is in a parent-child pair."""
    if not families:
        return []
    start = selectors.period_start(now.date())
    closes = now + dt.timedelta(days=selectors.ROUND_OPEN_DAYS)
    CheckInRound.objects.bulk_create(
        [
            CheckInRound(family=f, period_start=start, opens_at=now, closes_at=closes)
            for f in families
        ],
        ignore_conflicts=True,
    )
    rounds = list(
        CheckInRound.objects.filter(
            family__in=families, period_start=start, opens_at=now
        ).select_related("family")
    )
    by_family = {r.family_id: r for r in rounds}
    memberships = Membership.objects.filter(family_id__in=by_family).select_related("user")
    roles: dict[int, set[str]] = {}
    for m in memberships:
        roles.setdefault(m.family_id, set()).add(m.role)
    prompts: list[Prompt] = []
    for m in memberships:
        if roles[m.family_id] != {Role.PARENT, Role.CHILD}:
            continue  # nobody is in a pair yet
        if not selectors.old_enough(m.user, today=now.date()):
            continue
        round_ = by_family[m.family_id]
        for kind, due in (
            (PromptKind.CHECK_IN, now),
            (PromptKind.CHECK_IN_REMINDER, now + selectors.REMIND_AFTER),
        ):
            prompts.append(
                Prompt(
                    check_in_round=round_, recipient=m.user, kind=kind, due_at=due, created_at=now
                )
            )
    Prompt.objects.bulk_create(prompts)
    return rounds


@dataclass(frozen=True)
class AnswerInput:
    round_id: int
    parent_id: int
    child_id: int
    question: str
    score: int
    shared_with_parents: bool = False


@transaction.atomic
def check_in_answer(
    *, actor: Actor, answer: AnswerInput, now: dt.datetime | None = None
) -> tuple[CheckInAnswer, bool]:
    """The actor answers one question about one pair they are in, for an open round; answering
    again changes the answer (so a retry is harmless). Returns (answer, created).

    404 ``check_in_round_not_found`` (not a round of the actor's families), 404 ``pair_not_found``
    (the actor is not the parent or the child of that pair, or either has left); 403
    ``too_young`` under 8; 409 ``check_ins_off`` / ``check_in_round_closed``; 400
    ``out_of_range`` / ``invalid_choice``.
    """
    now = now or timezone.now()
    round_, membership = selectors.answerable_round(actor=actor, round_id=answer.round_id)
    user: User = membership.user
    if user.pk not in (answer.parent_id, answer.child_id):
        raise NotFound(_("You are not in that pair."), code=ErrorCode.PAIR_NOT_FOUND)
    in_pair = Membership.objects.filter(family_id=round_.family_id).filter(
        Q(user_id=answer.parent_id, role=Role.PARENT) | Q(user_id=answer.child_id, role=Role.CHILD)
    )
    if answer.parent_id == answer.child_id or in_pair.count() != 2:
        raise NotFound(_("No such pair in this family."), code=ErrorCode.PAIR_NOT_FOUND)
    if not selectors.old_enough(user, today=now.date()):
        raise Forbidden(_("The check-in is for those aged 8 or over."), code=ErrorCode.TOO_YOUNG)
    if not round_.family.check_ins_enabled:
        raise Conflict(_("The family check-in is turned off."), code=ErrorCode.CHECK_INS_OFF)
    if not round_.opens_at <= now < round_.closes_at:
        raise Conflict(_("This check-in is closed."), code=ErrorCode.CHECK_IN_ROUND_CLOSED)
    if answer.question not in Question.values:
        raise InvalidInput(code=ErrorCode.INVALID_CHOICE, param="question")
    if not SCORE_MIN <= answer.score <= SCORE_MAX:
        raise InvalidInput(_("From 1 to 5."), code=ErrorCode.OUT_OF_RANGE, param="score")
    row, created = CheckInAnswer.objects.select_for_update().get_or_create(
        round=round_,
        respondent=user,
        parent_id=answer.parent_id,
        child_id=answer.child_id,
        question=answer.question,
        defaults={
            "score": answer.score,
            "shared_with_parents": answer.shared_with_parents,
            "answered_at": now,
        },
    )
    if not created:
        row.score, row.shared_with_parents, row.answered_at = (
            answer.score,
            answer.shared_with_parents,
            now,
        )
        row.full_clean()
        row.save(update_fields=["score", "shared_with_parents", "answered_at"])
    return row, created
