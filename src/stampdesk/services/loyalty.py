"""The loyalty rules at work on a card: its status tier from its sales,
the lapse of its stamps, and the lines the receipt, the till and the card
page say about them ("2 visites avant le 15/04 pour rester Gold").

Callers hold a transaction; nothing here commits.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from ..domain.loyalty import Sale, TierStatus, lookback_days, tier_status
from ..domain.money import from_cents
from ..domain.program import Program, Tier
from ..models import cards, checkouts, coupons, ledger
from ..printer.words import day as day_text
from ..printer.words import money
from ..store import Store

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

    def keep_tier(self, status: TierStatus) -> str | None:
        """What keeps a tier in its grace period, or None."""
        if status.tier is None or status.until is None:
            return None
        n = status.visits_needed
        visits = self("visit_one") if n == 1 else self("visit_many", n=n)
        spend = money(status.spend_needed, self.locale)
        key = (
            "tier_keep_both" if n and status.spend_needed else "tier_keep_visits" if n else "tier_keep_spend"
        )
        return self(key, visits=visits, spend=spend, tier=status.tier.name, day=self.day(status.until))

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


def tiers_on(store: Store, conn: Connection, current: int) -> Callable[[date], tuple[Sequence[Tier], int]]:
    """The tiers and grace days of the programme version in force on a day
    (shop-local; before the first version, the first one's), up to the
    ``current`` version."""
    versions = store.version_days(conn, current)
    programs = {vid: store.program(conn, vid) for _, vid in versions}

    def on(day: date) -> tuple[Sequence[Tier], int]:
        # A version's tiers apply from the day after it was loaded: the
        # status a card reached that day is judged by the rules of that day.
        key = day.isoformat()
        chosen = versions[0][1]
        for created, vid in versions:
            if created < key:
                chosen = vid
        program = programs[chosen]
        return program.tiers, program.tier_grace_days

    return on


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
    on = tiers_on(store, conn, version)
    before = tier_status(on, sales, today)
    if extra is None:
        return before, before
    return before, tier_status(on, [*sales, extra], today)


# ----------------------------------------------------------------------
# Stamps that lapse


def lapse_at(store: Store, program: Program, last_visit: datetime | None) -> datetime | None:
    """The moment a card's stamps lapse: the end of the shop-local day
    ``stamps_after_days`` after its last visit."""
    days = program.expiry.stamps_after_days
    if days is None or last_visit is None:
        return None
    return store.end_of_day_after(last_visit, days)


@dataclass(frozen=True)
class Lapsed:
    stamps: int
    at: datetime  # the moment they lapsed


def lapsed(store: Store, card: Any, program: Program, moment: datetime) -> Lapsed | None:
    """The stamps of a card (balance, last_visit_at) that lapsed by ``moment``, if any."""
    when = lapse_at(store, program, card.last_visit_at)
    if when is None or card.balance <= 0 or moment <= when:
        return None
    return Lapsed(card.balance, when)


def expiry_row(card_id: int, gone: Lapsed) -> dict[str, Any]:
    """The ledger row of lapsed stamps: at the lapse moment, ending the cycle."""
    return {
        "card_id": card_id,
        "at": gone.at,
        "kind": "expiry",
        "stamps": -gone.stamps,
        "cycles": 1,
        "checkout_id": None,
        "coupon_id": None,
        "staff": None,
        "reason": "no visit",
    }


def expire(conn: Connection, store: Store, card: Any, program: Program, moment: datetime) -> Lapsed | None:
    """Remove a card's stamps that lapsed by ``moment``: an ``expiry`` row
    in the ledger at the lapse moment, and the card starts a fresh cycle (its
    coupons stay valid to their own date; its milestones can be reached
    again). ``card`` is the locked row (balance, cycle, last_visit_at)."""
    gone = lapsed(store, card, program, moment)
    if gone is None:
        return None
    conn.execute(ledger.insert().values(**expiry_row(card.id, gone)))
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
        lapsed = expire(conn, store, row, program, moment)
        if lapsed is not None:
            done_cards += 1
            done_stamps += lapsed.stamps
    return done_cards, done_stamps


# ----------------------------------------------------------------------
# Warnings


def coupon_lines(
    store: Store, live: Iterable[tuple[str, datetime]], moment: datetime, warn_days: int, say: Phrases
) -> list[str]:
    """ "Bon « Croissant offert » à utiliser avant le 01/04" for each live
    coupon ``(reward, expires)`` still valid at ``moment`` that ends within
    ``warn_days``, the soonest first."""
    if warn_days <= 0:
        return []
    horizon = moment + timedelta(days=warn_days)
    return [
        say("coupon_expires", reward=reward, day=say.day(store.local_day(expires)))
        for reward, expires in sorted(live, key=lambda c: c[1])
        if moment <= expires <= horizon
    ]


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


def stamp_warning(
    store: Store, program: Program, balance: int, lapse: datetime | None, moment: datetime, say: Phrases
) -> str | None:
    """ "Vos 7 tampons expirent le 12/05" when they lapse within ``warn_days``."""
    if lapse is None or balance <= 0 or lapse < moment:
        return None
    if lapse - moment > timedelta(days=program.expiry.warn_days):
        return None
    return say.stamps_expire(balance, store.local_day(lapse))


def dump_messages(lines: Sequence[str]) -> str | None:
    return json.dumps(list(lines), ensure_ascii=False) if lines else None


def load_messages(text: str | None) -> tuple[str, ...]:
    return tuple(json.loads(text)) if text else ()
