"""A synthetic shop, generated in chunks: customers, cards, checkouts, ledger.

The rows follow the engine's rules for the example programme (10 stamps per
card, 2 starter stamps, 1–3 stamps per sale, milestones at 3, 6 and 10) so
that ``desk.check()`` finds nothing to report: each card's ledger rows sum to
``cards.balance`` and their ``cycles`` to ``cards.cycle``. Every "earn" ledger
row has the checkout that earned it; a card passing 10 gets a "completion" row
(-10 stamps, +1 cycle) for the same checkout, as ``services.stamps.give`` does.

When the schema has the ``name_words`` search table, its rows (every word of
a customer's name) are generated as enrolment writes them.

The milestone coupons of past sales are not generated (they would be
redeemed or expired by now); the benchmarks' own checkouts issue coupons.
Each completion's final reward is (``build_db`` writes it, redeemed), so
that ``desk.check()`` finds every completed card rewarded.

Times are UTC text ``YYYY-MM-DD HH:MM:SS.ffffff``, as SQLAlchemy stores
``UTCDateTime`` in SQLite.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from stampdesk.demo import cafe
from stampdesk.domain import validate
from stampdesk.domain.card_numbers import check_digit
from stampdesk.domain.validate import name_key

# The demo café's French and English names, mixed: every shop has both.
FIRST_NAMES = cafe.FRENCH_FIRST + cafe.ENGLISH_FIRST
LAST_NAMES = cafe.FRENCH_LAST + cafe.ENGLISH_LAST

SPC = 10  # stamps_per_card in examples/program.toml
STARTER = 2  # starter_stamps
MILESTONES = (3, 6)  # below the final reward at SPC
PROGRAM_VERSION = 1
CUSTOMER_COLUMNS = ("id", "name", "name_key", "email", "phone", "consent_at", "created_at")
CARD_COLUMNS = ("id", "number", "customer_id", "shop_id", "balance", "cycle", "status", "created_at")
CHECKOUT_COLUMNS = (
    "id",
    "shop_id",
    "till",
    "card_id",
    "amount_cents",
    "at",
    "day",
    "program_version_id",
    "stamps",
    "balance_after",
    "milestones",
    "visit",
    "cohort",
)
# Bumped when the rows generated change, so cached shops are built again.
VERSION = 2
LEDGER_COLUMNS = ("id", "card_id", "at", "kind", "stamps", "cycles", "checkout_id")
NAME_WORD_COLUMNS = ("word", "customer_id")

# Two digits at an even position of the 12-digit body weigh 1 and 3 (EAN-13).
_PAIR_WEIGHT = {f"{a}{b}": a + 3 * b for a in range(10) for b in range(10)}


def fast_check_digit(first12: str) -> str:
    """``card_numbers.check_digit`` with a lookup per pair of digits (×6 faster)."""
    p = _PAIR_WEIGHT
    total = (
        p[first12[0:2]]
        + p[first12[2:4]]
        + p[first12[4:6]]
        + p[first12[6:8]]
        + p[first12[8:10]]
        + p[first12[10:12]]
    )
    return str((10 - total % 10) % 10)


@dataclass
class Chunk:
    customers: list[tuple[object, ...]]
    cards: list[tuple[object, ...]]
    checkouts: list[tuple[object, ...]]
    ledger: list[tuple[object, ...]]
    name_words: list[tuple[object, ...]]


@dataclass(frozen=True)
class Shape:
    """How many rows to make and from which random seed."""

    cards: int
    min_sales: int = 3  # sales ("earn" rows) per card, inclusive range
    max_sales: int = 6
    seed: int = 20260301
    chunk: int = 50_000
    prefix: str = "29"


class Clock:
    """Formats seconds since an epoch as SQLAlchemy's SQLite text, quickly."""

    def __init__(self, start: datetime, days: int) -> None:
        self.start = start
        self.days = [(start.date() + timedelta(days=d)).isoformat() for d in range(days + 2)]

    def text(self, seconds: int, micro: int) -> str:
        d, s = divmod(seconds, 86400)
        h, s = divmod(s, 3600)
        m, s = divmod(s, 60)
        return f"{self.days[d]} {h:02d}:{m:02d}:{s:02d}.{micro:06d}"

    def day(self, seconds: int) -> str:
        return self.days[seconds // 86400]


def card_numbers(shape: Shape) -> list[str]:
    """``shape.cards`` distinct valid EAN-13 numbers, in random order."""
    rng = random.Random(shape.seed ^ 0x5EED)
    bodies = rng.sample(range(10**10), shape.cards)
    numbers = []
    for x in bodies:
        body = f"{shape.prefix}{x:010d}"
        numbers.append(body + fast_check_digit(body))
    for n in numbers[:1000]:  # the fast digit must agree with the engine's
        assert check_digit(n[:12]) == n[12], n
    return numbers


def generate(shape: Shape, now: datetime | None = None, *, words: bool = True) -> Iterator[Chunk]:
    """The shop's rows, ``shape.chunk`` cards at a time, ids from 1.

    Card i belongs to customer i. Sales happen 1–20 days apart after
    enrolment; everything lies between about 3 years and 30 days ago, so no
    generated sale counts against today's ``max_per_day``. With ``words``,
    the ``name_words`` search rows of each customer are made too, by the
    engine's own ``validate.name_words``.
    """
    split = getattr(validate, "name_words", None) if words else None
    word_cache: dict[str, list[str]] = {}
    now = now or datetime.now(UTC)
    span_days = 3 * 365
    start = (now - timedelta(days=span_days + 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    clock = Clock(start, span_days)
    # Leaves room for the most sales, 20 days apart, before the last 30 days.
    latest_enrolment = (span_days - max(160, 30 + 20 * shape.max_sales)) * 86400
    rng = random.Random(shape.seed)
    numbers = card_numbers(shape)
    keys: dict[str, str] = {}
    checkout_id = 0
    ledger_id = 0
    for first in range(1, shape.cards + 1, shape.chunk):
        chunk = Chunk([], [], [], [], [])
        for card_id in range(first, min(first + shape.chunk, shape.cards + 1)):
            given = rng.choice(FIRST_NAMES)
            family = rng.choice(LAST_NAMES)
            name = f"{given} {family}"
            key = keys.get(name)
            if key is None:
                key = keys[name] = name_key(name)
            roll = rng.random()
            email = (
                f"{key.replace(' ', '.').replace(chr(39), '')}{card_id}@example.com" if roll < 0.6 else None
            )
            phone = f"+336{rng.randrange(10**8):08d}" if roll > 0.5 else None
            t = rng.randrange(latest_enrolment)
            enrolled = clock.text(t, rng.randrange(10**6))
            chunk.customers.append((card_id, name, key, email, phone, enrolled, enrolled))
            if split is not None:
                parts = word_cache.get(name)
                if parts is None:
                    parts = word_cache[name] = [w[:100] for w in split(name)]
                chunk.name_words.extend((w, card_id) for w in parts)

            ledger_id += 1
            chunk.ledger.append((ledger_id, card_id, enrolled, "starter", STARTER, 0, None))
            balance, cycle = STARTER, 0
            for _ in range(rng.randint(shape.min_sales, shape.max_sales)):
                t += rng.randrange(86400, 20 * 86400)
                at = clock.text(t, rng.randrange(10**6))
                stamps = rng.choice((1, 1, 2, 2, 3))
                # per_visit 1 from 2.00, plus 1 per full 10.00
                cents = (
                    rng.randrange(200, 1000)
                    if stamps == 1
                    else rng.randrange((stamps - 1) * 1000, stamps * 1000)
                )
                after = balance + stamps
                reached = [str(m) for m in MILESTONES if balance < m <= after]
                if after >= SPC:
                    reached.append(str(SPC))
                checkout_id += 1
                ledger_id += 1
                chunk.ledger.append((ledger_id, card_id, at, "earn", stamps, 0, checkout_id))
                if after >= SPC:
                    after -= SPC
                    cycle += 1
                    ledger_id += 1
                    chunk.ledger.append((ledger_id, card_id, at, "completion", -SPC, 1, checkout_id))
                chunk.checkouts.append(
                    (
                        checkout_id,
                        1,
                        "till-1",
                        card_id,
                        cents,
                        at,
                        clock.day(t),
                        PROGRAM_VERSION,
                        stamps,
                        after,
                        ",".join(reached),
                        1,  # every generated sale qualifies (from 2.00)
                        enrolled[:7],  # the card's month of enrolment
                    )
                )
                balance = after
            chunk.cards.append(
                (card_id, numbers[card_id - 1], card_id, 1, balance, cycle, "active", enrolled)
            )
        yield chunk
