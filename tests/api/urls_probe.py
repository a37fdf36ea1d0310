"""Probe views for the error-envelope tests: real DRF machinery (auth, parsers, throttles) around
writes that then fail, so a test can prove the handler rolls them back."""

from __future__ import annotations

from django.urls import include, path
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from accounts.models import Family
from familyrepair.errors import Conflict, ErrorCode


class ProbeInput(serializers.Serializer[object]):
    name = serializers.CharField(max_length=10)
    items = serializers.ListField(child=serializers.IntegerField(), required=False)


class ProbeThrottle(AnonRateThrottle):
    rate = "2/minute"


class WriteThenFail(APIView):
    permission_classes = (AllowAny,)
    throttle_classes = (ProbeThrottle,)

    def post(self, request: Request, outcome: str) -> Response:
        payload = request.data  # parse first, as every real write view does
        Family.objects.create(name="written before the failure")
        if outcome == "conflict":
            raise Conflict("That cannot be done now.", code=ErrorCode.CONFLICT)
        if outcome == "invalid":
            ProbeInput(data=payload).is_valid(raise_exception=True)
        if outcome == "crash":
            raise RuntimeError("unexpected")
        return Response({"ok": True}, status=201)


class NeedsLogin(APIView):
    def get(self, request: Request) -> Response:
        return Response({"ok": True})


urlpatterns = [
    path("probe/<str:outcome>/", WriteThenFail.as_view()),
    path("probe-auth/", NeedsLogin.as_view()),
    path("", include("familyrepair.urls")),
]
handler404 = "api.views_system.not_found"
handler500 = "api.views_system.server_error"
