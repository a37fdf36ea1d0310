"""Idempotency-Key on every POST: the same key and body from the same user answers the first
response and writes nothing new; the same key with another body is 422; while the first request
is still running, 409.

The claim is committed on its own before the handler runs (a durable transaction), so a
concurrent retry sees it; the handler then runs in one transaction with its stored response
(``once``; the services' own transactions nest inside it), so either both the change and its
response are saved or neither is. A claim whose request died (no response after the lease) may
be taken over by the next retry. Keys are kept ``IDEMPOTENCY_KEY_DAYS`` (an offline queue may
replay days later).

A replay never answers more than the caller may see now: a view names the record its response
shows (``remember``), and a replay first reads that record again through the selectors, as the
caller is now. Someone who has since left the family, or whose rupture went out of their reach,
gets the same 404 as for any record they cannot see, never the stored body.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import selectors as account_selectors
from accounts.models import User
from api.models import IdempotencyKey
from familyrepair.errors import Conflict, ErrorCode, InvalidInput, NotFound, Unprocessable
from ruptures import notifications, safety_reviews
from ruptures import selectors as rupture_selectors

HEADER = "Idempotency-Key"
LEASE = dt.timedelta(seconds=60)
Handler = Callable[..., Response]  # a view's bound method for one HTTP method


def fingerprint(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _recheck_rupture(user: User, pk: int) -> None:
    rupture_selectors.access_rupture(actor=user, rupture_id=pk)


def _recheck_family(user: User, pk: int) -> None:
    account_selectors.family_membership(actor=user, family_id=pk)


def _recheck_notification(user: User, pk: int) -> None:
    if not notifications.inbox(actor=user).filter(pk=pk).exists():
        raise NotFound(_("No such notification."), code=ErrorCode.NOTIFICATION_NOT_FOUND)


def _recheck_safety_review(user: User, pk: int) -> None:
    account_selectors.care_reader(user)
    if not safety_reviews.therapist_queue(user).filter(rupture_id=pk).exists():
        raise NotFound(code=ErrorCode.SAFETY_REVIEW_NOT_FOUND)


RECHECKS: dict[str, Callable[[User, int], None]] = {
    "rupture": _recheck_rupture,
    "safety_review": _recheck_safety_review,
    "family": _recheck_family,
    "notification": _recheck_notification,
}
_REMEMBERED = "_idempotency_resource"


def remember(request: Request, *, kind: str, pk: int) -> None:
    """Name the record this response shows, so a replay can check the caller still sees it."""
    if kind not in RECHECKS:
        raise ValueError(f"No replay check for {kind!r}.")
    setattr(request, _REMEMBERED, (kind, pk))


def remembered(request: Request) -> tuple[str, int | None]:
    kind, pk = getattr(request, _REMEMBERED, ("", None))
    return kind, pk


def _replay(record: IdempotencyKey, *, user: User) -> Response:
    if record.resource_kind and record.resource_id is not None:
        RECHECKS[record.resource_kind](user, record.resource_id)  # NotFound when out of reach
    return Response(
        record.response_body,
        status=record.response_status,
        headers={"Idempotent-Replayed": "true"},
    )


def claim(
    *, user: User, key: str, request: Request, now: dt.datetime | None = None
) -> IdempotencyKey | Response:
    """Claim ``key`` for this request, or the stored response to replay. Raises 409/422/400."""
    now = now or timezone.now()
    if not 1 <= len(key) <= 255 or not key.isprintable():
        raise InvalidInput(
            _("Idempotency-Key must be 1 to 255 printable characters."),
            code=ErrorCode.INVALID_IDEMPOTENCY_KEY,
            param=HEADER,
        )
    print_ = fingerprint(request)
    try:
        with transaction.atomic(durable=True):
            return IdempotencyKey.objects.create(
                user=user, key=key, fingerprint=print_, created_at=now, claimed_at=now
            )
    except IntegrityError:
        pass
    record = IdempotencyKey.objects.get(user=user, key=key)
    if record.fingerprint != print_:
        raise Unprocessable(
            _("This Idempotency-Key was already used for a different request."),
            code=ErrorCode.IDEMPOTENCY_KEY_REUSED,
            param=HEADER,
        )
    if record.state == IdempotencyKey.State.DONE:
        return _replay(record, user=user)
    taken = IdempotencyKey.objects.filter(
        pk=record.pk, state=IdempotencyKey.State.IN_FLIGHT, claimed_at__lt=now - LEASE
    ).update(claimed_at=now)
    if not taken:
        raise Conflict(
            _("The first request with this Idempotency-Key is still being processed."),
            code=ErrorCode.IDEMPOTENCY_REQUEST_IN_FLIGHT,
            param=HEADER,
        )
    record.claimed_at = now
    return record


def once(handler: Handler, *, request: Request, key: str) -> Handler:
    """``handler`` run at most once for ``key``: a replay answers the stored response; otherwise
    the handler runs in one transaction that also stores its response, or is rolled back with
    the claim released when it fails (an error response or an exception) so a retry may run it.
    """
    user: User = request.user  # type: ignore[assignment]  # only for a signed-in caller

    def run(*args: Any, **kwargs: Any) -> Response:
        outcome = claim(user=user, key=key, request=request)
        if isinstance(outcome, Response):
            return outcome
        try:
            with transaction.atomic():
                response = handler(*args, **kwargs)
                if response.status_code < 400:
                    body = json.loads(JSONRenderer().render(response.data) or b"null")
                    complete(
                        outcome,
                        status=response.status_code,
                        body=body,
                        resource=remembered(request),
                    )
                    return response
                transaction.set_rollback(True)
        except BaseException:
            release(outcome)
            raise
        release(outcome)
        return response

    return run


def complete(
    record: IdempotencyKey,
    *,
    status: int,
    body: Any,
    resource: tuple[str, int | None] = ("", None),
) -> None:
    """Store the response, and the record it shows; called inside the handler's transaction."""
    kind, pk = resource
    IdempotencyKey.objects.filter(pk=record.pk).update(
        state=IdempotencyKey.State.DONE,
        response_status=status,
        response_body=body,
        resource_kind=kind,
        resource_id=pk,
    )


def release(record: IdempotencyKey) -> None:
    """The request failed and wrote nothing: a retry with the same key may run it again."""
    IdempotencyKey.objects.filter(pk=record.pk, state=IdempotencyKey.State.IN_FLIGHT).delete()


def purge_expired(*, now: dt.datetime | None = None) -> int:
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.IDEMPOTENCY_KEY_DAYS)
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
