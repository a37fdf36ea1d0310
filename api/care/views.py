"""HTTP for the family therapist: the caseload, a family's dashboard, its export and printable
summary; and a family member's preview of what a therapist on their care team sees.

Every therapist read leaves access-log rows the family's parents can list. Access is decided on
the caller first (403 ``not_a_therapist``, ``therapist_unverified``, ``mfa_required``, so the PWA
can route to the next step), then per family (404 without an active grant).
"""

from __future__ import annotations

import csv
import io
from typing import Any, cast

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import CareScope, CareTeamGrant, Family, Role, User
from accounts.services.common import name_of
from api.care import serializers as io_
from api.views import APIView, validated
from care import selectors, services
from care.periods import Period, period_for, zone_of


def _user(request: Request) -> User:
    return cast(User, request.user)


def _period(family: Family, query: dict[str, Any], ruptures: Any) -> Period:
    zone = zone_of(family.time_zone)
    preset = query.get("period")
    earliest = None
    if preset == "all" and "from" not in query:
        earliest = selectors.earliest_rupture_date(ruptures, zone.key)
    return period_for(
        zone=zone,
        today=timezone.localtime(timezone.now(), zone).date(),
        preset=preset,
        first=query.get("from"),
        last=query.get("to"),
        earliest=earliest,
    )


def _dashboard(
    family: Family,
    viewer: User | None,
    query: dict[str, Any],
    *,
    scope: str,
    limited: bool,
    check_ins: str = "all",
) -> dict[str, Any]:
    """``check_ins``: ``all`` (a therapist), ``shared`` (a parent's preview: what children
    shared with parents), ``none`` (a child's preview: their check-in page shows no trend)."""
    period = _period(family, query, selectors.counted_ruptures(family.pk, viewer))
    body = selectors.dashboard(
        family=family, viewer=viewer, period=period, compare=bool(query.get("compare"))
    )
    trend = selectors.check_in_trend(
        family_id=family.pk, period=period, shared_only=check_ins == "shared"
    )
    if check_ins == "none":
        trend["rounds"] = []
    return body | {
        "check_ins": trend,
        "scope": scope,
        "can_open_words": scope == CareScope.DETAILS and not limited,
        "viewer_limited": limited,
    }


class CaseloadView(APIView):
    @extend_schema(
        parameters=[io_.CaseloadQuery], responses=io_.CaseloadOut, operation_id="care_caseload"
    )
    def get(self, request: Request) -> Response:
        therapist = selectors.therapist_ready(_user(request))
        query = validated(io_.CaseloadQuery, request.query_params)
        options = selectors.CaseloadOptions(
            unrepaired_days=query["unrepaired_days"],
            sort=query["sort"],
            needs_attention=query["needs_attention"],
        )
        rows = selectors.caseload(therapist=therapist, options=options)
        services.care_reads_record(
            therapist=therapist,
            family_ids=[row["family"]["id"] for row in rows],
            action="caseload.view",
        )
        body = {
            "self_reported": True,
            "label": selectors.SELF_REPORTED,
            "unrepaired_days": options.unrepaired_days,
            "sort": options.sort,
            "count": len(rows),
            "safety_reviews": sum(row["safety_reviews"] for row in rows),
            "results": rows,
        }
        # The selector builds the rows JSON-ready, so they go out as they are: CaseloadOut
        # documents them (the schema) and a test holds the body to it field for field, but a
        # caseload of 200 families through DRF's field-by-field serializer cost 20-30 ms.
        return Response(body)


def _granted_dashboard(request: Request, family_id: int) -> tuple[CareTeamGrant, dict[str, Any]]:
    """The therapist's grant for the family (404 out of scope) and its dashboard for the period
    the query asks."""
    grant = selectors.care_grant_for(actor=_user(request), family_id=family_id)
    query = validated(io_.PeriodQuery, request.query_params)
    return grant, _dashboard(grant.family, None, query, scope=grant.scope, limited=False)


class DashboardView(APIView):
    @extend_schema(
        parameters=[io_.PeriodQuery], responses=io_.DashboardOut, operation_id="care_dashboard"
    )
    def get(self, request: Request, family_id: int) -> Response:
        grant, body = _granted_dashboard(request, family_id)
        services.care_reads_record(
            therapist=_user(request), family_ids=[grant.family_id], action="dashboard.view"
        )
        return Response(io_.DashboardOut(body).data)


class SummaryView(APIView):
    @extend_schema(
        parameters=[io_.PeriodQuery], responses=io_.SummaryOut, operation_id="care_summary"
    )
    def get(self, request: Request, family_id: int) -> Response:
        """The data of the printable one-page summary (the PWA lays it out for print)."""
        grant, body = _granted_dashboard(request, family_id)
        body |= {"therapist_name": name_of(_user(request)), "generated_at": timezone.now()}
        services.care_reads_record(
            therapist=_user(request), family_ids=[grant.family_id], action="export.summary"
        )
        return Response(io_.SummaryOut(body).data)


class _ErrorsAsJSON(BaseContentNegotiation):
    """The export answers CSV itself; anything else it says (an error) is our JSON envelope,
    whatever the client accepts."""

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Request, renderers: Any, format_suffix: Any = None) -> Any:
        return JSONRenderer(), JSONRenderer.media_type


def _cell(value: Any) -> Any:
    """Names are the family's own words: a leading = + - @ would be a formula in a spreadsheet."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


class ExportView(APIView):
    content_negotiation_class = _ErrorsAsJSON

    @extend_schema(
        operation_id="care_export",
        parameters=[io_.ExportQuery],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="One row per parent-child pair per week (Monday, the family's time "
                "zone); columns: " + ", ".join(selectors.EXPORT_COLUMNS) + ".",
            )
        },
    )
    def get(self, request: Request, family_id: int) -> HttpResponse:
        grant = selectors.care_grant_for(actor=_user(request), family_id=family_id)
        query = validated(io_.ExportQuery, request.query_params)
        ruptures = selectors.counted_ruptures(family_id)
        period = _period(grant.family, query, ruptures)
        rows = selectors.export_rows(ruptures=ruptures, period=period)
        out = io.StringIO()
        writer = csv.writer(out)
        out.write(f"# {selectors.SELF_REPORTED}\r\n")  # no comma: one cell in any reader
        writer.writerow(selectors.EXPORT_COLUMNS)
        for row in rows:
            writer.writerow([_cell(row[column]) for column in selectors.EXPORT_COLUMNS])
        services.care_reads_record(
            therapist=_user(request), family_ids=[grant.family_id], action="export.csv"
        )
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        filename = f"familyrepair-{grant.family_id}-{period.first}-{period.last}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class PreviewView(APIView):
    @extend_schema(
        parameters=[io_.PeriodQuery],
        responses=io_.PreviewOut,
        operation_id="families_care_team_preview",
    )
    def get(self, request: Request, family_id: int, grant_id: int) -> Response:
        """What one therapist on the care team sees, limited to what the caller sees themselves
        (their own pairs; never a flag held for safety review)."""
        grant, membership = selectors.preview_grant_for(
            actor=_user(request), family_id=family_id, grant_id=grant_id
        )
        query = validated(io_.PeriodQuery, request.query_params)
        role = membership.role
        body = _dashboard(
            grant.family,
            _user(request),
            query,
            scope=grant.scope,
            limited=True,
            check_ins="shared" if role == Role.PARENT else "none",
        )
        body["therapist_name"] = grant.therapist_name
        return Response(io_.PreviewOut(body).data)
