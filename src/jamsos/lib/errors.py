"""The one base of every domain error; the API and views map it to a response once."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the programme was broken. ``code`` is stable; ``message`` is for people."""

    code = "domain_error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, **params: object) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.params = params


class NotFoundOrForbidden(DomainError):
    """The object does not exist or the user may not see it; both look the same."""

    code = "not_found"
    http_status = 404


class PermissionDenied(DomainError):
    code = "permission_denied"
    http_status = 403


class InvalidTransition(DomainError):
    code = "invalid_transition"
    http_status = 409
