"""The in-app inbox and Web Push subscriptions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework import status as http_status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from api import idempotency
from api.rows import moments_in
from api.views import APIView, GenericAPIView, validated
from ruptures import notifications
from ruptures.models import Notification, PromptKind, PushSubscription


class NotificationOut(serializers.Serializer[Notification]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=PromptKind.choices)
    rupture = serializers.IntegerField(source="rupture_id", allow_null=True)
    title = serializers.CharField()
    body = serializers.CharField()
    url = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


def inbox_rows(page: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """``NotificationOut(page, many=True).data`` as plain dicts (a test compares the two), from the
    kept inbox's columns (``ruptures.notifications.inbox_pages``): the inbox is the screen a phone
    reloads most."""
    when = moments_in(timezone.get_current_timezone())
    return [
        {
            "id": notification["id"],
            "kind": notification["kind"],
            "rupture": notification["rupture_id"],
            "title": notification["title"],
            "body": notification["body"],
            "url": notification["url"],
            "created_at": when(notification["created_at"]),
            "read_at": when(notification["read_at"]),
        }
        for notification in page
    ]


class PushKeysIn(serializers.Serializer[dict[str, Any]]):
    p256dh = serializers.CharField(max_length=200)
    auth = serializers.CharField(max_length=100)


class PushSubscriptionIn(serializers.Serializer[dict[str, Any]]):
    """What the browser's ``PushSubscription.toJSON()`` gives."""

    endpoint = serializers.URLField(max_length=1000)
    keys = PushKeysIn()
    expirationTime = serializers.IntegerField(
        required=False, allow_null=True
    )  # the browser's own name


class PushEndpointIn(serializers.Serializer[dict[str, Any]]):
    endpoint = serializers.URLField(max_length=1000)


class PushSubscriptionOut(serializers.Serializer[PushSubscription]):
    id = serializers.IntegerField()
    endpoint = serializers.CharField()
    created_at = serializers.DateTimeField()


def _user(request: Request) -> User:
    user: User = request.user  # type: ignore[assignment]  # IsAuthenticated ran first
    return user


class NotificationListView(GenericAPIView):
    serializer_class = NotificationOut

    @extend_schema(responses=NotificationOut(many=True), operation_id="notifications_list")
    def get(self, request: Request) -> Response:
        inbox = notifications.inbox_pages(actor=_user(request))
        page: Any = self.paginate_queryset(cast(Any, inbox))  # a CountedList: api.pagination
        return self.get_paginated_response(inbox_rows(page or []))


class NotificationReadView(APIView):
    @extend_schema(request=None, responses=NotificationOut, operation_id="notifications_read")
    def post(self, request: Request, pk: int) -> Response:
        notification = notifications.notification_read(actor=_user(request), notification_id=pk)
        idempotency.remember(request, kind="notification", pk=notification.pk)
        return Response(NotificationOut(notification).data)


class NotificationReadAllView(APIView):
    @extend_schema(
        request=None,
        responses=inline_serializer("ReadAll", {"marked_read": serializers.IntegerField()}),
        operation_id="notifications_read_all",
    )
    def post(self, request: Request) -> Response:
        return Response({"marked_read": notifications.notifications_read_all(actor=_user(request))})


class PushSubscriptionView(APIView):
    @extend_schema(
        request=PushSubscriptionIn,
        responses={201: PushSubscriptionOut},
        operation_id="push_subscriptions_create",
    )
    def post(self, request: Request) -> Response:
        data = validated(PushSubscriptionIn, request.data)
        subscription = notifications.push_subscription_save(
            actor=_user(request),
            endpoint=data["endpoint"],
            p256dh=data["keys"]["p256dh"],
            auth=data["keys"]["auth"],
            user_agent=request.headers.get("User-Agent", ""),
        )
        return Response(PushSubscriptionOut(subscription).data, status=http_status.HTTP_201_CREATED)

    @extend_schema(
        request=PushEndpointIn, responses={204: None}, operation_id="push_subscriptions_delete"
    )
    def delete(self, request: Request) -> Response:
        data = validated(PushEndpointIn, request.data)
        notifications.push_subscription_delete(actor=_user(request), endpoint=data["endpoint"])
        return Response(status=http_status.HTTP_204_NO_CONTENT)


class PushPublicKeyView(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(
        responses=inline_serializer(
            "PushPublicKey", {"public_key": serializers.CharField(allow_blank=True)}
        ),
        operation_id="push_public_key",
    )
    def get(self, request: Request) -> Response:
        return Response({"public_key": settings.WEBPUSH_VAPID_PUBLIC_KEY})
