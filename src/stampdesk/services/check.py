"""Reconcile every card's cached balance and cycle with its ledger."""

from __future__ import annotations

from sqlalchemy import func, select

from ..models import cards, ledger
from ..results import CheckReport, Mismatch
from ..store import Store


def check(store: Store, limit: int = 1000) -> CheckReport:
    """Compare ``cards.balance``/``cycle`` with the sums of the ledger."""
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
    return CheckReport(
        cards=totals[0],
        ledger_rows=int(totals[1]),
        mismatches=tuple(Mismatch(r[0], r[1], int(r[3]), r[2], int(r[4])) for r in rows),
    )
