"""Giving stamps to a card and taking them back: the one place where the
ledger, the cached balance and the coupons change together.

The decisions are the domain's (``domain.stamps``: ``plan_gift``,
``plan_take_back``); here the card is read, the plan written. Callers of
``give`` and ``take_back`` hold a write transaction and a locked card row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    String,
    bindparam,
    case,
    cast,
    func,
    insert,
    literal_column,
    select,
    update,
)

from ..domain.errors import NotFound, Refused
from ..domain.money import to_cents
from ..domain.program import Program
from ..domain.rules import CouponKey, advance, next_milestone
from ..domain.stamps import BLANK as BLANK
from ..domain.stamps import ERASED as ERASED
from ..domain.stamps import (
    THIS_SALE,
    Gift,
    HeldCoupon,
    LedgerEntry,
    NewCoupon,
    SaleMarks,
    TakeBack,
    plan_gift,
    plan_take_back,
    undoable_completions,
)
from ..models import cards, coupons, ledger
from ..results import CouponInfo, NextMilestone
from ..store import Store


@dataclass(frozen=True)
class CardRef:
    """The locked card a change applies to."""

    id: int
    number: str
    balance: int
    cycle: int


@dataclass(frozen=True)
class Given:
    """What a gift of stamps did: the card's new balance and cycle, and the
    coupons it issued."""

    balance: int
    cycle: int
    coupons: tuple[CouponInfo, ...]


# What a change to a card reads from it (and locks, on PostgreSQL).
LOCKED_CARD_COLUMNS = (
    cards.c.id,
    cards.c.number,
    cards.c.balance,
    cards.c.cycle,
    cards.c.status,
    cards.c.stamp_day,
    cards.c.day_stamps,
    cards.c.visits,
    cards.c.last_visit_at,
    cards.c.referred_by_card_id,
    cards.c.customer_id,
)


def not_refunded(sale: Row[Any] | None, checkout_id: int, store: Store) -> Any:
    """The sale row read for ``checkout_id`` (any of its columns, with
    ``refunded_at``), refused when there is none or it was refunded whole."""
    if sale is None:
        raise NotFound(code="unknown_checkout", checkout=checkout_id)
    if sale.refunded_at is not None:
        raise Refused(
            code="already_refunded",
            phrase="checkout_refunded",
            checkout=checkout_id,
            at=sale.refunded_at.astimezone(store.zone),
        )
    return sale


def lock_card(
    conn: Connection, store: Store, *, number: str | None = None, card_id: int | None = None
) -> Any:
    """The card row (or None), locked against other tills until the transaction ends."""
    query = select(*LOCKED_CARD_COLUMNS)
    query = (
        query.where(cards.c.number == number) if number is not None else query.where(cards.c.id == card_id)
    )
    if store.postgres:
        query = query.with_for_update()
    return conn.execute(query).first()


def ledger_row(
    card_id: int,
    at: datetime,
    kind: str,
    stamps: int,
    *,
    cycles: int = 0,
    checkout_id: int | None = None,
    coupon_id: int | None = None,
    staff: str | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    return {
        "card_id": card_id,
        "at": at,
        "kind": kind,
        "stamps": stamps,
        "cycles": cycles,
        "checkout_id": checkout_id,
        "coupon_id": coupon_id,
        "staff": staff,
        "reason": reason,
    }


def entry_row(card_id: int, entry: LedgerEntry, checkout_id: int | None = None) -> dict[str, Any]:
    """A planned ledger entry as its row (``checkout_id``: the sale's id,
    for an entry of ``THIS_SALE``); ``coupon_id`` is set once its coupon is
    written (see ``write_entries``)."""
    return ledger_row(
        card_id,
        entry.at,
        entry.kind,
        entry.stamps,
        cycles=entry.cycles,
        checkout_id=checkout_id if entry.checkout_id == THIS_SALE else entry.checkout_id,
        staff=entry.staff,
        reason=entry.reason,
    )


def coupon_row(card_id: int, coupon: NewCoupon, checkout_id: int | None = None) -> dict[str, Any]:
    """A planned coupon as its row (``checkout_id`` as for ``entry_row``)."""
    return {
        "code": coupon.code,
        "card_id": card_id,
        "cycle": coupon.cycle,
        "milestone_at": coupon.milestone_at,
        "final_reward": int(coupon.final_reward),
        "reward": coupon.reward,
        "origin": coupon.origin,
        "checkout_id": checkout_id if coupon.checkout_id == THIS_SALE else coupon.checkout_id,
        "issued_at": coupon.issued_at,
        "expires_at": coupon.expires_at,
        "cost_cents": to_cents(coupon.cost) if coupon.cost is not None else None,
    }


def coupon_info(coupon: NewCoupon) -> CouponInfo:
    """A new coupon as a result shows it."""
    return CouponInfo(coupon.code, coupon.reward, coupon.milestone_at, coupon.issued_at, coupon.expires_at)


def write_entries(
    conn: Connection,
    store: Store,
    card_id: int,
    entries: Sequence[LedgerEntry],
    new: Sequence[NewCoupon],
    checkout_id: int | None = None,
) -> None:
    """Write a plan's new coupons, then its ledger entries (a completion's
    entry with its final reward's id)."""
    ids = {}
    statement = store.prepared("coupons.insert", insert_coupon)
    named = {e.coupon for e in entries if e.coupon is not None}
    for coupon in new:
        values = coupon_row(card_id, coupon, checkout_id)
        # Only a completion's entry points to its coupon: the others need
        # no id back (on PostgreSQL, no round trip of their own).
        if coupon.code in named:
            ids[coupon.code] = statement.insert(conn, **values)
        else:
            statement.run(conn, **values)
    rows = []
    for entry in entries:
        row = entry_row(card_id, entry, checkout_id)
        if entry.coupon is not None:
            row["coupon_id"] = ids[entry.coupon]
        rows.append(row)
    write_ledger(conn, store, rows)


def give(conn: Connection, store: Store, card: CardRef, stamps: int, program: Program, **how: Any) -> Given:
    """Add ``stamps`` (≥ 0): ledger rows, milestone coupons, completions,
    and the card's balance. ``how``: ``domain.stamps.plan_gift``'s keywords
    (``kind``, ``at`` and ``origin`` at least); the card's coupons are read
    when a milestone is reached."""
    planned = advance(card.balance, card.cycle, stamps, program)
    held: frozenset[CouponKey] = frozenset()
    if planned.reached:
        keys = store.prepared("coupons.live", _live_coupons).all(conn, card_id=card.id, cycle=card.cycle)
        held = parse_live_keys(",".join(key for (key,) in keys))
    gift: Gift = plan_gift(
        card.balance, card.cycle, stamps, program, zone=store.zone, held=held, planned=planned, **how
    )
    write_entries(conn, store, card.id, gift.entries, gift.coupons)
    if (gift.balance, gift.cycle) != (card.balance, card.cycle):
        set_balance(conn, store, card.id, gift.balance, gift.cycle)
    return Given(gift.balance, gift.cycle, tuple(coupon_info(c) for c in gift.coupons))


# A final reward's key in the text of ``live_keys``: its cycle and this.
_FINAL = "final"


def _key_text() -> Any:
    # "0:3" for a milestone's coupon (cycle 0, at 3), "0:final" for the
    # final reward of cycle 0.
    position = case(
        (coupons.c.final_reward == 1, literal_column(f"'{_FINAL}'")),
        else_=cast(coupons.c.milestone_at, String),
    )
    return cast(coupons.c.cycle, String) + ":" + position


def _live_coupons() -> Any:
    return select(_key_text()).where(
        coupons.c.card_id == bindparam("card_id"),
        coupons.c.voided_at.is_(None),
        coupons.c.cycle >= bindparam("cycle"),
    )


def live_keys(postgres: bool) -> Any:
    """The keys of a card's coupons not voided, from its current cycle on,
    as one string ("0:3,0:6,0:final") to read with the card: a column of a
    query on ``cards`` (see ``parse_live_keys``)."""
    return (
        select((func.string_agg if postgres else func.group_concat)(_key_text(), literal_column("','")))
        .where(
            coupons.c.card_id == cards.c.id,
            coupons.c.voided_at.is_(None),
            coupons.c.cycle >= cards.c.cycle,
        )
        .scalar_subquery()
    )


def parse_live_keys(text: str | None) -> frozenset[CouponKey]:
    """The ``CouponKey`` of each coupon in a ``live_keys`` string."""
    if not text:
        return _NO_KEYS
    keys = set()
    for key in text.split(","):
        if key:
            cycle, at = key.split(":")
            keys.add(CouponKey(int(cycle), None if at == _FINAL else int(at)))
    return frozenset(keys)


_NO_KEYS: frozenset[CouponKey] = frozenset()


def insert_coupon() -> Any:
    names = (
        "code",
        "card_id",
        "cycle",
        "milestone_at",
        "final_reward",
        "reward",
        "origin",
        "checkout_id",
        "issued_at",
        "expires_at",
        "cost_cents",
    )
    return insert(coupons).values({name: bindparam(name) for name in names})


def write_ledger(conn: Connection, store: Store, rows: list[dict[str, Any]]) -> None:
    """Append rows to the ledger."""
    statement = store.prepared(
        "ledger.insert",
        lambda: insert(ledger).values({c.name: bindparam(c.name) for c in ledger.c if c.name != "id"}),
    )
    if len(rows) == 1:
        statement.run(conn, **rows[0])
    elif rows:
        statement.run_many(conn, rows)


def set_balance(
    conn: Connection,
    store: Store,
    card_id: int,
    balance: int,
    cycle: int,
    marks: SaleMarks | None = None,
) -> None:
    """Update a card's cached balance and cycle (the ledger rows come with it),
    and with ``marks`` its sale marks: one statement."""
    if marks is None:
        store.prepared(
            "cards.set_balance",
            lambda: (
                update(cards)
                .where(cards.c.id == bindparam("card_id"))
                .values(balance=bindparam("balance"), cycle=bindparam("cycle"))
            ),
        ).run(conn, card_id=card_id, balance=balance, cycle=cycle)
        return
    store.prepared(
        "cards.set_sale",
        lambda: (
            update(cards)
            .where(cards.c.id == bindparam("card_id"))
            .values(
                balance=bindparam("balance"),
                cycle=bindparam("cycle"),
                stamp_day=bindparam("stamp_day"),
                day_stamps=bindparam("day_stamps"),
                visits=bindparam("visits"),
                last_visit_at=bindparam("last_visit_at"),
            )
        ),
    ).run(
        conn,
        card_id=card_id,
        balance=balance,
        cycle=cycle,
        stamp_day=marks.stamp_day,
        day_stamps=marks.day_stamps,
        visits=marks.visits,
        last_visit_at=marks.last_visit_at,
    )


def take_back(
    conn: Connection,
    store: Store,
    card: CardRef,
    stamps: int,
    *,
    kind: str,
    at: datetime,
    checkout_id: int | None = None,
    staff: str | None = None,
    reason: str | None = None,
) -> TakeBack:
    """Remove ``stamps`` (≥ 0), down to zero at most, and void the unused
    coupons the card no longer qualifies for (``domain.stamps.plan_take_back``)."""
    taken = plan_take_back(
        card.balance,
        card.cycle,
        stamps,
        completions=completions_of(conn, card.id) if card.balance - stamps < 0 and card.cycle > 0 else (),
        coupons=held_coupons(conn, card.id),
        kind=kind,
        at=at,
        checkout_id=checkout_id,
        staff=staff,
        reason=reason,
    )
    write_taken(conn, store, card.id, taken.entries, taken.voided, at)
    set_balance(conn, store, card.id, taken.balance, taken.cycle)
    return taken


def write_taken(
    conn: Connection,
    store: Store,
    card_id: int,
    entries: Sequence[LedgerEntry],
    voided: Iterable[str],
    at: datetime,
) -> None:
    """Write a take-back's ledger entries and void its coupons (by code)."""
    write_ledger(conn, store, [entry_row(card_id, e) for e in entries])
    codes = list(voided)
    if codes:
        conn.execute(
            update(coupons)
            .where(coupons.c.card_id == card_id, coupons.c.code.in_(codes))
            .values(voided_at=at)
        )


def completions_of(conn: Connection, card_id: int) -> tuple[int, ...]:
    """The stamps each completion since the card's last lapse took, newest
    first (``domain.stamps.undoable_completions`` of its ledger)."""
    rows = conn.execute(
        select(ledger.c.kind, ledger.c.stamps)
        .where(
            ledger.c.card_id == card_id,
            ledger.c.kind.in_(("completion", "completion_reversed", "expiry")),
        )
        .order_by(ledger.c.id)
    )
    return undoable_completions((kind, stamps) for kind, stamps in rows)


def held_coupons(conn: Connection, card_id: int) -> tuple[HeldCoupon, ...]:
    """The card's coupons neither used nor voided, oldest first."""
    return tuple(
        HeldCoupon(c.code, c.cycle, c.milestone_at, bool(c.final_reward), c.origin, c.checkout_id)
        for c in conn.execute(
            select(
                coupons.c.code,
                coupons.c.cycle,
                coupons.c.milestone_at,
                coupons.c.final_reward,
                coupons.c.origin,
                coupons.c.checkout_id,
            )
            .where(
                coupons.c.card_id == card_id,
                coupons.c.voided_at.is_(None),
                coupons.c.redeemed_at.is_(None),
            )
            .order_by(coupons.c.id)
        )
    )


def next_for(balance: int, program: Program) -> NextMilestone:
    m = next_milestone(balance, program)
    return NextMilestone(m.at, m.reward, max(0, m.at - balance))
