"""Base classes every API view uses: one transaction per request, Idempotency-Key on POST."""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.decorators import method_decorator
from rest_framework import generics, viewsets
from rest_framework import views as drf_views
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from api import idempotency
from api.models import IdempotencyKey


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class TransactionalMixin:
    """DRF's dispatch, with the handler in its own transaction instead of ATOMIC_REQUESTS, so an
    idempotency claim can be committed before the handler runs and its response stored inside.
    Any error response rolls the handler's writes back."""

    manages_own_transaction = True  # api.exceptions leaves the rollback to this class

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        view: drf_views.APIView = self  # type: ignore[assignment]  # mixed into APIView subclasses
        view.args, view.kwargs = args, kwargs
        drf_request = view.initialize_request(request, *args, **kwargs)
        view.request = drf_request
        view.headers = view.default_response_headers
        record: IdempotencyKey | None = None
        try:
            view.initial(drf_request, *args, **kwargs)
            method = (drf_request.method or "").lower()
            handler = (
                getattr(view, method, view.http_method_not_allowed)
                if method in view.http_method_names
                else view.http_method_not_allowed
            )
            response: Response | None = None
            key = drf_request.headers.get(idempotency.HEADER)
            if method == "post" and key is not None and drf_request.user.is_authenticated:
                outcome = idempotency.claim(user=drf_request.user, key=key, request=drf_request)
                if isinstance(outcome, Response):
                    response = outcome
                else:
                    record = outcome
            if response is None:
                with transaction.atomic():
                    try:
                        response = handler(drf_request, *args, **kwargs)
                    except Exception as exc:  # rendered here so the rollback stays in this block
                        response = view.handle_exception(exc)
                    if response.status_code >= 400:
                        transaction.set_rollback(True)
                    elif record is not None:
                        body = json.loads(JSONRenderer().render(response.data) or b"null")
                        idempotency.complete(
                            record,
                            status=response.status_code,
                            body=body,
                            resource=idempotency.remembered(drf_request),
                        )
                        record = None
            if record is not None:
                idempotency.release(record)
        except Exception as exc:
            if record is not None:
                idempotency.release(record)
            response = view.handle_exception(exc)
        view.response = view.finalize_response(drf_request, response, *args, **kwargs)
        return view.response


def validated(serializer_class: type[Any], data: Any) -> dict[str, Any]:
    """An input serializer's validated data, or the 400 envelope naming each bad field."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    result: dict[str, Any] = serializer.validated_data
    return result


class APIView(TransactionalMixin, drf_views.APIView):
    pass


class GenericAPIView(TransactionalMixin, generics.GenericAPIView):  # type: ignore[type-arg]  # generic in the stubs only
    pass


class GenericViewSet(TransactionalMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]  # generic in the stubs only
    pass
