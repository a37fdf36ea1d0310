"""The admin site and its sign-in: allauth's login and MFA pages, a second factor for every visit.

Why this design. Staff read unsafe flags in admin, so a staff password alone must open nothing.
Django's own admin login form only checks a password and has no rate limit, so it is replaced,
not decorated: ``StaffAdminSite.login`` never reads a password, it only sends people on.

- Sign-in goes through allauth's own server-rendered views (the same flows, limits and Redis
  counters as the PWA's headless API: ``login``, ``login_failed``, ``reauthenticate``), mounted
  one by one under ``/admin/signin/``. ``HEADLESS_ONLY`` stays on: it only decides whether
  ``allauth.urls`` is included, and that would also bring signup, password reset, email
  management and social login, a second way into accounts nobody reviews. Here only the pages a
  staff member needs exist: sign in, confirm an email by code, the second factor, enrolling a
  TOTP authenticator and seeing its recovery codes, and re-authenticating.
- Routing staff through the PWA instead would mean building MFA screens there for a handful of
  staff; allauth already ships these views, so we only give them plain templates (no inline
  script or style: the CSP holds unchanged).
- ``/admin/`` answers only an active staff user whose current session holds an allauth ``mfa``
  authentication record for one of their own authenticators (a TOTP code or recovery code at
  sign-in, or a TOTP re-authentication in this session). A staff user with no authenticator is
  sent to enrol one; one whose session was opened without the second factor (a password-only
  sign-in, or before enrolling) is asked for a code before anything is shown.
"""

from __future__ import annotations

from typing import Any

from allauth.account import views as account_views
from allauth.account.authentication import get_authentication_records
from allauth.core.internal.httpkit import add_query_params
from allauth.mfa.base import views as mfa_views
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes import views as recovery_views
from allauth.mfa.totp import views as totp_views
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import URLPattern, path, reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import TemplateView

_VERIFIED_ATTR = "_familyrepair_staff_second_factor"


def staff_second_factor_verified(request: HttpRequest) -> bool:
    """An active staff user, and this session passed a second factor of theirs."""
    cached = getattr(request, _VERIFIED_ATTR, None)
    if cached is not None:
        return bool(cached)
    user = request.user
    verified = False
    if user.is_authenticated and user.is_active and user.is_staff:
        records = get_authentication_records(request, user)  # only records made as this user
        used = [r.get("id") for r in records if r.get("method") == "mfa"]
        verified = bool(used) and Authenticator.objects.filter(user=user, pk__in=used).exists()
    setattr(request, _VERIFIED_ATTR, verified)
    return verified


def _next_url(request: HttpRequest) -> str:
    url = request.GET.get(REDIRECT_FIELD_NAME, "")
    safe = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if url and safe else reverse("admin:index")


class StaffAdminSite(admin.AdminSite):
    site_header = "FamilyRepair admin"
    site_title = "FamilyRepair admin"

    def has_permission(self, request: HttpRequest) -> bool:
        return staff_second_factor_verified(request)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        """Never a password form: send the visitor to the step they still owe."""
        next_url = _next_url(request)
        user = request.user
        if not user.is_authenticated:
            step = "account_login"
        elif not (user.is_active and user.is_staff):
            raise PermissionDenied
        elif self.has_permission(request):
            return HttpResponseRedirect(next_url)
        elif not is_mfa_enabled(user):
            step = "mfa_activate_totp"
        else:
            step = "mfa_reauthenticate"
        return HttpResponseRedirect(
            add_query_params(reverse(step), {REDIRECT_FIELD_NAME: next_url})
        )


# --- allauth's views, each with a plain template and the admin as where it leads ----------------

_FORM = "admin_signin/form.html"


class SignInView(account_views.LoginView):
    template_name = _FORM
    success_url = reverse_lazy("admin:index")
    extra_context = {"title": "Sign in", "submit": "Sign in"}


class ConfirmEmailView(account_views.ConfirmEmailVerificationCodeView):
    template_name = _FORM
    extra_context = {
        "title": "Confirm your email address",
        "intro": "We sent a code to your email address. Enter it to continue.",
        "submit": "Confirm",
    }


class ReauthenticateView(account_views.ReauthenticateView):
    template_name = _FORM
    extra_context = {"title": "Confirm it is you", "submit": "Confirm"}


class SecondFactorView(mfa_views.AuthenticateView):
    template_name = _FORM
    extra_context = {
        "title": "Two-factor authentication",
        "intro": "Enter the code from your authenticator app, or one of your recovery codes.",
        "submit": "Sign in",
    }


class SecondFactorAgainView(mfa_views.ReauthenticateView):
    template_name = _FORM
    extra_context = {
        "title": "Two-factor authentication",
        "intro": "Admin needs a code from your authenticator app for this session.",
        "submit": "Continue",
    }


class EnrolTotpView(totp_views.ActivateTOTPView):
    template_name = "admin_signin/totp_activate.html"
    extra_context = {
        "title": "Set up two-factor authentication",
        "intro": "Admin requires an authenticator app. Scan the code, then enter the one it shows.",
        "submit": "Activate",
    }

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return HttpResponseRedirect(reverse("account_login"))
        if is_mfa_enabled(request.user):
            return HttpResponseRedirect(reverse("admin:index"))
        response: HttpResponseBase = super().dispatch(request, *args, **kwargs)
        return response


class RecoveryCodesView(recovery_views.ViewRecoveryCodesView):
    template_name = "admin_signin/recovery_codes.html"
    extra_context = {"title": "Your recovery codes"}


class CannotEnrolView(TemplateView):
    """Where allauth sends someone who may not add an authenticator yet (its ``mfa_index``)."""

    template_name = "admin_signin/cannot_enrol.html"
    extra_context = {"title": "Two-factor authentication"}

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return HttpResponseRedirect(reverse("account_login"))
        return super().get(request, *args, **kwargs)


# allauth reverses its views by these names; nothing else of allauth's HTML views is routed.
signin_urlpatterns: list[URLPattern] = [
    path("", SignInView.as_view(), name="account_login"),
    path("confirm-email/", ConfirmEmailView.as_view(), name="account_email_verification_sent"),
    path("reauthenticate/", ReauthenticateView.as_view(), name="account_reauthenticate"),
    path("2fa/", SecondFactorView.as_view(), name="mfa_authenticate"),
    path("2fa/again/", SecondFactorAgainView.as_view(), name="mfa_reauthenticate"),
    path("2fa/totp/", EnrolTotpView.as_view(), name="mfa_activate_totp"),
    path("2fa/recovery-codes/", RecoveryCodesView.as_view(), name="mfa_view_recovery_codes"),
    path("2fa/unavailable/", CannotEnrolView.as_view(), name="mfa_index"),
]
