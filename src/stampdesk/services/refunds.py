"""Refunds: a refunded sale takes back exactly the stamps it earned."""

from __future__ import annotations

from sqlalchemy import select, update

from ..domain.errors import NotFound, Refused
from ..domain.validate import clean_checkout_id
from ..models import checkouts
from ..results import StampChange
from ..store import Store
from .stamps import CardRef, lock_card, take_back


def refund(store: Store, checkout_id: object) -> StampChange:
    """Refund a checkout: remove the stamps it put on a card (also when a
    walk-in claimed them later) and void the coupons the card no longer
    qualifies for. A second refund of the same sale is refused."""
    checkout_id = clean_checkout_id(checkout_id)
    now = store.now()
    with store.write() as conn:
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
