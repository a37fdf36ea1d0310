"""The therapist's caseload, a family's dashboard and its export: query parameters in, figures
out. The shapes are what ``care.selectors`` returns; these classes document them for the PWA's
generated types and render them."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.models import CareScope
from care.periods import PRESETS
from checkins.models import Question

# --- input ------------------------------------------------------------------------------------


class CaseloadQuery(serializers.Serializer[dict[str, Any]]):
    unrepaired_days = serializers.IntegerField(
        required=False,
        default=7,
        min_value=1,
        max_value=365,
        help_text="A family needs attention when a rupture is unrepaired for this many days.",
    )
    sort = serializers.ChoiceField(
        choices=("needs_attention", "name", "last_activity"),
        required=False,
        default="needs_attention",
        help_text="Families with an open safety review come first whatever the order.",
    )
    needs_attention = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Only the families that need attention (true) or that do not (false).",
    )


class PeriodQuery(serializers.Serializer[dict[str, Any]]):
    period = serializers.ChoiceField(
        choices=PRESETS,
        required=False,
        help_text="Days up to today in the family's time zone, or `all`; default 90. "
        "`from`/`to` override it.",
    )
    locals()["from"] = serializers.DateField(
        required=False, help_text="First day (the family's time zone), inclusive."
    )
    locals()["to"] = serializers.DateField(
        required=False, help_text="Last day, inclusive; default today."
    )
    compare = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Also the period of the same length just before (`previous`).",
    )


class ExportQuery(PeriodQuery):
    compare = None  # type: ignore[assignment]  # the CSV has one period


# --- output: the figures ----------------------------------------------------------------------


class CarePersonOut(serializers.Serializer[dict[str, Any]]):
    id = serializers.IntegerField(allow_null=True, help_text="Null for a deleted account.")
    display_name = serializers.CharField()
    is_member = serializers.BooleanField(help_text="False once they left the family.")


class DurationOut(serializers.Serializer[dict[str, Any]]):
    count = serializers.IntegerField(help_text="How many the times are taken over.")
    median_seconds = serializers.IntegerField(allow_null=True)
    p90_seconds = serializers.IntegerField(allow_null=True)


class FollowUpAnswersOut(serializers.Serializer[dict[str, Any]]):
    ok = serializers.IntegerField()
    not_really = serializers.IntegerField()


class StartedByOut(serializers.Serializer[dict[str, Any]]):
    parent = serializers.IntegerField(  # type: ignore[assignment]  # a field named like a DRF Field attribute
        help_text="A parent's own flag (the parent started repair)."
    )
    child = serializers.IntegerField(help_text="Flagged by the child.")
    parent_share = serializers.FloatField(allow_null=True, help_text="0 to 1; null with none.")


class _CommonFiguresOut(serializers.Serializer[dict[str, Any]]):
    ruptures = serializers.IntegerField(help_text="Flagged in the period.")
    repairs = serializers.IntegerField(help_text="Reconnected in the period.")
    closed = serializers.IntegerField(help_text="Reconnected or withdrawn in the period.")
    withdrawn = serializers.IntegerField()
    repair_rate = serializers.FloatField(
        allow_null=True, help_text="Reconnected / closed in the period; null when none closed."
    )
    time_to_acknowledge = DurationOut(
        help_text="From a child's flag to the parent's acknowledgement, for those acknowledged "
        "in the period (a parent's own flag is acknowledged by being made)."
    )
    time_to_reconnect = DurationOut(
        help_text="From the flag to reconnection, for those reconnected in the period."
    )
    not_yet_answers = serializers.IntegerField(help_text="The child's 'not yet' in the period.")
    follow_up_answers = FollowUpAnswersOut(help_text="'Are you two still OK?' in the period.")
    started_by = StartedByOut(help_text="Who started the period's ruptures.")


class PairFiguresOut(_CommonFiguresOut):
    parent = CarePersonOut()
    child = CarePersonOut()


class ParentStartsOut(serializers.Serializer[dict[str, Any]]):
    parent = CarePersonOut()
    parent_started = serializers.IntegerField()
    child_flagged = serializers.IntegerField()
    parent_share = serializers.FloatField(allow_null=True)


class WeekOut(serializers.Serializer[dict[str, Any]]):
    week_start = serializers.DateField(help_text="Monday, in the family's time zone.")
    ruptures = serializers.IntegerField(help_text="Flagged that week.")
    repairs = serializers.IntegerField(help_text="Reconnected that week.")


class FeelingCountOut(serializers.Serializer[dict[str, Any]]):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like a DRF Field attribute
    emoji = serializers.CharField()
    count = serializers.IntegerField()


class ChoiceCountOut(serializers.Serializer[dict[str, Any]]):
    code = serializers.CharField(help_text="Empty: not said.")
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like a DRF Field attribute
    count = serializers.IntegerField()


class RemindersOut(serializers.Serializer[dict[str, Any]]):
    acknowledged = serializers.IntegerField(help_text="Children's flags acknowledged.")
    none = serializers.IntegerField()
    one = serializers.IntegerField()
    two = serializers.IntegerField()
    three_or_more = serializers.IntegerField()


class RepairStepsOut(serializers.Serializer[dict[str, Any]]):
    all_done = serializers.IntegerField()
    some_skipped = serializers.IntegerField()
    none_done = serializers.IntegerField()


class PeriodOut(serializers.Serializer[dict[str, Any]]):
    preset = serializers.ChoiceField(choices=(*PRESETS, "custom"))
    from_date = serializers.DateField(source="from", help_text="First day, inclusive.")
    to_date = serializers.DateField(source="to", help_text="Last day, inclusive.")
    days = serializers.IntegerField()


class FiguresOut(_CommonFiguresOut):
    follow_up_ruptures = serializers.IntegerField(
        help_text="Ruptures opened by a 'not really' to the follow-up."
    )
    by_parent = ParentStartsOut(many=True, help_text="Who starts repair, per parent.")
    pairs = PairFiguresOut(many=True, help_text="The same figures per parent-child pair.")
    weeks = WeekOut(many=True, help_text="Every week of the period, oldest first.")
    heat_map = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="7 rows (Monday first) of 24 hours, in the family's time zone: when the "
        "period's ruptures happened.",
    )
    feelings = FeelingCountOut(many=True, help_text="Most named first.")
    needs = ChoiceCountOut(many=True)
    sizes = ChoiceCountOut(many=True)
    reminders_before_acknowledgement = RemindersOut()
    repair_steps = RepairStepsOut(help_text="The parent's six guided steps, on each repair.")


class PreviousOut(FiguresOut):
    period = PeriodOut()


class CheckInRoundOut(serializers.Serializer[dict[str, Any]]):
    period_start = serializers.DateField(help_text="The round's first day.")
    parent = CarePersonOut()
    child = CarePersonOut()
    question = serializers.ChoiceField(choices=Question.choices)
    average = serializers.FloatField(help_text="1 to 5.")
    answers = serializers.IntegerField()


class CheckInTrendOut(serializers.Serializer[dict[str, Any]]):
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like a DRF Field attribute
    rounds = CheckInRoundOut(many=True, help_text="Oldest first; per pair and question.")


class CareFamilyRefOut(serializers.Serializer[dict[str, Any]]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class DashboardOut(FiguresOut):
    family = CareFamilyRefOut()
    time_zone = serializers.CharField(help_text="The family's: weeks and the heat map use it.")
    self_reported = serializers.BooleanField()
    label = serializers.CharField(help_text="Show it with the figures.")  # type: ignore[assignment]  # a field named like a DRF Field attribute
    scope = serializers.ChoiceField(choices=CareScope.choices)
    can_open_words = serializers.BooleanField(
        help_text="`details` scope: list with GET /ruptures/?family= and open one at a time "
        "with GET /ruptures/{id}/ (each open is in the family's access log)."
    )
    viewer_limited = serializers.BooleanField(
        help_text="A family member's preview: only the ruptures they see themselves."
    )
    period = PeriodOut()
    previous = PreviousOut(allow_null=True, help_text="With `compare=true`.")
    check_ins = CheckInTrendOut(
        help_text="The family check-in trend over the period (a parent's preview: only what "
        "children shared with parents; a child's: none)."
    )


class PreviewOut(DashboardOut):
    therapist_name = serializers.CharField()


class SummaryOut(DashboardOut):
    """What the printable one-page summary shows."""

    therapist_name = serializers.CharField()
    generated_at = serializers.DateTimeField()


# --- output: the caseload ---------------------------------------------------------------------


class CaseloadGrantOut(serializers.Serializer[dict[str, Any]]):
    id = serializers.IntegerField()
    scope = serializers.ChoiceField(choices=CareScope.choices)
    granted_at = serializers.DateTimeField()


class CaseloadCheckInOut(serializers.Serializer[dict[str, Any]]):
    period_start = serializers.DateField(help_text="The latest answered round's first day.")
    average = serializers.FloatField(help_text="1 to 5: all pairs and both questions.")
    previous_average = serializers.FloatField(
        allow_null=True, help_text="The answered round before it (within eight weeks)."
    )


class CaseloadFamilyOut(serializers.Serializer[dict[str, Any]]):
    family = CareFamilyRefOut()
    grant = CaseloadGrantOut()
    safety_reviews = serializers.IntegerField(help_text="Open safety reviews: show first.")
    open_ruptures = serializers.IntegerField()
    oldest_unrepaired_at = serializers.DateTimeField(allow_null=True)
    oldest_unrepaired_days = serializers.IntegerField(allow_null=True)
    repairs_last_30_days = serializers.IntegerField()
    repairs_previous_30_days = serializers.IntegerField()
    repair_rate_last_30_days = serializers.FloatField(allow_null=True)
    repair_rate_previous_30_days = serializers.FloatField(allow_null=True)
    ruptures_last_90_days = serializers.IntegerField()
    parent_started_share = serializers.FloatField(
        allow_null=True, help_text="Of the last 90 days' ruptures, the share a parent flagged."
    )
    last_activity = serializers.DateTimeField(allow_null=True)
    check_in_trend = CaseloadCheckInOut(
        allow_null=True,
        help_text="The family check-in's latest two answered rounds of the last eight weeks "
        "(our own question set, not a validated instrument); null with none.",
    )
    needs_attention = serializers.BooleanField()
    attention_reasons = serializers.ListField(
        child=serializers.ChoiceField(
            choices=("safety_review", "unrepaired", "repair_rate_falling")
        )
    )


class CaseloadOut(serializers.Serializer[dict[str, Any]]):
    self_reported = serializers.BooleanField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like a DRF Field attribute
    unrepaired_days = serializers.IntegerField()
    sort = serializers.CharField()
    count = serializers.IntegerField()
    safety_reviews = serializers.IntegerField(help_text="Open safety reviews in all families.")
    results = CaseloadFamilyOut(many=True)
