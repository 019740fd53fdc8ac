"""API keys of the till software that drives the HTTP API.

A key is ``sdk_`` followed by 43 URL-safe characters (256 random bits). It is
shown once, when created; the database keeps only its SHA-256 (a slow hash
buys nothing against 256 random bits) and its first characters, so the owner
can tell keys apart. Each key has the name of its till (recorded on the
sales it sends) and a role: ``till`` sells, ``admin`` may also change the
programme. A revoked key stays in the table so past sales keep their till.

Verifying a key on every request must not slow the checkout down, so a
process remembers the keys it verified for ``CACHE_SECONDS``:

* a revoke made through the same ``Store`` (the ``stampdesk serve`` process)
  empties that memory at once: the next request with the key is refused;
* a revoke made elsewhere (``stampdesk apikey revoke`` in another process, or
  on another machine sharing PostgreSQL) takes effect within CACHE_SECONDS.

``last_used_at`` is written when a key is looked up again in the database
and was last recorded more than ``LAST_USED_PRECISION`` ago: at most one
small write per key and minute, never on a sale's own transaction.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from ..domain.errors import InvalidInput, NotFound, Refused, Unreachable
from ..models import api_keys
from ..results import Result
from ..store import Store

ROLES = ("till", "admin")
KEY_PREFIX = "sdk_"
SHOWN_PREFIX = 12  # "sdk_" and 8 characters: enough to tell keys apart, useless to guess one
CACHE_SECONDS = 2.0
LAST_USED_PRECISION = timedelta(minutes=1)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class ApiKeyInfo(Result):
    """A key as listed: never the key itself."""

    name: str
    role: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class NewApiKey(Result):
    """A key just created: ``key`` is shown this once and stored nowhere."""

    name: str
    role: str
    key: str
    prefix: str
    created_at: datetime


@dataclass(frozen=True)
class Caller:
    """Who sent a request: the key's till name and role."""

    name: str
    role: str

    @property
    def admin(self) -> bool:
        return self.role == "admin"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def clean_name(value: object) -> str:
    if not isinstance(value, str) or not _NAME.match(value.strip()):
        raise InvalidInput(code="invalid_api_key_name")
    return value.strip()


def create(store: Store, name: object, role: object = "till") -> NewApiKey:
    """A new key for the till ``name``; refused while it has a live key."""
    clean = clean_name(name)
    if role not in ROLES:
        raise InvalidInput(code="invalid_role", phrase="api_key_role", roles=", ".join(ROLES), role=role)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    now = store.now()
    refusal = Refused(code="api_key_exists", name=clean)
    try:
        with store.write() as conn:
            live = conn.execute(
                select(api_keys.c.id).where(api_keys.c.name == clean, api_keys.c.revoked_at.is_(None))
            ).first()
            if live is not None:
                raise refusal
            conn.execute(
                insert(api_keys).values(
                    name=clean,
                    prefix=key[:SHOWN_PREFIX],
                    key_hash=hash_key(key),
                    role=role,
                    created_at=now,
                )
            )
    except IntegrityError:
        raise refusal from None  # another process created it at the same moment
    return NewApiKey(clean, str(role), key, key[:SHOWN_PREFIX], now)


def revoke(store: Store, name: object) -> ApiKeyInfo:
    """Revoke the live key of till ``name``; this process refuses it at once."""
    clean = clean_name(name)
    now = store.now()
    with store.write() as conn:
        row = conn.execute(
            select(api_keys).where(api_keys.c.name == clean, api_keys.c.revoked_at.is_(None))
        ).first()
        if row is None:
            raise NotFound(code="unknown_api_key", name=clean)
        conn.execute(update(api_keys).where(api_keys.c.id == row.id).values(revoked_at=now))
    cache_for(store).forget(row.key_hash)
    return ApiKeyInfo(row.name, row.role, row.prefix, row.created_at, row.last_used_at, now)


def list_keys(store: Store, *, include_revoked: bool = False) -> tuple[ApiKeyInfo, ...]:
    """The keys, by name (live ones only, unless ``include_revoked``)."""
    query = select(api_keys).order_by(api_keys.c.name, api_keys.c.id)
    if not include_revoked:
        query = query.where(api_keys.c.revoked_at.is_(None))
    with store.read() as conn:
        rows = conn.execute(query).all()
    return tuple(
        ApiKeyInfo(r.name, r.role, r.prefix, r.created_at, r.last_used_at, r.revoked_at) for r in rows
    )


def verify(store: Store, key: str) -> Caller | None:
    """The caller a key belongs to, or None for an unknown or revoked key."""
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    digest = hash_key(key)
    cache = cache_for(store)
    caller = cache.get(digest)
    if caller is not None:
        return caller
    try:
        with store.read() as conn:
            row = conn.execute(
                select(api_keys.c.id, api_keys.c.name, api_keys.c.role, api_keys.c.last_used_at).where(
                    api_keys.c.key_hash == digest, api_keys.c.revoked_at.is_(None)
                )
            ).first()
    except Unreachable:
        # The database is out of reach: a till whose key this server already
        # verified keeps selling (into its offline outbox); others wait.
        caller = cache.get(digest, stale=True)
        if caller is None:
            raise
        return caller
    if row is None:
        return None
    now = store.now()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_PRECISION:
        with store.write() as conn:
            conn.execute(update(api_keys).where(api_keys.c.id == row.id).values(last_used_at=now))
    caller = Caller(row.name, row.role)
    cache.put(digest, caller)
    return caller


class KeyCache:
    """Keys verified lately, by hash, each for CACHE_SECONDS (monotonic)."""

    def __init__(self, seconds: float = CACHE_SECONDS) -> None:
        self.seconds = seconds
        self._entries: dict[str, tuple[float, Caller]] = {}
        self._lock = threading.Lock()

    def get(self, digest: str, *, stale: bool = False) -> Caller | None:
        """A key verified within ``seconds``; with ``stale``, at any time."""
        entry = self._entries.get(digest)
        if entry is None or (not stale and time.monotonic() - entry[0] > self.seconds):
            return None
        return entry[1]

    def put(self, digest: str, caller: Caller) -> None:
        with self._lock:
            self._entries[digest] = (time.monotonic(), caller)

    def forget(self, digest: str) -> None:
        with self._lock:
            self._entries.pop(digest, None)


# One cache per Store (that is, per process and database), dropped with it.
_caches: weakref.WeakKeyDictionary[Store, KeyCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def cache_for(store: Store) -> KeyCache:
    cache = _caches.get(store)
    if cache is None:
        with _caches_lock:
            cache = _caches.setdefault(store, KeyCache())
    return cache
