"""allauth's hooks: the emails it sends name the site from settings, not from the request; the
headless API's user payload is described once per process."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.headless.adapter import DefaultHeadlessAdapter
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.forms import BaseForm
from django.http import HttpRequest
from django.utils import translation

from accounts.models import User


@dataclass(frozen=True)
class Site:
    """What allauth's email templates read as ``current_site`` (name and domain)."""

    name: str
    domain: str


def configured_site() -> Site:
    return Site(name=settings.SITE_NAME, domain=settings.SITE_DOMAIN)


class AccountAdapter(DefaultAccountAdapter):
    """Without ``django.contrib.sites`` allauth names the site after the request's host
    ("Hello from 127.0.0.1:8000!"); our emails say the product's name and public domain."""

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """In the language of the account it is about (``User.locale``; a password reset's code
        names no user, so the address finds it), else the request's (Accept-Language)."""
        user = context.get("user")
        locale = (
            getattr(user, "locale", None)
            if user is not None
            else User.objects.filter(email__iexact=email).values_list("locale", flat=True).first()
        )
        with translation.override(locale or translation.get_language()):
            super().send_mail(
                template_prefix, email, {**context, "current_site": configured_site()}
            )

    def save_user(
        self, request: HttpRequest, user: AbstractBaseUser, form: BaseForm, commit: bool = True
    ) -> AbstractBaseUser:
        """A new account speaks the language its browser asked for (Accept-Language, among
        ``LANGUAGES``) until its person picks one in settings."""
        if isinstance(user, User):
            user.locale = translation.get_language() or settings.LANGUAGE_CODE
        saved: AbstractBaseUser = super().save_user(request, user, form, commit=commit)
        return saved


class HeadlessAdapter(DefaultHeadlessAdapter):
    """allauth makes the user payload's dataclass anew (``make_dataclass``, which compiles its
    methods with ``exec``) for every response that names the user: most of ``GET auth/session``'s
    own time. Its fields follow only the user model and allauth's settings, so each process
    makes it once."""

    def get_user_dataclass(self) -> type:
        return _user_dataclass()


@functools.cache
def _user_dataclass() -> type:
    made: type = DefaultHeadlessAdapter().get_user_dataclass()
    return made
