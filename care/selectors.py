"""What a family therapist reads: the caseload, a family's repair figures, the session export,
and the family's own preview of them ("What {therapist} sees").

Every figure is an aggregate the database computes (counts with filters, ``percentile_cont``,
grouping by pair, week and local hour); Python only lays the rows out. A flag held for safety
review is never in a figure (it is counted only as an open safety review, for therapists), so
nothing here can show a parent that one exists. The figures are self-reported: what the family
chose to tell the app.

Access (``care_grant_for``, ``therapist_ready``) is decided on the caller before any family:
403 ``not_a_therapist``, ``therapist_unverified``, ``mfa_required``; then 404 for a family without
an active grant to them. The views write the access-log rows (``care.services``).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields import DateField, DateTimeField
from django.db.models.functions import (
    Coalesce,
    ExtractHour,
    ExtractIsoWeekDay,
    TruncWeek,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import CareTeamGrant, Family, Membership, User, grant_in_force
from accounts.selectors import can_see_care_team, care_reader, family_membership
from care.aggregates import PercentileCont, Seconds
from care.periods import Period, zone_of
from checkins.selectors import caseload_trends, family_trend
from familyrepair.errors import ErrorCode, Forbidden, NotFound
from familyrepair.statements import KeptStatement, Slot
from ruptures import feelings as feeling_vocabulary
from ruptures.models import (
    EventKind,
    FollowUpAnswer,
    Need,
    Party,
    Prompt,
    PromptKind,
    PromptStatus,
    RepairStep,
    Rupture,
    RuptureEvent,
    Size,
    Status,
)
from ruptures.safety_reviews import therapist_queue
from ruptures.selectors import seen_as_party
from ruptures.states import OPEN

SELF_REPORTED = gettext_lazy(
    "Self-reported: what the family told FamilyRepair; not a clinical measure. A rupture nobody "
    "flagged is not here."
)
FORMER_MEMBER = gettext_lazy("Former member")
REPAIR_STEP_COUNT = len(RepairStep.Code)
DEFAULT_UNREPAIRED_DAYS = 7
CASELOAD_SHARE_DAYS = 90  # the parent-started share on the caseload: the last 90 days
ATTENTION_REASONS = ("safety_review", "unrepaired", "repair_rate_falling")


# --- access ---------------------------------------------------------------------------------


def therapist_ready(actor: Any) -> User:
    """The caller as a therapist who may see family data (``accounts.selectors.care_reader``):
    403 ``not_a_therapist``, ``therapist_unverified``, ``mfa_required``, decided on the caller
    alone, so it says nothing about any family."""
    return care_reader(actor)


def care_grant_for(*, actor: Any, family_id: int) -> CareTeamGrant:
    """The caller's active grant for the family, with the family: ``therapist_ready`` first,
    then 404 ``family_not_found`` without an active grant (a revocation counts at once)."""
    therapist = therapist_ready(actor)
    grant = (
        CareTeamGrant.objects.select_related("family")
        .filter(family_id=family_id, therapist=therapist, revoked_at__isnull=True)
        .first()
    )
    if grant is None or grant.family.dissolved_at is not None:
        raise NotFound(code=ErrorCode.FAMILY_NOT_FOUND)
    return grant


def preview_grant_for(
    *, actor: Any, family_id: int, grant_id: int
) -> tuple[CareTeamGrant, Membership]:
    """A member's look at what one of their family's therapists sees: parents, and children
    from 13 (403 ``age_restricted`` younger; 404 outside the family or for no such active
    grant)."""
    membership = family_membership(actor=actor, family_id=family_id)
    membership.user = actor
    if not can_see_care_team(membership):
        raise Forbidden(
            _("Ask a parent who is on your family's care team."), code=ErrorCode.AGE_RESTRICTED
        )
    grant = (
        CareTeamGrant.objects.select_related("family")
        .filter(grant_in_force(), pk=grant_id, family_id=family_id)
        .first()
    )
    if grant is None:
        raise NotFound(code=ErrorCode.CARE_GRANT_NOT_FOUND)
    return grant, membership


# --- what the figures are computed over ---------------------------------------------------------


def counted_ruptures(family_id: int | Slot, viewer: User | Slot | None = None) -> QuerySet[Rupture]:
    """The family's ruptures the figures count: never one held for safety review; for a
    member's preview (``viewer``), only those they see themselves. (Slots in a kept statement.)"""
    ruptures = Rupture.objects.filter(family_id=family_id).exclude(status=Status.SAFETY_REVIEW)
    if viewer is not None:
        ruptures = ruptures.filter(seen_as_party(viewer))
    return ruptures


def earliest_rupture_date(ruptures: QuerySet[Rupture], zone_name: str) -> dt.date | None:
    first = ruptures.aggregate(first=Min("created_at"))["first"]
    return timezone.localtime(first, zone_of(zone_name)).date() if first else None


# --- the figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Bounds:
    """Where a kept statement's period goes (``Period`` has the same two attributes)."""

    start: Slot
    end: Slot


_FAMILY = Slot("family", IntegerField())
_VIEWER = Slot("viewer", IntegerField())
_PERIOD = _Bounds(start=Slot("start", DateTimeField()), end=Slot("end", DateTimeField()))


def _within(field: str, period: Period | _Bounds) -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lt": period.end})


def _reminders_before_acknowledgement() -> Coalesce:
    sent = (
        Prompt.objects.filter(
            rupture=OuterRef("pk"),
            kind=PromptKind.REMINDER,
            status=PromptStatus.SENT,
            sent_at__lte=OuterRef("acknowledged_at"),
        )
        .order_by()
        .values("rupture")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(sent, output_field=IntegerField()), 0)


def _steps_done() -> Coalesce:
    done = (
        RepairStep.objects.filter(rupture=OuterRef("pk"), done_at__isnull=False)
        .order_by()
        .values("rupture")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(done, output_field=IntegerField()), 0)


@dataclass(frozen=True)
class _Moments:
    """What happened to a rupture in a period, as filters: flagged, a child's flag acknowledged,
    reconnected, closed."""

    created: Q
    acknowledged: Q
    reconnected: Q
    closed: Q

    @classmethod
    def of(cls, period: Period | _Bounds) -> _Moments:
        return cls(
            created=_within("created_at", period),
            acknowledged=_within("acknowledged_at", period) & Q(started_by=Party.CHILD),
            reconnected=_within("reconnected_at", period) & Q(status=Status.RECONNECTED),
            closed=_within("closed_at", period),
        )

    def seconds_to_acknowledge(self) -> Case:
        return Case(When(self.acknowledged, then=Seconds("acknowledged_at", "created_at")))

    def seconds_to_reconnect(self) -> Case:
        return Case(When(self.reconnected, then=Seconds("reconnected_at", "created_at")))


# The counts of a pair whose sum is the family's (the pairs partition the family's ruptures).
SUMMED = (
    "ruptures",
    "parent_started",
    "child_flagged",
    "repairs",
    "closed",
    "withdrawn",
    "acknowledged",
)


def _pair_aggregates(at: _Moments) -> dict[str, Any]:
    """The figures of one parent-child pair (``_common``): counts and the two durations."""
    return {
        "ruptures": Count("pk", filter=at.created),
        "parent_started": Count("pk", filter=at.created & Q(started_by=Party.PARENT)),
        "child_flagged": Count("pk", filter=at.created & Q(started_by=Party.CHILD)),
        "repairs": Count("pk", filter=at.reconnected),
        "closed": Count(
            "pk", filter=at.closed & Q(status__in=(Status.RECONNECTED, Status.WITHDRAWN))
        ),
        "withdrawn": Count("pk", filter=at.closed & Q(status=Status.WITHDRAWN)),
        "acknowledged": Count("pk", filter=at.acknowledged),
        **_durations(at),
    }


def _durations(at: _Moments) -> dict[str, Any]:
    ack_seconds, reconnect_seconds = at.seconds_to_acknowledge(), at.seconds_to_reconnect()
    return {
        "ack_median": PercentileCont(ack_seconds, 0.5),
        "ack_p90": PercentileCont(ack_seconds, 0.9),
        "reconnect_median": PercentileCont(reconnect_seconds, 0.5),
        "reconnect_p90": PercentileCont(reconnect_seconds, 0.9),
    }


def _family_aggregates(at: _Moments) -> dict[str, Any]:
    """What only the family's total has: the durations over every pair at once, follow-ups,
    reminders, repair steps, needs and sizes (its counts are the pairs' sums)."""
    created, acknowledged, reconnected = at.created, at.acknowledged, at.reconnected
    return {
        **_durations(at),
        "follow_up_ruptures": Count("pk", filter=created & Q(follow_up_of__isnull=False)),
        # Reminders the parent was sent before acknowledging a child's flag.
        "reminders_0": Count("pk", filter=acknowledged & Q(reminders=0)),
        "reminders_1": Count("pk", filter=acknowledged & Q(reminders=1)),
        "reminders_2": Count("pk", filter=acknowledged & Q(reminders=2)),
        "reminders_3_or_more": Count("pk", filter=acknowledged & Q(reminders__gte=3)),
        # The parent's guided steps on each repair of the period.
        "steps_all_done": Count("pk", filter=reconnected & Q(steps_done__gte=REPAIR_STEP_COUNT)),
        "steps_some_skipped": Count(
            "pk", filter=reconnected & Q(steps_done__gt=0, steps_done__lt=REPAIR_STEP_COUNT)
        ),
        "steps_none_done": Count("pk", filter=reconnected & Q(steps_done=0)),
        **{f"need_{need}": Count("pk", filter=created & Q(need=need)) for need in Need.values},
        "need_unsaid": Count("pk", filter=created & Q(need="")),
        **{f"size_{size}": Count("pk", filter=created & Q(size=size)) for size in Size.values},
        "size_unsaid": Count("pk", filter=created & Q(size="")),
    }


def _event_aggregates() -> dict[str, Any]:
    return {
        "not_yet": Count("pk", filter=Q(kind=EventKind.NOT_YET)),
        "follow_up_ok": Count(
            "pk", filter=Q(kind=EventKind.FOLLOW_UP, data__answer=FollowUpAnswer.OK)
        ),
        "follow_up_not_really": Count(
            "pk", filter=Q(kind=EventKind.FOLLOW_UP, data__answer=FollowUpAnswer.NOT_REALLY)
        ),
    }


def _touching(ruptures: QuerySet[Rupture], period: Period | _Bounds) -> QuerySet[Rupture]:
    """The ruptures anything in the period happened to, ready for the aggregates above."""
    return ruptures.filter(
        _within("created_at", period)
        | _within("acknowledged_at", period)
        | _within("closed_at", period)
    ).order_by()


def _events(ruptures: QuerySet[Rupture], period: Period) -> QuerySet[RuptureEvent]:
    return RuptureEvent.objects.filter(
        _within("created_at", period),
        rupture__in=ruptures.values("pk"),
        kind__in=(EventKind.NOT_YET, EventKind.FOLLOW_UP),
    ).order_by()


def _is_member(field: str) -> Exists:
    return Exists(Membership.objects.filter(family=OuterRef("family"), user=OuterRef(field)))


def _person(user_id: int | None, name: str | None, is_member: bool) -> dict[str, Any]:
    if user_id is None:
        return {"id": None, "display_name": FORMER_MEMBER, "is_member": False}
    return {"id": user_id, "display_name": name or _("Family member"), "is_member": is_member}


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _seconds(value: float | None) -> int | None:
    return None if value is None else round(value)


def _common(row: Mapping[str, Any], events: Mapping[str, Any]) -> dict[str, Any]:
    """The figures a family and a pair both have, from one aggregate row and one events row."""
    return {
        "ruptures": row["ruptures"],
        "repairs": row["repairs"],
        "closed": row["closed"],
        "withdrawn": row["withdrawn"],
        "repair_rate": _rate(row["repairs"], row["closed"]),
        "time_to_acknowledge": {
            "count": row["acknowledged"],
            "median_seconds": _seconds(row["ack_median"]),
            "p90_seconds": _seconds(row["ack_p90"]),
        },
        "time_to_reconnect": {
            "count": row["repairs"],
            "median_seconds": _seconds(row["reconnect_median"]),
            "p90_seconds": _seconds(row["reconnect_p90"]),
        },
        "not_yet_answers": events.get("not_yet", 0),
        "follow_up_answers": {
            "ok": events.get("follow_up_ok", 0),
            "not_really": events.get("follow_up_not_really", 0),
        },
        "started_by": {
            "parent": row["parent_started"],
            "child": row["child_flagged"],
            "parent_share": _rate(row["parent_started"], row["ruptures"]),
        },
    }


def _feelings(ruptures: QuerySet[Rupture], period: Period) -> list[dict[str, Any]]:
    """Feelings named on the period's ruptures, most named first: the JSON lists unnested in
    the database (``jsonb_array_elements_text`` on PostgreSQL, ``json_each`` on SQLite)."""
    ids_sql, params = (
        ruptures.filter(_within("created_at", period))
        .order_by()
        .values("pk")
        .query.sql_with_params()
    )
    table = Rupture._meta.db_table
    if connection.vendor == "postgresql":
        source = f'"{table}" r CROSS JOIN LATERAL jsonb_array_elements_text(r."feelings") f(value)'
    else:
        source = f'"{table}" r, json_each(r."feelings") f'
    sql = (
        f'SELECT f.value, COUNT(*) FROM {source} WHERE r."id" IN ({ids_sql}) '  # noqa: S608  # only our own table names; values are parameters
        "GROUP BY f.value ORDER BY COUNT(*) DESC, f.value"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    described = feeling_vocabulary.describe([code for code, _ in rows])
    return [feeling | {"count": count} for feeling, (_, count) in zip(described, rows, strict=True)]


def _pair_figures(with_viewer: bool) -> QuerySet[Any, Any]:
    """The pairs' figures (``_pair_aggregates``) for the slots' family, viewer and period."""
    ruptures = counted_ruptures(_FAMILY, _VIEWER if with_viewer else None)
    return (
        _touching(ruptures, _PERIOD)
        .values("family_id", "parent_id", "child_id")
        .annotate(
            parent_name=F("parent__display_name"),
            child_name=F("child__display_name"),
            parent_is_member=_is_member("parent"),
            child_is_member=_is_member("child"),
            **_pair_aggregates(_Moments.of(_PERIOD)),
        )
        .order_by("parent__display_name", "parent_id", "child__display_name", "child_id")
    )


def _family_figures(with_viewer: bool) -> QuerySet[Any, Any]:
    """The family's own figures (``_family_aggregates``) in one row: no GROUP BY (a constant
    groups nothing), so an empty period still answers one row of zeros and nulls."""
    ruptures = counted_ruptures(_FAMILY, _VIEWER if with_viewer else None)
    aggregates = _family_aggregates(_Moments.of(_PERIOD))
    kept: QuerySet[Any, Any] = (
        _touching(ruptures, _PERIOD)
        .alias(reminders=_reminders_before_acknowledgement(), steps_done=_steps_done())
        .values(whole=Value(1))
        .annotate(**aggregates)
        .values(*aggregates)
    )
    return kept


# Building the two widest statements (a few dozen filtered aggregates) took most of a dashboard
# request's Python time, and running them a few milliseconds: they are kept
# (``familyrepair.statements``), one for a therapist's read and one for a family's preview.
PAIR_FIGURES = {v: KeptStatement(functools.partial(_pair_figures, v)) for v in (True, False)}
FAMILY_FIGURES = {v: KeptStatement(functools.partial(_family_figures, v)) for v in (True, False)}


def family_figures(*, family_id: int, viewer: User | None, period: Period) -> dict[str, Any]:
    """Every figure of the dashboard for one period, over the family's ``counted_ruptures``
    (for ``viewer``'s preview, theirs), in seven queries whatever the number of ruptures: the
    pairs' figures, their events, the family's own figures, weeks flagged, weeks repaired, the
    heat map, the feelings. The family's counts and the per-parent shares are sums of the pairs'
    rows (a handful), never of ruptures. The two widest statements are kept (``PAIR_FIGURES``,
    ``FAMILY_FIGURES``).
    """
    zone = period.zone
    at = _Moments.of(period)
    ruptures = counted_ruptures(family_id, viewer)
    events = _events(ruptures, period)

    values: dict[str, Any] = {
        "family": family_id,
        "viewer": viewer.pk if viewer is not None else None,
        "start": period.start,
        "end": period.end,
    }
    pair_rows = PAIR_FIGURES[viewer is not None].rows(**values)
    [family] = FAMILY_FIGURES[viewer is not None].rows(**values)
    pair_events: dict[tuple[int | None, int | None], Mapping[str, Any]] = {
        (row["rupture__parent_id"], row["rupture__child_id"]): row
        for row in events.values("rupture__parent_id", "rupture__child_id").annotate(
            **_event_aggregates()
        )
    }
    total = family | {name: sum(row[name] for row in pair_rows) for name in SUMMED}
    event_total = {
        name: sum(row[name] for row in pair_events.values()) for name in _event_aggregates()
    }
    pairs = [
        {
            "parent": _person(row["parent_id"], row["parent_name"], row["parent_is_member"]),
            "child": _person(row["child_id"], row["child_name"], row["child_is_member"]),
            **_common(row, pair_events.get((row["parent_id"], row["child_id"]), {})),
        }
        for row in pair_rows
        if row["ruptures"]
        or row["repairs"]
        or row["closed"]
        or row["acknowledged"]
        or (row["parent_id"], row["child_id"]) in pair_events
    ]

    # Who starts repair, per parent who had a rupture flagged in the period: the pairs' rows
    # come in the parents' order already.
    started: dict[int | None, dict[str, Any]] = {}
    for pair in pair_rows:
        if not pair["ruptures"]:
            continue
        parent = started.setdefault(
            pair["parent_id"],
            {
                "parent": _person(pair["parent_id"], pair["parent_name"], pair["parent_is_member"]),
                "parent_started": 0,
                "child_flagged": 0,
            },
        )
        parent["parent_started"] += pair["parent_started"]
        parent["child_flagged"] += pair["child_flagged"]
    by_parent = [
        parent
        | {
            "parent_share": _rate(
                parent["parent_started"], parent["parent_started"] + parent["child_flagged"]
            )
        }
        for parent in started.values()
    ]

    created = ruptures.filter(at.created).order_by()
    weekly: dict[dt.date, dict[str, int]] = {
        week: {"ruptures": 0, "repairs": 0} for week in period.week_starts()
    }
    for row in created.values(
        week=TruncWeek("created_at", tzinfo=zone, output_field=DateField())
    ).annotate(n=Count("pk")):
        weekly[row["week"]]["ruptures"] = row["n"]
    repaired = ruptures.filter(at.reconnected)
    for row in (
        repaired.order_by()
        .values(week=TruncWeek("reconnected_at", tzinfo=zone, output_field=DateField()))
        .annotate(n=Count("pk"))
    ):
        weekly[row["week"]]["repairs"] = row["n"]

    heat_map = [[0] * 24 for _day in range(7)]
    for cell in created.values(
        weekday=ExtractIsoWeekDay("occurred_at", tzinfo=zone),
        hour=ExtractHour("occurred_at", tzinfo=zone),
    ).annotate(n=Count("pk")):
        heat_map[cell["weekday"] - 1][cell["hour"]] = cell["n"]

    acknowledged = total["acknowledged"]
    return {
        **_common(total, event_total),
        "follow_up_ruptures": total["follow_up_ruptures"],
        "by_parent": by_parent,
        "pairs": pairs,
        "weeks": [{"week_start": week, **counts} for week, counts in weekly.items()],
        "heat_map": heat_map,
        "feelings": _feelings(ruptures, period),
        "needs": [
            {"code": code, "label": str(label), "count": total[f"need_{code}"]}
            for code, label in Need.choices
        ]
        + [{"code": "", "label": _("Not said"), "count": total["need_unsaid"]}],
        "sizes": [
            {"code": code, "label": str(label), "count": total[f"size_{code}"]}
            for code, label in Size.choices
        ]
        + [{"code": "", "label": _("Not said"), "count": total["size_unsaid"]}],
        "reminders_before_acknowledgement": {
            "acknowledged": acknowledged,
            "none": total["reminders_0"],
            "one": total["reminders_1"],
            "two": total["reminders_2"],
            "three_or_more": total["reminders_3_or_more"],
        },
        "repair_steps": {
            "all_done": total["steps_all_done"],
            "some_skipped": total["steps_some_skipped"],
            "none_done": total["steps_none_done"],
        },
    }


def period_out(period: Period) -> dict[str, Any]:
    return {
        "preset": period.preset,
        "from": period.first,
        "to": period.last,
        "days": period.days,
    }


def dashboard(
    *,
    family: Family,
    viewer: User | None,
    period: Period,
    compare: bool,
) -> dict[str, Any]:
    """The dashboard's figures for a period, and for the one before it when ``compare``; for a
    member's preview (``viewer``), of the ruptures they see themselves."""
    previous = None
    if compare:
        before = period.previous()
        previous = {
            "period": period_out(before),
            **family_figures(family_id=family.pk, viewer=viewer, period=before),
        }
    return {
        "family": {"id": family.pk, "name": family.name},
        "time_zone": period.zone.key,
        "self_reported": True,
        "label": SELF_REPORTED,
        "period": period_out(period),
        **family_figures(family_id=family.pk, viewer=viewer, period=period),
        "previous": previous,
    }


# --- the family check-in trend ---------------------------------------------------------------

CHECK_IN_LABEL = gettext_lazy(
    "Our own two questions, answered every two weeks on a 1-5 scale; not a validated instrument."
)
CHECK_IN_PERIOD_DAYS = 14


def check_in_trend(*, family_id: int, period: Period, shared_only: bool) -> dict[str, Any]:
    """The check-in averages per two-week round, pair and question, for the rounds that overlap
    the period (``checkins.selectors.family_trend``, computed in the database); for a parent's
    preview only what children agreed to share with parents, as their own check-in page shows."""
    rows = family_trend(
        family_id,
        period.first - dt.timedelta(days=CHECK_IN_PERIOD_DAYS - 1),
        period.last + dt.timedelta(days=1),
        shared_only=shared_only,
    )
    ids = {row[key] for row in rows for key in ("parent_id", "child_id")}
    names = dict(User.objects.filter(pk__in=ids).values_list("pk", "display_name")) if ids else {}
    members = (
        set(
            Membership.objects.filter(family_id=family_id, user_id__in=ids).values_list(
                "user_id", flat=True
            )
        )
        if ids
        else set()
    )
    return {
        "label": CHECK_IN_LABEL,
        "rounds": [
            {
                "period_start": row["period_start"],
                "parent": _person(
                    row["parent_id"], names.get(row["parent_id"]), row["parent_id"] in members
                ),
                "child": _person(
                    row["child_id"], names.get(row["child_id"]), row["child_id"] in members
                ),
                "question": row["question"],
                "average": row["average"],
                "answers": row["answers"],
            }
            for row in rows
        ],
    }


# --- the caseload -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseloadOptions:
    unrepaired_days: int = DEFAULT_UNREPAIRED_DAYS
    sort: str = "needs_attention"  # or "name", "last_activity"
    needs_attention: bool | None = None


def caseload(
    *, therapist: User, options: CaseloadOptions, now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Every family with an active grant to the therapist, with its figures, in four queries
    whatever the number of families or ruptures: the grants (with each family's last activity,
    one index probe each), one grouped aggregate over the ruptures the figures can count (open,
    or flagged, reconnected or closed in the windows: an index each, not two years of history),
    the open safety reviews, and the check-in trend of the families listed (one aggregate).
    Families with an open safety review always come first."""
    now = now or timezone.now()
    last_update = (
        Rupture.objects.filter(family=OuterRef("family_id"))
        .exclude(status=Status.SAFETY_REVIEW)
        .order_by("-updated_at")
        .values("updated_at")[:1]
    )
    grants = list(
        CareTeamGrant.objects.filter(
            therapist=therapist, revoked_at__isnull=True, family__dissolved_at__isnull=True
        )
        .order_by("family__name", "family_id")
        .values(
            "pk",
            "scope",
            "granted_at",
            "family_id",
            family_name=F("family__name"),
            last_activity=Subquery(last_update),  # an index probe per family, not its history
        )
    )
    family_ids = [grant["family_id"] for grant in grants]
    month_ago, two_months_ago = now - dt.timedelta(days=30), now - dt.timedelta(days=60)
    recent_start = now - dt.timedelta(days=CASELOAD_SHARE_DAYS)
    last_30 = Q(reconnected_at__gte=month_ago, reconnected_at__lt=now)
    prev_30 = Q(reconnected_at__gte=two_months_ago, reconnected_at__lt=month_ago)
    closed_last = Q(closed_at__gte=month_ago, closed_at__lt=now)
    closed_prev = Q(closed_at__gte=two_months_ago, closed_at__lt=month_ago)
    recent = Q(created_at__gte=recent_start)
    closed = Q(status__in=(Status.RECONNECTED, Status.WITHDRAWN))
    reconnected = Q(status=Status.RECONNECTED)
    # The rows a figure below counts, and no other (each branch of the OR has its index): the
    # open ones and those flagged, reconnected or closed in the windows, not two years of history.
    counted = (
        Q(status__in=OPEN)
        | Q(created_at__gte=recent_start)
        | Q(closed_at__gte=two_months_ago)
        | Q(reconnected_at__gte=two_months_ago)
    )
    figures = {
        row["family_id"]: row
        for row in Rupture.objects.filter(counted, family_id__in=family_ids)
        .exclude(status=Status.SAFETY_REVIEW)
        .order_by()
        .values("family_id")
        .annotate(
            open_ruptures=Count("pk", filter=Q(status__in=OPEN)),
            oldest_unrepaired_at=Min("created_at", filter=Q(status__in=OPEN)),
            repairs_last=Count("pk", filter=last_30 & reconnected),
            repairs_prev=Count("pk", filter=prev_30 & reconnected),
            closed_last=Count("pk", filter=closed_last & closed),
            closed_prev=Count("pk", filter=closed_prev & closed),
            reconnected_last=Count("pk", filter=closed_last & reconnected),
            reconnected_prev=Count("pk", filter=closed_prev & reconnected),
            recent=Count("pk", filter=recent),
            recent_parent=Count("pk", filter=recent & Q(started_by=Party.PARENT)),
        )
    }
    # The open reviews in this therapist's own queue (the flags they were sent the alert for), so
    # the count matches what they can open: never a review they cannot see.
    reviews = dict(
        therapist_queue(therapist)
        .filter(family_id__in=family_ids, closed_at__isnull=True)
        .select_related(None)
        .order_by()
        .values("family_id")
        .annotate(n=Count("pk"))
        .values_list("family_id", "n")
    )
    rows = [
        _caseload_row(
            grant,
            figures.get(grant["family_id"]),
            reviews.get(grant["family_id"], 0),
            options=options,
            now=now,
        )
        for grant in grants
    ]
    if options.needs_attention is not None:
        rows = [row for row in rows if row["needs_attention"] == options.needs_attention]
    trends = caseload_trends([row["family"]["id"] for row in rows], today=timezone.localdate(now))
    for row in rows:
        row["check_in_trend"] = trends.get(row["family"]["id"])
    return sorted(rows, key=_sort_key(options.sort))


_EMPTY: dict[str, Any] = {
    "open_ruptures": 0,
    "oldest_unrepaired_at": None,
    "repairs_last": 0,
    "repairs_prev": 0,
    "closed_last": 0,
    "closed_prev": 0,
    "reconnected_last": 0,
    "reconnected_prev": 0,
    "recent": 0,
    "recent_parent": 0,
}


def _caseload_row(
    grant: Mapping[str, Any],
    figures: Mapping[str, Any] | None,
    safety_reviews: int,
    *,
    options: CaseloadOptions,
    now: dt.datetime,
) -> dict[str, Any]:
    f = figures or _EMPTY
    oldest = f["oldest_unrepaired_at"]
    oldest_days = (now - oldest).days if oldest else None
    rate_last = _rate(f["reconnected_last"], f["closed_last"])
    rate_prev = _rate(f["reconnected_prev"], f["closed_prev"])
    reasons = []
    if safety_reviews:
        reasons.append("safety_review")
    if oldest_days is not None and oldest_days >= options.unrepaired_days:
        reasons.append("unrepaired")
    if rate_last is not None and rate_prev is not None and rate_last < rate_prev:
        reasons.append("repair_rate_falling")
    return {
        "family": {"id": grant["family_id"], "name": grant["family_name"]},
        "grant": {"id": grant["pk"], "scope": grant["scope"], "granted_at": grant["granted_at"]},
        "safety_reviews": safety_reviews,
        "open_ruptures": f["open_ruptures"],
        "oldest_unrepaired_at": oldest,
        "oldest_unrepaired_days": oldest_days,
        "repairs_last_30_days": f["repairs_last"],
        "repairs_previous_30_days": f["repairs_prev"],
        "repair_rate_last_30_days": rate_last,
        "repair_rate_previous_30_days": rate_prev,
        "ruptures_last_90_days": f["recent"],
        "parent_started_share": _rate(f["recent_parent"], f["recent"]),
        "last_activity": grant["last_activity"],
        "needs_attention": bool(reasons),
        "attention_reasons": reasons,
    }


def _sort_key(sort: str) -> Any:
    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        name = (row["family"]["name"].casefold(), row["family"]["id"])
        first = (-row["safety_reviews"],)  # safety reviews first, whatever the order asked
        if sort == "name":
            return (*first, *name)
        if sort == "last_activity":
            last = row["last_activity"]
            return (*first, last is None, -(last.timestamp() if last else 0), *name)
        return (
            *first,
            not row["needs_attention"],
            -len(row["attention_reasons"]),
            -(row["oldest_unrepaired_days"] or -1),
            *name,
        )

    return key


# --- the session export -----------------------------------------------------------------------

EXPORT_COLUMNS = (
    "week_start",
    "parent",
    "child",
    "ruptures",
    "parent_started",
    "child_flagged",
    "repairs",
    "closed",
    "withdrawn",
    "repair_rate",
    "acknowledged",
    "median_seconds_to_acknowledge",
    "p90_seconds_to_acknowledge",
    "median_seconds_to_reconnect",
    "p90_seconds_to_reconnect",
    "not_yet_answers",
    "follow_up_ok",
    "follow_up_not_really",
)


def export_rows(*, ruptures: QuerySet[Rupture], period: Period) -> list[dict[str, Any]]:
    """One row per parent-child pair per local week: each figure in the week its moment fell in
    (flagged, acknowledged, closed, answered). Four grouped queries, whatever the history."""
    zone = period.zone
    pair = ("parent_id", "child_id")
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}

    def merge(found: Iterable[Mapping[str, Any]], keys: tuple[str, ...]) -> None:
        for row in found:
            key = (row["week"], *(row[k] for k in keys))
            target = rows.setdefault(key, {})
            target.update({k: v for k, v in row.items() if k not in ("week", *keys)})

    base = ruptures.order_by()
    created = _within("created_at", period)
    merge(
        base.filter(created)
        .values(*pair, week=TruncWeek("created_at", tzinfo=zone, output_field=DateField()))
        .annotate(
            ruptures=Count("pk"),
            parent_started=Count("pk", filter=Q(started_by=Party.PARENT)),
            child_flagged=Count("pk", filter=Q(started_by=Party.CHILD)),
        ),
        pair,
    )
    acknowledged = _within("acknowledged_at", period) & Q(started_by=Party.CHILD)
    ack_seconds = Seconds("acknowledged_at", "created_at")
    merge(
        base.filter(acknowledged)
        .values(*pair, week=TruncWeek("acknowledged_at", tzinfo=zone, output_field=DateField()))
        .annotate(
            acknowledged=Count("pk"),
            ack_median=PercentileCont(ack_seconds, 0.5),
            ack_p90=PercentileCont(ack_seconds, 0.9),
        ),
        pair,
    )
    reconnected = Q(status=Status.RECONNECTED)
    reconnect_seconds = Case(When(reconnected, then=Seconds("reconnected_at", "created_at")))
    merge(
        base.filter(_within("closed_at", period), status__in=(Status.RECONNECTED, Status.WITHDRAWN))
        .values(*pair, week=TruncWeek("closed_at", tzinfo=zone, output_field=DateField()))
        .annotate(
            closed=Count("pk"),
            repairs=Count("pk", filter=reconnected),
            withdrawn=Count("pk", filter=Q(status=Status.WITHDRAWN)),
            reconnect_median=PercentileCont(reconnect_seconds, 0.5),
            reconnect_p90=PercentileCont(reconnect_seconds, 0.9),
        ),
        pair,
    )
    event_pair = ("rupture__parent_id", "rupture__child_id")
    merge(
        _events(ruptures, period)
        .values(*event_pair, week=TruncWeek("created_at", tzinfo=zone, output_field=DateField()))
        .annotate(**_event_aggregates()),
        event_pair,
    )
    people = dict(
        User.objects.filter(
            pk__in={key[n] for key in rows for n in (1, 2) if key[n] is not None}
        ).values_list("pk", "display_name")
    )

    def name(user_id: int | None) -> str:
        if user_id is None:
            return str(FORMER_MEMBER)
        return people.get(user_id) or _("Family member")

    out = []
    for (week, parent_id, child_id), row in rows.items():
        repairs, closed = row.get("repairs", 0), row.get("closed", 0)
        out.append(
            {
                "week_start": week,
                "parent": name(parent_id),
                "child": name(child_id),
                "ruptures": row.get("ruptures", 0),
                "parent_started": row.get("parent_started", 0),
                "child_flagged": row.get("child_flagged", 0),
                "repairs": repairs,
                "closed": closed,
                "withdrawn": row.get("withdrawn", 0),
                "repair_rate": _rate(repairs, closed),
                "acknowledged": row.get("acknowledged", 0),
                "median_seconds_to_acknowledge": _seconds(row.get("ack_median")),
                "p90_seconds_to_acknowledge": _seconds(row.get("ack_p90")),
                "median_seconds_to_reconnect": _seconds(row.get("reconnect_median")),
                "p90_seconds_to_reconnect": _seconds(row.get("reconnect_p90")),
                "not_yet_answers": row.get("not_yet", 0),
                "follow_up_ok": row.get("follow_up_ok", 0),
                "follow_up_not_really": row.get("follow_up_not_really", 0),
            }
        )
    out.sort(key=lambda r: (r["parent"], r["child"], r["week_start"]))
    return out
