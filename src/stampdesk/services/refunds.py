"""Refunds: a refunded sale takes back exactly the stamps it earned; a
refunded part of a sale (items or an amount) takes back what the sale no
longer earns on what it keeps. The refund is read, worked out
(``domain.refund.plan_part`` and ``plan_refund``), then written; its
preview is read and worked out only."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from ..domain.money import from_cents, to_cents
from ..domain.program import Program
from ..domain.refund import (
    Ask,
    Part,
    RefundCard,
    RefundPlan,
    SoldLine,
    SoldSale,
    plan_part,
    plan_refund,
)
from ..domain.validate import clean_checkout_id, clean_return
from ..models import card_months, cards, checkout_items, checkout_refunds, checkouts, customers, ledger
from ..results import CouponInfo, RefundChange, RefundPreview, ReturnedItem, SaleLine
from ..store import Store
from . import idempotency
from .stamps import (
    LOCKED_CARD_COLUMNS,
    completions_of,
    held_coupons,
    lock_card,
    not_refunded,
    set_balance,
    write_taken,
)


def refund(
    store: Store,
    checkout_id: object,
    *,
    items: object = None,
    amount: object = None,
    idempotency_key: object = None,
    till: str | None = None,
) -> RefundChange:
    """Refund a checkout, or part of it (``items``: (SKU, quantity) pairs,
    ``amount``: an amount; neither: all that is left of it): remove the
    stamps it no longer earns from the card they went to (also when a
    walk-in claimed them later) and void the coupons the card no longer
    qualifies for. Parts add up, never past the sale; a sale refunded
    whole is refused again.

    With ``idempotency_key``, the same key again from the same ``till`` (the
    sender; default the settings' till) returns the first answer
    (``replayed``) and changes nothing; with another request it is refused.
    """
    checkout_id = clean_checkout_id(checkout_id)
    wanted, money = clean_return(items, amount)
    ask = Ask(wanted, money)
    now = store.now()
    if idempotency_key is not None:
        params: dict[str, Any] = {"checkout": checkout_id}
        if not ask.everything:
            params["items"] = sorted([sku, qty] for sku, qty in wanted)
            params["amount"] = None if money is None else str(money)
        return idempotency.run_once(
            store,
            "refund",
            idempotency_key,
            params,
            lambda conn: _refund(conn, store, checkout_id, ask, now, till),
            replayed_change,
            till=till,
        )
    return store.transact(lambda conn: _refund(conn, store, checkout_id, ask, now, till))


def preview(
    store: Store, checkout_id: object, *, items: object = None, amount: object = None
) -> RefundPreview:
    """The sale ``checkout_id`` and what refunding it (or the part asked)
    now would take back: read and worked out as ``refund`` does, nothing
    written. Refused as ``refund`` would be."""
    checkout_id = clean_checkout_id(checkout_id)
    wanted, money = clean_return(items, amount)
    now = store.now()
    with store.read() as conn:
        read = _read(conn, store, checkout_id, Ask(wanted, money), now, lock=False)
        return _sale(conn, read, _change(read, _plan(store, read, now)))


def _sale(conn: Connection, read: _Read, change: RefundChange) -> RefundPreview:
    sale, lines = read.sale, read.lines
    checkout_id = sale.id
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
            SaleLine(i.sku, i.category, i.quantity, Decimal(i.unit_price_cents) / 100, i.refunded_quantity)
            for i in lines
        ),
        card=holder.number if holder is not None else None,
        name=holder.name if holder is not None else None,
        walk_in=sale.card_id is None,
        change=change,
    )


def replayed_change(data: dict[str, Any]) -> RefundChange:
    """A refund's stored answer, as returned again for its idempotency key."""
    refunded = data.get("refunded_amount")
    kept = data.get("kept_amount")
    return RefundChange(
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
        refunded_amount=None if refunded is None else Decimal(refunded),
        kept_amount=None if kept is None else Decimal(kept),
        whole=data.get("whole", True),
        items=tuple(ReturnedItem(i["sku"], i["quantity"]) for i in data.get("items", ())),
    )


def _refund(
    conn: Connection, store: Store, checkout_id: int, ask: Ask, now: datetime, till: str | None
) -> RefundChange:
    # The caller owns the transaction.
    read = _read(conn, store, checkout_id, ask, now, lock=True)
    plan = _plan(store, read, now)
    _write(conn, store, read, plan, till or store.settings.till)
    return _change(read, plan)


# What a sale gave the card its stamps went to, that its refund takes back.
GIVEN = ("earn", "claim", "surprise", "referral")


@dataclass(frozen=True)
class _Read:
    """A refund's reads: the sale, the card its stamps went to and the
    card's referrer (each with its id, for the writes), the programme in
    force."""

    sale: Any
    lines: tuple[Any, ...]  # its items, in their order
    part: Part
    card_id: int | None = None
    card: RefundCard | None = None
    program: Program | None = None
    referrer_id: int | None = None
    referrer: RefundCard | None = None


def _read(conn: Connection, store: Store, checkout_id: int, ask: Ask, now: datetime, *, lock: bool) -> _Read:
    """What a refund needs to know, read (``lock``: the sale and the cards
    locked against other tills until the transaction ends), and the part of
    the sale it gives back."""
    query = select(checkouts).where(checkouts.c.id == checkout_id)
    # Refused before any card is read (the plan refuses it too).
    sale = not_refunded(
        conn.execute(query.with_for_update() if store.postgres and lock else query).first(),
        checkout_id,
        store,
    )
    lines = tuple(
        conn.execute(
            select(checkout_items)
            .where(checkout_items.c.checkout_id == checkout_id)
            .order_by(checkout_items.c.id)
        )
    )
    part = _part(conn, store, sale, lines, ask)
    card_id = sale.card_id if sale.card_id is not None else sale.claimed_card_id
    if card_id is None:
        return _Read(sale, lines, part)  # a walk-in nobody claimed
    row = _card(conn, store, card_id, lock=lock)
    _, program = store.current_program(conn)
    # What the sale's earlier parts took off it while its stamps were on this card.
    before = conn.execute(
        select(func.coalesce(func.sum(checkout_refunds.c.stamps), 0)).where(
            checkout_refunds.c.checkout_id == checkout_id, checkout_refunds.c.card_id == card_id
        )
    ).scalar_one()
    card = _refund_card(conn, row, checkout_id, _given(conn, card_id, checkout_id, GIVEN) - int(before))
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
    return _Read(sale, lines, part, card_id, card, program, referrer_id, referrer)


def _sold(sale: Any) -> SoldSale:
    return SoldSale(
        checkout=sale.id,
        at=sale.at,
        day=sale.day,
        stamps=sale.stamps - sale.refunded_stamps,  # what it keeps
        visit=bool(sale.visit),
        on_card=sale.card_id is not None,
        refunded_at=sale.refunded_at,
        amount=from_cents(sale.amount_cents),
        refunded=from_cents(sale.refunded_cents),
        tier=sale.tier,
    )


def _part(conn: Connection, store: Store, sale: Any, lines: tuple[Any, ...], ask: Ask) -> Part:
    """The part of ``sale`` (its item ``lines``) that ``ask`` gives back (its
    stamps worked out under the programme of the sale)."""
    sold = [
        SoldLine(i.sku, i.category, i.quantity, from_cents(i.unit_price_cents), i.refunded_quantity)
        for i in lines
    ]
    program = store.program(conn, sale.program_version_id)
    return plan_part(_sold(sale), sold, ask, program, store.zone)


def _plan(store: Store, read: _Read, now: datetime) -> RefundPlan:
    return plan_refund(_sold(read.sale), read.card, read.program, now, store.zone, read.referrer, read.part)


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


def _write(conn: Connection, store: Store, read: _Read, plan: RefundPlan, till: str | None) -> None:
    sale, part = read.sale, read.part
    refunded = sale.refunded_cents + to_cents(part.amount)
    if part.whole:
        conn.execute(
            update(checkouts)
            .where(checkouts.c.id == sale.id)
            .values(refunded_at=plan.at, refunded_cents=refunded)
        )
        if sale.card_id is not None and sale.cohort is not None:
            _forget_month(conn, sale)
    else:
        conn.execute(
            update(checkouts)
            .where(checkouts.c.id == sale.id)
            .values(refunded_cents=refunded, refunded_stamps=sale.refunded_stamps + part.stamps)
        )
    _return_items(conn, read.lines, part)
    conn.execute(
        insert(checkout_refunds).values(
            checkout_id=sale.id,
            at=plan.at,
            till=till,
            amount_cents=to_cents(part.amount),
            items=json.dumps([list(i) for i in part.items]) if part.items else None,
            whole=int(part.whole),
            stamps=part.stamps,
            card_id=read.card_id,
            taken=-plan.stamps if read.card_id is not None else 0,
        )
    )
    for card_id, done in ((read.card_id, plan.card), (read.referrer_id, plan.referrer)):
        if card_id is None or done is None:
            continue
        write_taken(conn, store, card_id, done.entries, done.voided, plan.at)
        set_balance(conn, store, card_id, done.taken.balance, done.taken.cycle, done.marks)


def _return_items(conn: Connection, lines: tuple[Any, ...], part: Part) -> None:
    """The items ``part`` returns, counted on the sale's ``lines`` in their
    order (a whole refund returns all that is left)."""
    due = dict(part.items)
    for line in lines:
        left = line.quantity - line.refunded_quantity
        take = left if part.whole else min(due.get(line.sku, 0), left)
        if take <= 0:
            continue
        due[line.sku] = due.get(line.sku, 0) - take
        conn.execute(
            update(checkout_items)
            .where(checkout_items.c.id == line.id)
            .values(refunded_quantity=line.refunded_quantity + take)
        )


def _change(read: _Read, plan: RefundPlan) -> RefundChange:
    """What a refund takes back, as its result says it."""
    sale, part = read.sale, read.part
    done = plan.card
    return RefundChange(
        done.number if done is not None else None,
        plan.stamps,
        done.taken.balance if done is not None else None,
        done.taken.cycle if done is not None else None,
        voided_coupons=done.voided if done is not None else (),
        completions_undone=done.taken.completions_undone if done is not None else 0,
        checkout=plan.checkout,
        refunded_amount=part.amount,
        kept_amount=from_cents(sale.amount_cents - sale.refunded_cents) - part.amount,
        whole=part.whole,
        items=tuple(ReturnedItem(sku, qty) for sku, qty in part.items),
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
