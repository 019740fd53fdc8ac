"""Checkout: a sale at the till, for a card or a walk-in."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Row, Select, bindparam, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from .. import db
from ..domain.card_numbers import normalise_card_number
from ..domain.coupon_codes import new_coupon_code
from ..domain.errors import InvalidInput, NotFound, Refused
from ..domain.loyalty import (
    Sale,
    TierStatus,
    birthday_year,
    is_visit,
    multiplier,
    sale_stamps,
    surprise_at,
)
from ..domain.money import from_cents, parse_amount, to_cents
from ..domain.program import Program
from ..domain.rules import advance, cap_for_day
from ..domain.validate import clean_item, clean_key, clean_time
from ..models import cards, checkout_items, checkouts, coupons, customers, ledger
from ..results import CheckoutResult, CouponInfo, MilestoneInfo
from ..store import Store
from . import claims, loyalty, printing, shops
from .stamps import (
    BLANK,
    ERASED,
    LOCKED_CARD_COLUMNS,
    CardRef,
    SaleMarks,
    activate,
    give,
    ledger_row,
    lock_card,
    next_for,
)


def checkout(
    store: Store,
    *,
    amount: object,
    card: str | None = None,
    items: Iterable[object] | None = None,
    idempotency_key: str | None = None,
    at: object = None,
    till: str | None = None,
    receipt: bool = False,
    made_at: datetime | None = None,
) -> CheckoutResult:
    """Record a sale and stamp the card (or keep the stamps claimable).

    The same ``idempotency_key`` again returns the first result and writes
    nothing; with other parameters it is refused. With ``receipt``, a print
    job is committed with the sale (the printer is driven afterwards, so a
    printer fault never loses the sale).

    ``made_at`` is the moment a till that could not reach the database made
    the sale: it is recorded at that moment, like ``at``, but keeps the
    identity of the sale the till first tried to send without one (so the
    replay of a sale that did reach the database is recognised by its key).
    """
    sale = prepare(
        store,
        amount=amount,
        card=card,
        items=items,
        idempotency_key=idempotency_key,
        at=at,
        till=till,
        receipt=receipt,
        made_at=made_at,
    )
    return record(store, sale)


def record(store: Store, sale: SaleInput) -> CheckoutResult:
    """Record a sale checked by ``prepare`` (see ``checkout``)."""
    try:
        # A deadlock or a busy database runs the whole sale again (the key is read again too).
        return db.retry_transient(lambda: _checkout(store, sale))
    except IntegrityError:
        # Two tills sent the same key at once (PostgreSQL): the first one won.
        if sale.key is None:
            raise
        with store.read() as conn:
            first = conn.execute(select(checkouts).where(checkouts.c.idempotency_key == sale.key)).first()
            if first is None:
                raise
            return _replay(conn, store, first, sale.fingerprint)


def replay_batch(store: Store, sales: Sequence[dict[str, Any]]) -> list[CheckoutResult]:
    """Several sales (``checkout``'s keyword arguments each) in one
    transaction, in order: all recorded, or none (an offline till's replay:
    one commit for many sales). Any refusal or conflict raises, and nothing
    of the batch is written."""
    prepared = [prepare(store, **sale) for sale in sales]

    def once() -> list[CheckoutResult]:
        with store.write() as conn:
            return [_record(conn, store, sale) for sale in prepared]

    return db.retry_transient(once)


@dataclass(frozen=True)
class SaleInput:
    """A sale's checked input, and the fingerprint of its key."""

    value: Decimal
    number: str | None
    lines: tuple[Any, ...]
    moment: datetime
    backdated: bool
    key: str | None
    fingerprint: str | None
    till: str | None
    receipt: bool


def prepare(
    store: Store,
    *,
    amount: object,
    card: str | None = None,
    items: Iterable[object] | None = None,
    idempotency_key: str | None = None,
    at: object = None,
    till: str | None = None,
    receipt: bool = False,
    made_at: datetime | None = None,
) -> SaleInput:
    """Check a sale's input (everything that needs no database); a clear
    ``InvalidInput`` for what is wrong."""
    now = store.now()
    value = parse_amount(amount, maximum=None)
    # An empty card number is a mistake (an unset variable in a till script),
    # not a walk-in: a walk-in passes no card at all.
    number = normalise_card_number(card) if card is not None else None
    lines = tuple(clean_item(i) for i in items or ())
    if len(lines) > 500:
        raise InvalidInput("a sale may hold at most 500 items", "invalid_item")
    moment = clean_time(at, now) if at is not None else made_at or now
    key = clean_key(idempotency_key) if idempotency_key is not None else None
    fingerprint = None
    if key is not None:
        fingerprint = hashlib.sha256(
            json.dumps(
                {
                    "card": number,
                    "amount": str(value),
                    "items": [i.to_dict() for i in lines],
                    "at": moment.isoformat() if at is not None else None,
                },
                sort_keys=True,
            ).encode()
        ).hexdigest()
    backdated = at is not None or made_at is not None
    till = till or store.settings.till
    return SaleInput(value, number, lines, moment, backdated, key, fingerprint, till, receipt)


def _checkout(store: Store, sale: SaleInput) -> CheckoutResult:
    with store.write() as conn:
        return _record(conn, store, sale)


def _record(conn: Connection, store: Store, sale: SaleInput) -> CheckoutResult:
    """The sale, written in the caller's transaction."""
    value, number, lines, moment = sale.value, sale.number, sale.lines, sale.moment
    backdated, key, fingerprint, till, receipt = (
        sale.backdated,
        sale.key,
        sale.fingerprint,
        sale.till,
        sale.receipt,
    )
    day = store.day_of(moment)
    shop = store.shop_of(conn, till)
    row = None
    if number is not None:
        # One read for the card (locked), the programme version in force
        # for the sale's shop at its moment, the stamps it already earned
        # today and whether the key was used.
        row = store.prepared("checkout.card", lambda: _card_for_sale(store.postgres)).first(
            conn, number=number, now=moment, key=key, shop=shop, at=moment
        )
        used = row.used if row is not None else None
        if row is None and key is not None:
            used = store.prepared("checkout.key_used", _key_used).scalar(conn, key=key)
    else:
        # A walk-in: the programme version and whether the key was used.
        version, used = store.prepared("checkout.walk_in", _walk_in).first(
            conn, key=key, shop=shop, at=moment
        )
    if used is not None:
        first = conn.execute(select(checkouts).where(checkouts.c.idempotency_key == key)).one()
        return _replay(conn, store, first, fingerprint)
    if number is not None:
        if row is None:
            raise NotFound(f"no card {number} in this shop", "unknown_card")
        if row.status == ERASED:
            raise NotFound(
                f"card {number} was erased at its holder's request: record the sale without a card",
                "card_erased",
            )
        if row.status not in ("active", BLANK):
            raise Refused(f"card {number} is {row.status}", "card_not_active")
        version = row.version
        if backdated:
            created = row.created_at
            if moment < created:
                raise InvalidInput(
                    f"card {number} was created on {created.isoformat()}: a sale at "
                    f"{moment.isoformat()} cannot be recorded on it",
                    "invalid_time",
                )
    program = store.program_or_refuse(conn, version)
    if value > program.earning.max_amount:
        raise InvalidInput(
            f"amount {value} is more than the {program.earning.max_amount} a single sale may be "
            "(program.earning.max_amount)",
            "invalid_amount",
        )
    if row is None:
        times = multiplier(program, None, moment.astimezone(store.zone))  # quiet hours
        stamps = cap_for_day(
            sale_stamps(program, value, (i.category for i in lines), times),
            0,
            program.earning.max_per_day,
        )
        checkout_id = _insert(
            store,
            conn,
            shop,
            till,
            None,
            value,
            moment,
            day,
            version,
            stamps,
            None,
            (),
            key,
            fingerprint,
            0,
            None,
            (),
        )
        _insert_items(store, conn, checkout_id, lines)
        print_job = printing.enqueue(conn, checkout_id, moment, till=till) if receipt else None
        token = _claim_token(conn, store, checkout_id, moment)
        return CheckoutResult(
            checkout=checkout_id,
            card=None,
            amount=value,
            at=moment,
            stamps_added=stamps,
            balance=None,
            stamps_per_card=program.stamps_per_card,
            milestones=(),
            coupons=(),
            program_version=version,
            enrol_url=claims.enrol_url(store.settings.public_url, token),
            claim_token=token,
            print_job=print_job,
        )
    return _card_sale(
        store,
        conn,
        row,
        program,
        version,
        value,
        lines,
        moment,
        day,
        key,
        fingerprint,
        shop,
        till,
        receipt,
    )


def _card_sale(
    store: Store,
    conn: Connection,
    row: Any,
    program: Program,
    version: int,
    value: Decimal,
    lines: tuple[Any, ...],
    moment: datetime,
    day: str,
    key: str | None,
    fingerprint: str | None,
    shop: int,
    till: str | None,
    receipt: bool,
) -> CheckoutResult:
    """A sale on a card: lapse, status, earning, gifts, coupons, in that order."""
    say = loyalty.phrases(store)
    messages: list[str] = []
    local = moment.astimezone(store.zone)
    # 1. Stamps that lapsed before this visit go first.
    lapsed = loyalty.expire(conn, store, row, program, moment)
    balance, cycle = row.balance, row.cycle
    if lapsed is not None:
        balance, cycle = 0, row.cycle + 1
        days = program.expiry.stamps_after_days or 0
        messages.append(say.stamps_expired(lapsed.stamps, store.local_day(lapsed.at), days))
    # 2. The status this visit gives (it counts itself), and its multiplier.
    visit = is_visit(program, value)
    status = TierStatus(None)
    if program.tiers:
        today = local.date()
        before, status = loyalty.status(conn, store, version, row.id, today, Sale(today, value, visit))
        held = before.tier.name if before.tier else None
        if status.tier is not None and status.until is None and status.tier.name != held:
            messages.append(say("tier_reached", tier=status.tier.name))
            if status.tier.perk:
                messages.append(say("tier_perk", tier=status.tier.name, perk=status.tier.perk))
        keep = say.keep_tier(status)
        if keep:
            messages.append(keep)
    times = multiplier(program, status.tier, local)
    # 3. What the sale earns, capped per day; gifts are not capped.
    earned_today = _earned_on(conn, store, row, day)
    stamps = cap_for_day(
        sale_stamps(program, value, (i.category for i in lines), times),
        earned_today,
        program.earning.max_per_day,
    )
    visits = row.visits + int(visit)
    surprise = surprise_at(program.surprises, visits) if visit else None
    referral = program.referral if visit and row.visits == 0 and row.referred_by_card_id else None
    referrer = None
    if referral is not None:
        referrer = lock_card(conn, store, card_id=row.referred_by_card_id)
        if referrer is None or referrer.status != "active":
            referral, referrer = None, None
    # A pre-printed card's first sale hands it out: starter stamps first.
    starter = program.starter_stamps if row.status == BLANK else 0
    extra_rows = []
    if starter:
        extra_rows.append(ledger_row(row.id, moment, "starter", starter))
    gifts = 0
    if surprise is not None:
        gifts += surprise.stamps
        messages.append(surprise.message)
    if referral is not None and referral.referred_stamps:
        gifts += referral.referred_stamps
        messages.append(say("referral_referred", n=referral.referred_stamps))
    planned = advance(balance, cycle, starter + stamps + gifts, program)
    reached = tuple(MilestoneInfo(r.milestone.at, r.milestone.reward) for r in planned.reached)
    cohort = store.local_day(row.created_at).strftime("%Y-%m")
    checkout_id = _insert(
        store,
        conn,
        shop,
        till,
        row.id,
        value,
        moment,
        day,
        version,
        stamps,
        planned.balance,
        reached,
        key,
        fingerprint,
        int(visit),
        status.tier.name if status.tier else None,
        (),
        cohort,
    )
    _insert_items(store, conn, checkout_id, lines)
    store.prepared("card_months.add", _add_card_month).run(conn, month=day[:7], cohort=cohort, card_id=row.id)
    if surprise is not None:
        extra_rows.append(ledger_row(row.id, moment, "surprise", surprise.stamps, checkout_id=checkout_id))
    if referral is not None and referral.referred_stamps:
        extra_rows.append(
            ledger_row(row.id, moment, "referral", referral.referred_stamps, checkout_id=checkout_id)
        )
    print_job = printing.enqueue(conn, checkout_id, moment, till=till) if receipt else None
    if starter or row.status == BLANK:
        activate(conn, row.id)
    # A sale recorded in the past (--at) leaves the card's current day alone.
    current = row.stamp_day is None or day >= row.stamp_day
    last_visit = max(row.last_visit_at, moment) if row.last_visit_at is not None else moment
    given = give(
        conn,
        store,
        CardRef(row.id, row.number, balance, cycle),
        starter + stamps + gifts,
        program,
        kind="earn",
        at=moment,
        origin="checkout",
        checkout_id=checkout_id,
        planned=planned,
        marks=SaleMarks(
            day if current else row.stamp_day,
            earned_today + stamps if current else row.day_stamps,
            visits,
            last_visit,
        ),
        extra_rows=tuple(extra_rows),
    )
    issued = list(given.coupons)
    if referral is not None and referrer is not None and referral.referrer_stamps:
        give(
            conn,
            store,
            CardRef(referrer.id, referrer.number, referrer.balance, referrer.cycle),
            referral.referrer_stamps,
            program,
            kind="referral",
            at=moment,
            origin="referral",
            checkout_id=checkout_id,
        )
    if program.birthday is not None and visit:
        gift = _birthday_coupon(conn, store, row, program, moment, checkout_id)
        if gift is not None:
            issued.append(gift)
            messages.append(say("birthday", reward=gift.reward))
    lapse = loyalty.lapse_at(store, program, last_visit)
    warning = loyalty.stamp_warning(store, program, given.balance, lapse, moment, say)
    if warning:
        messages.append(warning)
    warn = timedelta(days=program.expiry.warn_days)
    if (row.coupon_end is not None and row.coupon_end <= moment + warn) or (
        issued and timedelta(days=program.coupon_valid_days) <= warn
    ):
        messages += loyalty.coupon_warnings(conn, store, row.id, moment, program.expiry.warn_days, say)
    if messages:
        conn.execute(
            update(checkouts)
            .where(checkouts.c.id == checkout_id)
            .values(messages=loyalty.dump_messages(messages))
        )
    return CheckoutResult(
        checkout=checkout_id,
        card=row.number,
        amount=value,
        at=moment,
        stamps_added=stamps + gifts,
        balance=given.balance,
        stamps_per_card=program.stamps_per_card,
        milestones=reached,
        coupons=tuple(issued),
        program_version=version,
        next_milestone=next_for(given.balance, program),
        print_job=print_job,
        tier=status.tier.name if status.tier else None,
        messages=tuple(messages),
    )


def _insert(
    store: Store,
    conn: Connection,
    shop: int,
    till: str | None,
    card_id: int | None,
    value: Decimal,
    moment: datetime,
    day: str,
    version: int,
    stamps: int,
    balance_after: int | None,
    reached: tuple[MilestoneInfo, ...],
    key: str | None,
    fingerprint: str | None,
    visit: int,
    tier: str | None,
    messages: tuple[str, ...],
    cohort: str | None = None,
) -> int:
    return int(
        store.prepared("checkout.insert", _insert_checkout).insert(
            conn,
            shop_id=shop,
            till=till,
            card_id=card_id,
            amount_cents=to_cents(value),
            at=moment,
            day=day,
            program_version_id=version,
            stamps=stamps,
            balance_after=balance_after,
            milestones=",".join(str(m.at) for m in reached),
            idempotency_key=key,
            fingerprint=fingerprint,
            visit=visit,
            tier=tier,
            messages=loyalty.dump_messages(messages),
            cohort=cohort,
        )
    )


def _insert_items(store: Store, conn: Connection, checkout_id: int, lines: tuple[Any, ...]) -> None:
    if lines:
        store.prepared("checkout.items", _insert_item).run_many(
            conn,
            [
                {
                    "checkout_id": checkout_id,
                    "sku": i.sku,
                    "category": i.category,
                    "quantity": i.quantity,
                    "unit_price_cents": to_cents(i.unit_price),
                }
                for i in lines
            ],
        )


def _insert_item() -> Any:
    names = ("checkout_id", "sku", "category", "quantity", "unit_price_cents")
    return insert(checkout_items).values({name: bindparam(name) for name in names})


def _birthday_coupon(
    conn: Connection, store: Store, row: Any, program: Program, moment: datetime, checkout_id: int
) -> CouponInfo | None:
    """The birthday coupon, at the first visit in the window, once a year
    (a coupon of milestone 0, its "cycle" the birthday's year)."""
    assert program.birthday is not None
    if row.customer_id is None:
        return None
    born = conn.execute(select(customers.c.birthday).where(customers.c.id == row.customer_id)).scalar()
    year = birthday_year(program.birthday, born, store.local_day(moment))
    if year is None:
        return None
    taken = conn.execute(
        select(coupons.c.id).where(
            coupons.c.card_id == row.id,
            coupons.c.cycle == year,
            coupons.c.milestone_at == 0,
            coupons.c.voided_at.is_(None),
        )
    ).first()
    if taken is not None:
        return None
    code = new_coupon_code()
    expires = store.end_of_day_after(moment, program.coupon_valid_days)
    conn.execute(
        insert(coupons).values(
            code=code,
            card_id=row.id,
            cycle=year,
            milestone_at=0,
            reward=program.birthday.reward,
            origin="birthday",
            checkout_id=checkout_id,
            issued_at=moment,
            expires_at=expires,
            cost_cents=to_cents(program.birthday.cost) if program.birthday.cost is not None else None,
        )
    )
    return CouponInfo(code, program.birthday.reward, 0, moment, expires)


def _claim_token(conn: Connection, store: Store, checkout_id: int, moment: datetime) -> str:
    """The walk-in receipt's token (the same for an idempotent replay)."""
    last_day = claims.last_claim_day(moment.astimezone(store.zone).date(), store.settings.claim_days)
    return claims.make_token(store.claim_secret(conn), checkout_id, last_day)


def _card_for_sale(postgres: bool) -> Select[Any]:
    # The card and, in the same round trip, the current programme version and
    # when its first live coupon ends (a receipt warns of it within warn_days).
    coupon_end = (
        select(func.min(coupons.c.expires_at))
        .where(
            coupons.c.card_id == cards.c.id,
            coupons.c.redeemed_at.is_(None),
            coupons.c.voided_at.is_(None),
            coupons.c.expires_at >= bindparam("now"),
        )
        .scalar_subquery()
    )
    query = select(
        *LOCKED_CARD_COLUMNS,
        cards.c.created_at,
        # The version in force for the sale's shop at the sale's moment.
        shops.version_at().scalar_subquery().label("version"),
        coupon_end.label("coupon_end"),
        _key_used().scalar_subquery().label("used"),
    ).where(cards.c.number == bindparam("number"))
    return query.with_for_update(of=cards) if postgres else query


def _earned_on(conn: Connection, store: Store, card: Any, day: str) -> int:
    """Stamps the card's sales earned on ``day`` (refunded ones not counted)."""
    if day == card.stamp_day:
        return int(card.day_stamps)
    if card.stamp_day is None or day > card.stamp_day:
        return 0
    # A sale recorded in the past (--at): count that day from the ledger.
    return int(
        store.prepared("checkout.earned_on", _earned_on_query).scalar(conn, card_id=card.id, day=day) or 0
    )


def _earned_on_query() -> Select[Any]:
    return (
        select(func.coalesce(func.sum(checkouts.c.stamps), 0))
        .select_from(ledger.join(checkouts, checkouts.c.id == ledger.c.checkout_id))
        .where(
            ledger.c.card_id == bindparam("card_id"),
            ledger.c.kind == "earn",
            checkouts.c.day == bindparam("day"),
            checkouts.c.refunded_at.is_(None),
        )
    )


def _add_card_month() -> Any:
    # The same text on SQLite and PostgreSQL: a month already there stays.
    return text(
        "INSERT INTO card_months (month, cohort, card_id) VALUES (:month, :cohort, :card_id) "
        "ON CONFLICT DO NOTHING"
    )


def _key_used() -> Select[Any]:
    return select(checkouts.c.id).where(checkouts.c.idempotency_key == bindparam("key"))


def _walk_in() -> Select[Any]:
    return select(
        shops.version_at().scalar_subquery().label("version"), _key_used().scalar_subquery().label("used")
    )


def _insert_checkout() -> Any:
    columns = [
        c.name for c in checkouts.c if c.name not in ("id", "refunded_at", "claimed_card_id", "claimed_at")
    ]
    return insert(checkouts).values({name: bindparam(name) for name in columns})


def _replay(conn: Connection, store: Store, first: Row[Any], fingerprint: str | None) -> CheckoutResult:
    """The first result of an idempotency key, rebuilt from what it wrote."""
    if first.fingerprint != fingerprint:
        raise Refused(
            f"idempotency key {first.idempotency_key!r} was already used for a different sale "
            f"(checkout {first.id})",
            "idempotency_conflict",
        )
    return rebuild(conn, store, first, replayed=True)


def sale_result(store: Store, checkout_id: int) -> CheckoutResult:
    """A recorded sale's result, as it was returned (for its receipt)."""
    with store.read() as conn:
        row = conn.execute(select(checkouts).where(checkouts.c.id == checkout_id)).first()
        if row is None:
            raise NotFound(f"no checkout {checkout_id}", "unknown_checkout")
        return rebuild(conn, store, row, replayed=False)


def rebuild(conn: Connection, store: Store, first: Row[Any], *, replayed: bool) -> CheckoutResult:
    """A sale's result rebuilt from what it wrote."""
    program = store.program(conn, first.program_version_id)
    number = None
    gifts = 0
    if first.card_id is not None:
        number = conn.execute(select(cards.c.number).where(cards.c.id == first.card_id)).scalar_one()
        # A surprise or the referred customer's stamps came with the sale.
        gifts = conn.execute(
            select(func.coalesce(func.sum(ledger.c.stamps), 0)).where(
                ledger.c.card_id == first.card_id,
                ledger.c.checkout_id == first.id,
                ledger.c.kind.in_(("surprise", "referral")),
            )
        ).scalar_one()
    issued = tuple(
        CouponInfo(c.code, c.reward, c.milestone_at, c.issued_at, c.expires_at)
        for c in conn.execute(
            select(coupons)
            .where(coupons.c.checkout_id == first.id, coupons.c.origin.in_(("checkout", "birthday")))
            .order_by(coupons.c.id)
        )
    )
    reached = []
    for at in filter(None, first.milestones.split(",")):
        milestone = program.milestone_at(int(at))
        reached.append(MilestoneInfo(int(at), milestone.reward if milestone else ""))
    token = None
    if first.card_id is None:
        token = _claim_token(conn, store, first.id, first.at)
    return CheckoutResult(
        checkout=first.id,
        card=number,
        amount=from_cents(first.amount_cents),
        at=first.at,
        stamps_added=first.stamps + int(gifts),
        balance=first.balance_after,
        stamps_per_card=program.stamps_per_card,
        milestones=tuple(reached),
        coupons=issued,
        program_version=first.program_version_id,
        enrol_url=claims.enrol_url(store.settings.public_url, token) if token else None,
        claim_token=token,
        next_milestone=next_for(first.balance_after, program) if first.balance_after is not None else None,
        replayed=replayed,
        print_job=printing.first_job(conn, first.id),
        tier=first.tier,
        messages=loyalty.load_messages(first.messages),
    )
