"""What protects the customer's pages: form tokens against cross-site
requests, a per-client rate limit, and access logs without secrets.

None of it touches the database: a refused request costs almost nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from collections.abc import Callable

CSRF_LIFETIME = 2 * 3600  # seconds a form stays valid once shown
_CSRF_TAG_BYTES = 16


def csrf_token(secret: bytes, action: str, page_token: str, now: float) -> str:
    """A form token for ``action`` on the page of ``page_token``, valid for
    ``CSRF_LIFETIME`` seconds: ``<expiry>.<tag>``, the tag an HMAC under the
    shop's secret (domain-separated from the claim and card-link tokens)."""
    expiry = int(now) + CSRF_LIFETIME
    return f"{expiry}.{_csrf_tag(secret, action, page_token, expiry)}"


def _csrf_tag(secret: bytes, action: str, page_token: str, expiry: int) -> str:
    message = f"csrf:{action}:{page_token}:{expiry}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()[:_CSRF_TAG_BYTES]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def csrf_valid(secret: bytes, action: str, page_token: str, token: object, now: float) -> bool:
    """Whether ``token`` was made by ``csrf_token`` for this action and page,
    and has not expired."""
    if not isinstance(token, str) or len(token) > 64:
        return False
    expiry_text, _, tag = token.partition(".")
    if not expiry_text.isdigit() or len(expiry_text) > 12:
        return False
    expiry = int(expiry_text)
    if expiry < now or expiry > now + CSRF_LIFETIME + 60:
        return False
    return hmac.compare_digest(_csrf_tag(secret, action, page_token, expiry), tag)


def same_origin(origin: str | None, host: str | None, public_host: str) -> bool:
    """Whether a form's ``Origin`` header is this site. A missing or "null"
    origin passes (some browsers send none): the form token still guards."""
    if origin is None or origin == "null":
        return True
    netloc = origin.split("://", 1)[-1].rstrip("/").lower()
    return netloc in {(host or "").lower(), public_host.lower()}


class RateLimiter:
    """A token bucket per client: ``per_minute`` page views, refilled evenly,
    with bursts up to ``per_minute``. ``per_minute`` 0 lets everything through.

    Buckets live in this process; full ones are forgotten when the table
    grows, so a flood of addresses cannot fill the memory.
    """

    MAX_CLIENTS = 10_000

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, at)
        self._lock = threading.Lock()

    def wait(self, client: str) -> float:
        """Take one view for ``client``: 0 if allowed, else the seconds to wait."""
        if self.per_minute <= 0:
            return 0.0
        rate = self.per_minute / 60.0
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.get(client, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - at) * rate)
            if tokens >= 1.0:
                self._buckets[client] = (tokens - 1.0, now)
                if len(self._buckets) > self.MAX_CLIENTS:
                    self._forget_full(now, rate)
                return 0.0
            self._buckets[client] = (tokens, now)
            return (1.0 - tokens) / rate

    def _forget_full(self, now: float, rate: float) -> None:
        full = [
            client
            for client, (tokens, at) in self._buckets.items()
            if tokens + (now - at) * rate >= self.per_minute
        ]
        for client in full:
            del self._buckets[client]
        if len(self._buckets) > self.MAX_CLIENTS:  # all busy: start afresh rather than grow
            self._buckets.clear()
