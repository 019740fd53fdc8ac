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
from ..words.formats import day as day_text
from ..words.formats import money

# ----------------------------------------------------------------------
# What the engine says, in the shop's language

_PHRASES = {
    "fr": {
        "tier_reached": "Bienvenue au niveau {tier} !",
        "tier_perk": "Votre avantage {tier} : {perk}",
        "tier_keep_visits": "{visits} pour rester {tier} d'ici le {day}",
        "tier_keep_spend": "{spend} d'achats pour rester {tier} d'ici le {day}",
        "tier_keep_both": "{visits} et {spend} d'achats pour rester {tier} d'ici le {day}",
        "visit_one": "1 visite",
        "visit_many": "{n} visites",
        "stamps_expire": "Vos {n} tampons expirent le {day}",
        "stamp_expires": "Votre tampon expire le {day}",
        "stamps_expired": "{n} tampons expirés le {day} (pas de visite depuis {days} jours)",
        "stamp_expired": "1 tampon expiré le {day} (pas de visite depuis {days} jours)",
        "coupon_expires": "Bon « {reward} » à utiliser avant le {day}",
        "referral_referred": "Parrainage : {n} tampon(s) offert(s)",
        "referral_referrer": "Votre filleul est venu : {n} tampon(s) offert(s)",
        "birthday": "Joyeux anniversaire ! {reward}",
    },
    "en": {
        "tier_reached": "Welcome to {tier}!",
        "tier_perk": "Your {tier} perk: {perk}",
        "tier_keep_visits": "{visits} to stay {tier} by {day}",
        "tier_keep_spend": "{spend} spent to stay {tier} by {day}",
        "tier_keep_both": "{visits} and {spend} spent to stay {tier} by {day}",
        "visit_one": "1 visit",
        "visit_many": "{n} visits",
        "stamps_expire": "Your {n} stamps expire on {day}",
        "stamp_expires": "Your stamp expires on {day}",
        "stamps_expired": "{n} stamps expired on {day} (no visit for {days} days)",
        "stamp_expired": "1 stamp expired on {day} (no visit for {days} days)",
        "coupon_expires": 'Use your "{reward}" coupon by {day}',
        "referral_referred": "Referral: {n} stamp(s) on us",
        "referral_referrer": "Your friend came in: {n} stamp(s) on us",
        "birthday": "Happy birthday! {reward}",
    },
}


class Phrases:
    """The engine's lines in the shop's locale (``fr_FR``, ``en_GB``)."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self._lines = _PHRASES["fr" if locale.lower().startswith("fr") else "en"]

    def __call__(self, key: str, **params: Any) -> str:
        return self._lines[key].format(**params)

    def day(self, value: date) -> str:
        return day_text(value, self.locale)

    def render(self, notice: Notice) -> str:
        """A notice (``domain.outcomes``) in words."""
        code, values = notice.code, notice.values
        if code == Outcome.STAMPS_LAPSED:
            return self.stamps_expired(values["stamps"], values["day"], values["days"])
        if code == Outcome.STAMPS_EXPIRING:
            return self.stamps_expire(values["stamps"], values["day"])
        if code == Outcome.COUPON_EXPIRING:
            return self("coupon_expires", reward=values["reward"], day=self.day(values["day"]))
        if code == Outcome.TIER_REACHED:
            return self("tier_reached", tier=values["tier"])
        if code == TIER_PERK:
            return self("tier_perk", tier=values["tier"], perk=values["perk"])
        if code == Outcome.TIER_GRACE:
            return self._keep(values["tier"], values["until"], values["visits"], values["spend"])
        if code == Outcome.SURPRISE:
            return str(values["message"])  # the owner's own words
        if code == Outcome.REFERRAL:
            return self("referral_referred", n=values["stamps"])
        if code == Outcome.BIRTHDAY:
            return self("birthday", reward=values["reward"])
        raise ValueError(f"no words for the notice {code!r}")

    def _keep(self, tier: str, until: date, n: int, spend_needed: Decimal) -> str:
        visits = self("visit_one") if n == 1 else self("visit_many", n=n)
        spend = money(spend_needed, self.locale)
        key = "tier_keep_both" if n and spend_needed else "tier_keep_visits" if n else "tier_keep_spend"
        return self(key, visits=visits, spend=spend, tier=tier, day=self.day(until))

    def stamps_expire(self, stamps: int, last_day: date) -> str:
        if stamps == 1:
            return self("stamp_expires", day=self.day(last_day))
        return self("stamps_expire", n=stamps, day=self.day(last_day))

    def stamps_expired(self, stamps: int, last_day: date, days: int) -> str:
        if stamps == 1:
            return self("stamp_expired", day=self.day(last_day), days=days)
        return self("stamps_expired", n=stamps, day=self.day(last_day), days=days)


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
    """A card's sales (not refunded) from ``since`` on, for its status."""
    start = datetime.combine(since, time(0), store.zone)
    query = store.prepared(
        "loyalty.card_sales",
        lambda: select(checkouts.c.at, checkouts.c.amount_cents, checkouts.c.visit).where(
            checkouts.c.card_id == bindparam("card_id"),
            checkouts.c.at >= bindparam("start"),
            checkouts.c.refunded_at.is_(None),
        ),
    )
    return [
        Sale(store.local_day(r.at), from_cents(r.amount_cents), bool(r.visit))
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
