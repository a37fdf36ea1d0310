"""Base classes every API view uses: DRF's own, plus Idempotency-Key on every POST.

Transactions belong to the services (each write service is ``@transaction.atomic``); a view adds
one only where a POST carries an Idempotency-Key, so the change and its stored response commit
together (``api.idempotency.once``).
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from rest_framework import generics, viewsets
from rest_framework import views as drf_views
from rest_framework.request import Request

from api import idempotency


class IdempotentPostMixin:
    # No docstring: drf-spectacular would publish it as every inheriting operation's description.

    def perform_authentication(self, request: Request) -> None:
        """Once we know who is asking, answer in their language (``User.locale``): errors, words
        and labels alike. Anonymous callers keep what LocaleMiddleware chose from
        Accept-Language; the response's Content-Language says which it was."""
        super().perform_authentication(request)  # type: ignore[misc]  # mixed into APIView subclasses
        locale = getattr(request.user, "locale", None)
        if request.user.is_authenticated and locale:
            translation.activate(locale)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """Once DRF has authenticated, permitted and throttled the request, a POST carrying an
        Idempotency-Key runs its handler through ``idempotency.once``, bound on the instance as
        DRF's own viewsets bind their actions."""
        super().initial(request, *args, **kwargs)  # type: ignore[misc]  # mixed into APIView subclasses
        key = request.headers.get(idempotency.HEADER)
        handler = getattr(self, "post", None)
        if request.method != "POST" or key is None or handler is None:
            return
        if request.user.is_authenticated:
            self.post = idempotency.once(handler, request=request, key=key)


def validated(serializer_class: type[Any], data: Any) -> dict[str, Any]:
    """An input serializer's validated data, or the 400 envelope naming each bad field."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    result: dict[str, Any] = serializer.validated_data
    return result


class APIView(IdempotentPostMixin, drf_views.APIView):
    pass


class GenericAPIView(IdempotentPostMixin, generics.GenericAPIView):  # type: ignore[type-arg]  # generic in the stubs only
    pass


class GenericViewSet(IdempotentPostMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]  # generic in the stubs only
    pass
