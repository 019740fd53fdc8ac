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
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from .errors import Refused
from .loyalty import lapsed
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


def plan_refund(
    sale: SoldSale,
    card: RefundCard | None,
    program: Program | None,
    now: datetime,
    zone: tzinfo,
    referrer: RefundCard | None = None,
) -> RefundPlan:
    """The refund at ``now`` of ``sale``, whose stamps went to ``card``
    (None: a walk-in nobody claimed), under the ``program`` in force (its
    lapse rule; needed with a card). ``referrer``: the card that referred
    ``card``, with what the sale gave it. Refuses a sale already refunded."""
    if sale.refunded_at is not None:
        # In the shop's time, whichever book says it.
        at = sale.refunded_at.astimezone(zone)
        raise Refused(code="already_refunded", phrase="refunded_before", checkout=sale.checkout, at=at)
    if card is None:
        return RefundPlan(sale.checkout, now, -sale.stamps, None)
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
    taken = plan_take_back(
        balance,
        cycle,
        earned,
        completions=completions,
        coupons=card.coupons,
        kind="refund",
        at=now,
        checkout_id=sale.checkout,
    )
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
    )


def _lapsed_since(last_lapse: datetime | None, at: datetime) -> bool:
    """Whether a card's stamps lapsed after ``at``."""
    return last_lapse is not None and last_lapse > at
