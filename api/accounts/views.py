"""HTTP for accounts and families: validate input, call one service or selector, render output.

Every resource outside the caller's families answers 404 (the selectors raise it), so ids leak
nothing; 403 only inside a family (a child trying a parent-only action).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any, cast

import qrcode
import qrcode.image.svg
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.models import Membership, Role, User
from accounts.privacy import PRIVACY_NOTICE_VERSION, RETENTION_POLICY_VERSION
from api.accounts import serializers as io
from api.pagination import PageNumberPagination

# A paired device stays signed in for a year unless a parent revokes it.
DEVICE_SESSION_SECONDS = 365 * 24 * 60 * 60


def _user(request: Request) -> User:
    return cast(User, request.user)


def _paginated(request: Request, view: APIView, rows: Any, render: Any) -> Response:
    paginator = PageNumberPagination()
    page: list[Any] | None = paginator.paginate_queryset(rows, request, view=view)
    return paginator.get_paginated_response([render(row) for row in page or []])


def _me_body(user: User) -> dict[str, Any]:
    return io.me(
        user,
        families=list(selectors.families_for(user)),
        care_grants=list(selectors.care_families_for(user)) if user.is_therapist else [],
        has_mfa=selectors.has_mfa(user),
    )


# --- Me -------------------------------------------------------------------------------------


class MeView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response(_me_body(_user(request)))

    @extend_schema(request=io.MeUpdateInput, responses=OpenApiTypes.OBJECT)
    def patch(self, request: Request) -> Response:
        data = io.MeUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        if "quiet_hours" in changes:
            hours = changes.pop("quiet_hours")
            changes["quiet_hours_start"] = hours["start"] if hours else None
            changes["quiet_hours_end"] = hours["end"] if hours else None
        user = services.user_update(actor=_user(request), changes=cast(Any, changes))
        return Response(_me_body(user))

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        services.user_delete(actor=_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeExportView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        body = services.user_export(actor=_user(request))
        return Response(
            body, headers={"Content-Disposition": 'attachment; filename="familyrepair-me.json"'}
        )


# --- Families -------------------------------------------------------------------------------


class FamilyListView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT, operation_id="families_list")
    def get(self, request: Request) -> Response:
        rows = selectors.families_for(_user(request))
        return _paginated(request, self, rows, lambda f: io.family(f, role=f.role))

    @extend_schema(request=io.FamilyCreateInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = io.FamilyCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        family = services.family_create(actor=_user(request), name=data.validated_data["name"])
        return Response(io.family(family, role=Role.PARENT), status=status.HTTP_201_CREATED)


class FamilyDetailView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, family_id: int) -> Response:
        family, membership, grant = selectors.family_for_reader(
            actor=_user(request), family_id=family_id
        )
        if grant is not None:
            services.therapist_access_record(
                therapist=_user(request), family=family, action="family.view"
            )
            return Response(io.family(family, role="therapist", scope=grant.scope))
        role = membership.role if membership is not None else Role.CHILD
        return Response(io.family(family, role=role))

    @extend_schema(request=io.FamilyUpdateInput, responses=OpenApiTypes.OBJECT)
    def patch(self, request: Request, family_id: int) -> Response:
        data = io.FamilyUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        family = services.family_update(
            actor=_user(request), family_id=family_id, changes=cast(Any, data.validated_data)
        )
        return Response(io.family(family, role=Role.PARENT))


class MemberListView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT, operation_id="families_members_list")
    def get(self, request: Request, family_id: int) -> Response:
        rows = selectors.family_members(actor=_user(request), family_id=family_id)
        return _paginated(request, self, rows, io.member)


class MemberDetailView(APIView):
    @extend_schema(request=io.MembershipUpdateInput, responses=OpenApiTypes.OBJECT)
    def patch(self, request: Request, family_id: int, user_id: int) -> Response:
        data = io.MembershipUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_update(
            actor=_user(request),
            family_id=family_id,
            user_id=user_id,
            details_opt_out=data.validated_data["details_opt_out"],
        )
        return Response(io.member(membership))

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, family_id: int, user_id: int) -> Response:
        services.member_remove(actor=_user(request), family_id=family_id, user_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Children, pairing and devices ------------------------------------------------------------


class ChildListView(APIView):
    @extend_schema(request=io.ChildCreateInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, family_id: int) -> Response:
        data = io.ChildCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        child = services.child_profile_create(
            actor=_user(request),
            family_id=family_id,
            display_name=data.validated_data["display_name"],
            birth_year=data.validated_data["birth_year"],
            privacy_notice_version=data.validated_data.get("privacy_notice_version"),
        )
        membership = Membership.objects.get(family_id=family_id, user=child)
        return Response(io.child(child, membership), status=status.HTTP_201_CREATED)


def _qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage)
    return str(image.to_string(encoding="unicode"))


class PairingCodeView(APIView):
    @extend_schema(request=None, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, family_id: int, user_id: int) -> Response:
        pairing, code = services.pairing_code_create(
            actor=_user(request), family_id=family_id, child_id=user_id
        )
        url = f"{settings.SITE_URL}/#/pair/{code}"
        return Response(
            io.pairing_code(pairing, code, url=url, qr_svg=_qr_svg(url)),
            status=status.HTTP_201_CREATED,
        )


class DeviceListView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT, operation_id="families_children_devices_list")
    def get(self, request: Request, family_id: int, user_id: int) -> Response:
        rows = services.device_sessions(actor=_user(request), family_id=family_id, child_id=user_id)
        return _paginated(request, self, rows, io.device)


class DeviceDetailView(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, family_id: int, user_id: int, device_id: int) -> Response:
        services.device_session_end(
            actor=_user(request), family_id=family_id, child_id=user_id, session_id=device_id
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class _CsrfCheck(SessionAuthentication):
    """Pairing signs a browser in, so it needs the same login-CSRF protection as allauth's
    browser login: the PWA sends X-CSRFToken from the cookie allauth's endpoints set."""

    def check(self, request: Request) -> None:
        self.enforce_csrf(request)


def _sign_in_browser(request: HttpRequest, child: User) -> None:
    login(request, child, backend="django.contrib.auth.backends.ModelBackend")
    request.session.set_expiry(DEVICE_SESSION_SECONDS)
    request.session.save()
    UserSession.objects.create_from_request(request)


def _sign_in_app(request: HttpRequest, child: User) -> str:
    """Log the child into a fresh session whose key is the X-Session-Token, as allauth's app
    client does, leaving the request's own (cookie) session and CSRF cookie untouched."""
    old_session, old_user = request.session, request.user
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    try:
        _sign_in_browser(request, child)
        return str(request.session.session_key)  # saved by the sign-in
    finally:
        request.session, request.user = old_session, old_user
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False


class PairingView(APIView):
    """Spend a pairing code and sign this device in as the child (rate-limited per address)."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = "pairing"

    @extend_schema(request=io.PairingInput, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request) -> Response:
        data = io.PairingInput(data=request.data)
        data.is_valid(raise_exception=True)
        client = data.validated_data["client"]
        if client == "browser":
            _CsrfCheck().check(request)
        child = services.pairing_code_redeem(code=data.validated_data["code"])
        if client == "app":
            token = _sign_in_app(request._request, child)
            return Response({"user": _me_body(child), "session_token": token})
        _sign_in_browser(request._request, child)
        return Response({"user": _me_body(child)})


# --- Invites --------------------------------------------------------------------------------


def _invite_url(code: str) -> str:
    return f"{settings.SITE_URL}/#/invite/{code}"


class InviteListView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT, operation_id="families_invites_list")
    def get(self, request: Request, family_id: int) -> Response:
        rows = selectors.family_invites(actor=_user(request), family_id=family_id)
        return _paginated(request, self, rows, lambda i: io.invite(i, url=_invite_url(i.code)))

    @extend_schema(request=io.InviteCreateInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, family_id: int) -> Response:
        data = io.InviteCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        invite = services.invite_create(
            actor=_user(request),
            family_id=family_id,
            role=data.validated_data["role"],
            max_uses=data.validated_data["max_uses"],
        )
        return Response(
            io.invite(invite, url=_invite_url(invite.code)), status=status.HTTP_201_CREATED
        )


class InviteDetailView(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, family_id: int, invite_id: int) -> Response:
        services.invite_revoke(actor=_user(request), family_id=family_id, invite_id=invite_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InviteAcceptView(APIView):
    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = "invite_accept"

    @extend_schema(request=None, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, code: str) -> Response:
        membership = services.invite_accept(actor=_user(request), code=code)
        return Response(
            io.family(membership.family, role=membership.role), status=status.HTTP_201_CREATED
        )


# --- Care team and access log -----------------------------------------------------------------


class CareTeamListView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT, operation_id="families_care_team_list")
    def get(self, request: Request, family_id: int) -> Response:
        rows = selectors.care_team(actor=_user(request), family_id=family_id)
        return _paginated(request, self, rows, io.care_grant)

    @extend_schema(request=io.CareGrantCreateInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, family_id: int) -> Response:
        data = io.CareGrantCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        grant = services.care_grant_create(
            actor=_user(request),
            family_id=family_id,
            share_code=data.validated_data["share_code"],
            scope=data.validated_data["scope"],
        )
        return Response(io.care_grant(grant), status=status.HTTP_201_CREATED)


class CareTeamDetailView(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, family_id: int, grant_id: int) -> Response:
        services.care_grant_revoke(actor=_user(request), family_id=family_id, grant_id=grant_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AccessLogView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT, operation_id="families_access_log_list")
    def get(self, request: Request, family_id: int) -> Response:
        rows = selectors.access_log(actor=_user(request), family_id=family_id)
        return _paginated(request, self, rows, io.access_log_row)


# --- Privacy ----------------------------------------------------------------------------------


class PrivacyView(APIView):
    """Which privacy notice is current (a parent consents to it when adding a child under 13)."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response(
            {
                "privacy_notice_version": PRIVACY_NOTICE_VERSION,
                "privacy_notice_url": "/privacy/",
                "retention_policy_version": RETENTION_POLICY_VERSION,
                "retention_policy_url": "/privacy/retention/",
            }
        )
