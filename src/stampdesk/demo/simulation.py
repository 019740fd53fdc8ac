"""The demo café's months of history, replayed through the services.

``stampdesk init --demo`` calls ``build_demo``. Everything goes through the
real service functions (enrol, checkout, redeem, refund), so the demo obeys
every rule a real shop does and ``stampdesk check`` passes on it: no row is
inserted behind the services' back.

The simulation is driven by ``random.Random(seed)``: the same seed gives the
same customers, visits, baskets and decisions. Card numbers and coupon codes
come from ``secrets`` and differ from run to run.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from ..domain.errors import InvalidInput
from ..domain.validate import name_key
from ..models import cards
from ..results import CheckoutResult, CouponInfo, Result
from ..services import cards as card_service
from ..services import checkout as checkout_service
from ..services import coupons as coupon_service
from ..services import refunds as refund_service
from ..services.program import load_program
from ..store import Store
from .cafe import (
    DRINK_NAMES,
    DRINK_WEIGHTS,
    DRINKS,
    EMAIL_DOMAINS,
    ENGLISH_FIRST,
    ENGLISH_LAST,
    FRENCH_FIRST,
    FRENCH_LAST,
    JUICE,
    KIND_WEIGHTS,
    LUNCHES,
    NOTES,
    PASTRIES,
    VISIT_RATE,
    program_source,
)

MAX_CUSTOMERS = 20_000
MAX_DAYS = 3_650


@dataclass(frozen=True)
class DemoSummary(Result):
    """What ``build_demo`` created."""

    customers: int
    cards: int
    checkouts: int
    walk_ins: int  # sales without a card at the till (some claimed later)
    claimed: int  # walk-ins who enrolled from their receipt and kept its stamps
    redeemed: int  # coupons used
    refunds: int
    coupons: int = 0  # coupons issued


@dataclass
class _Customer:
    name: str
    email: str | None
    phone: str | None
    birthday: str | None
    notes: str | None
    kind: str
    usual: tuple[str, str, str]
    via_receipt: bool  # starts as a walk-in and enrols by claiming the receipt
    visits: list[datetime] = field(default_factory=list)
    claim_at: datetime | None = None
    card: str | None = None
    claim_token: str | None = None
    coupons: list[tuple[str, datetime]] = field(default_factory=list)  # (code, expires), unused


class _SimulationClock:
    """The store's clock during the build: the time of the event being replayed."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def build_demo(
    store: Store,
    *,
    customers: int = 300,
    days: int = 180,
    seed: int = 42,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Fill an empty database with the café programme and ``days`` days of
    history ending now: ``customers`` card holders (regulars who come every
    morning, frequent and occasional visitors, some who churn), anonymous
    walk-ins, receipts claimed from the phone, coupons used and a few refunds.

    Loads the café programme first (a new version if another one is
    current). Refuses (``InvalidInput``) a database that already has cards: a
    demo mixed into a real shop's data would corrupt its reports. ``progress(done,
    total)`` is called as the simulated sales are recorded.

    While it runs, ``store.clock`` is replaced by a simulation clock: redeem
    and refund stamp their own time with ``store.now()``, and history where a
    coupon is used months before the sale that issued it would be nonsense.
    The clock is restored even on error. Build the demo before tills share
    this store (``stampdesk init --demo`` does).
    """
    if isinstance(customers, bool) or not isinstance(customers, int) or not 1 <= customers <= MAX_CUSTOMERS:
        raise InvalidInput(code="invalid_demo", phrase="demo_customers", most=MAX_CUSTOMERS)
    if isinstance(days, bool) or not isinstance(days, int) or not 7 <= days <= MAX_DAYS:
        raise InvalidInput(code="invalid_demo", phrase="demo_days", most=MAX_DAYS)
    with store.read() as conn:
        existing = conn.execute(select(func.count()).select_from(cards)).scalar_one()
    if existing:
        raise InvalidInput(code="not_empty", phrase="demo_not_empty", count=existing)

    end = store.now()
    rng = random.Random(seed)
    simulation = _Simulation(store, rng, end, customers, days)
    original_clock = store.clock
    store.clock = simulation.clock
    try:
        return simulation.run(progress)
    finally:
        store.clock = original_clock


class _Simulation:
    def __init__(self, store: Store, rng: random.Random, end: datetime, customers: int, days: int) -> None:
        self.store = store
        self.rng = rng
        # Nothing is recorded in the last two minutes: every time stays in the past.
        self.end = end - timedelta(minutes=2)
        last_day = end.astimezone(store.zone).date()
        self.days = [last_day - timedelta(days=days - 1 - i) for i in range(days)]
        self.clock = _SimulationClock(self._at(self.days[0], 6.0))
        self.people = self._people(customers)
        self.events: list[tuple[datetime, int, str, Any]] = []
        self._seq = 0
        self.counts = {"checkouts": 0, "walk_ins": 0, "claimed": 0, "redeemed": 0, "refunds": 0, "coupons": 0}
        self.enrolled: list[str] = []

    # -- building the schedule -------------------------------------------------

    def _at(self, day: date, hours: float) -> datetime:
        """An aware time on a shop-local ``day`` at ``hours`` (8.5 is 08:30)."""
        minutes = int(hours * 60)
        moment = time(minutes // 60, minutes % 60, self.rng.randrange(60))
        local = datetime.combine(day, moment, self.store.zone)
        return local.astimezone(self.end.tzinfo)

    def _people(self, count: int) -> list[_Customer]:
        rng = self.rng
        used_emails: set[str] = set()
        kinds = [k for k, _ in KIND_WEIGHTS]
        weights = [w for _, w in KIND_WEIGHTS]
        people = []
        for _ in range(count):
            french = rng.random() < 0.6
            first = rng.choice(FRENCH_FIRST if french else ENGLISH_FIRST)
            last = rng.choice(FRENCH_LAST if french else ENGLISH_LAST)
            kind = rng.choices(kinds, weights)[0]
            via_receipt = rng.random() < 0.2
            # The receipt page asks only for a first name and an e-mail.
            name = first if via_receipt and rng.random() < 0.5 else f"{first} {last}"
            email = None
            if via_receipt or rng.random() < 0.85:
                email = self._email(first, last, used_emails)
            phone = None
            if not via_receipt and rng.random() < 0.35:
                phone = (
                    f"0{rng.choice('67')} {rng.randrange(10, 100)} {rng.randrange(10, 100)} "
                    f"{rng.randrange(10, 100)} {rng.randrange(10, 100)}"
                    if french
                    else f"+44 7700 900{rng.randrange(1000):03d}"  # Ofcom's range for drama
                )
            birthday = None
            if rng.random() < 0.3:
                birthday = date(rng.randint(1950, 2006), rng.randint(1, 12), rng.randint(1, 28)).isoformat()
            usual = rng.choices(DRINKS, DRINK_WEIGHTS)[0]
            notes = None
            if kind == "regular" and rng.random() < 0.4:
                notes = rng.choice(NOTES).format(drink=DRINK_NAMES[usual[0]])
            person = _Customer(name, email, phone, birthday, notes, kind, usual, via_receipt)
            person.visits = self._visits(kind)
            if via_receipt and person.visits:
                first_visit = person.visits[0]
                # Enrolled from the phone a little later, before coming back.
                gap = (person.visits[1] if len(person.visits) > 1 else self.end) - first_visit
                delay = min(timedelta(minutes=rng.uniform(3, 180)), gap / 2)
                person.claim_at = first_visit + delay
            people.append(person)
        return people

    def _email(self, first: str, last: str, used: set[str]) -> str:
        def plain(text: str) -> str:
            return "".join(c for c in name_key(text) if c.isalnum())

        local = self.rng.choice((f"{plain(first)}.{plain(last)}", f"{plain(first)}{plain(last)[:1]}"))
        domain = self.rng.choice(EMAIL_DOMAINS)
        email, n = f"{local}@{domain}", 1
        while email in used:
            n += 1
            email = f"{local}{n}@{domain}"
        used.add(email)
        return email

    def _visits(self, kind: str) -> list[datetime]:
        """The days and times one customer comes in, from enrolment to churn."""
        rng = self.rng
        n = len(self.days)
        # A third join in the launch fortnight, the others along the months.
        start = rng.randint(0, min(13, n - 2)) if rng.random() < 0.35 else rng.randint(0, n - 2)
        stop = n - 1
        if rng.random() < 0.25:  # some stop coming: what retention measures
            stop = min(n - 1, start + rng.randint(14, 90))
        loyalty = rng.uniform(0.6, 1.4)
        weekday_rate, weekend_rate = VISIT_RATE[kind]
        visits = []
        for d in range(start, stop + 1):
            day = self.days[d]
            weekend = day.weekday() >= 5
            if d != start and rng.random() >= (weekend_rate if weekend else weekday_rate) * loyalty:
                continue
            visits.append(self._visit_time(day, kind, weekend))
            if kind == "regular" and not weekend and rng.random() < 0.12:
                visits.append(self._at(day, rng.uniform(15.0, 18.5)))  # back for the afternoon
        return [v for v in visits if v < self.end]

    def _visit_time(self, day: date, kind: str, weekend: bool) -> datetime:
        rng = self.rng
        if weekend:
            hours = rng.triangular(8.5, 12.5, 10.0) if rng.random() < 0.7 else rng.uniform(14.0, 18.0)
            return self._at(day, hours)
        slot = rng.choices(
            ("morning", "lunch", "afternoon"),
            {"regular": (85, 5, 10), "frequent": (60, 25, 15), "occasional": (30, 40, 30)}[kind],
        )[0]
        return self._at(day, self._slot_hours(slot))

    def _slot_hours(self, slot: str) -> float:
        if slot == "morning":
            return self.rng.triangular(7.5, 10.0, 8.25)  # the morning rush
        if slot == "lunch":
            return self.rng.triangular(12.0, 14.0, 12.75)
        return self.rng.uniform(15.0, 18.5)

    def _walk_in_times(self) -> list[datetime]:
        """Anonymous sales: tourists, passers-by, people who never enrol."""
        rng = self.rng
        scale = len(self.people) / 300  # a bigger clientele comes with more passers-by
        times = []
        for day in self.days:
            weekend = day.weekday() >= 5
            for _ in range(round((rng.randint(9, 16) if weekend else rng.randint(5, 10)) * scale)):
                if weekend:
                    hours = rng.triangular(8.5, 13.0, 10.5) if rng.random() < 0.7 else rng.uniform(14.0, 18.0)
                else:
                    hours = self._slot_hours(rng.choices(("morning", "lunch", "afternoon"), (45, 30, 25))[0])
                moment = self._at(day, hours)
                if moment < self.end:
                    times.append(moment)
        return times

    def _basket(self, moment: datetime, usual: tuple[str, str, str] | None) -> list[dict[str, Any]]:
        """What was bought: a coffee and a croissant in the morning, lunch at noon."""
        rng = self.rng
        hour = moment.astimezone(self.store.zone).hour
        weekend = moment.astimezone(self.store.zone).weekday() >= 5
        people = 2 if rng.random() < (0.35 if weekend else 0.12) else 1
        lines: list[tuple[str, str, str]] = []
        if usual is None and rng.random() < 0.05:
            return [_item(rng.choice(PASTRIES[:2]), 1)]  # just a croissant: under min_amount
        drink = usual if usual is not None and rng.random() < 0.8 else rng.choices(DRINKS, DRINK_WEIGHTS)[0]
        if 12 <= hour < 14:
            lines.append(rng.choice(LUNCHES))
            if rng.random() < 0.6:
                lines.append(drink if rng.random() < 0.6 else JUICE)
            if rng.random() < 0.3:
                lines.append(rng.choice(PASTRIES[2:]))
        else:
            lines.append(drink)
            if rng.random() < (0.55 if hour < 12 else 0.4):
                lines.append(rng.choice(PASTRIES))
            if hour < 12 and rng.random() < 0.1:
                lines.append(JUICE)
        return [_item(line, people) for line in lines]

    # -- replaying it through the services --------------------------------------

    def _push(self, moment: datetime, kind: str, payload: Any) -> None:
        self._seq += 1
        heapq.heappush(self.events, (moment, self._seq, kind, payload))

    def run(self, progress: Callable[[int, int], None] | None) -> DemoSummary:
        store = self.store
        # The programme exists before the first sale it stamps.
        self.clock.now = self._at(self.days[0], 6.0)
        load_program(store, program_source())
        for person in self.people:
            for moment in person.visits:
                self._push(moment, "visit", person)
            if person.claim_at is not None:
                self._push(person.claim_at, "claim", person)
        for moment in self._walk_in_times():
            self._push(moment, "walk_in", None)
        total = sum(1 for e in self.events if e[2] != "claim")
        done = 0
        step = max(1, total // 100)
        if progress is not None:
            progress(0, total)
        while self.events:
            moment, _, kind, payload = heapq.heappop(self.events)
            self.clock.now = moment
            if kind == "visit":
                self._visit(payload, moment)
            elif kind == "walk_in":
                self._walk_in(moment)
            elif kind == "claim":
                self._claim(payload, moment)
            elif kind == "refund":
                self._refund(payload, moment)
            if kind in ("visit", "walk_in"):
                done += 1
                if progress is not None and done % step == 0:
                    progress(done, total)
        if progress is not None:
            progress(total, total)
        return DemoSummary(
            customers=len(self.enrolled),
            cards=len(self.enrolled),
            checkouts=self.counts["checkouts"],
            walk_ins=self.counts["walk_ins"],
            claimed=self.counts["claimed"],
            redeemed=self.counts["redeemed"],
            refunds=self.counts["refunds"],
            coupons=self.counts["coupons"],
        )

    def _visit(self, person: _Customer, moment: datetime) -> None:
        rng = self.rng
        if person.card is None and person.via_receipt:
            if person.claim_token is None:  # first visit: an anonymous sale with a QR code
                result = self._sale(None, moment, person.usual)
                person.claim_token = result.claim_token
                self.counts["walk_ins"] += 1
                return
            # Came back before claiming (only when the history ends first): still a walk-in.
            self._sale(None, moment, person.usual)
            self.counts["walk_ins"] += 1
            return
        if person.card is None:
            referrer = None
            if self.enrolled and rng.random() < 0.08:
                referrer = rng.choice(self.enrolled)
            enrolled = card_service.enrol(
                self.store,
                name=person.name,
                email=person.email,
                phone=person.phone,
                birthday=person.birthday,
                notes=person.notes,
                referrer=referrer,
                at=moment,
                # Regulars say yes to the customer-of-the-month board (no dice
                # thrown: the same seed still gives the same shop).
                leaderboard=person.kind != "occasional",
            )
            self._new_card(person, enrolled.number, enrolled.new_coupons)
            moment += timedelta(seconds=rng.randint(20, 90))  # then the cashier rings the sale up
            self.clock.now = moment
        else:
            self._use_coupons(person, moment)
        result = self._sale(person.card, moment, person.usual)
        self._keep_coupons(person, result.coupons)
        if rng.random() < 0.006:  # a wrong order, reversed a few minutes later
            self._push(moment + timedelta(minutes=rng.uniform(1, 20)), "refund", (result.checkout, person))

    def _walk_in(self, moment: datetime) -> None:
        result = self._sale(None, moment, None)
        self.counts["walk_ins"] += 1
        if self.rng.random() < 0.003:
            self._push(moment + timedelta(minutes=self.rng.uniform(1, 20)), "refund", (result.checkout, None))

    def _claim(self, person: _Customer, moment: datetime) -> None:
        if person.claim_token is None or person.card is not None:
            return
        enrolled = card_service.enrol(
            self.store,
            name=person.name,
            email=person.email,
            claim=person.claim_token,
            at=moment,
            leaderboard=person.kind != "occasional",
        )
        self.counts["claimed"] += 1
        self._new_card(person, enrolled.number, enrolled.new_coupons)

    def _refund(self, payload: tuple[int, _Customer | None], moment: datetime) -> None:
        checkout_id, person = payload
        change = refund_service.refund(self.store, checkout_id)
        self.counts["refunds"] += 1
        if person is not None and change.voided_coupons:
            voided = set(change.voided_coupons)
            person.coupons = [c for c in person.coupons if c[0] not in voided]

    def _sale(self, card: str | None, moment: datetime, usual: tuple[str, str, str] | None) -> CheckoutResult:
        items = self._basket(moment, usual)
        amount = sum((Decimal(i["unit_price"]) * i["quantity"] for i in items), Decimal("0.00"))
        result = checkout_service.checkout(
            self.store, card=card, amount=f"{amount:.2f}", items=items, at=moment
        )
        self.counts["checkouts"] += 1
        return result

    def _new_card(self, person: _Customer, number: str, coupons: tuple[CouponInfo, ...]) -> None:
        person.card = number
        self.enrolled.append(number)
        self._keep_coupons(person, coupons)

    def _keep_coupons(self, person: _Customer, coupons: tuple[CouponInfo, ...]) -> None:
        for coupon in coupons:
            person.coupons.append((coupon.code, coupon.expires))
            self.counts["coupons"] += 1

    def _use_coupons(self, person: _Customer, moment: datetime) -> None:
        """Most rewards are claimed at a later visit; some are forgotten and expire."""
        kept = []
        for code, expires in person.coupons:
            if expires <= moment:
                continue
            if self.rng.random() < 0.5:
                coupon_service.redeem(self.store, code)
                self.counts["redeemed"] += 1
            else:
                kept.append((code, expires))
        person.coupons = kept


def _item(line: tuple[str, str, str], quantity: int) -> dict[str, Any]:
    sku, category, price = line
    return {"sku": sku, "category": category, "quantity": quantity, "unit_price": price}
