"""Idempotency keys for refunds and coupon redemptions.

A till that loses the answer to a refund sends it again with the same
``Idempotency-Key``: it gets the first answer back (``replayed`` set) and
nothing happens twice. The same key with other parameters is refused. A key
is its sender's (the till: ``domain.idempotency.key_scope``): the same key
from another till is another request. It is kept ``idempotency_days`` from
its first use; past them it is deleted at its next use, or by ``purge``.
(Checkouts keep their key on the sale itself: see ``services.checkout``.)

The key's row is inserted *before* the operation, in the operation's own
transaction. On SQLite writers take turns, so a duplicate always finds the
row. On PostgreSQL a concurrent duplicate blocks on the unique index until
the first transaction ends: if it committed, the duplicate replays its
answer; if it rolled back (a refusal), the duplicate runs as if first. Only
successful answers are stored: a refused request leaves no trace, as every
refused request in stampdesk.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import Connection, Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..domain.errors import Refused
from ..domain.idempotency import kept_since, key_kept, key_scope
from ..domain.validate import clean_key
from ..models import checkouts, idempotent_requests
from ..results import Result
from ..store import Store

R = TypeVar("R", bound=Result)


def fingerprint(params: Mapping[str, Any]) -> str:
    """A stable hash of what a request asked for."""
    return hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()


def run_once(
    store: Store,
    operation: str,
    key: object,
    params: Mapping[str, Any],
    act: Callable[[Connection], R],
    replay: Callable[[dict[str, Any]], R],
    *,
    till: str | None = None,
) -> R:
    """Run ``act`` in a write transaction once per ``(operation, till, key)``
    (``till``: the sender, else the settings' till).

    ``replay`` rebuilds the result from its stored ``to_dict()`` (with
    ``replayed`` set) when the key was already used with the same ``params``.
    """
    clean = clean_key(key)
    scope = key_scope(till or store.settings.till)
    # What was asked, with whose request it is; the request of a key stored
    # before keys had a scope was hashed without it.
    wanted = (fingerprint({**params, "scope": scope}), fingerprint(params))
    days = store.settings.idempotency_days

    def once(conn: Connection) -> R:
        now = store.now()
        first = _stored(conn, operation, scope, clean)
        if first is not None:
            if key_kept(first.created_at, now, days):
                return _replayed(first, operation, wanted, replay)
            # Past its window the key is forgotten: a new request.
            conn.execute(delete(idempotent_requests).where(idempotent_requests.c.id == first.id))
        row_id = conn.execute(
            insert(idempotent_requests).values(
                operation=operation, scope=scope, key=clean, fingerprint=wanted[0], answer="", created_at=now
            )
        ).inserted_primary_key
        assert row_id is not None
        result = act(conn)
        conn.execute(
            update(idempotent_requests)
            .where(idempotent_requests.c.id == row_id[0])
            .values(answer=json.dumps(result.to_dict(), sort_keys=True))
        )
        return result

    try:
        return store.transact(once)
    except IntegrityError:
        # A concurrent duplicate committed first (PostgreSQL): replay it.
        with store.read() as conn:
            first = _stored(conn, operation, scope, clean)
        if first is None or not key_kept(first.created_at, store.now(), days):
            raise
        return _replayed(first, operation, wanted, replay)


PURGE_BATCH = 1000  # sales a transaction of ``purge``


def purge(store: Store, at: datetime | None = None) -> int:
    """Forget the keys first used ``idempotency_days`` or more before
    ``at`` (now): the stored answers of refunds and redemptions are deleted,
    and sales leave the index of keys (a sale keeps its key, and every row).
    How many keys were forgotten.

    A key past its window is forgotten at its next use anyway; this keeps
    what is stored to the window's keys (``stampdesk expire``, nightly). It
    works in small transactions, so the tills keep selling meanwhile."""
    since = kept_since(at or store.now(), store.settings.idempotency_days)
    forgotten = 0
    after = 0  # the sales are gone through once, in the order of their ids
    while True:
        with store.read() as conn:
            ids = list(
                conn.execute(
                    select(checkouts.c.id)
                    .where(
                        checkouts.c.id > after,
                        checkouts.c.idempotency_scope.is_not(None),
                        checkouts.c.idempotency_at <= since,
                    )
                    .order_by(checkouts.c.id)
                    .limit(PURGE_BATCH)
                ).scalars()
            )
        if not ids:
            break
        after = ids[-1]
        forgotten += store.transact(partial(_forget_sales, ids=ids, since=since))
    old = delete(idempotent_requests).where(idempotent_requests.c.created_at <= since)
    return forgotten + store.transact(lambda conn: int(conn.execute(old).rowcount))


def _forget_sales(conn: Connection, *, ids: list[int], since: datetime) -> int:
    clear = (
        update(checkouts)
        .where(checkouts.c.id.in_(ids), checkouts.c.idempotency_at <= since)
        .values(idempotency_scope=None)
    )
    return int(conn.execute(clear).rowcount)


def _stored(conn: Connection, operation: str, scope: str, key: str) -> Row[Any] | None:
    return conn.execute(
        select(idempotent_requests).where(
            idempotent_requests.c.operation == operation,
            idempotent_requests.c.scope == scope,
            idempotent_requests.c.key == key,
        )
    ).first()


# How a key used for another request is said, by operation.
_REUSED = {"redeem": "key_reused_redeem", "refund": "key_reused_refund"}


def _replayed(
    first: Row[Any], operation: str, wanted: tuple[str, str], replay: Callable[[dict[str, Any]], R]
) -> R:
    if first.fingerprint not in wanted:
        raise Refused(code="idempotency_conflict", phrase=_REUSED[operation], key=first.key)
    return replay(json.loads(first.answer))
