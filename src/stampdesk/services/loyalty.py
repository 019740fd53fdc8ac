"""The loyalty rules at work on a card (the rules are the domain's): its
sales for its status tier, the lapse of its stamps written, and the lines
the receipt, the till and the card page say of them ("2 visites avant le
15/04 pour rester Gold"), put in words from their codes.

Callers hold a transaction; nothing here commits.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from ..domain.loyalty import (
    Lapse,
    Sale,
    TierStatus,
    TierTimeline,
    lapsed,
    lookback_days,
    tier_status,
)
from ..domain.money import from_cents
from ..domain.outcomes import TIER_PERK, Notice, Outcome
from ..domain.program import Program
from ..domain.stamps import expiry_entry
from ..models import cards, checkouts, coupons, ledger
from ..store import Store
from ..words import Book

# ----------------------------------------------------------------------
# What the engine says, in the shop's language (the words book's ``notice.…``)


class Phrases:
    """The engine's notices in the shop's locale (``fr_FR``, ``en_GB``)."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self.book = Book(locale)

    def render(self, notice: Notice) -> str:
        """A notice (``domain.outcomes``) in words."""
        say, code, values = self.book, notice.code, notice.values
        if code == Outcome.STAMPS_LAPSED:
            return say.count(
                "notice.stamps_expired", values["stamps"], day=values["day"], days=values["days"]
            )
        if code == Outcome.STAMPS_EXPIRING:
            return say.count("notice.stamps_expire", values["stamps"], day=values["day"])
        if code == Outcome.COUPON_EXPIRING:
            return say("notice.coupon_expires", reward=values["reward"], day=values["day"])
        if code == Outcome.TIER_REACHED:
            return say("notice.tier_reached", tier=values["tier"])
        if code == TIER_PERK:
            return say("notice.tier_perk", tier=values["tier"], perk=values["perk"])
        if code == Outcome.TIER_GRACE:
            return self._keep(values["tier"], values["until"], values["visits"], values["spend"])
        if code == Outcome.SURPRISE:
            return str(values["message"])  # the owner's own words
        if code == Outcome.REFERRAL:
            return say("notice.referral_referred", stamps=values["stamps"])
        if code == Outcome.BIRTHDAY:
            return say("notice.birthday", reward=values["reward"])
        raise ValueError(f"no words for the notice {code!r}")

    def _keep(self, tier: str, until: date, visits: int, spend: Decimal) -> str:
        key = (
            "notice.tier_keep_both"
            if visits and spend
            else "notice.tier_keep_visits"
            if visits
            else "notice.tier_keep_spend"
        )
        said = self.book.count("notice.visits", visits)
        return self.book(key, visits=said, spend=spend, tier=tier, day=until)


def phrases(store: Store) -> Phrases:
    return Phrases(store.settings.locale)


# ----------------------------------------------------------------------
# Status tiers


def tiers_on(store: Store, conn: Connection, current: int) -> TierTimeline:
    """The tiers and grace days of each programme version up to ``current``
    on its line, by the shop-local day it was loaded (see ``TierTimeline``)."""
    return TierTimeline(
        tuple(
            (date.fromisoformat(day), program.tiers, program.tier_grace_days)
            for day, vid in store.version_days(conn, current)
            for program in (store.program(conn, vid),)
        )
    )


def card_sales(conn: Connection, store: Store, card_id: int, since: date) -> list[Sale]:
    """A card's sales (not refunded) from ``since`` on, for its status (what
    each kept: its refunded parts taken off)."""
    start = datetime.combine(since, time(0), store.zone)
    query = store.prepared(
        "loyalty.card_sales",
        lambda: select(
            checkouts.c.at,
            (checkouts.c.amount_cents - checkouts.c.refunded_cents).label("kept"),
            checkouts.c.visit,
        ).where(
            checkouts.c.card_id == bindparam("card_id"),
            checkouts.c.at >= bindparam("start"),
            checkouts.c.refunded_at.is_(None),
        ),
    )
    return [
        Sale(store.local_day(r.at), from_cents(r.kept), bool(r.visit))
        for r in query.all(conn, card_id=card_id, start=start)
    ]


def status(
    conn: Connection, store: Store, version: int, card_id: int, today: date, extra: Sale | None = None
) -> tuple[TierStatus, TierStatus]:
    """The card's status tier on ``today`` under programme ``version``,
    before and after counting ``extra`` (a sale being recorded now): one
    read of its sales."""
    program = store.program(conn, version)
    if not program.tiers:
        return TierStatus(None), TierStatus(None)
    sales = card_sales(conn, store, card_id, today - timedelta(days=lookback_days(program)))
    sales = [s for s in sales if s.day <= today]
    on = tiers_on(store, conn, version).on
    before = tier_status(on, sales, today)
    if extra is None:
        return before, before
    return before, tier_status(on, [*sales, extra], today)


# ----------------------------------------------------------------------
# Stamps that lapse


def expire(conn: Connection, store: Store, card: Any, program: Program, moment: datetime) -> Lapse | None:
    """Remove a card's stamps that lapsed by ``moment``: an ``expiry`` row
    in the ledger at the lapse moment, and the card starts a fresh cycle (its
    coupons stay valid to their own date; its milestones can be reached
    again). ``card`` is the locked row (balance, cycle, last_visit_at)."""
    gone = lapsed(program, card.balance, card.last_visit_at, moment, store.zone)
    if gone is None:
        return None
    entry = expiry_entry(gone.stamps, gone.at)
    conn.execute(
        ledger.insert().values(
            card_id=card.id,
            at=entry.at,
            kind=entry.kind,
            stamps=entry.stamps,
            cycles=entry.cycles,
            reason=entry.reason,
        )
    )
    conn.execute(update(cards).where(cards.c.id == card.id).values(balance=0, cycle=card.cycle + 1))
    return gone


def expire_all(store: Store, at: datetime | None = None) -> tuple[int, int]:
    """Write the expiry of every card whose stamps lapsed by ``at`` (now):
    (cards, stamps). Checkouts do it for their own card; this is for the
    accounts (``stampdesk expire``), e.g. nightly."""
    moment = at or store.now()
    return store.transact(lambda conn: _expire_all(conn, store, moment))


def _expire_all(conn: Connection, store: Store, moment: datetime) -> tuple[int, int]:
    # The caller owns the transaction.
    done_cards = done_stamps = 0
    version, program = store.current_program(conn)
    days = program.expiry.stamps_after_days
    if days is None:
        return 0, 0
    # A card lapses at the end of the day ``days`` after its last visit.
    cutoff = moment - timedelta(days=days)
    query = select(cards.c.id, cards.c.balance, cards.c.cycle, cards.c.last_visit_at).where(
        cards.c.balance > 0, cards.c.last_visit_at < cutoff, cards.c.status == "active"
    )
    if store.postgres:
        # Locked like a sale locks its card: a sale on a dormant card at this
        # moment either comes first (and this reads the card it left) or waits.
        query = query.with_for_update(of=cards)
    rows = conn.execute(query).all()
    for row in rows:
        gone = expire(conn, store, row, program, moment)
        if gone is not None:
            done_cards += 1
            done_stamps += gone.stamps
    return done_cards, done_stamps


# ----------------------------------------------------------------------
# Warnings


def live_coupons(conn: Connection, card_id: int) -> list[tuple[str, datetime]]:
    """``(reward, expires)`` of the card's coupons neither used nor voided."""
    live = conn.execute(
        select(coupons.c.reward, coupons.c.expires_at).where(
            coupons.c.card_id == card_id,
            coupons.c.redeemed_at.is_(None),
            coupons.c.voided_at.is_(None),
        )
    ).all()
    return [(c.reward, c.expires_at) for c in live]


def dump_messages(lines: Sequence[str]) -> str | None:
    return json.dumps(list(lines), ensure_ascii=False) if lines else None


def load_messages(text: str | None) -> tuple[str, ...]:
    return tuple(json.loads(text)) if text else ()
