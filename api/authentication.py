"""How API callers prove who they are: allauth's session token (app client) or the session cookie
(browser client, CSRF enforced)."""

from __future__ import annotations

from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from django.http import HttpRequest
from rest_framework.authentication import SessionAuthentication


class SessionTokenAuthentication(XSessionTokenAuthentication):
    """allauth's X-Session-Token, answering 401 (not 403) when missing, like allauth's own API."""

    def authenticate_header(self, request: HttpRequest) -> str:
        return "Session"


class CsrfSessionAuthentication(SessionAuthentication):
    """DRF's session authentication: CSRF is enforced for every unsafe method."""
