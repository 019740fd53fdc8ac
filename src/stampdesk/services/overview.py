"""The owner's overview of a shop-local day: sales, stamps, cards, coupons.

One read transaction, so the figures agree with each other. Times are
compared with the day's bounds in UTC (the shop's midnight to the next), so
the indexed ``checkouts.at`` column serves the biggest count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import Connection, and_, case, func, select
from sqlalchemy.sql import ColumnElement

from ..domain.money import from_cents
from ..models import checkouts, coupons, customers, ledger, mail_outbox
from ..results import Result
from ..store import Store


@dataclass(frozen=True)
class Overview(Result):
    """One shop-local day at a glance.

    ``sales`` and ``amount`` count the sales of the day that are kept
    (refunded ones are in ``refunded`` instead); ``stamps_given`` is the
    stamps those sales earned (walk-ins' included) plus the starter stamps of
    the day's new cards; ``coupons_issued`` leaves out coupons a refund voided.
    """

    day: date
    sales: int
    amount: Decimal
    refunded: int
    stamps_given: int
    enrolments: int
    coupons_issued: int
    coupons_redeemed: int
    printer_url: str | None
    # The customer e-mails: sent on the day, waiting to go now, refused or
    # lost (failed, uncertain) among those decided in the 7 days to the
    # day's end; whether a mail server is set at all ([mail]).
    mails_sent: int = 0
    mails_waiting: int = 0
    mails_failed: int = 0
    mail_server: bool = False


def day_bounds(store: Store, day: date) -> tuple[datetime, datetime]:
    """The UTC times of ``day``'s shop-local midnight and of the next one."""
    start = datetime.combine(day, time(0), store.zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), store.zone).astimezone(UTC)
    return start, end


def overview(store: Store, day: date | None = None) -> Overview:
    """The figures of ``day`` (default: today in the shop's time zone)."""
    if day is None:
        day = date.fromisoformat(store.day_of(store.now()))
    start, end = day_bounds(store, day)
    with store.read() as conn:
        return _overview(conn, store, day, start, end)


def _within(column: ColumnElement[datetime], start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


def _overview(conn: Connection, store: Store, day: date, start: datetime, end: datetime) -> Overview:
    kept = checkouts.c.refunded_at.is_(None)
    sales = conn.execute(
        select(
            func.coalesce(func.sum(case((kept, 1), else_=0)), 0),
            func.coalesce(
                func.sum(case((kept, checkouts.c.amount_cents - checkouts.c.refunded_cents), else_=0)), 0
            ),
            func.coalesce(func.sum(case((kept, 0), else_=1)), 0),
            func.coalesce(
                func.sum(case((kept, checkouts.c.stamps - checkouts.c.refunded_stamps), else_=0)), 0
            ),
        ).where(_within(checkouts.c.at, start, end))
    ).one()
    starter = conn.execute(
        select(func.coalesce(func.sum(ledger.c.stamps), 0)).where(
            ledger.c.kind == "starter", _within(ledger.c.at, start, end)
        )
    ).scalar_one()
    enrolments = conn.execute(
        select(func.count()).select_from(customers).where(_within(customers.c.created_at, start, end))
    ).scalar_one()
    issued = conn.execute(
        select(func.count())
        .select_from(coupons)
        .where(_within(coupons.c.issued_at, start, end), coupons.c.voided_at.is_(None))
    ).scalar_one()
    redeemed = conn.execute(
        select(func.count()).select_from(coupons).where(_within(coupons.c.redeemed_at, start, end))
    ).scalar_one()
    state = mail_outbox.c.state
    mails = conn.execute(
        select(
            func.coalesce(
                func.sum(case((and_(state == "sent", _within(mail_outbox.c.sent_at, start, end)), 1))), 0
            ),
            func.coalesce(func.sum(case((state == "queued", 1))), 0),
            func.coalesce(
                func.sum(
                    case(
                        (
                            and_(
                                state.in_(("failed", "uncertain")),
                                _within(mail_outbox.c.decided_at, end - timedelta(days=7), end),
                            ),
                            1,
                        )
                    )
                ),
                0,
            ),
        ).where(mail_outbox.c.state.in_(("sent", "queued", "failed", "uncertain")))
    ).one()
    return Overview(
        day=day,
        sales=int(sales[0]),
        amount=from_cents(int(sales[1])),
        refunded=int(sales[2]),
        stamps_given=int(sales[3]) + int(starter),
        enrolments=int(enrolments),
        coupons_issued=int(issued),
        coupons_redeemed=int(redeemed),
        printer_url=store.settings.printer.url,
        mails_sent=int(mails[0]),
        mails_waiting=int(mails[1]),
        mails_failed=int(mails[2]),
        mail_server=store.settings.mail is not None,
    )
