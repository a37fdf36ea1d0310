"""Inbox and push routes."""

from __future__ import annotations

from django.urls import path

from api.notifications import views

urlpatterns = [
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path(
        "notifications/read-all/",
        views.NotificationReadAllView.as_view(),
        name="notifications-read-all",
    ),
    path(
        "notifications/<id:pk>/read/",
        views.NotificationReadView.as_view(),
        name="notification-read",
    ),
    path("push-subscriptions/", views.PushSubscriptionView.as_view(), name="push-subscriptions"),
    path("push/public-key/", views.PushPublicKeyView.as_view(), name="push-public-key"),
]
