"""A refund, worked out: ``plan_refund`` takes the sale as recorded, the
card its stamps went to (its own, or the card that claimed a walk-in's) and
its referrer's, and returns what the refund takes back. Pure: the refund
service reads, plans here, then writes; its preview reads and plans only.

A refunded sale takes back exactly what it gave: its stamps of every kind
(earned, claimed, a surprise, a referral), down to zero at most, undoing
completions when the balance would go below zero, voiding the unused
coupons the card no longer qualifies for and its birthday coupon. Stamps
that lapsed since the sale are gone already: nothing of theirs is taken,
and the sale's own coupons go instead.

A part of a sale can be refunded (``plan_part``: some of its items, or an
amount): the sale's stamps are worked out again on what it keeps, with the
programme, multiplier and daily cap of the sale, and only the difference is
taken back; the visit, a surprise, referral stamps and a birthday coupon
stay with what is kept. Parts add up, never past the sale; the part that
leaves nothing is the refund of the whole rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal

from .errors import Refused
from .loyalty import lapsed, multiplier, sale_stamps
from .program import Program
from .stamps import HeldCoupon, LedgerEntry, SaleMarks, TakeBack, expiry_entry, plan_take_back


@dataclass(frozen=True)
class SoldSale:
    """A recorded sale, as its refund reads it."""

    checkout: int
    at: datetime
    day: str  # its shop-local day
    stamps: int  # what it earned (capped)
    visit: bool
    on_card: bool  # sold on a card (not a walk-in, claimed or not)
    refunded_at: datetime | None = None
    amount: Decimal = Decimal(0)
    refunded: Decimal = Decimal(0)  # what its refunds gave back so far
    tier: str | None = None  # the card's status tier at the sale


@dataclass(frozen=True)
class SoldLine:
    """One line of a recorded sale, and how many of it were returned."""

    sku: str
    category: str
    quantity: int
    unit_price: Decimal
    returned: int = 0


@dataclass(frozen=True)
class Ask:
    """What a refund asks back: items (SKU, quantity) and/or an amount;
    neither: all that is left of the sale."""

    items: tuple[tuple[str, int], ...] = ()
    amount: Decimal | None = None

    @property
    def everything(self) -> bool:
        return not self.items and self.amount is None


# A refund of all that is left of a sale.
EVERYTHING = Ask()


@dataclass(frozen=True)
class Part:
    """A refund's part of a sale, worked out: the amount it gives back, the
    items returned, whether it leaves nothing of the sale (``whole``), and
    the stamps it takes off the sale's own (≥ 0)."""

    amount: Decimal
    items: tuple[tuple[str, int], ...]
    whole: bool
    stamps: int


@dataclass(frozen=True)
class RefundCard:
    """A card a refund takes stamps back from, as read."""

    number: str
    balance: int
    cycle: int
    given: int  # the stamps the sale gave it (earned, claimed, surprise, referral)
    completions: tuple[int, ...] = ()  # ``undoable_completions`` of its ledger
    coupons: tuple[HeldCoupon, ...] = ()  # its coupons neither used nor voided
    last_lapse: datetime | None = None  # its latest lapse in the ledger
    stamp_day: str | None = None
    day_stamps: int = 0
    visits: int = 0
    last_visit_at: datetime | None = None
    # Its last visit once the sale is refunded: its latest other sale,
    # stamps given by hand or claimed, else the day it was created.
    visit_before: datetime | None = None


@dataclass(frozen=True)
class CardRefund:
    """What a refund does to a card: its ledger entries (a lapse first, if
    its stamps lapsed meanwhile), what it takes back, the coupons it voids
    and, for the card the sale was made on, its new marks."""

    number: str
    entries: tuple[LedgerEntry, ...]
    taken: TakeBack
    voided: tuple[str, ...]
    marks: SaleMarks | None


@dataclass(frozen=True)
class RefundPlan:
    """A refund worked out. ``card`` is None for a walk-in nobody claimed:
    its stamps simply are no longer claimable."""

    checkout: int
    at: datetime
    stamps: int  # signed: what the refund takes back, negative
    card: CardRefund | None
    referrer: CardRefund | None = None
    part: Part | None = None  # None: the whole rest of the sale


def plan_part(sale: SoldSale, lines: Sequence[SoldLine], ask: Ask, program: Program, zone: tzinfo) -> Part:
    """The part of ``sale`` (its ``lines``) that ``ask`` gives back, with
    the stamps the sale keeps worked out again under ``program`` (the one in
    force at the sale) at the sale's multiplier, never above what it had
    (its daily cap). Refuses an item the sale does not hold, more than is
    left of one, or an amount past what is left of the sale."""
    left = sale.amount - sale.refunded
    if ask.everything:
        return Part(left, _rest(lines), True, sale.stamps)
    wanted: dict[str, int] = {}
    for sku, quantity in ask.items:
        wanted[sku] = wanted.get(sku, 0) + quantity
    # A SKU's lines are returned in their order.
    due = dict(wanted)
    returned = []
    for line in lines:
        take = min(due.get(line.sku, 0), line.quantity - line.returned)
        due[line.sku] = due.get(line.sku, 0) - take
        returned.append(take)
    for sku, missing in due.items():
        sold = [line for line in lines if line.sku == sku]
        if not sold:
            raise Refused(code="refund_over_sale", phrase="refund_unknown_item", sku=sku)
        if missing > 0:
            rest = sum(line.quantity - line.returned for line in sold)
            raise Refused(code="refund_over_sale", phrase="refund_too_many", sku=sku, left=rest)
    value = sum((take * line.unit_price for take, line in zip(returned, lines, strict=True)), Decimal(0))
    amount = ask.amount if ask.amount is not None else min(value, left)
    if amount > left:
        raise Refused(code="refund_over_sale", phrase="refund_over_sale", amount=amount, left=left)
    kept = left - amount
    if kept <= 0:
        return Part(amount, tuple(sorted(wanted.items())), True, sale.stamps)
    categories = [
        line.category
        for take, line in zip(returned, lines, strict=True)
        if line.quantity - line.returned - take > 0
    ]
    tier = next((t for t in program.tiers if t.name == sale.tier), None)
    times = multiplier(program, tier, sale.at.astimezone(zone))
    keeps = min(sale_stamps(program, kept, categories, times), sale.stamps)
    return Part(amount, tuple(sorted(wanted.items())), False, sale.stamps - keeps)


def _rest(lines: Sequence[SoldLine]) -> tuple[tuple[str, int], ...]:
    """The items of a sale not returned yet, by SKU."""
    rest: dict[str, int] = {}
    for line in lines:
        if line.quantity > line.returned:
            rest[line.sku] = rest.get(line.sku, 0) + line.quantity - line.returned
    return tuple(sorted(rest.items()))


def plan_refund(
    sale: SoldSale,
    card: RefundCard | None,
    program: Program | None,
    now: datetime,
    zone: tzinfo,
    referrer: RefundCard | None = None,
    part: Part | None = None,
) -> RefundPlan:
    """The refund at ``now`` of ``sale``, whose stamps went to ``card``
    (None: a walk-in nobody claimed), under the ``program`` in force (its
    lapse rule; needed with a card). ``referrer``: the card that referred
    ``card``, with what the sale gave it. ``part``: a part of the sale
    (``plan_part``); None or a ``whole`` part: all that is left of it, and
    ``card.given`` is what the sale's earlier parts left on the card.
    Refuses a sale already refunded."""
    if sale.refunded_at is not None:
        # In the shop's time, whichever book says it.
        at = sale.refunded_at.astimezone(zone)
        raise Refused(code="already_refunded", phrase="refunded_before", checkout=sale.checkout, at=at)
    if part is not None and part.whole:
        whole: Part | None = part
        part = None
    else:
        whole = None
    if card is None:
        return RefundPlan(sale.checkout, now, -(part or sale).stamps, None, part=part or whole)
    if program is None:
        raise ValueError("a refund on a card needs the programme in force (its lapse rule)")
    # Stamps that lapsed since the card's last visit go first, as at a sale.
    entries: list[LedgerEntry] = []
    balance, cycle, completions, last_lapse = card.balance, card.cycle, card.completions, card.last_lapse
    gone = lapsed(program, card.balance, card.last_visit_at, now, zone)
    if gone is not None:
        entries.append(expiry_entry(gone.stamps, gone.at))
        balance, cycle, completions = 0, card.cycle + 1, ()
        last_lapse = gone.at if last_lapse is None else max(last_lapse, gone.at)
    # Stamps that lapsed since the sale are gone already: nothing of theirs to take.
    lapsed_since = _lapsed_since(last_lapse, sale.at)
    if part is not None:
        return _part_refund(sale, card, part, now, entries, balance, cycle, completions, lapsed_since)
    earned = 0 if lapsed_since else card.given
    marks = None
    if sale.on_card:
        day_stamps = card.day_stamps
        if sale.day == card.stamp_day:
            # A sale of the card's current day no longer counts against max_per_day.
            day_stamps = max(0, card.day_stamps - sale.stamps)
        last_visit = card.last_visit_at
        if last_visit is not None and last_visit <= sale.at:
            last_visit = card.visit_before
        marks = SaleMarks(card.stamp_day, day_stamps, max(0, card.visits - int(sale.visit)), last_visit)
    taken = _take_back(card, balance, cycle, earned, completions, now, sale.checkout)
    # The sale's own coupons go too when its stamps could not all be taken
    # back (they had lapsed), and its birthday coupon, unless already used.
    origins = {"birthday", "checkout"} if lapsed_since or taken.stamps < earned else {"birthday"}
    own = tuple(
        c.code
        for c in card.coupons
        if c.checkout_id == sale.checkout and c.origin in origins and c.code not in taken.voided
    )
    back = None
    # The referrer's stamps for this first visit come back too.
    if referrer is not None and referrer.given and not _lapsed_since(referrer.last_lapse, sale.at):
        given_back = plan_take_back(
            referrer.balance,
            referrer.cycle,
            referrer.given,
            completions=referrer.completions,
            coupons=referrer.coupons,
            kind="refund",
            at=now,
            checkout_id=sale.checkout,
        )
        back = CardRefund(referrer.number, given_back.entries, given_back, given_back.voided, None)
    return RefundPlan(
        sale.checkout,
        now,
        -taken.stamps,
        CardRefund(card.number, (*entries, *taken.entries), taken, (*taken.voided, *own), marks),
        back,
        whole,
    )


def _part_refund(
    sale: SoldSale,
    card: RefundCard,
    part: Part,
    now: datetime,
    entries: list[LedgerEntry],
    balance: int,
    cycle: int,
    completions: tuple[int, ...],
    lapsed_since: bool,
) -> RefundPlan:
    """A part of a sale refunded: the stamps it takes off the sale come off
    the card, as a whole refund's would; the visit and what came with it
    stay."""
    earned = 0 if lapsed_since else part.stamps
    taken = _take_back(card, balance, cycle, earned, completions, now, sale.checkout)
    short = part.stamps > 0 and (lapsed_since or taken.stamps < earned)
    own = tuple(
        c.code
        for c in card.coupons
        if short and c.checkout_id == sale.checkout and c.origin == "checkout" and c.code not in taken.voided
    )
    marks = None
    if sale.on_card:
        day_stamps = card.day_stamps
        if sale.day == card.stamp_day:
            day_stamps = max(0, card.day_stamps - part.stamps)
        marks = SaleMarks(card.stamp_day, day_stamps, card.visits, card.last_visit_at)
    return RefundPlan(
        sale.checkout,
        now,
        -taken.stamps,
        CardRefund(card.number, (*entries, *taken.entries), taken, (*taken.voided, *own), marks),
        None,
        part,
    )


def _take_back(
    card: RefundCard,
    balance: int,
    cycle: int,
    stamps: int,
    completions: tuple[int, ...],
    now: datetime,
    checkout: int,
) -> TakeBack:
    """``stamps`` of a refund of sale ``checkout`` taken off ``card`` (at
    ``balance`` and ``cycle`` once its lapse, if any, is written)."""
    return plan_take_back(
        balance,
        cycle,
        stamps,
        completions=completions,
        coupons=card.coupons,
        kind="refund",
        at=now,
        checkout_id=checkout,
    )


def _lapsed_since(last_lapse: datetime | None, at: datetime) -> bool:
    """Whether a card's stamps lapsed after ``at``."""
    return last_lapse is not None and last_lapse > at
