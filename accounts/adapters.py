"""allauth's hooks: the emails it sends name the site from settings, not from the request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


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
        super().send_mail(template_prefix, email, {**context, "current_site": configured_site()})
