"""The one error hierarchy the domain raises; ``api.exceptions`` renders it as the JSON envelope.

Each error carries a stable snake_case ``code`` the PWA can branch on, and an HTTP status so the
domain need not import the API layer.
"""

from __future__ import annotations


class ApplicationError(Exception):
    status = 400
    default_code = "invalid"
    default_message = "The request could not be completed."

    def __init__(
        self, message: str | None = None, *, code: str | None = None, param: str | None = None
    ) -> None:
        self.message = message or self.default_message
        self.code = code or self.default_code
        self.param = param
        super().__init__(self.message)


class InvalidInput(ApplicationError):
    status = 400
    default_code = "invalid"


class NotFound(ApplicationError):
    """Anything outside the actor's reach: ids of other families leak nothing."""

    status = 404
    default_code = "not_found"
    default_message = "Not found."


class Forbidden(ApplicationError):
    status = 403
    default_code = "permission_denied"
    default_message = "You are not allowed to do that."


class Conflict(ApplicationError):
    """The resource is not in a state that allows this action (e.g. an invalid transition)."""

    status = 409
    default_code = "conflict"
    default_message = "That cannot be done now."


class Unprocessable(ApplicationError):
    status = 422
    default_code = "unprocessable"
    default_message = "The request is well formed but cannot be processed."
