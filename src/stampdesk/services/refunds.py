"""Refunds: a refunded sale takes back exactly the stamps it earned."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from ..domain.errors import NotFound, Refused
from ..domain.validate import clean_checkout_id
from ..models import checkouts
from ..results import CouponInfo, StampChange
from ..store import Store
from . import idempotency
from .stamps import CardRef, lock_card, take_back


def refund(store: Store, checkout_id: object, *, idempotency_key: object = None) -> StampChange:
    """Refund a checkout: remove the stamps it put on a card (also when a
    walk-in claimed them later) and void the coupons the card no longer
    qualifies for. A second refund of the same sale is refused.

    With ``idempotency_key``, the same key again returns the first answer
    (``replayed``) and changes nothing; with another sale it is refused.
    """
    checkout_id = clean_checkout_id(checkout_id)
    now = store.now()
    if idempotency_key is not None:
        return idempotency.run_once(
            store,
            "refund",
            idempotency_key,
            {"checkout": checkout_id},
            lambda conn: _refund(conn, store, checkout_id, now),
            replayed_change,
        )
    with store.write() as conn:
        return _refund(conn, store, checkout_id, now)


def replayed_change(data: dict[str, Any]) -> StampChange:
    """A refund's stored answer, as returned again for its idempotency key."""
    return StampChange(
        card=data["card"],
        stamps=data["stamps"],
        balance=data["balance"],
        cycle=data["cycle"],
        voided_coupons=tuple(data["voided_coupons"]),
        new_coupons=tuple(
            CouponInfo(
                c["code"],
                c["reward"],
                c["milestone"],
                datetime.fromisoformat(c["issued"]),
                datetime.fromisoformat(c["expires"]),
                c["status"],
            )
            for c in data["new_coupons"]
        ),
        completions_undone=data["completions_undone"],
        checkout=data["checkout"],
        replayed=True,
    )


def _refund(conn: Connection, store: Store, checkout_id: int, now: datetime) -> StampChange:
    # The caller owns the transaction.
    query = select(checkouts).where(checkouts.c.id == checkout_id)
    sale = conn.execute(query.with_for_update() if store.postgres else query).first()
    if sale is None:
        raise NotFound(f"no checkout {checkout_id}", "unknown_checkout")
    if sale.refunded_at is not None:
        when = sale.refunded_at.astimezone(store.zone).strftime("%Y-%m-%d %H:%M")
        raise Refused(f"checkout {checkout_id} was already refunded on {when}", "already_refunded")
    conn.execute(update(checkouts).where(checkouts.c.id == checkout_id).values(refunded_at=now))
    card_id = sale.card_id if sale.card_id is not None else sale.claimed_card_id
    if card_id is None:
        # A walk-in sale nobody claimed: its stamps are simply no longer claimable.
        return StampChange(None, -sale.stamps, None, None, checkout=checkout_id)
    row = lock_card(conn, store, card_id=card_id)
    assert row is not None
    earned = sale.stamps  # what its "earn" (or a walk-in's "claim") ledger row gave
    day_count = None
    if sale.card_id is not None and sale.day == row.stamp_day:
        # A sale of the card's current day no longer counts against max_per_day.
        day_count = (row.stamp_day, max(0, row.day_stamps - earned))
    taken = take_back(
        conn,
        store,
        CardRef(row.id, row.number, row.balance, row.cycle),
        earned,
        kind="refund",
        at=now,
        checkout_id=checkout_id,
        day_count=day_count,
    )
    return StampChange(
        row.number,
        -earned,
        taken.balance,
        taken.cycle,
        voided_coupons=taken.voided,
        completions_undone=taken.completions_undone,
        checkout=checkout_id,
    )
