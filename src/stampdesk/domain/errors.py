"""Errors every caller (CLI, HTTP, Python API, till) turns into one clear line.

Each error has a stable machine-readable ``code``, a ``phrase`` (the words
book's ``error.<phrase>``: one code may be said several ways, e.g.
``invalid_period``) and the ``params`` it is said with. Each surface puts it
in its reader's language with ``Book.error``; ``message`` is the English
sentence (the HTTP API's and the logs'). ``InvalidInput`` and ``Refused``
map to exit status 1 and HTTP 4xx; nothing is written when one is raised.

    raise NotFound(code="unknown_card", number=number)
    raise InvalidInput(code="invalid_period", phrase="period_reversed", first=a, last=b)
"""

from __future__ import annotations

from typing import Any

from ..words import book


class StampdeskError(Exception):
    """Base of every error stampdesk reports to a user."""

    code = "error"
    http_status = 400

    def __init__(
        self, given: str | None = None, code: str | None = None, *, phrase: str | None = None, **params: Any
    ) -> None:
        if code is not None:
            self.code = code
        self.phrase = phrase or self.code
        self.params: dict[str, Any] = params
        self.given = given  # a sentence of its own, for an error the book does not hold
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The error in English."""
        return book().error(self)

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
