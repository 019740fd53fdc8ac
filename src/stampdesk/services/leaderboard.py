"""The "customer of the month" board: the customers who opted in, ranked by
their qualifying visits in a shop-local calendar month.

Only customers who said yes (``customers.leaderboard``) appear, never an
erased one, and only by first name with a masked card number: the board is
meant to be shown in the shop. A visit is a sale that qualified
(``checkouts.visit``) and was not refunded. Ties go to the customer whose
last visit of the month came first (they got there first), then by name.

The month's sales are found by their time (the index on ``checkouts.at``),
so the board costs the month's sales, not the shop's cards.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, func, select

from ..domain.card_numbers import masked_card_number
from ..domain.errors import InvalidInput
from ..domain.validate import clean_month, first_name
from ..models import cards, checkouts, customers
from ..results import Leaderboard, LeaderboardEntry
from ..store import Store
from .stamps import ERASED

DEFAULT_LIMIT = 10
MAX_LIMIT = 100


def month_bounds(store: Store, month: date) -> tuple[datetime, datetime]:
    """The UTC times of ``month``'s first shop-local midnight and of the
    next month's (a month across a change of clocks is an hour shorter or
    longer)."""
    first = month.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    start = datetime.combine(first, time(0), store.zone).astimezone(UTC)
    end = datetime.combine(following, time(0), store.zone).astimezone(UTC)
    return start, end


@cache
def _board_query() -> Select[Any]:
    # The month's visits per card first, from the sales found by time; then
    # the few cards they name, kept if their holder opted in.
    visits = (
        select(
            checkouts.c.card_id,
            func.count().label("visits"),
            func.max(checkouts.c.at).label("last_visit"),
        )
        .where(
            checkouts.c.at >= bindparam("start"),
            checkouts.c.at < bindparam("end"),
            checkouts.c.visit == 1,
            checkouts.c.refunded_at.is_(None),
            checkouts.c.card_id.is_not(None),
        )
        .group_by(checkouts.c.card_id)
        .subquery("month_visits")
    )
    return (
        select(cards.c.number, customers.c.name, visits.c.visits)
        .select_from(
            visits.join(cards, cards.c.id == visits.c.card_id).join(
                customers, customers.c.id == cards.c.customer_id
            )
        )
        .where(
            customers.c.leaderboard == 1,
            customers.c.erased_at.is_(None),
            cards.c.status != ERASED,
        )
        .order_by(visits.c.visits.desc(), visits.c.last_visit, customers.c.name_key, cards.c.number)
        .limit(bindparam("limit"))
    )


def board_statement(store: Store, month: date, limit: int) -> tuple[Select[Any], dict[str, Any]]:
    """The board's query and its parameters (the query-plan tests read it)."""
    start, end = month_bounds(store, month)
    return _board_query(), {"start": start, "end": end, "limit": limit}


def leaderboard(store: Store, month: object = None, limit: int = DEFAULT_LIMIT) -> Leaderboard:
    """The board of ``month`` (a ``date`` in it or ``YYYY-MM``; default: the
    current month in the shop's time zone), its ``limit`` first customers."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(code="invalid_limit", most=MAX_LIMIT)
    first = store.local_day(store.now()).replace(day=1) if month is None else clean_month(month)
    statement, params = board_statement(store, first, limit)
    with store.read() as conn:
        rows = conn.execute(statement, params).all()
    return Leaderboard(
        month=f"{first.year:04d}-{first.month:02d}",
        start=params["start"],
        end=params["end"],
        entries=tuple(
            LeaderboardEntry(rank, first_name(r.name), masked_card_number(r.number), int(r.visits))
            for rank, r in enumerate(rows, start=1)
        ),
    )
