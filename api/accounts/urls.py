"""Accounts and families routes."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from api.accounts import views

family = "families/<id:family_id>/"
child = f"{family}children/<id:user_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("me/", views.MeView.as_view(), name="me"),
    path("me/export/", views.MeExportView.as_view(), name="me-export"),
    path("me/reflection/", views.ReflectionView.as_view(), name="me-reflection"),
    path(
        "me/reflection/dismiss/",
        views.ReflectionDismissView.as_view(),
        name="me-reflection-dismiss",
    ),
    path("privacy/", views.PrivacyView.as_view(), name="privacy"),
    path("families/", views.FamilyListView.as_view(), name="family-list"),
    path(family, views.FamilyDetailView.as_view(), name="family-detail"),
    path(f"{family}members/", views.MemberListView.as_view(), name="member-list"),
    path(f"{family}members/<id:user_id>/", views.MemberDetailView.as_view(), name="member-detail"),
    path(f"{family}children/", views.ChildListView.as_view(), name="child-list"),
    path(child, views.ChildDetailView.as_view(), name="child-detail"),
    path(f"{child}pairing-codes/", views.PairingCodeView.as_view(), name="pairing-code-list"),
    path(f"{child}devices/", views.DeviceListView.as_view(), name="device-list"),
    path(f"{child}devices/<id:device_id>/", views.DeviceDetailView.as_view(), name="device-detail"),
    path("pairing/", views.PairingView.as_view(), name="pairing"),
    path(f"{family}invites/", views.InviteListView.as_view(), name="invite-list"),
    path(
        f"{family}invites/<id:invite_id>/", views.InviteDetailView.as_view(), name="invite-detail"
    ),
    path("invites/<str:code>/accept/", views.InviteAcceptView.as_view(), name="invite-accept"),
    path(f"{family}care-team/", views.CareTeamListView.as_view(), name="care-team-list"),
    path(
        f"{family}care-team/<id:grant_id>/",
        views.CareTeamDetailView.as_view(),
        name="care-team-detail",
    ),
    path(f"{family}access-log/", views.AccessLogView.as_view(), name="access-log"),
]
