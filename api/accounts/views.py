"""HTTP for accounts and families: validate input, call one service or selector, render output.

Every resource outside the caller's families answers 404 (the selectors raise it), so ids leak
nothing; 403 only inside a family (a child trying a parent-only action).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any, cast

import qrcode
import qrcode.image.svg
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from accounts import selectors
from accounts.models import Membership, Role, User
from accounts.privacy import PRIVACY_NOTICE_VERSION, RETENTION_POLICY_VERSION
from accounts.services.care_team import (
    care_grant_create,
    care_grant_revoke,
    therapist_access_record,
)
from accounts.services.children import (
    child_profile_create,
    child_profile_erase,
    device_session_end,
    device_sessions,
    pairing_code_create,
    pairing_code_redeem,
)
from accounts.services.deletion import user_delete
from accounts.services.export import user_export
from accounts.services.families import (
    family_create,
    member_remove,
    membership_update,
)
from accounts.services.invites import invite_accept, invite_create, invite_revoke
from accounts.services.me import user_update
from api import idempotency
from api.accounts import serializers as io
from api.views import APIView, GenericAPIView
from checkins import services as check_in_services
from ruptures import reflection
from ruptures import selectors as ruptures_selectors

# A paired device stays signed in for a year unless a parent revokes it.
DEVICE_SESSION_SECONDS = 365 * 24 * 60 * 60


def _user(request: Request) -> User:
    return cast(User, request.user)


class _ListView(GenericAPIView):
    """A page of a selector's rows, rendered by ``serializer_class`` as ``{count, next, previous,
    results}``: drf-spectacular documents that page from ``responses=XOut(many=True)`` and the
    pagination class, so the schema and the answer come from the same two classes."""

    def page(self, rows: Any) -> Response:
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def page_of(
        self,
        rows: list[dict[str, Any]],
        render: Callable[[list[dict[str, Any]]], list[dict[str, Any]]],
    ) -> Response:
        """A page of a kept statement's rows, rendered as ``serializer_class`` documents them."""
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(render(page or []))


def _me_context(user: User) -> dict[str, Any]:
    return {
        "families": list(selectors.families_for(user)),
        "care_grants": list(selectors.care_families_for(user)) if user.is_therapist else [],
        "has_mfa": selectors.has_mfa(user),
    }


def _me_body(user: User) -> dict[str, Any]:
    return io.MeOut(user, context=_me_context(user)).data


# --- Me -------------------------------------------------------------------------------------


class MeView(APIView):
    @extend_schema(responses=io.MeOut)
    def get(self, request: Request) -> Response:
        user = _user(request)
        families, has_mfa = selectors.families_and_mfa(user)
        care_families = list(selectors.care_families_for(user)) if user.is_therapist else []
        return Response(
            io.me_body(
                user,
                families=families,
                care_families=io.CareFamilyOut(care_families, many=True).data,  # type: ignore[arg-type]  # many=True: a list
                has_mfa=has_mfa,
            )
        )

    @extend_schema(request=io.MeUpdateInput, responses=io.MeOut)
    def patch(self, request: Request) -> Response:
        data = io.MeUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        if "quiet_hours" in changes:
            hours = changes.pop("quiet_hours")
            changes["quiet_hours_start"] = hours["start"] if hours else None
            changes["quiet_hours_end"] = hours["end"] if hours else None
        if "therapist_claims" in changes:
            claims = changes.pop("therapist_claims")
            changes |= {f"therapist_{name}": value for name, value in claims.items()}
        user = user_update(actor=_user(request), changes=cast(Any, changes))
        return Response(_me_body(user))

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        user_delete(actor=_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReflectionView(APIView):
    """The parent's evening reflection: its settings, and whether to suggest it."""

    @extend_schema(responses=io.ReflectionOut)
    def get(self, request: Request) -> Response:
        return Response(io.ReflectionOut(reflection.state(actor=_user(request))).data)

    @extend_schema(request=io.ReflectionIn, responses=io.ReflectionOut)
    def put(self, request: Request) -> Response:
        reflection.require_parent(_user(request))  # who may, before what they sent
        data = io.ReflectionIn(data=request.data)
        data.is_valid(raise_exception=True)
        answer = reflection.reflection_update(
            actor=_user(request),
            enabled=data.validated_data["enabled"],
            at=data.validated_data.get("time"),
        )
        return Response(io.ReflectionOut(answer).data)


class ReflectionDismissView(APIView):
    @extend_schema(request=None, responses=io.ReflectionOut)
    def post(self, request: Request) -> Response:
        """ "Not today"; after three in a row the answer's ``ask_pause`` is true."""
        return Response(io.ReflectionOut(reflection.reflection_dismiss(actor=_user(request))).data)


class MeExportView(APIView):
    @extend_schema(responses=io.MeExportOut)
    def get(self, request: Request) -> Response:
        body = io.MeExportOut(user_export(actor=_user(request))).data
        return Response(
            body, headers={"Content-Disposition": 'attachment; filename="familyrepair-me.json"'}
        )


# --- Families -------------------------------------------------------------------------------


class FamilyListView(_ListView):
    serializer_class = io.FamilyOut  # each row's role is the selector's annotation

    @extend_schema(responses=io.FamilyOut(many=True), operation_id="families_list")
    def get(self, request: Request) -> Response:
        return self.page_of(selectors.family_list(actor=_user(request)), io.family_rows)

    @extend_schema(request=io.FamilyCreateInput, responses={201: io.FamilyOut})
    def post(self, request: Request) -> Response:
        selectors.may_create_family(actor=_user(request))
        data = io.FamilyCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        family = family_create(actor=_user(request), name=data.validated_data["name"])
        body = io.FamilyOut(family, context={"role": Role.PARENT}).data
        idempotency.remember(request, kind="family", pk=family.pk)
        return Response(body, status=status.HTTP_201_CREATED)


class FamilyDetailView(APIView):
    @extend_schema(responses=io.FamilyOut)
    def get(self, request: Request, family_id: int) -> Response:
        if not _user(request).is_therapist:  # a member or no one: the kept statement
            family_row = selectors.family_of_member(actor=_user(request), family_id=family_id)
            return Response(io.family_rows([family_row])[0])
        family, membership, grant = selectors.family_for_reader(
            actor=_user(request), family_id=family_id
        )
        if grant is not None:
            therapist_access_record(therapist=_user(request), family=family, action="family.view")
            context = {"role": "therapist", "scope": grant.scope}
            return Response(io.FamilyOut(family, context=context).data)
        role = membership.role if membership is not None else Role.CHILD
        return Response(io.FamilyOut(family, context={"role": role}).data)

    @extend_schema(request=io.FamilyUpdateInput, responses=io.FamilyOut)
    def patch(self, request: Request, family_id: int) -> Response:
        selectors.access_family(actor=_user(request), family_id=family_id, require_parent=True)
        data = io.FamilyUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        check_ins = changes.pop("check_ins_enabled", None)
        family = check_in_services.family_settings_update(
            actor=_user(request),
            family_id=family_id,
            changes=cast(Any, changes),
            check_ins_enabled=check_ins,
        )
        return Response(io.FamilyOut(family, context={"role": Role.PARENT}).data)


class MemberListView(_ListView):
    serializer_class = io.MemberOut

    @extend_schema(responses=io.MemberOut(many=True), operation_id="families_members_list")
    def get(self, request: Request, family_id: int) -> Response:
        members = selectors.family_members(actor=_user(request), family_id=family_id)
        return self.page_of(members, io.member_rows)


class MemberDetailView(APIView):
    @extend_schema(request=io.MembershipUpdateInput, responses=io.MemberOut)
    def patch(self, request: Request, family_id: int, user_id: int) -> Response:
        selectors.own_membership_to_update(
            actor=_user(request), family_id=family_id, user_id=user_id
        )
        data = io.MembershipUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        membership = membership_update(
            actor=_user(request),
            family_id=family_id,
            user_id=user_id,
            details_opt_out=data.validated_data["details_opt_out"],
        )
        return Response(io.MemberOut(membership).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, family_id: int, user_id: int) -> Response:
        member_remove(actor=_user(request), family_id=family_id, user_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Children, pairing and devices ------------------------------------------------------------


class ChildListView(APIView):
    @extend_schema(request=io.ChildCreateInput, responses={201: io.ChildOut})
    def post(self, request: Request, family_id: int) -> Response:
        selectors.access_family(actor=_user(request), family_id=family_id, require_parent=True)
        data = io.ChildCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        child = child_profile_create(
            actor=_user(request),
            family_id=family_id,
            display_name=data.validated_data["display_name"],
            birth_year=data.validated_data["birth_year"],
            privacy_notice_version=data.validated_data.get("privacy_notice_version"),
        )
        membership = Membership.objects.get(family_id=family_id, user=child)
        membership.user = child
        idempotency.remember(request, kind="family", pk=family_id)
        return Response(io.ChildOut(membership).data, status=status.HTTP_201_CREATED)


class ChildDetailView(APIView):
    @extend_schema(
        request=None,
        responses={204: None},
        description="Erase a child profile (a young child with no account of their own) and its "
        "data; parents only. Records under safety review are kept until the review ends, and "
        "the answer is the same either way.",
    )
    def delete(self, request: Request, family_id: int, user_id: int) -> Response:
        child_profile_erase(actor=_user(request), family_id=family_id, child_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage)
    return str(image.to_string(encoding="unicode"))


class PairingCodeView(APIView):
    @extend_schema(request=None, responses={201: io.PairingCodeOut})
    def post(self, request: Request, family_id: int, user_id: int) -> Response:
        pairing, code = pairing_code_create(
            actor=_user(request), family_id=family_id, child_id=user_id
        )
        url = f"{settings.SITE_URL}/#/pair/{code}"
        body = io.PairingCodeOut(
            {
                "code": code,
                "expires_at": pairing.expires_at,
                "child": pairing.child,
                "url": url,
                "qr_svg": _qr_svg(url),
            }
        ).data
        idempotency.remember(request, kind="family", pk=family_id)
        return Response(body, status=status.HTTP_201_CREATED)


class DeviceListView(_ListView):
    serializer_class = io.DeviceOut

    @extend_schema(responses=io.DeviceOut(many=True), operation_id="families_children_devices_list")
    def get(self, request: Request, family_id: int, user_id: int) -> Response:
        rows = device_sessions(actor=_user(request), family_id=family_id, child_id=user_id)
        return self.page(rows)


class DeviceDetailView(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, family_id: int, user_id: int, device_id: int) -> Response:
        device_session_end(
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

    @extend_schema(request=io.PairingInput, responses=io.PairingOut)
    def post(self, request: Request) -> Response:
        data = io.PairingInput(data=request.data)
        data.is_valid(raise_exception=True)
        client = data.validated_data["client"]
        if client == "browser":
            _CsrfCheck().check(request)
        child = pairing_code_redeem(code=data.validated_data["code"])
        signed_in: dict[str, Any] = {"user": child}
        if client == "app":
            signed_in["session_token"] = _sign_in_app(request._request, child)
        else:
            _sign_in_browser(request._request, child)
        return Response(io.PairingOut(signed_in, context=_me_context(child)).data)


# --- Invites --------------------------------------------------------------------------------


class InviteListView(_ListView):
    serializer_class = io.InviteOut

    @extend_schema(responses=io.InviteOut(many=True), operation_id="families_invites_list")
    def get(self, request: Request, family_id: int) -> Response:
        return self.page(selectors.family_invites(actor=_user(request), family_id=family_id))

    @extend_schema(request=io.InviteCreateInput, responses={201: io.InviteOut})
    def post(self, request: Request, family_id: int) -> Response:
        selectors.access_family(actor=_user(request), family_id=family_id, require_parent=True)
        data = io.InviteCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        invite = invite_create(
            actor=_user(request),
            family_id=family_id,
            role=data.validated_data["role"],
            max_uses=data.validated_data["max_uses"],
        )
        idempotency.remember(request, kind="family", pk=family_id)
        return Response(io.InviteOut(invite).data, status=status.HTTP_201_CREATED)


class InviteDetailView(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, family_id: int, invite_id: int) -> Response:
        invite_revoke(actor=_user(request), family_id=family_id, invite_id=invite_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InviteAcceptView(APIView):
    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = "invite_accept"

    @extend_schema(request=None, responses={201: io.FamilyOut})
    def post(self, request: Request, code: str) -> Response:
        membership = invite_accept(actor=_user(request), code=code)
        body = io.FamilyOut(membership.family, context={"role": membership.role}).data
        idempotency.remember(request, kind="family", pk=membership.family_id)
        return Response(body, status=status.HTTP_201_CREATED)


# --- Care team and access log -----------------------------------------------------------------


class CareTeamListView(_ListView):
    serializer_class = io.CareGrantOut

    @extend_schema(responses=io.CareGrantOut(many=True), operation_id="families_care_team_list")
    def get(self, request: Request, family_id: int) -> Response:
        grants = selectors.care_team(actor=_user(request), family_id=family_id)
        return self.page_of(grants, io.care_grant_rows)

    @extend_schema(request=io.CareGrantCreateInput, responses={201: io.CareGrantOut})
    def post(self, request: Request, family_id: int) -> Response:
        selectors.access_family(actor=_user(request), family_id=family_id, require_parent=True)
        data = io.CareGrantCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        grant = care_grant_create(
            actor=_user(request),
            family_id=family_id,
            share_code=data.validated_data["share_code"],
            scope=data.validated_data["scope"],
        )
        idempotency.remember(request, kind="family", pk=family_id)
        return Response(io.CareGrantOut(grant).data, status=status.HTTP_201_CREATED)


class CareTeamDetailView(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, family_id: int, grant_id: int) -> Response:
        care_grant_revoke(actor=_user(request), family_id=family_id, grant_id=grant_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AccessLogView(_ListView):
    serializer_class = io.AccessLogOut

    @extend_schema(responses=io.AccessLogOut(many=True), operation_id="families_access_log_list")
    def get(self, request: Request, family_id: int) -> Response:
        rows = ruptures_selectors.access_log(actor=_user(request), family_id=family_id)
        return self.page(rows)


# --- Privacy ----------------------------------------------------------------------------------


class PrivacyView(APIView):
    """Which privacy notice is current (a parent consents to it when adding a child under 13)."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(responses=io.PrivacyOut)
    def get(self, request: Request) -> Response:
        body = io.PrivacyOut(
            {
                "privacy_notice_version": PRIVACY_NOTICE_VERSION,
                "privacy_notice_url": "/privacy/",
                "retention_policy_version": RETENTION_POLICY_VERSION,
                "retention_policy_url": "/privacy/retention/",
            }
        ).data
        return Response(body)
