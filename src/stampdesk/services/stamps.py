"""Giving stamps to a card and taking them back: the one place where the
ledger, the cached balance and the coupons change together.

Callers hold a write transaction and a locked card row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, insert, or_, select, update

from ..domain.coupon_codes import new_coupon_code
from ..domain.program import Program
from ..domain.rules import Advance, Reached, advance, next_milestone, retreat
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
    balance: int
    cycle: int
    reached: tuple[Reached, ...]
    coupons: tuple[CouponInfo, ...]


@dataclass(frozen=True)
class Taken:
    balance: int
    cycle: int
    voided: tuple[str, ...]
    completions_undone: int


# A pre-printed card not handed out yet: its first sale or enrolment gives
# the starter stamps and makes it active.
BLANK = "blank"
# A card whose holder erased their data: kept for the accounts, refused at the till.
ERASED = "erased"


def activate(conn: Connection, card_id: int) -> None:
    conn.execute(update(cards).where(cards.c.id == card_id).values(status="active"))


# What a change to a card reads from it (and locks, on PostgreSQL).
LOCKED_CARD_COLUMNS = (
    cards.c.id,
    cards.c.number,
    cards.c.balance,
    cards.c.cycle,
    cards.c.status,
    cards.c.stamp_day,
    cards.c.day_stamps,
)


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


def give(
    conn: Connection,
    store: Store,
    card: CardRef,
    stamps: int,
    program: Program,
    *,
    kind: str,
    at: datetime,
    origin: str,
    checkout_id: int | None = None,
    staff: str | None = None,
    reason: str | None = None,
    extra_rows: tuple[dict[str, Any], ...] = (),
    planned: Advance | None = None,
    day_count: tuple[str | None, int] | None = None,
) -> Given:
    """Add ``stamps`` (≥ 0): ledger rows, milestone coupons, completions.

    ``extra_rows`` are ledger rows written first (enrolment's starter stamps
    before the claimed ones), already counted in ``stamps``. ``planned`` is the
    ``advance()`` the caller already computed for these same values.
    ``day_count`` is the card's new ``(stamp_day, day_stamps)`` after a sale.
    """
    result = planned or advance(card.balance, card.cycle, stamps, program)
    rows: list[dict[str, Any]] = list(extra_rows)
    if stamps - sum(r["stamps"] for r in extra_rows):
        rows.append(
            ledger_row(
                card.id,
                at,
                kind,
                stamps - sum(r["stamps"] for r in extra_rows),
                checkout_id=checkout_id,
                staff=staff,
                reason=reason,
            )
        )
    issued: list[CouponInfo] = []
    if result.reached:
        live = {
            (cycle, at)
            for cycle, at in store.prepared("coupons.live", _live_coupons).all(
                conn, card_id=card.id, cycle=card.cycle
            )
        }
        expires = store.end_of_day_after(at, program.coupon_valid_days)
        for reached in result.reached:
            coupon_id = None
            if (reached.cycle, reached.milestone.at) not in live:
                code = new_coupon_code()
                coupon_id = store.prepared("coupons.insert", _insert_coupon).insert(
                    conn,
                    code=code,
                    card_id=card.id,
                    cycle=reached.cycle,
                    milestone_at=reached.milestone.at,
                    reward=reached.milestone.reward,
                    origin=origin,
                    checkout_id=checkout_id,
                    issued_at=at,
                    expires_at=expires,
                )
                issued.append(CouponInfo(code, reached.milestone.reward, reached.milestone.at, at, expires))
            if reached.milestone.at == program.stamps_per_card:
                rows.append(
                    ledger_row(
                        card.id,
                        at,
                        "completion",
                        -program.stamps_per_card,
                        cycles=1,
                        checkout_id=checkout_id,
                        coupon_id=coupon_id,
                    )
                )
    write_ledger(conn, store, rows)
    if (result.balance, result.cycle) != (card.balance, card.cycle):
        set_balance(conn, store, card.id, result.balance, result.cycle, day_count)
    return Given(result.balance, result.cycle, result.reached, tuple(issued))


def _live_coupons() -> Any:
    return select(coupons.c.cycle, coupons.c.milestone_at).where(
        coupons.c.card_id == bindparam("card_id"),
        coupons.c.voided_at.is_(None),
        coupons.c.cycle >= bindparam("cycle"),
    )


def _insert_coupon() -> Any:
    names = (
        "code",
        "card_id",
        "cycle",
        "milestone_at",
        "reward",
        "origin",
        "checkout_id",
        "issued_at",
        "expires_at",
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
    day_count: tuple[str | None, int] | None = None,
) -> None:
    """Update a card's cached balance and cycle (the ledger rows come with it),
    and with ``day_count`` its ``(stamp_day, day_stamps)``: one statement."""
    if day_count is None:
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
            )
        ),
    ).run(
        conn, card_id=card_id, balance=balance, cycle=cycle, stamp_day=day_count[0], day_stamps=day_count[1]
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
    day_count: tuple[str | None, int] | None = None,
) -> Taken:
    """Remove ``stamps`` (≥ 0) and void the unused coupons the card no longer
    qualifies for. Completions are undone, newest first, while the balance
    would be negative and their final reward is unused (see ``retreat``)."""
    completions: list[tuple[int, bool]] = []
    if card.balance - stamps < 0 and card.cycle > 0:
        completions = _undoable_completions(conn, card)
    result = retreat(card.balance, card.cycle, stamps, completions)
    rows = []
    if stamps:
        rows.append(
            ledger_row(card.id, at, kind, -stamps, checkout_id=checkout_id, staff=staff, reason=reason)
        )
    for spc, _ in completions[: result.reversed_completions]:
        rows.append(ledger_row(card.id, at, "completion_reversed", spc, cycles=-1, checkout_id=checkout_id))
    write_ledger(conn, store, rows)

    lost = conn.execute(
        select(coupons.c.id, coupons.c.code).where(
            coupons.c.card_id == card.id,
            coupons.c.voided_at.is_(None),
            coupons.c.redeemed_at.is_(None),
            or_(
                coupons.c.cycle > result.cycle,
                and_(coupons.c.cycle == result.cycle, coupons.c.milestone_at > result.balance),
            ),
        )
    ).all()
    if lost:
        conn.execute(update(coupons).where(coupons.c.id.in_([c.id for c in lost])).values(voided_at=at))
    set_balance(conn, store, card.id, result.balance, result.cycle, day_count)
    return Taken(result.balance, result.cycle, tuple(c.code for c in lost), result.reversed_completions)


def _undoable_completions(conn: Connection, card: CardRef) -> list[tuple[int, bool]]:
    """Live completions of a card, newest first: ``(stamps it took, undoable)``.

    A completion is undoable while the final-reward coupon it issued is unused.
    """
    stack: list[int] = []
    for kind, stamps in conn.execute(
        select(ledger.c.kind, ledger.c.stamps)
        .where(ledger.c.card_id == card.id, ledger.c.kind.in_(("completion", "completion_reversed")))
        .order_by(ledger.c.id)
    ):
        if kind == "completion":
            stack.append(-stamps)
        elif stack:
            stack.pop()
    used = {
        (cycle, at)
        for cycle, at in conn.execute(
            select(coupons.c.cycle, coupons.c.milestone_at).where(
                coupons.c.card_id == card.id,
                coupons.c.voided_at.is_(None),
                coupons.c.redeemed_at.is_not(None),
            )
        )
    }
    result = []
    for depth, spc in enumerate(reversed(stack)):
        completed_cycle = card.cycle - 1 - depth
        result.append((spc, (completed_cycle, spc) not in used))
    return result


def next_for(balance: int, program: Program) -> NextMilestone:
    m = next_milestone(balance, program)
    return NextMilestone(m.at, m.reward, max(0, m.at - balance))
