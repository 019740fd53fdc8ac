"""Giving stamps to a card and taking them back: the one place where the
ledger, the cached balance and the coupons change together.

Callers of ``give`` and ``take_back`` hold a write transaction and a locked
card row. ``plan_gift`` only reads: a sale works out what it gives before it
writes, then writes only if its card is still as it read it (see
``checkout``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    insert,
    literal_column,
    or_,
    select,
    update,
)

from ..domain.coupon_codes import new_coupon_code
from ..domain.money import to_cents
from ..domain.program import Program
from ..domain.rules import Advance, CouponKey, Reached, advance, next_milestone, retreat, rewards_due
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
    """What a gift of stamps did: the card's new balance and cycle, the
    milestones it rewards (``rewarded``, each with its coupon in
    ``coupons``, in the same order: a milestone whose coupon the card
    already holds is neither rewarded nor announced)."""

    balance: int
    cycle: int
    rewarded: tuple[Reached, ...]
    coupons: tuple[CouponInfo, ...]


@dataclass(frozen=True)
class Taken:
    balance: int
    cycle: int
    voided: tuple[str, ...]
    completions_undone: int
    stamps: int  # taken back: less than asked when the card had fewer (lapsed ones)


@dataclass(frozen=True)
class SaleMarks:
    """What a sale (or its refund) changes on the card beside its stamps:
    the stamps counted against ``max_per_day`` on ``stamp_day``, its
    qualifying visits and its last visit."""

    stamp_day: str | None
    day_stamps: int
    visits: int
    last_visit_at: datetime | None


# A pre-printed card not handed out yet: its first sale or enrolment gives
# the starter stamps and makes it active.
BLANK = "blank"
# A card whose holder erased their data: kept for the accounts, refused at the till.
ERASED = "erased"


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


# A row of a sale that is not written yet points to the sale with this
# checkout id; it is replaced by the sale's id when the sale is written.
THIS_SALE = -1


@dataclass(frozen=True)
class Gift:
    """What ``give`` will write: the ledger rows and the new coupons (a
    completion's row names its new coupon by its code, ``coupon``), and
    what the card becomes."""

    rows: tuple[dict[str, Any], ...]
    coupons: tuple[dict[str, Any], ...]
    given: Given


def give(conn: Connection, store: Store, card: CardRef, stamps: int, program: Program, **how: Any) -> Given:
    """Add ``stamps`` (≥ 0): ledger rows, milestone coupons, completions,
    and the card's balance. ``how``: ``plan_gift``'s keywords (``kind``,
    ``at`` and ``origin`` at least)."""
    gift = plan_gift(conn, store, card, stamps, program, **how)
    ids = {}
    statement = store.prepared("coupons.insert", insert_coupon)
    for values in gift.coupons:
        code = values["code"]
        # Only a completion's ledger row points to its coupon: the others
        # need no id back (on PostgreSQL, no round trip of their own).
        if any(row["coupon"] == code for row in gift.rows):
            ids[code] = statement.insert(conn, **values)
        else:
            statement.run(conn, **values)
    write_ledger(conn, store, [with_coupon(row, ids) for row in gift.rows])
    result = gift.given
    if (result.balance, result.cycle) != (card.balance, card.cycle):
        set_balance(conn, store, card.id, result.balance, result.cycle)
    return result


def plan_gift(
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
    live: set[CouponKey] | None = None,
) -> Gift:
    """What ``give`` writes, decided without writing: ledger rows, milestone
    coupons, completions and their final rewards. It reads the card's
    coupons when a milestone is reached, unless ``live`` gives their keys
    from this cycle on. ``extra_rows`` are ledger rows written first
    (enrolment's starter stamps before the claimed ones), already counted
    in ``stamps``. ``planned`` is the ``advance()`` the caller already
    computed for these same values."""
    result = planned or advance(card.balance, card.cycle, stamps, program)
    rows: list[dict[str, Any]] = [{**r, "coupon": None} for r in extra_rows]
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
    new: list[dict[str, Any]] = []
    due: tuple[Reached, ...] = ()
    if result.reached:
        if live is None:
            keys = store.prepared("coupons.live", _live_coupons).all(conn, card_id=card.id, cycle=card.cycle)
            live = parse_live_keys(",".join(key for (key,) in keys))
        due = rewards_due(result.reached, live)
        expires = store.end_of_day_after(at, program.coupon_valid_days)
        for reached in result.reached:
            code = None
            if reached in due:
                code = new_coupon_code()
                new.append(
                    {
                        "code": code,
                        "card_id": card.id,
                        "cycle": reached.cycle,
                        "milestone_at": reached.milestone.at,
                        "final_reward": int(reached.final),
                        "reward": reached.milestone.reward,
                        "origin": origin,
                        "checkout_id": checkout_id,
                        "issued_at": at,
                        "expires_at": expires,
                        "cost_cents": to_cents(cost)
                        if (cost := reached.milestone.cost) is not None
                        else None,
                    }
                )
                issued.append(CouponInfo(code, reached.milestone.reward, reached.milestone.at, at, expires))
            if reached.final:
                # The completion names its final reward's coupon; none when
                # the card already holds the cycle's (used, its completion
                # undone by a refund, and now completed again).
                completion = ledger_row(
                    card.id,
                    at,
                    "completion",
                    -program.stamps_per_card,
                    cycles=1,
                    checkout_id=checkout_id,
                )
                rows.append({**completion, "coupon": code})
    for row in rows:
        row.setdefault("coupon", None)
    return Gift(tuple(rows), tuple(new), Given(result.balance, result.cycle, due, tuple(issued)))


def with_coupon(row: dict[str, Any], ids: dict[str, int]) -> dict[str, Any]:
    """A planned ledger row as written: its new coupon's id instead of its code."""
    out = {name: value for name, value in row.items() if name != "coupon"}
    if row["coupon"] is not None:
        out["coupon_id"] = ids[row["coupon"]]
    return out


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


def parse_live_keys(text: str | None) -> set[CouponKey]:
    """The ``CouponKey`` of each coupon in a ``live_keys`` string."""
    keys = set()
    for key in (text or "").split(","):
        if key:
            cycle, at = key.split(":")
            keys.add(CouponKey(int(cycle), None if at == _FINAL else int(at)))
    return keys


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
    marks: SaleMarks | None = None,
) -> Taken:
    """Remove ``stamps`` (≥ 0), down to zero at most, and void the unused
    coupons the card no longer qualifies for. Completions since the card's
    last lapse are undone, newest first, while the balance would be negative
    (see ``retreat``)."""
    completions: list[int] = []
    if card.balance - stamps < 0 and card.cycle > 0:
        completions = _undoable_completions(conn, card)
    result = retreat(card.balance, card.cycle, stamps, completions)
    rows = []
    if result.taken:
        rows.append(
            ledger_row(card.id, at, kind, -result.taken, checkout_id=checkout_id, staff=staff, reason=reason)
        )
    for spc in completions[: result.reversed_completions]:
        rows.append(ledger_row(card.id, at, "completion_reversed", spc, cycles=-1, checkout_id=checkout_id))
    write_ledger(conn, store, rows)

    lost = conn.execute(
        select(coupons.c.id, coupons.c.code).where(
            coupons.c.card_id == card.id,
            coupons.c.voided_at.is_(None),
            coupons.c.redeemed_at.is_(None),
            coupons.c.milestone_at > 0,  # a birthday's coupon (0, its year) is no milestone
            or_(
                coupons.c.cycle > result.cycle,
                and_(
                    coupons.c.cycle == result.cycle,
                    # A final reward goes with its completion; a milestone's
                    # coupon with the stamps that reached it.
                    or_(coupons.c.final_reward == 1, coupons.c.milestone_at > result.balance),
                ),
            ),
        )
    ).all()
    if lost:
        conn.execute(update(coupons).where(coupons.c.id.in_([c.id for c in lost])).values(voided_at=at))
    set_balance(conn, store, card.id, result.balance, result.cycle, marks)
    return Taken(
        result.balance, result.cycle, tuple(c.code for c in lost), result.reversed_completions, result.taken
    )


def _undoable_completions(conn: Connection, card: CardRef) -> list[int]:
    """The stamps each completion since the card's last lapse took, newest first.

    Undoing one whose final reward was already used is safe: that coupon
    stays, and keeps the milestone consumed for its cycle, so completing
    the card again gives no second reward. A lapse (``expiry``) is a wall:
    the stamps before it are gone, and so are the completions.
    """
    stack: list[int] = []
    for kind, stamps in conn.execute(
        select(ledger.c.kind, ledger.c.stamps)
        .where(
            ledger.c.card_id == card.id,
            ledger.c.kind.in_(("completion", "completion_reversed", "expiry")),
        )
        .order_by(ledger.c.id)
    ):
        if kind == "completion":
            stack.append(-stamps)
        elif kind == "expiry":
            stack.clear()
        elif stack:
            stack.pop()
    return stack[::-1]


def next_for(balance: int, program: Program) -> NextMilestone:
    m = next_milestone(balance, program)
    return NextMilestone(m.at, m.reward, max(0, m.at - balance))
