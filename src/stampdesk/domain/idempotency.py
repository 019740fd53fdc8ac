"""Idempotency keys: whose a key is, and how long it is kept.

A key belongs to its sender: the same key from two tills is two requests
(two tills numbering their receipts from 1, or one till whose counter
starts again each day). A key is kept for a window of days from its first
use; past it, the key is forgotten and the same key is a new request.
"""

from __future__ import annotations

from datetime import datetime, timedelta

DEFAULT_KEEP_DAYS = 30  # ``idempotency_days`` in the config file
MAX_KEEP_DAYS = 3650


def key_scope(till: str | None) -> str:
    """The scope of the keys a till sends: its name; no till at all is a
    scope of its own (the empty name)."""
    return till or ""


def kept_since(now: datetime, days: int) -> datetime:
    """The first use of the oldest key still kept at ``now``: a key first
    used at this moment or before is forgotten."""
    return now - timedelta(days=days)


def key_kept(first_used: datetime, now: datetime, days: int) -> bool:
    """Whether a key first used at ``first_used`` still answers at ``now``."""
    return first_used > kept_since(now, days)
