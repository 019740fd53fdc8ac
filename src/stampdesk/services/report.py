"""Is the programme worth it? The owner's report over a period of days.

Every figure is read from the sales, the ledger and the coupons by time
(indexed: ``checkouts.at``, the ledger's rarer rows by ``at``, coupons by
issue and by use), never by a scan of every card. Refunded sales count
nowhere: not as sales, visits, revenue or stamps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, case, func, or_, select, text
from sqlalchemy.orm import aliased

from ..domain.card_numbers import masked_card_number
from ..domain.errors import InvalidInput
from ..domain.money import from_cents
from ..domain.validate import first_name
from ..models import (
    LEDGER_RARE_ROWS,
    card_months,
    cards,
    checkout_refunds,
    checkouts,
    coupons,
    customers,
    ledger,
    tills,
)
from ..results import Result
from ..store import Store
from ..words import Book, formats
from .messages import MessageFigures, figures
from .shops import shop_id_of, shop_name

DEFAULT_DAYS = 30
MAX_DAYS = 3660
COHORT_MONTHS = 6
CHANNELS = ("till", "receipt_qr", "import")
# Ledger rows that give stamps beside a sale's own (which are on the sale).
GIFTS = ("starter", "claim", "surprise", "referral", "adjust", "import")
RARE_ROWS = text(LEDGER_RARE_ROWS)  # ix_ledger_rare_at's condition, as written


@dataclass(frozen=True)
class Week(Result):
    start: date  # the Monday
    visits_members: int
    visits_walkins: int


@dataclass(frozen=True)
class Cohort(Result):
    """Members who enrolled in ``month``, and the share of them who came
    back in each following month (up to the report's end)."""

    month: str  # YYYY-MM
    members: int
    returned: tuple[float, ...]


@dataclass(frozen=True)
class TopCustomer(Result):
    name: str
    card: str  # masked but for the last 4 digits
    visits: int
    spend: Decimal


@dataclass(frozen=True)
class Report(Result):
    start: date
    end: date  # included
    days: int
    members_total: int
    members_new: int
    members_active: int
    checkouts_members: int
    checkouts_walkins: int
    revenue_members: Decimal
    revenue_walkins: Decimal
    avg_basket_members: Decimal
    avg_basket_walkins: Decimal
    visits_per_active_member: float
    repeat_rate: float
    stamps_issued: int
    stamps_expired: int
    coupons_issued: int
    coupons_redeemed: int
    redemption_rate: float
    reward_cost: Decimal
    reward_cost_share: float
    enrolments_by_channel: dict[str, int]
    walkin_enrol_rate: float
    weeks: tuple[Week, ...]
    cohorts: tuple[Cohort, ...]
    top_customers: tuple[TopCustomer, ...]
    verdict: str
    shop: str | None = None  # one shop's report; None: the whole chain's
    refunds: int = 0  # refunds made in the period, of a part of a sale or of the rest of it
    refunded: Decimal = Decimal("0.00")  # what they gave back
    # The sales in which rewards were handed over (``redeem --checkout``), and
    # what those rewards cost a sale on average.
    rewarded_sales: int = 0
    reward_cost_per_sale: Decimal = Decimal("0.00")
    # The customer e-mails, per campaign (kind): sent, held out, who came
    # back after each within 30 days, the uplift and its verdict.
    messages: dict[str, MessageFigures] = field(default_factory=dict)


def period(store: Store, start: object = None, end: object = None) -> tuple[date, date]:
    """The report's days: ``start`` and ``end`` included (``YYYY-MM-DD``);
    by default the last 30 days, today included (shop time)."""
    today = store.local_day(store.now())
    last = _day(end, "to") if end is not None else today
    first = _day(start, "from") if start is not None else last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise InvalidInput(code="invalid_period", phrase="period_reversed", first=first, last=last)
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput(code="invalid_period", phrase="period_too_long", most=MAX_DAYS)
    return first, last


def _day(value: object, what: str) -> date:
    if isinstance(value, datetime):
        raise InvalidInput(code="invalid_period", phrase="period_day_not_time", option=what)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidInput(code="invalid_period", phrase="period_bad_day", option=what, value=str(value)[:20])


def _bounds(store: Store, first: date, last: date) -> tuple[datetime, datetime]:
    """The period as UTC instants: [first 00:00, the day after last 00:00) in shop time."""
    return (
        datetime.combine(first, time(0), store.zone),
        datetime.combine(last + timedelta(days=1), time(0), store.zone),
    )


def _rate(part: float, whole: float) -> float:
    return round(part / whole, 4) if whole else 0.0


def _average(total: Decimal, count: int) -> Decimal:
    return (total / count).quantize(Decimal("0.01")) if count else Decimal("0.00")


def report(store: Store, start: object = None, end: object = None, *, shop: object = None) -> Report:
    """The report of the days ``start`` to ``end`` (shop time), for the whole
    chain or, with ``shop``, for one shop: its sales, the members enrolled
    there, the coupons issued by its sales and used at its tills."""
    first, last = period(store, start, end)
    a, b = _bounds(store, first, last)
    days = (last - first).days + 1
    prev_a, _ = _bounds(store, first - timedelta(days=days), first - timedelta(days=1))
    with store.read() as conn:
        shop_id = shop_id_of(conn, shop) if shop is not None else None
        name = shop_name(conn, shop_id) if shop_id is not None else None
        where = _Shop(shop_id)
        days_seen = _days(conn, a, b, where)
        sales = _totals(days_seen)
        members_active, prev_active, came_back = _returns(conn, prev_a, a, b, where)
        customers_new = _new_members(conn, a, b, where)
        # By the enrolment index, then the few erased ones (their own index) taken off.
        members_total = conn.execute(
            select(func.count()).where(customers.c.created_at < b, *where.members())
        ).scalar_one()
        members_total -= sum(
            1
            for created in conn.execute(
                select(customers.c.created_at).where(customers.c.erased_at.is_not(None), *where.members())
            ).scalars()
            if created < b
        )
        gifts, expired = _ledger_rows(conn, a, b, where)
        issued = conn.execute(
            select(func.count()).where(
                coupons.c.issued_at >= a,
                coupons.c.issued_at < b,
                coupons.c.voided_at.is_(None),
                *where.coupons_issued(),
            )
        ).scalar_one()
        redeemed, cost_cents = conn.execute(
            select(func.count(), func.coalesce(func.sum(coupons.c.cost_cents), 0)).where(
                coupons.c.redeemed_at.is_not(None),
                coupons.c.redeemed_at >= a,
                coupons.c.redeemed_at < b,
                *where.coupons_redeemed(),
            )
        ).one()
        refunds, refunded_cents = conn.execute(
            select(func.count(), func.coalesce(func.sum(checkout_refunds.c.amount_cents), 0))
            .select_from(checkout_refunds.join(checkouts, checkouts.c.id == checkout_refunds.c.checkout_id))
            .where(checkout_refunds.c.at >= a, checkout_refunds.c.at < b, *where.sales())
        ).one()
        rewarded, rewarded_cents = conn.execute(
            select(
                func.count(func.distinct(coupons.c.redeemed_checkout_id)),
                func.coalesce(func.sum(coupons.c.cost_cents), 0),
            ).where(
                coupons.c.redeemed_at.is_not(None),
                coupons.c.redeemed_at >= a,
                coupons.c.redeemed_at < b,
                coupons.c.redeemed_checkout_id.is_not(None),
                *where.coupons_redeemed(),
            )
        ).one()
        claimed = sum(d.claimed for d in days_seen)
        weeks = _weeks(days_seen, first, last)
        cohorts = _cohorts(conn, store, last, b, where)
        top = _top(conn, a, b, where)
        mails = figures(conn, store, a, b, shop_id)
    members = sales.get(False, (0, Decimal("0.00"), 0))
    walkins = sales.get(True, (0, Decimal("0.00"), 0))
    reward_cost = from_cents(int(cost_cents))
    numbers: dict[str, Any] = {
        "members_active": members_active,
        "checkouts_members": members[0],
        "checkouts_walkins": walkins[0],
        "revenue_members": members[1],
        "revenue_walkins": walkins[1],
        "avg_basket_members": _average(members[1], members[0]),
        "avg_basket_walkins": _average(walkins[1], walkins[0]),
        "visits_per_active_member": _rate(members[0], members_active),
        "reward_cost": reward_cost,
        "reward_cost_share": _rate(float(reward_cost), float(members[1])),
    }
    return Report(
        start=first,
        end=last,
        days=days,
        members_total=int(members_total),
        members_new=sum(customers_new.values()),
        repeat_rate=_rate(came_back, prev_active),
        stamps_issued=members[2] + gifts,
        stamps_expired=expired,
        coupons_issued=int(issued),
        coupons_redeemed=int(redeemed),
        redemption_rate=_rate(int(redeemed), int(issued)),
        enrolments_by_channel={channel: customers_new.get(channel, 0) for channel in CHANNELS},
        walkin_enrol_rate=_rate(int(claimed), walkins[0]),
        weeks=weeks,
        cohorts=cohorts,
        top_customers=top,
        verdict=verdict(store.settings.locale, days, numbers),
        shop=name,
        refunds=int(refunds),
        refunded=from_cents(int(refunded_cents)),
        rewarded_sales=int(rewarded),
        reward_cost_per_sale=_average(from_cents(int(rewarded_cents)), int(rewarded)),
        messages=mails,
        **numbers,
    )


@dataclass(frozen=True)
class _Shop:
    """The conditions that narrow each figure to one shop (none for the chain)."""

    id: int | None

    def sales(self) -> tuple[Any, ...]:
        return () if self.id is None else (checkouts.c.shop_id == self.id,)

    def members(self) -> tuple[Any, ...]:
        # A customer is the shop's where their card was enrolled.
        if self.id is None:
            return ()
        return (customers.c.id.in_(select(cards.c.customer_id).where(cards.c.shop_id == self.id)),)

    def _card_shop(self, card_id: Any) -> Any:
        return select(cards.c.shop_id).where(cards.c.id == card_id).scalar_subquery()

    def coupons_issued(self) -> tuple[Any, ...]:
        # Issued by a sale of the shop, or (enrolment, adjustment) to a card of the shop.
        if self.id is None:
            return ()
        sale_shop = (
            select(checkouts.c.shop_id).where(checkouts.c.id == coupons.c.checkout_id).scalar_subquery()
        )
        return (func.coalesce(sale_shop, self._card_shop(coupons.c.card_id)) == self.id,)

    def coupons_redeemed(self) -> tuple[Any, ...]:
        # Used at a till of the shop (a till in no shop: the card's shop).
        if self.id is None:
            return ()
        till_shop = select(tills.c.shop_id).where(tills.c.name == coupons.c.redeemed_till).scalar_subquery()
        return (func.coalesce(till_shop, self._card_shop(coupons.c.card_id)) == self.id,)

    def ledger(self, sale: Any) -> tuple[Any, ...]:
        # A sale's rows are its shop's; the others (enrolment, hand, lapse) the card's shop's.
        if self.id is None:
            return ()
        return (func.coalesce(sale.c.shop_id, self._card_shop(ledger.c.card_id)) == self.id,)


def _in_period(a: datetime, b: datetime, where: _Shop) -> Any:
    return and_(checkouts.c.at >= a, checkouts.c.at < b, checkouts.c.refunded_at.is_(None), *where.sales())


@dataclass(frozen=True)
class _Day:
    """The sales of one shop-local day, members' or walk-ins'."""

    day: str
    walkin: bool
    sales: int
    revenue: Decimal
    stamps: int
    claimed: int  # walk-in sales whose receipt was claimed


def _days(conn: Connection, a: datetime, b: datetime, where: _Shop) -> list[_Day]:
    """One pass over the period's sales, by day and by card or none."""
    walkin = checkouts.c.card_id.is_(None)  # no bound value: the same text in GROUP BY
    rows = conn.execute(
        select(
            checkouts.c.day,
            walkin,
            func.count(),
            # What the sales kept: their parts refunded are taken off.
            func.coalesce(func.sum(checkouts.c.amount_cents - checkouts.c.refunded_cents), 0),
            func.coalesce(func.sum(checkouts.c.stamps - checkouts.c.refunded_stamps), 0),
            func.count(checkouts.c.claimed_card_id),
        )
        .where(_in_period(a, b, where))
        .group_by(checkouts.c.day, walkin)
    ).all()
    return [_Day(d, bool(w), int(n), from_cents(int(c)), int(st), int(cl)) for d, w, n, c, st, cl in rows]


def _totals(days: list[_Day]) -> dict[bool, tuple[int, Decimal, int]]:
    """(sales, revenue, stamps earned) of members' sales (False) and walk-ins' (True)."""
    totals: dict[bool, tuple[int, Decimal, int]] = {}
    for d in days:
        n, revenue, stamps = totals.get(d.walkin, (0, Decimal("0.00"), 0))
        totals[d.walkin] = (n + d.sales, revenue + d.revenue, stamps + d.stamps)
    return totals


def _returns(
    conn: Connection, prev_a: datetime, a: datetime, b: datetime, where: _Shop
) -> tuple[int, int, int]:
    """(members who came in [a, b), in the previous period [prev_a, a), in
    both): one pass over both periods' sales, counted by the database."""
    cards_seen = (
        select(
            func.max(case((checkouts.c.at >= a, 1), else_=0)).label("now"),
            func.max(case((checkouts.c.at < a, 1), else_=0)).label("before"),
        )
        .where(_in_period(prev_a, b, where), checkouts.c.card_id.is_not(None))
        .group_by(checkouts.c.card_id)
        .subquery()
    )
    now, before, both = conn.execute(
        select(
            func.coalesce(func.sum(cards_seen.c.now), 0),
            func.coalesce(func.sum(cards_seen.c.before), 0),
            func.coalesce(func.sum(cards_seen.c.now * cards_seen.c.before), 0),
        )
    ).one()
    return int(now), int(before), int(both)


def _new_members(conn: Connection, a: datetime, b: datetime, where: _Shop) -> dict[str, int]:
    rows = conn.execute(
        select(customers.c.channel, func.count())
        .where(customers.c.created_at >= a, customers.c.created_at < b, *where.members())
        .group_by(customers.c.channel)
    ).all()
    return {channel: int(n) for channel, n in rows}


def _ledger_rows(conn: Connection, a: datetime, b: datetime, where: _Shop) -> tuple[int, int]:
    """(stamps given beside the sales' own, stamps that lapsed) in the period;
    a refunded sale's claim, surprise and referral stamps do not count."""
    sale = aliased(checkouts)
    rows = conn.execute(
        select(ledger.c.kind, func.coalesce(func.sum(ledger.c.stamps), 0))
        .select_from(ledger.outerjoin(sale, sale.c.id == ledger.c.checkout_id))
        .where(
            ledger.c.at >= a,
            ledger.c.at < b,
            RARE_ROWS,  # as written in the partial index, so that it is used
            ledger.c.kind.in_((*GIFTS, "expiry")),
            or_(ledger.c.checkout_id.is_(None), sale.c.refunded_at.is_(None)),
            or_(ledger.c.kind != "adjust", ledger.c.stamps > 0),
            *where.ledger(sale),
        )
        .group_by(ledger.c.kind)
    ).all()
    sums = {kind: int(total) for kind, total in rows}
    return sum(sums.get(k, 0) for k in GIFTS), -sums.get("expiry", 0)


def _weeks(days: list[_Day], first: date, last: date) -> tuple[Week, ...]:
    """Visits per week (Monday to Sunday) of members and walk-ins."""
    counts: dict[date, list[int]] = {}
    monday = first - timedelta(days=first.weekday())
    while monday <= last:
        counts[monday] = [0, 0]
        monday += timedelta(days=7)
    for d in days:
        day = date.fromisoformat(d.day)
        counts[day - timedelta(days=day.weekday())][int(d.walkin)] += d.sales
    return tuple(Week(m, v[0], v[1]) for m, v in counts.items())


def _month_start(day: date, shift: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + shift
    return date(index // 12, index % 12 + 1, 1)


def _cohorts(conn: Connection, store: Store, last: date, b: datetime, where: _Shop) -> tuple[Cohort, ...]:
    """The retention table: for the last months of enrolment up to ``last``,
    the share of their members with a sale in each following month, counted
    in ``card_months`` (kept by the sales and their refunds)."""
    end_month = _month_start(last)
    months = [_month_start(end_month, -back) for back in range(COHORT_MONTHS - 1, -1, -1)]
    keys = [m.strftime("%Y-%m") for m in months]
    came: dict[tuple[str, str], int] = {
        (cohort, month): int(n)
        for month, cohort, n in conn.execute(
            select(card_months.c.month, card_months.c.cohort, func.count())
            .where(
                card_months.c.month > keys[0],
                card_months.c.month <= keys[-1],
                card_months.c.cohort >= keys[0],
                *(
                    ()
                    if where.id is None
                    else (card_months.c.card_id.in_(select(cards.c.id).where(cards.c.shop_id == where.id)),)
                ),
            )
            .group_by(card_months.c.month, card_months.c.cohort)
        )
    }
    rows = []
    for index, month in enumerate(months):
        ma, mb = _bounds(store, month, _month_start(month, 1) - timedelta(days=1))
        size = int(
            conn.execute(
                select(func.count()).where(
                    customers.c.created_at >= ma, customers.c.created_at < mb, *where.members()
                )
            ).scalar_one()
        )
        shares = tuple(_rate(came.get((keys[index], later), 0), size) for later in keys[index + 1 :])
        rows.append(Cohort(keys[index], size, shares))
    return tuple(rows)


def _top(
    conn: Connection, a: datetime, b: datetime, where: _Shop, limit: int = 10
) -> tuple[TopCustomer, ...]:
    """The most frequent customers of the period (the bigger spender first on a tie)."""
    visits = func.count().label("visits")
    spend = func.sum(checkouts.c.amount_cents - checkouts.c.refunded_cents).label("spend")
    best = conn.execute(
        select(checkouts.c.card_id, visits, spend)
        .where(_in_period(a, b, where), checkouts.c.card_id.is_not(None))
        .group_by(checkouts.c.card_id)
        .order_by(visits.desc(), spend.desc(), checkouts.c.card_id)
        .limit(limit)
    ).all()
    if not best:
        return ()
    names = {
        r.id: r
        for r in conn.execute(
            select(cards.c.id, cards.c.number, customers.c.name, customers.c.erased_at)
            .select_from(cards.outerjoin(customers, customers.c.id == cards.c.customer_id))
            .where(cards.c.id.in_([row.card_id for row in best]))
        )
    }
    return tuple(
        TopCustomer(
            first_name(names[row.card_id].name)
            if names[row.card_id].name and names[row.card_id].erased_at is None
            else "—",
            masked_card_number(names[row.card_id].number),
            int(row.visits),
            from_cents(int(row.spend)),
        )
        for row in best
    )


def verdict(locale: str, days: int, f: dict[str, Any]) -> str:
    """One line the owner can act on, from the figures."""
    say = Book(locale)
    if not f["checkouts_members"]:
        return say("report.verdict.nothing")
    times = formats.number(f["visits_per_active_member"], locale, digits=1)
    share = f["reward_cost_share"]
    if not f["checkouts_walkins"]:
        visits = say("report.verdict.visits", times=times, days=days)
        return say("report.verdict.line_no_walkins", visits=visits, share=share)
    gap: Decimal = f["avg_basket_members"] - f["avg_basket_walkins"]
    spend = say("report.verdict.more" if gap >= 0 else "report.verdict.less", amount=abs(gap))
    visits = say("report.verdict.and_visits", times=times, days=days)
    return say("report.verdict.line", spend=spend, visits=visits, share=share)
