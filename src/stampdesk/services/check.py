"""Reconcile every card's cached balance and cycle with its ledger, and every
completion in the ledger with its final reward."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, case, exists, func, select

from ..models import cards, checkouts, coupons, ledger
from ..results import CheckReport, Mismatch, MissingReward
from ..store import Store
from .stamps import ERASED

CANDIDATES_AT_ONCE = 500  # cards whose ledgers one statement reads


def check(store: Store, limit: int = 1000) -> CheckReport:
    """Compare ``cards.balance``/``cycle`` with the sums of the ledger, and
    find the card cycles completed without their final reward."""
    sums = (
        select(
            ledger.c.card_id,
            func.sum(ledger.c.stamps).label("stamps"),
            func.sum(ledger.c.cycles).label("cycles"),
            func.count().label("rows"),
        )
        .group_by(ledger.c.card_id)
        .subquery()
    )
    ledger_balance = func.coalesce(sums.c.stamps, 0)
    ledger_cycle = func.coalesce(sums.c.cycles, 0)
    with store.read() as conn:
        totals = conn.execute(
            select(func.count(), func.coalesce(func.sum(sums.c.rows), 0)).select_from(
                cards.outerjoin(sums, sums.c.card_id == cards.c.id)
            )
        ).one()
        rows = conn.execute(
            select(cards.c.number, cards.c.balance, cards.c.cycle, ledger_balance, ledger_cycle)
            .select_from(cards.outerjoin(sums, sums.c.card_id == cards.c.id))
            .where((cards.c.balance != ledger_balance) | (cards.c.cycle != ledger_cycle))
            .limit(limit)
        ).all()
        missing = _missing_rewards(conn, limit)
    return CheckReport(
        cards=totals[0],
        ledger_rows=int(totals[1]),
        mismatches=tuple(Mismatch(r[0], r[1], int(r[3]), r[2], int(r[4])) for r in rows),
        missing_rewards=tuple(MissingReward(r[0], int(r[1])) for r in missing),
    )


def _missing_rewards(conn: Connection, limit: int) -> list[Any]:
    """(card number, cycle) of each card cycle completed without its final
    reward, the first ``limit`` by card number.

    A card at cycle ``c`` has completed its cycles 0 to ``c - 1``, and the
    final rewards are unique per cycle: a card holding fewer live final
    rewards below its cycle than its cycle is a candidate, found from the
    cards and the final rewards' index alone. Only the candidates' ledgers
    are then read, to tell which of their cycles lacks its reward
    (``_missing_among``), so a healthy shop pays no scan of its ledger.
    """
    held = (
        select(func.count())
        .where(
            coupons.c.card_id == cards.c.id,
            coupons.c.final_reward == 1,
            coupons.c.voided_at.is_(None),
            coupons.c.cycle < cards.c.cycle,
        )
        .scalar_subquery()
    )
    # In the table's order (not the number's: that would read the cards
    # one by one through their index), then sorted here: they are few.
    rows = conn.execute(
        select(cards.c.number, cards.c.id).where(
            cards.c.cycle > 0, cards.c.status != ERASED, held < cards.c.cycle
        )
    ).all()
    candidates = [card_id for _, card_id in sorted(rows)]
    found: list[Any] = []
    for start in range(0, len(candidates), CANDIDATES_AT_ONCE):
        found += _missing_among(conn, candidates[start : start + CANDIDATES_AT_ONCE], limit - len(found))
        if len(found) >= limit:
            break
    return found


def _missing_among(conn: Connection, card_ids: Sequence[int], limit: int) -> list[Any]:
    """``_missing_rewards`` for the cards ``card_ids``, from their ledgers.

    A cycle is completed when its completions outnumber their reversals.
    Two voided final rewards are not missing: an erased card's (its
    coupons go with its holder's data), and the one of a sale refunded
    after its stamps lapsed (the completion stays in the ledger, behind the
    lapse, and the refund takes the sale's coupons back).
    """
    # The card's cycle before each row that changes it: the running sum of
    # the ledger's cycles, in the order the rows were written.
    turns = (
        select(
            ledger.c.id,
            ledger.c.card_id,
            ledger.c.kind,
            (
                func.sum(ledger.c.cycles).over(partition_by=ledger.c.card_id, order_by=ledger.c.id)
                - ledger.c.cycles
            ).label("before"),
        )
        .where(ledger.c.card_id.in_(card_ids), ledger.c.cycles != 0)
        .subquery()
    )
    # A completion completes the cycle it starts from; its reversal takes
    # back the one before the cycle it starts from.
    steps = (
        select(
            turns.c.id,
            turns.c.card_id,
            turns.c.kind,
            case((turns.c.kind == "completion", turns.c.before), else_=turns.c.before - 1).label("cycle"),
        )
        .where(turns.c.kind.in_(("completion", "completion_reversed")))
        .subquery()
    )
    completed = (
        select(
            steps.c.card_id,
            steps.c.cycle,
            func.sum(case((steps.c.kind == "completion", 1), else_=-1)).label("net"),
            func.max(case((steps.c.kind == "completion", steps.c.id))).label("last"),
        )
        .group_by(steps.c.card_id, steps.c.cycle)
        .subquery()
    )
    last = ledger.alias("last_completion")
    rewarded = exists().where(
        coupons.c.card_id == completed.c.card_id,
        coupons.c.cycle == completed.c.cycle,
        coupons.c.final_reward == 1,
        coupons.c.voided_at.is_(None),
    )
    return list(
        conn.execute(
            select(cards.c.number, completed.c.cycle)
            .select_from(
                completed.join(cards, cards.c.id == completed.c.card_id)
                .join(last, last.c.id == completed.c.last)
                .outerjoin(checkouts, checkouts.c.id == last.c.checkout_id)
            )
            .where(
                completed.c.net > 0,
                cards.c.status != ERASED,
                checkouts.c.refunded_at.is_(None),
                ~rewarded,
            )
            .order_by(cards.c.number, completed.c.cycle)
            .limit(limit)
        )
    )
