"""Checkout: a sale at the till, for a card or a walk-in."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    Select,
    and_,
    bindparam,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError

from .. import db
from ..domain.card_numbers import normalise_card_number
from ..domain.coupon_status import coupon_status
from ..domain.errors import InvalidInput, NotFound, Refused
from ..domain.idempotency import key_kept, key_scope
from ..domain.loyalty import Sale
from ..domain.money import from_cents, parse_amount, to_cents
from ..domain.outcomes import Outcome
from ..domain.program import Program
from ..domain.sale import (
    NO_NEEDS,
    CardSnapshot,
    NewSale,
    SaleHistory,
    SaleNeeds,
    SalePlan,
    plan_sale,
    sale_needs,
)
from ..domain.stamps import ACTIVE, BLANK, ERASED, THIS_SALE, LedgerEntry, NewCoupon
from ..domain.validate import clean_item, clean_key, clean_time
from ..models import cards, checkout_items, checkout_refunds, checkouts, coupons, customers, ledger
from ..results import CheckoutResult, CouponInfo, MilestoneInfo, RecordedSale, ReturnedItem, SaleRefund
from ..store import Store
from . import claims, loyalty, printing, shops
from .stamps import (
    LOCKED_CARD_COLUMNS,
    CardRef,
    coupon_info,
    give,
    live_keys,
    lock_card,
    next_for,
    parse_live_keys,
    write_entries,
)


def checkout(store: Store, **sale: Any) -> CheckoutResult:
    """Record a sale and stamp the card (or keep the stamps claimable):
    ``prepare``'s keywords (``amount``, ``card``, ``items``,
    ``idempotency_key``, ``at``, ``till``, ``receipt``, ``made_at``).

    The same ``idempotency_key`` again from the same till returns the first
    result and writes nothing; with other parameters it is refused. A key is
    its till's (``till``, else the settings' till; no till at all is a scope
    of its own): another till's sale with the same key is a new sale. It is
    kept ``idempotency_days`` from its first use, then it is a new sale too.
    With ``receipt``, a print job is committed with the sale (the printer is
    driven afterwards, so a printer fault never loses the sale).

    ``made_at`` is the moment a till that could not reach the database made
    the sale: it is recorded at that moment, like ``at``, but keeps the
    identity of the sale the till first tried to send without one (so the
    replay of a sale that did reach the database is recognised by its key).
    """
    return record(store, prepare(store, **sale))


def record(store: Store, sale: SaleInput) -> CheckoutResult:
    """Record a sale checked by ``prepare`` (see ``checkout``)."""
    try:
        # A deadlock or a busy database runs the whole sale again (the key is read again too).
        return db.retry_transient(lambda: _checkout(store, sale))
    except IntegrityError:
        # One till sent the same key twice at once (PostgreSQL): the first one won.
        if sale.key is None:
            raise
        with store.read() as conn:
            first = _first_of_key(conn, sale)
            if first is None or not _kept(store, sale, first):
                raise
            return _replay(conn, store, first, sale)


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
    scope: str  # whose key it is: the till's name, "" for none
    sent_at: datetime  # when it was sent: its key's first use, if the key is new
    given_at: bool  # ``at`` was given (it is part of the fingerprint)


MAX_ITEMS = 500  # lines in one sale


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
    if len(lines) > MAX_ITEMS:
        raise InvalidInput(code="invalid_item", phrase="too_many_items", most=MAX_ITEMS)
    moment = clean_time(at, now) if at is not None else made_at or now
    key = clean_key(idempotency_key) if idempotency_key is not None else None
    backdated = at is not None or made_at is not None
    till = till or store.settings.till
    scope = key_scope(till)
    fingerprint = None
    if key is not None:
        fingerprint = _fingerprint(number, value, lines, moment if at is not None else None, scope)
    return SaleInput(
        value, number, lines, moment, backdated, key, fingerprint, till, receipt, scope, now, at is not None
    )


def _fingerprint(
    number: str | None, value: Decimal, lines: tuple[Any, ...], at: datetime | None, scope: str | None
) -> str:
    """What a sale asked for, hashed, with whose it is; ``scope`` None: as
    stampdesk hashed it before keys had a scope (sales recorded then)."""
    asked: dict[str, Any] = {
        "card": number,
        "amount": str(value),
        "items": [i.to_dict() for i in lines],
        "at": at.isoformat() if at is not None else None,
    }
    if scope is not None:
        asked["scope"] = scope
    return hashlib.sha256(json.dumps(asked, sort_keys=True).encode()).hexdigest()


def _checkout(store: Store, sale: SaleInput) -> CheckoutResult:
    # Most sales need no lock held while they are worked out (see _unlocked).
    for _ in range(UNLOCKED_TRIES):
        result = _unlocked(store, sale)
        if result is LOCK:
            break
        if result is not MOVED:
            return result  # type: ignore[return-value]
    with store.write() as conn:
        return _record(conn, store, sale)


# What ``_unlocked`` returns when the card changed under it (it may be
# tried again), and when the sale needs its card locked.
MOVED = object()
LOCK = object()
UNLOCKED_TRIES = 3


def _unlocked(store: Store, sale: SaleInput) -> object:
    """A sale worked out from the card as read, without a lock, then written
    only if the card is still as read: on PostgreSQL by one statement in
    its own transaction (a till's sale is two round trips and two
    statements); on SQLite in a write transaction that holds the file's
    lock only while the rows are written.

    ``MOVED`` when another till changed the card meanwhile (the caller
    tries again); ``LOCK`` for what needs the card locked, or the locked
    path's answer: a replayed key, a referral's gift to another card, a
    pre-printed card's first sale, a card unknown or not active."""
    with store.unlocked() as conn:
        shop = store.shop_of(conn, sale.till)
        new = _new_sale(store, sale)
        if sale.number is None:
            version, used = store.prepared("checkout.walk_in", _walk_in).first(
                conn, key=sale.key, scope=sale.scope, shop=shop, at=sale.moment
            )
            if used is not None:
                return LOCK
            program = store.program_or_refuse(conn, version)
            worked = _worked(store, program, version, None, plan_sale(None, program, new))
        else:
            row = store.prepared(
                "checkout.card_read", lambda: _card_for_sale(store.postgres, lock=False)
            ).first(
                conn,
                number=sale.number,
                now=sale.moment,
                key=sale.key,
                scope=sale.scope,
                shop=shop,
                at=sale.moment,
            )
            if row is None or row.used is not None or row.status != ACTIVE:
                return LOCK  # the locked path says what is wrong, or replays the key
            program = store.program_or_refuse(conn, row.version)
            card = _snapshot(row)
            needs = sale_needs(card, program, new)
            if needs.referrer:
                return LOCK  # a referral may give the referrer stamps: two cards locked
            history, _ = _history(conn, store, row, needs, new)
            worked = _worked(store, program, row.version, row, plan_sale(card, program, new, history))
        with store.write_on(conn) as writer:
            written = _write(writer, store, _rows(store, sale, shop, worked), sale.receipt)
        if written is None:
            return MOVED
        return _result(store, conn, sale, worked, *written)


def _record(conn: Connection, store: Store, sale: SaleInput) -> CheckoutResult:
    """The sale, written in the caller's transaction, its card locked."""
    number, key = sale.number, sale.key
    shop = store.shop_of(conn, sale.till)
    row = None
    if number is not None:
        # One read for the card (locked), the programme version in force
        # for the sale's shop at its moment, the stamps it already earned
        # today and whether the key was used.
        row = store.prepared("checkout.card", lambda: _card_for_sale(store.postgres, lock=True)).first(
            conn, number=number, now=sale.moment, key=key, scope=sale.scope, shop=shop, at=sale.moment
        )
        used = row.used if row is not None else None
        if row is None and key is not None:
            used = store.prepared("checkout.key_used", _key_used).scalar(conn, key=key, scope=sale.scope)
    else:
        # A walk-in: the programme version and whether the key was used.
        version, used = store.prepared("checkout.walk_in", _walk_in).first(
            conn, key=key, scope=sale.scope, shop=shop, at=sale.moment
        )
    first = _first_of_key(conn, sale) if used is not None else None
    if first is not None:
        if _kept(store, sale, first):
            return _replay(conn, store, first, sale)
        # Past its window the key is forgotten: its sale keeps it, out of
        # the index, and this is a new sale.
        conn.execute(update(checkouts).where(checkouts.c.id == first.id).values(idempotency_scope=None))
    new = _new_sale(store, sale)
    referrer = None
    if row is None:
        if number is not None:
            raise NotFound(code="unknown_card", number=number)
        program = store.program_or_refuse(conn, version)
        worked = _worked(store, program, version, None, plan_sale(None, program, new))
    else:
        if row.status == ERASED:
            raise NotFound(code="card_erased", phrase="card_erased_at_sale", number=number)
        if row.status not in (ACTIVE, BLANK):
            raise Refused(code="card_not_active", phrase="card_status", number=number, status=row.status)
        program = store.program_or_refuse(conn, row.version)
        card = _snapshot(row)
        history, referrer = _history(conn, store, row, sale_needs(card, program, new), new)
        worked = _worked(store, program, row.version, row, plan_sale(card, program, new, history))
    written = _write(conn, store, _rows(store, sale, shop, worked), sale.receipt)
    assert written is not None
    checkout_id, print_job = written
    if referrer is not None and worked.plan.referrer_stamps:
        give(
            conn,
            store,
            CardRef(referrer.id, referrer.number, referrer.balance, referrer.cycle),
            worked.plan.referrer_stamps,
            program,
            kind="referral",
            at=sale.moment,
            origin="referral",
            checkout_id=checkout_id,
        )
    return _result(store, conn, sale, worked, checkout_id, print_job)


def _new_sale(store: Store, sale: SaleInput) -> NewSale:
    return NewSale(sale.value, tuple(i.category for i in sale.lines), sale.moment, store.zone, sale.backdated)


def _snapshot(row: Any) -> CardSnapshot:
    """The card as the sale's read gave it."""
    return CardSnapshot(
        number=row.number,
        balance=row.balance,
        cycle=row.cycle,
        status=row.status,
        stamp_day=row.stamp_day,
        day_stamps=row.day_stamps,
        visits=row.visits,
        last_visit_at=row.last_visit_at,
        created_at=row.created_at,
        referred=row.referred_by_card_id is not None,
        enrolled=row.customer_id is not None,
        coupon_end=row.coupon_end,
        held=parse_live_keys(row.live),
    )


def _history(
    conn: Connection, store: Store, row: Any, needs: SaleNeeds, new: NewSale
) -> tuple[SaleHistory, Any]:
    """What the sale needs to know beyond the card's read (most sales:
    nothing), and the referrer's card, locked, when a referral needs it."""
    if needs is NO_NEEDS:
        return _NO_HISTORY, None
    day_stamps = None
    if needs.day_stamps:
        # A sale recorded in the past (--at): that day's stamps, from the ledger.
        day = store.day_of(new.at)
        day_stamps = int(
            store.prepared("checkout.earned_on", _earned_on_query).scalar(conn, card_id=row.id, day=day) or 0
        )
    sales: tuple[Sale, ...] = ()
    tiers = None
    if needs.sales_since is not None:
        sales = tuple(loyalty.card_sales(conn, store, row.id, needs.sales_since))
        tiers = loyalty.tiers_on(store, conn, row.version)
    born = None
    if needs.birthday:
        born = conn.execute(select(customers.c.birthday).where(customers.c.id == row.customer_id)).scalar()
    live: tuple[tuple[str, datetime], ...] = ()
    if needs.coupons:
        live = tuple(loyalty.live_coupons(conn, row.id))
    referrer = None
    if needs.referrer:
        referrer = lock_card(conn, store, card_id=row.referred_by_card_id)
    history = SaleHistory(
        day_stamps=day_stamps,
        sales=sales,
        tiers=tiers,
        born=born,
        coupons=live,
        referrer_active=referrer is not None and referrer.status == ACTIVE,
    )
    return history, referrer


_NO_HISTORY = SaleHistory()


@dataclass(frozen=True)
class _Worked:
    """A sale worked out: its programme and version, the card as read (its
    write happens only if the card still is, when read unlocked), the plan,
    its notices in the shop's words (the receipt's lines) and its outcomes."""

    program: Program
    version: int
    was: Any
    plan: SalePlan
    messages: tuple[str, ...]
    outcomes: tuple[str, ...]


def _worked(store: Store, program: Program, version: int | None, row: Any, plan: SalePlan) -> _Worked:
    assert version is not None
    messages: tuple[str, ...] = ()
    if plan.notices:
        say = loyalty.phrases(store)
        messages = tuple(say.render(n) for n in plan.notices)
    return _Worked(program, version, row, plan, messages, tuple(o.value for o in plan.outcomes))


@dataclass(frozen=True)
class _Rows:
    """A sale's rows to write (the sale's own id in none of them yet)."""

    checkout: dict[str, Any]  # the checkouts row, but its id
    items: list[dict[str, Any]]  # checkout_items rows, but checkout_id
    card: dict[str, Any] | None  # the card's new columns (a card sale)
    was: Any  # the card as read
    entries: tuple[LedgerEntry, ...]
    coupons: tuple[NewCoupon, ...]


def _rows(store: Store, sale: SaleInput, shop: int, worked: _Worked) -> _Rows:
    plan, row = worked.plan, worked.was
    card = None
    if row is not None:
        assert plan.card is not None
        card = {
            "card_id": row.id,
            "balance": plan.card.balance,
            "cycle": plan.card.cycle,
            "status": plan.card.status,
            "stamp_day": plan.card.stamp_day,
            "day_stamps": plan.card.day_stamps,
            "visits": plan.card.visits,
            "last_visit_at": plan.card.last_visit_at,
        }
    checkout = {
        "shop_id": shop,
        "till": sale.till,
        "card_id": row.id if row is not None else None,
        "amount_cents": to_cents(sale.value),
        "at": sale.moment,
        "day": plan.day,
        "program_version_id": worked.version,
        "stamps": plan.stamps,
        "balance_after": plan.balance,
        "milestones": ",".join(str(r.milestone.at) for r in plan.rewarded),
        "idempotency_key": sale.key,
        "fingerprint": sale.fingerprint,
        "idempotency_scope": sale.scope if sale.key is not None else None,
        "idempotency_at": sale.sent_at if sale.key is not None else None,
        "visit": int(plan.visit),
        "tier": plan.tier,
        "messages": loyalty.dump_messages(worked.messages),
        "cohort": store.local_day(row.created_at).strftime("%Y-%m") if row is not None else None,
        "outcomes": ",".join(worked.outcomes) or None,
    }
    items = [
        {
            "sku": i.sku,
            "category": i.category,
            "quantity": i.quantity,
            "unit_price_cents": to_cents(i.unit_price),
        }
        for i in sale.lines
    ]
    return _Rows(checkout, items, card, row, plan.entries, plan.coupons)


def _result(
    store: Store, conn: Connection, sale: SaleInput, worked: _Worked, checkout_id: int, print_job: int | None
) -> CheckoutResult:
    plan, program = worked.plan, worked.program
    if worked.was is None:
        token = _claim_token(conn, store, checkout_id, sale.moment)
        return CheckoutResult(
            checkout=checkout_id,
            card=None,
            amount=sale.value,
            at=sale.moment,
            stamps_added=plan.stamps_added,
            balance=None,
            stamps_per_card=program.stamps_per_card,
            milestones=(),
            coupons=(),
            program_version=worked.version,
            enrol_url=claims.enrol_url(store.settings.public_url, token),
            claim_token=token,
            print_job=print_job,
            outcomes=worked.outcomes,
        )
    assert plan.card is not None
    return CheckoutResult(
        checkout=checkout_id,
        card=worked.was.number,
        amount=sale.value,
        at=sale.moment,
        stamps_added=plan.stamps_added,
        balance=plan.card.balance,
        stamps_per_card=program.stamps_per_card,
        milestones=tuple(MilestoneInfo(r.milestone.at, r.milestone.reward) for r in plan.rewarded),
        coupons=tuple(coupon_info(c) for c in plan.coupons),
        program_version=worked.version,
        next_milestone=next_for(plan.card.balance, program),
        print_job=print_job,
        tier=plan.tier,
        messages=worked.messages,
        outcomes=worked.outcomes,
        starter_stamps=plan.starter_stamps,
    )


# ----------------------------------------------------------------------
# Writing a sale worked out


def _write(conn: Connection, store: Store, rows: _Rows, receipt: bool) -> tuple[int, int | None] | None:
    """Write a sale's rows, and with ``receipt`` its receipt's print job,
    if its card is still as the plan read it (it is, when it was read
    locked): the new sale's id and its print job's, or None and nothing
    written when the card changed meanwhile."""
    if store.postgres:
        return _write_postgres(conn, store, rows, receipt)
    card = rows.card
    if card is not None:
        changed = store.prepared("cards.sale", _update_card).count(conn, **card, **_guard(rows.was))
        if not changed:
            return None
    checkout_id = store.prepared("checkout.insert", _insert_checkout).insert(conn, **rows.checkout)
    if rows.items:
        store.prepared("checkout.items", _insert_item).run_many(
            conn, [{**i, "checkout_id": checkout_id} for i in rows.items]
        )
    if card is not None:
        store.prepared("card_months.add", _add_card_month).run(
            conn, month=rows.checkout["day"][:7], cohort=rows.checkout["cohort"], card_id=card["card_id"]
        )
        write_entries(conn, store, card["card_id"], rows.entries, rows.coupons, checkout_id)
    at, till = rows.checkout["at"], rows.checkout["till"]
    return checkout_id, printing.enqueue(conn, checkout_id, at, till=till) if receipt else None


def _guard(was: Any) -> dict[str, Any]:
    return {
        "w_balance": was.balance,
        "w_cycle": was.cycle,
        "w_status": was.status,
        "w_stamp_day": was.stamp_day,
        "w_day_stamps": was.day_stamps,
        "w_visits": was.visits,
        "w_last_visit_at": was.last_visit_at,
        "w_customer_id": was.customer_id,
    }


def _update_card() -> Any:
    # The card's new state, only if it is still as it was read.
    still = and_(
        cards.c.balance == bindparam("w_balance"),
        cards.c.cycle == bindparam("w_cycle"),
        cards.c.status == bindparam("w_status"),
        cards.c.stamp_day.is_not_distinct_from(bindparam("w_stamp_day", type_=cards.c.stamp_day.type)),
        cards.c.day_stamps == bindparam("w_day_stamps"),
        cards.c.visits == bindparam("w_visits"),
        cards.c.last_visit_at.is_not_distinct_from(
            bindparam("w_last_visit_at", type_=cards.c.last_visit_at.type)
        ),
        cards.c.customer_id.is_not_distinct_from(bindparam("w_customer_id", type_=cards.c.customer_id.type)),
    )
    return (
        update(cards)
        .where(cards.c.id == bindparam("card_id"), still)
        .values({name: bindparam(name) for name in _CARD_COLUMNS})
    )


_CARD_COLUMNS = ("balance", "cycle", "status", "stamp_day", "day_stamps", "visits", "last_visit_at")


def _write_postgres(
    conn: Connection, store: Store, rows: _Rows, receipt: bool
) -> tuple[int, int | None] | None:
    # One statement: on a connection in autocommit mode it is its own
    # transaction, all of it or nothing. Its rows travel as JSON documents
    # (psycopg dumps a list parameter element by element, in Python), and
    # it stays under psycopg's limits for caching its parsing (50
    # parameters, 4,096 characters: see test_write_transactions).
    args: dict[str, Any] = {**rows.checkout, "items": _json(rows.items), "receipt": receipt}
    if rows.card is None:
        return store.prepared("checkout.walk_in_write", _walk_in_sql).first(conn, **args)  # type: ignore[no-any-return]
    args.update(rows.card)
    args.update(_guard(rows.was))
    args["coupons"] = _json(
        [
            {
                "code": c.code,
                "cycle": c.cycle,
                "milestone_at": c.milestone_at,
                "final_reward": int(c.final_reward),
                "reward": c.reward,
                "origin": c.origin,
                "expires_at": c.expires_at.isoformat(),
                "cost_cents": to_cents(c.cost) if c.cost is not None else None,
            }
            for c in rows.coupons
        ]
    )
    args["rows"] = _json(
        [
            {
                "at": e.at.isoformat(),
                "kind": e.kind,
                "stamps": e.stamps,
                "cycles": e.cycles,
                "checkout_id": e.checkout_id == THIS_SALE,
                "coupon": e.coupon,
                "reason": e.reason,
            }
            for e in rows.entries
        ]
    )
    return store.prepared("checkout.card_write", _card_sale_sql).first(conn, **args)  # type: ignore[no-any-return]


def _json(rows: Sequence[dict[str, Any]]) -> str:
    return json.dumps(rows, separators=(",", ":"))


_INSERT_SALE = """
  INSERT INTO checkouts (shop_id, till, card_id, amount_cents, at, day, program_version_id, stamps,
    balance_after, milestones, idempotency_key, fingerprint, idempotency_scope, idempotency_at, visit,
    tier, messages, cohort, outcomes)
  SELECT :shop_id, :till, {card}, :amount_cents, :at, :day, :program_version_id, :stamps,
    :balance_after, :milestones, :idempotency_key, :fingerprint, :idempotency_scope, :idempotency_at,
    :visit, :tier, :messages, :cohort, :outcomes
  {source} RETURNING id
"""
_INSERT_ITEMS = """
  INSERT INTO checkout_items (checkout_id, sku, category, quantity, unit_price_cents)
  SELECT c.id, x.sku, x.category, x.quantity, x.unit_price_cents FROM c,
    ROWS FROM (json_to_recordset(CAST(:items AS json))
      AS (sku text, category text, quantity integer, unit_price_cents bigint))
    WITH ORDINALITY AS x(sku, category, quantity, unit_price_cents, n)
  ORDER BY x.n
"""


_PRINT_JOB = """
  INSERT INTO print_jobs (checkout_id, kind, created_at, till)
  SELECT c.id, 'sale', :at, :till FROM c WHERE CAST(:receipt AS boolean) RETURNING id
"""
_ANSWER = "SELECT c.id, (SELECT p.id FROM p) FROM c"


def _walk_in_sql() -> Any:
    sale = _INSERT_SALE.format(card="NULL", source="")
    return text(f"WITH c AS ({sale}), i AS ({_INSERT_ITEMS}), p AS ({_PRINT_JOB}) {_ANSWER}")


def _card_sale_sql() -> Any:
    # The card's update decides: no row back (the card moved), nothing written.
    sale = _INSERT_SALE.format(card="u.id", source="FROM u")
    return text(
        f"""WITH u AS (
  UPDATE cards SET balance = :balance, cycle = :cycle, status = :status, stamp_day = :stamp_day,
    day_stamps = :day_stamps, visits = :visits, last_visit_at = :last_visit_at
  WHERE id = :card_id AND balance = :w_balance AND cycle = :w_cycle AND status = :w_status
    AND stamp_day IS NOT DISTINCT FROM CAST(:w_stamp_day AS text) AND day_stamps = :w_day_stamps
    AND visits = :w_visits AND last_visit_at IS NOT DISTINCT FROM CAST(:w_last_visit_at AS timestamptz)
    AND customer_id IS NOT DISTINCT FROM CAST(:w_customer_id AS bigint)
  RETURNING id
), c AS ({sale}), i AS ({_INSERT_ITEMS}), m AS (
  INSERT INTO card_months (month, cohort, card_id) SELECT substr(:day, 1, 7), :cohort, u.id FROM u
  ON CONFLICT DO NOTHING
), k AS (
  INSERT INTO coupons (code, card_id, cycle, milestone_at, final_reward, reward, origin, checkout_id,
    issued_at, expires_at, cost_cents)
  SELECT x.code, :card_id, x.cycle, x.milestone_at, x.final_reward, x.reward, x.origin, c.id, :at,
    x.expires_at, x.cost_cents
  FROM c, ROWS FROM (json_to_recordset(CAST(:coupons AS json)) AS (code text, cycle integer,
    milestone_at integer, final_reward integer, reward text, origin text, expires_at timestamptz,
    cost_cents bigint))
    WITH ORDINALITY AS x(code, cycle, milestone_at, final_reward, reward, origin, expires_at, cost_cents, n)
  ORDER BY x.n
  RETURNING id, code
), l AS (
  INSERT INTO ledger (card_id, at, kind, stamps, cycles, checkout_id, coupon_id, reason)
  SELECT :card_id, x.at, x.kind, x.stamps, x.cycles, CASE WHEN x.checkout_id THEN c.id END,
    (SELECT k.id FROM k WHERE k.code = x.coupon), x.reason
  FROM c, ROWS FROM (json_to_recordset(CAST(:rows AS json)) AS (at timestamptz, kind text,
    stamps integer, cycles integer, checkout_id boolean, coupon text, reason text))
    WITH ORDINALITY AS x(at, kind, stamps, cycles, checkout_id, coupon, reason, n)
  ORDER BY x.n
), p AS ({_PRINT_JOB})
{_ANSWER}"""
    )


def _insert_item() -> Any:
    names = ("checkout_id", "sku", "category", "quantity", "unit_price_cents")
    return insert(checkout_items).values({name: bindparam(name) for name in names})


def _claim_token(conn: Connection, store: Store, checkout_id: int, moment: datetime) -> str:
    """The walk-in receipt's token (the same for an idempotent replay)."""
    last_day = claims.last_claim_day(moment.astimezone(store.zone).date(), store.settings.claim_days)
    return claims.make_token(store.claim_secret(conn), checkout_id, last_day)


def _card_for_sale(postgres: bool, *, lock: bool) -> Select[Any]:
    # The card and, in the same round trip, the current programme version,
    # when its first live coupon ends (a receipt warns of it within
    # warn_days), whether the key was used and the milestones it holds
    # coupons for. ``lock``: FOR UPDATE (PostgreSQL; SQLite's write
    # transaction holds the whole file).
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
        live_keys(postgres).label("live"),
    ).where(cards.c.number == bindparam("number"))
    return query.with_for_update(of=cards) if postgres and lock else query


def _earned_on_query() -> Select[Any]:
    return (
        select(func.coalesce(func.sum(checkouts.c.stamps - checkouts.c.refunded_stamps), 0))
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
    # The sale of this till's key, kept or not (``_kept`` tells).
    return select(checkouts.c.id).where(
        checkouts.c.idempotency_scope == bindparam("scope"), checkouts.c.idempotency_key == bindparam("key")
    )


def _first_of_key(conn: Connection, sale: SaleInput) -> Row[Any] | None:
    """The sale that first used this sale's key, from the same till."""
    return conn.execute(
        select(checkouts).where(
            checkouts.c.idempotency_scope == sale.scope, checkouts.c.idempotency_key == sale.key
        )
    ).first()


def _kept(store: Store, sale: SaleInput, first: Row[Any]) -> bool:
    """Whether the first sale's key still answers (``idempotency_days``)."""
    return key_kept(first.idempotency_at, sale.sent_at, store.settings.idempotency_days)


def _walk_in() -> Select[Any]:
    return select(
        shops.version_at().scalar_subquery().label("version"), _key_used().scalar_subquery().label("used")
    )


def _insert_checkout() -> Any:
    columns = [
        c.name
        for c in checkouts.c
        if c.name
        not in ("id", "refunded_at", "claimed_card_id", "claimed_at", "refunded_cents", "refunded_stamps")
    ]
    return insert(checkouts).values({name: bindparam(name) for name in columns})


def _replay(conn: Connection, store: Store, first: Row[Any], sale: SaleInput) -> CheckoutResult:
    """The first result of an idempotency key, rebuilt from what it wrote."""
    if first.fingerprint != sale.fingerprint and first.fingerprint != _unscoped(sale):
        raise Refused(
            code="idempotency_conflict",
            phrase="key_reused_sale",
            key=first.idempotency_key,
            checkout=first.id,
        )
    return rebuild(conn, store, first, replayed=True)


def _unscoped(sale: SaleInput) -> str:
    # A sale recorded before keys had a scope was hashed without it (its
    # scope is the till it was sold at, as this sale's is).
    return _fingerprint(sale.number, sale.value, sale.lines, sale.moment if sale.given_at else None, None)


def sale_result(store: Store, checkout_id: int) -> CheckoutResult:
    """A recorded sale's result, as it was returned (for its receipt)."""
    with store.read() as conn:
        row = conn.execute(select(checkouts).where(checkouts.c.id == checkout_id)).first()
        if row is None:
            raise NotFound(code="unknown_checkout", checkout=checkout_id)
        return rebuild(conn, store, row, replayed=False)


def recorded_sale(store: Store, checkout_id: int) -> RecordedSale:
    """A recorded sale as it is now: its result, with each coupon's current
    status (valid, redeemed, voided, expired) and when it was refunded."""
    with store.read() as conn:
        row = conn.execute(select(checkouts).where(checkouts.c.id == checkout_id)).first()
        if row is None:
            raise NotFound(code="unknown_checkout", checkout=checkout_id)
        result = rebuild(conn, store, row, replayed=False)
        now = store.now()
        statuses = {
            c.code: coupon_status(
                expires=c.expires_at, now=now, redeemed_at=c.redeemed_at, voided_at=c.voided_at
            )
            for c in conn.execute(
                select(
                    coupons.c.code, coupons.c.expires_at, coupons.c.redeemed_at, coupons.c.voided_at
                ).where(coupons.c.checkout_id == row.id)
            )
        }
        refunds = tuple(
            SaleRefund(
                r.at,
                r.till,
                from_cents(r.amount_cents),
                bool(r.whole),
                r.stamps,
                tuple(ReturnedItem(sku, qty) for sku, qty in json.loads(r.items or "[]")),
            )
            for r in conn.execute(
                select(checkout_refunds)
                .where(checkout_refunds.c.checkout_id == row.id)
                .order_by(checkout_refunds.c.id)
            )
        )
    now_coupons = tuple(replace(c, status=statuses.get(c.code, c.status)) for c in result.coupons)
    values = {f.name: getattr(result, f.name) for f in fields(result)}
    return RecordedSale(
        **{**values, "coupons": now_coupons},
        refunded_at=row.refunded_at,
        refunded_amount=from_cents(row.refunded_cents),
        refunds=refunds,
    )


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
    outcomes = tuple(first.outcomes.split(",")) if first.outcomes else ()
    # A pre-printed card's first sale gave the starter stamps of its version.
    starter = program.starter_stamps if Outcome.STARTER_STAMPS in outcomes else 0
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
        outcomes=outcomes,
        starter_stamps=starter,
    )
