"""How API callers prove who they are: allauth's session token (app client) or the session cookie
(browser client, CSRF enforced)."""

from __future__ import annotations

from importlib import import_module

from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from allauth.headless.tokens.strategies.sessions import (
    SessionTokenStrategy as AllauthSessionTokenStrategy,
)
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from rest_framework.authentication import SessionAuthentication


class SessionTokenStrategy(AllauthSessionTokenStrategy):
    """allauth's session tokens, looked up with one read of the session store, not two.

    allauth asks the store whether the session exists, then loads it: two Redis round trips
    on every request the app makes. Loading alone answers both: a missing, expired or malformed
    key leaves the store without a key. (Stricter than ``exists``, which does not look at the
    expiry date of a session kept only in the database.)"""

    def lookup_session(self, session_token: str) -> SessionBase | None:
        engine = import_module(settings.SESSION_ENGINE)
        session: SessionBase = engine.SessionStore(session_key=session_token)
        session.get(SESSION_KEY)
        return session if session.session_key else None


class SessionTokenAuthentication(XSessionTokenAuthentication):
    """allauth's X-Session-Token, answering 401 (not 403) when missing, like allauth's own API."""

    def authenticate_header(self, request: HttpRequest) -> str:
        return "Session"


class CsrfSessionAuthentication(SessionAuthentication):
    """DRF's session authentication: CSRF is enforced for every unsafe method."""
