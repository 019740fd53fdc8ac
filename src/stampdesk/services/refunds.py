"""Refunds: a refunded sale takes back exactly the stamps it earned."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, delete, func, select, update

from ..domain.errors import NotFound, Refused, StampdeskError
from ..domain.validate import clean_checkout_id
from ..models import card_months, cards, checkout_items, checkouts, coupons, customers, ledger
from ..results import CouponInfo, RefundPreview, SaleLine, StampChange
from ..store import Store
from . import idempotency, loyalty
from .stamps import CardRef, SaleMarks, lock_card, take_back


def refund(
    store: Store, checkout_id: object, *, idempotency_key: object = None, till: str | None = None
) -> StampChange:
    """Refund a checkout: remove the stamps it put on a card (also when a
    walk-in claimed them later) and void the coupons the card no longer
    qualifies for. A second refund of the same sale is refused.

    With ``idempotency_key``, the same key again from the same ``till`` (the
    sender; default the settings' till) returns the first answer
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
            till=till,
        )
    return store.transact(lambda conn: _refund(conn, store, checkout_id, now))


class _Previewed(StampdeskError):
    """Carries a refund's preview out of its transaction, which it rolls back."""

    def __init__(self, preview: RefundPreview) -> None:
        super().__init__("refund previewed, nothing written", "previewed")
        self.preview = preview


def preview(store: Store, checkout_id: object) -> RefundPreview:
    """The sale ``checkout_id`` and what refunding it now would take back.

    The refund itself runs, in a transaction rolled back at its end, so what
    is shown is exactly what ``refund`` would do at this moment. An unknown
    or already refunded sale is refused, as by ``refund``.
    """
    checkout_id = clean_checkout_id(checkout_id)
    now = store.now()

    def dry_run(conn: Connection) -> None:
        change = _refund(conn, store, checkout_id, now)  # refuses first
        raise _Previewed(_sale(conn, checkout_id, change))

    try:
        store.transact(dry_run)
    except _Previewed as previewed:
        return previewed.preview
    raise AssertionError("a refund's preview always rolls back")  # pragma: no cover


def _sale(conn: Connection, checkout_id: int, change: StampChange) -> RefundPreview:
    sale = conn.execute(select(checkouts).where(checkouts.c.id == checkout_id)).one()
    lines = conn.execute(
        select(checkout_items)
        .where(checkout_items.c.checkout_id == checkout_id)
        .order_by(checkout_items.c.id)
    ).all()
    card_id = sale.card_id if sale.card_id is not None else sale.claimed_card_id
    holder = None
    if card_id is not None:
        holder = conn.execute(
            select(cards.c.number, customers.c.name)
            .select_from(cards.outerjoin(customers, customers.c.id == cards.c.customer_id))
            .where(cards.c.id == card_id)
        ).one()
    return RefundPreview(
        checkout=checkout_id,
        at=sale.at,
        amount=Decimal(sale.amount_cents) / 100,
        till=sale.till,
        items=tuple(
            SaleLine(i.sku, i.category, i.quantity, Decimal(i.unit_price_cents) / 100) for i in lines
        ),
        card=holder.number if holder is not None else None,
        name=holder.name if holder is not None else None,
        walk_in=sale.card_id is None,
        change=replace(change, replayed=False),
    )


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
    if sale.card_id is not None and sale.cohort is not None:
        _forget_month(conn, sale)
    card_id = sale.card_id if sale.card_id is not None else sale.claimed_card_id
    if card_id is None:
        # A walk-in sale nobody claimed: its stamps are simply no longer claimable.
        return StampChange(None, -sale.stamps, None, None, checkout=checkout_id)
    row = lock_card(conn, store, card_id=card_id)
    assert row is not None
    # Stamps that lapsed since the card's last visit go first, as at a sale.
    _, program = store.current_program(conn)
    if loyalty.expire(conn, store, row, program, now) is not None:
        row = lock_card(conn, store, card_id=card_id)
        assert row is not None
    # Everything the sale gave this card: its stamps (or a walk-in's claim),
    # a surprise, the referred customer's referral stamps.
    # Stamps that lapsed since are gone already: nothing of theirs to take.
    lapsed = _lapsed_since(conn, card_id, sale.at)
    earned = 0 if lapsed else _given(conn, card_id, checkout_id, ("earn", "claim", "surprise", "referral"))
    marks = None
    if sale.card_id is not None:
        stamp_day, day_stamps = row.stamp_day, row.day_stamps
        if sale.day == row.stamp_day:
            # A sale of the card's current day no longer counts against max_per_day.
            day_stamps = max(0, row.day_stamps - sale.stamps)
        last_visit = row.last_visit_at
        if last_visit is not None and last_visit <= sale.at:
            last_visit = _last_visit(conn, card_id, checkout_id)
        marks = SaleMarks(stamp_day, day_stamps, max(0, row.visits - sale.visit), last_visit)
    taken = take_back(
        conn,
        store,
        CardRef(row.id, row.number, row.balance, row.cycle),
        earned,
        kind="refund",
        at=now,
        checkout_id=checkout_id,
        marks=marks,
    )
    voided = list(taken.voided)
    # The sale's own coupons go too when its stamps could not all be taken
    # back (they had lapsed), and its birthday coupon, unless already used.
    origins = ["birthday"] + (["checkout"] if lapsed or taken.stamps < earned else [])
    voided += _void_coupons(conn, checkout_id, card_id, origins, now)
    # The referrer's stamps for this first visit come back too.
    if row.referred_by_card_id is not None:
        back = _given(conn, row.referred_by_card_id, checkout_id, ("referral",))
        if back and not _lapsed_since(conn, row.referred_by_card_id, sale.at):
            referrer = lock_card(conn, store, card_id=row.referred_by_card_id)
            assert referrer is not None
            take_back(
                conn,
                store,
                CardRef(referrer.id, referrer.number, referrer.balance, referrer.cycle),
                back,
                kind="refund",
                at=now,
                checkout_id=checkout_id,
            )
    return StampChange(
        row.number,
        -taken.stamps,
        taken.balance,
        taken.cycle,
        voided_coupons=tuple(voided),
        completions_undone=taken.completions_undone,
        checkout=checkout_id,
    )


def _forget_month(conn: Connection, sale: Any) -> None:
    """The card no longer came in the sale's month if it was its only sale there."""
    month = sale.day[:7]
    other = conn.execute(
        select(checkouts.c.id)
        .where(
            checkouts.c.card_id == sale.card_id,
            checkouts.c.refunded_at.is_(None),
            checkouts.c.day >= f"{month}-01",
            checkouts.c.day <= f"{month}-31",
        )
        .limit(1)
    ).first()
    if other is None:
        conn.execute(
            delete(card_months).where(
                card_months.c.month == month,
                card_months.c.cohort == sale.cohort,
                card_months.c.card_id == sale.card_id,
            )
        )


def _given(conn: Connection, card_id: int, checkout_id: int, kinds: tuple[str, ...]) -> int:
    """The stamps a sale gave a card, by ledger rows of ``kinds``."""
    return int(
        conn.execute(
            select(func.coalesce(func.sum(ledger.c.stamps), 0)).where(
                ledger.c.card_id == card_id, ledger.c.checkout_id == checkout_id, ledger.c.kind.in_(kinds)
            )
        ).scalar_one()
    )


def _lapsed_since(conn: Connection, card_id: int, at: datetime) -> bool:
    """Whether the card's stamps lapsed after ``at``."""
    last = conn.execute(
        select(func.max(ledger.c.at)).where(ledger.c.card_id == card_id, ledger.c.kind == "expiry")
    ).scalar()
    return last is not None and last > at


def _last_visit(conn: Connection, card_id: int, refunded: int) -> datetime:
    """The card's last visit once a sale is refunded: its latest other sale,
    stamps given by hand or claimed, else the day it was created."""
    latest_sale = conn.execute(
        select(func.max(checkouts.c.at)).where(
            checkouts.c.card_id == card_id, checkouts.c.refunded_at.is_(None), checkouts.c.id != refunded
        )
    ).scalar()
    latest_given = conn.execute(
        select(func.max(ledger.c.at)).where(
            ledger.c.card_id == card_id,
            ledger.c.kind.in_(("starter", "claim", "adjust", "import")),
            ledger.c.stamps > 0,
        )
    ).scalar()
    created = conn.execute(select(cards.c.created_at).where(cards.c.id == card_id)).scalar_one()
    return max(t for t in (latest_sale, latest_given, created) if t is not None)  # type: ignore[no-any-return]


def _void_coupons(
    conn: Connection, checkout_id: int, card_id: int, origins: list[str], now: datetime
) -> list[str]:
    rows = conn.execute(
        select(coupons.c.id, coupons.c.code).where(
            coupons.c.card_id == card_id,
            coupons.c.checkout_id == checkout_id,
            coupons.c.origin.in_(origins),
            coupons.c.redeemed_at.is_(None),
            coupons.c.voided_at.is_(None),
        )
    ).all()
    if rows:
        conn.execute(update(coupons).where(coupons.c.id.in_([r.id for r in rows])).values(voided_at=now))
    return [r.code for r in rows]
