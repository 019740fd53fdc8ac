"""Errors every caller (CLI, HTTP, Python API, till) turns into one clear line.

Each error has a stable machine-readable ``code`` and a human ``message``.
``InvalidInput`` and ``Refused`` map to exit status 1 and HTTP 4xx; nothing is
written when one is raised.
"""

from __future__ import annotations


class StampdeskError(Exception):
    """Base of every error stampdesk reports to a user."""

    code = "error"
    http_status = 400

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def to_dict(self) -> dict[str, dict[str, str]]:
        return {"error": {"code": self.code, "message": self.message}}


class InvalidInput(StampdeskError):
    """A value given by the user is malformed (amount, card number, e-mail…)."""

    code = "invalid_input"
    http_status = 422


class NotFound(StampdeskError):
    """A well-formed reference that matches nothing (card, coupon, checkout)."""

    code = "not_found"
    http_status = 404


class Refused(StampdeskError):
    """A valid request the rules do not allow (coupon reused, second refund…)."""

    code = "refused"
    http_status = 409


class Unreachable(StampdeskError):
    """The database cannot be reached (the network or the server is down).
    A till with an offline outbox keeps its sales; other operations wait."""

    code = "database_unreachable"
    http_status = 503
