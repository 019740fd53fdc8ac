"""Refunds: a refunded sale takes back exactly the stamps it earned. The
refund is read, worked out (``domain.refund.plan_refund``), then written;
its preview is read and worked out only."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, delete, func, select, update

from ..domain.errors import NotFound, Refused
from ..domain.program import Program
from ..domain.refund import RefundCard, RefundPlan, SoldSale, plan_refund
from ..domain.validate import clean_checkout_id
from ..models import card_months, cards, checkout_items, checkouts, customers, ledger
from ..results import CouponInfo, RefundPreview, SaleLine, StampChange
from ..store import Store
from . import idempotency
from .stamps import LOCKED_CARD_COLUMNS, completions_of, held_coupons, lock_card, set_balance, write_taken


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


def preview(store: Store, checkout_id: object) -> RefundPreview:
    """The sale ``checkout_id`` and what refunding it now would take back:
    read and worked out as ``refund`` does, nothing written. An unknown or
    already refunded sale is refused, as by ``refund``."""
    checkout_id = clean_checkout_id(checkout_id)
    now = store.now()
    with store.read() as conn:
        read = _read(conn, store, checkout_id, now, lock=False)
        return _sale(conn, read.sale, _change(_plan(store, read, now)))


def _sale(conn: Connection, sale: Any, change: StampChange) -> RefundPreview:
    checkout_id = sale.id
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
        change=change,
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
    read = _read(conn, store, checkout_id, now, lock=True)
    plan = _plan(store, read, now)
    _write(conn, store, read, plan)
    return _change(plan)


# What a sale gave the card its stamps went to, that its refund takes back.
GIVEN = ("earn", "claim", "surprise", "referral")


@dataclass(frozen=True)
class _Read:
    """A refund's reads: the sale, the card its stamps went to and the
    card's referrer (each with its id, for the writes), the programme in
    force."""

    sale: Any
    card_id: int | None = None
    card: RefundCard | None = None
    program: Program | None = None
    referrer_id: int | None = None
    referrer: RefundCard | None = None


def _read(conn: Connection, store: Store, checkout_id: int, now: datetime, *, lock: bool) -> _Read:
    """What a refund needs to know, read (``lock``: the sale and the cards
    locked against other tills until the transaction ends)."""
    query = select(checkouts).where(checkouts.c.id == checkout_id)
    sale = conn.execute(query.with_for_update() if store.postgres and lock else query).first()
    if sale is None:
        raise NotFound(code="unknown_checkout", checkout=checkout_id)
    if sale.refunded_at is not None:
        # Refused before any card is read (the plan refuses it too).
        raise Refused(
            code="already_refunded",
            phrase="checkout_refunded",
            checkout=checkout_id,
            at=sale.refunded_at.astimezone(store.zone),
        )
    card_id = sale.card_id if sale.card_id is not None else sale.claimed_card_id
    if card_id is None:
        return _Read(sale)  # a walk-in nobody claimed
    row = _card(conn, store, card_id, lock=lock)
    _, program = store.current_program(conn)
    card = _refund_card(conn, row, checkout_id, _given(conn, card_id, checkout_id, GIVEN))
    if sale.card_id is not None:
        visit_before = _last_visit(conn, card_id, checkout_id)
        card = replace(card, visit_before=visit_before)
    referrer_id = referrer = None
    if row.referred_by_card_id is not None:
        # The referrer's stamps for this first visit, if it was.
        back = _given(conn, row.referred_by_card_id, checkout_id, ("referral",))
        if back:
            referrer_id = row.referred_by_card_id
            referrer = _refund_card(conn, _card(conn, store, referrer_id, lock=lock), checkout_id, back)
    return _Read(sale, card_id, card, program, referrer_id, referrer)


def _plan(store: Store, read: _Read, now: datetime) -> RefundPlan:
    sale = read.sale
    sold = SoldSale(
        checkout=sale.id,
        at=sale.at,
        day=sale.day,
        stamps=sale.stamps,
        visit=bool(sale.visit),
        on_card=sale.card_id is not None,
        refunded_at=sale.refunded_at,
    )
    return plan_refund(sold, read.card, read.program, now, store.zone, read.referrer)


def _card(conn: Connection, store: Store, card_id: int, *, lock: bool) -> Any:
    if lock:
        row = lock_card(conn, store, card_id=card_id)
    else:
        row = conn.execute(select(*LOCKED_CARD_COLUMNS).where(cards.c.id == card_id)).first()
    assert row is not None
    return row


def _refund_card(conn: Connection, row: Any, checkout_id: int, given: int) -> RefundCard:
    last_lapse = conn.execute(
        select(func.max(ledger.c.at)).where(ledger.c.card_id == row.id, ledger.c.kind == "expiry")
    ).scalar()
    return RefundCard(
        number=row.number,
        balance=row.balance,
        cycle=row.cycle,
        given=given,
        completions=completions_of(conn, row.id),
        coupons=held_coupons(conn, row.id),
        last_lapse=last_lapse,
        stamp_day=row.stamp_day,
        day_stamps=row.day_stamps,
        visits=row.visits,
        last_visit_at=row.last_visit_at,
    )


def _write(conn: Connection, store: Store, read: _Read, plan: RefundPlan) -> None:
    sale = read.sale
    conn.execute(update(checkouts).where(checkouts.c.id == sale.id).values(refunded_at=plan.at))
    if sale.card_id is not None and sale.cohort is not None:
        _forget_month(conn, sale)
    for card_id, done in ((read.card_id, plan.card), (read.referrer_id, plan.referrer)):
        if card_id is None or done is None:
            continue
        write_taken(conn, store, card_id, done.entries, done.voided, plan.at)
        set_balance(conn, store, card_id, done.taken.balance, done.taken.cycle, done.marks)


def _change(plan: RefundPlan) -> StampChange:
    """What a refund takes back, as its result says it."""
    done = plan.card
    if done is None:
        return StampChange(None, plan.stamps, None, None, checkout=plan.checkout)
    return StampChange(
        done.number,
        plan.stamps,
        done.taken.balance,
        done.taken.cycle,
        voided_coupons=done.voided,
        completions_undone=done.taken.completions_undone,
        checkout=plan.checkout,
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
