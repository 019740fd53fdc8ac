"""Log lines without secrets.

The API key travels in the ``Authorization`` header, which no log line of
stampdesk or uvicorn prints. The customer pages carry their token in the
path (``/join/<token>``, ``/card/<token>``): anyone reading a log could open
the card, so the segment is replaced. Search terms (``?q=``) are a
customer's name or phone: kept out too, as is any query value named like a
key, a token or a password (``?api_key=…``: never accepted, never logged).
"""

from __future__ import annotations

import logging
import re

_TOKEN_PATH = re.compile(r"(/(?:join|card|unsubscribe)/)[^/?#\s\"]+")
# A search, a claim, and anything named like a key, a token or a password
# (``?api_key=``, ``?access_token=``…): stampdesk reads its key only from the
# ``Authorization`` header, but a till may still send one in the address.
_SECRET_QUERY = re.compile(
    r"([?&](?:q|claim|[^=&#\s\"]*(?:key|token|auth|secret|pass|signature|sig)[^=&#\s\"]*)=)[^&#\s\"]*",
    re.IGNORECASE,
)
REDACTED = "<redacted>"


def redact(text: str) -> str:
    """``/card/AbC…/erase?q=ana`` → ``/card/<redacted>/erase?q=<redacted>``."""
    return _SECRET_QUERY.sub(r"\1" + REDACTED, _TOKEN_PATH.sub(r"\1" + REDACTED, text))


class RedactAccessLog(logging.Filter):
    """Redacts the path of uvicorn's access lines (its args are ``(client,
    method, path, http_version, status)``) and any other string argument."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def install_redaction(names: tuple[str, ...] = ("uvicorn.access", "uvicorn.error", "stampdesk.web")) -> None:
    """Put ``RedactAccessLog`` on the server's loggers (once each)."""
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactAccessLog) for f in logger.filters):
            logger.addFilter(RedactAccessLog())
