"""A sale, worked out: ``plan_sale`` takes the card as read, the programme,
the sale and what else the card's history must say, and returns every
entry, coupon and change the sale makes, with its outcome codes. Pure: the
checkout service reads (``sale_needs`` says what), plans here, then writes.

The order of the rules: the stamps that lapsed before this visit go first;
then the status the visit gives (it counts itself) and its multiplier;
what the sale earns, capped per day; the gifts (starter stamps, a surprise,
a referral), not capped; the milestones and completions; the birthday
coupon; the warnings of what lapses soon.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal

from .coupon_codes import new_coupon_code
from .days import end_of_day_after, local_day
from .errors import InvalidInput
from .loyalty import (
    Sale,
    TierStatus,
    TierTimeline,
    birthday_year,
    category_stamps,
    coupons_expiring,
    is_visit,
    lapse_at,
    lapse_notice,
    lapsed,
    lookback_days,
    multiplier,
    offpeak_multiplier,
    sale_stamps,
    stamps_expiring,
    surprise_at,
    tier_notices,
    tier_status,
)
from .outcomes import Notice, Outcome
from .program import Program
from .rules import CouponKey, Reached, advance, cap_for_day, stamps_for_sale
from .stamps import ACTIVE, THIS_SALE, LedgerEntry, NewCoupon, expiry_entry, plan_gift, starter_stamps


@dataclass(frozen=True)
class CardSnapshot:
    """A card as a sale reads it (in one statement, on the hot path)."""

    number: str
    balance: int
    cycle: int
    status: str
    stamp_day: str | None  # the shop-local day ``day_stamps`` counts
    day_stamps: int  # stamps its sales earned that day, against max_per_day
    visits: int  # qualifying visits
    last_visit_at: datetime | None
    created_at: datetime
    referred: bool = False  # enrolled with a referrer
    enrolled: bool = False  # has a customer (a birthday to know)
    coupon_end: datetime | None = None  # the end of its first coupon still to use, if any
    # The keys of its coupons not voided (used or not), from its cycle on:
    # its birthday coupons among them (at 0, their cycle the birthday's year).
    held: frozenset[CouponKey] = frozenset()


@dataclass(frozen=True)
class NewSale:
    """What the till sold: the amount, its items' categories, the moment
    (``backdated``: given by the till, a sale in the past) and the shop's
    time zone (its calendar days, quiet hours and coupons' ends)."""

    amount: Decimal
    categories: tuple[str, ...]
    at: datetime
    zone: tzinfo
    backdated: bool = False


@dataclass(frozen=True)
class SaleNeeds:
    """What a sale needs to know of the card beyond its snapshot."""

    day_stamps: bool = False  # the stamps its sales earned on the sale's day (a sale in the past)
    sales_since: date | None = None  # its sales from this day on (status tiers)
    birthday: bool = False  # its holder's birthday
    coupons: bool = False  # its coupons still to use (one ends within warn_days)
    referrer: bool = False  # whether its referrer's card is in use (a referral)


@dataclass(frozen=True)
class SaleHistory:
    """What ``sale_needs`` asked for, read: only those fields are used."""

    day_stamps: int | None = None
    sales: tuple[Sale, ...] = ()
    tiers: TierTimeline | None = None
    born: date | None = None
    coupons: tuple[tuple[str, datetime], ...] = ()  # (reward, expires) of its coupons still to use
    referrer_active: bool = False


@dataclass(frozen=True)
class CardUpdate:
    """The card's columns after the sale."""

    balance: int
    cycle: int
    status: str
    stamp_day: str | None
    day_stamps: int
    visits: int
    last_visit_at: datetime | None


@dataclass(frozen=True)
class SalePlan:
    """A sale worked out: what it records and changes, and what it says.

    ``stamps`` is what the sale earned (capped), ``stamps_added`` adds the
    surprise and referral stamps the card got with it. ``rewarded`` are
    the milestones it announces, each with its coupon in ``coupons`` (the
    birthday's coupon comes last). ``referrer_stamps``: what the referrer's
    card gets for this first visit.
    """

    day: str
    stamps: int
    stamps_added: int
    visit: bool
    card: CardUpdate | None
    entries: tuple[LedgerEntry, ...]
    coupons: tuple[NewCoupon, ...]
    rewarded: tuple[Reached, ...]
    tier: str | None
    notices: tuple[Notice, ...]
    outcomes: tuple[Outcome, ...]
    referrer_stamps: int = 0
    # A pre-printed card's first sale: the starter stamps it gets besides
    # ``stamps_added`` (they count from the card's handing out, not the sale).
    starter_stamps: int = 0

    @property
    def balance(self) -> int | None:
        """The card's stamps after the sale (None for a walk-in)."""
        return self.card.balance if self.card is not None else None


def sale_needs(card: CardSnapshot | None, program: Program, sale: NewSale) -> SaleNeeds:
    """What ``plan_sale`` needs beyond the card's snapshot for this sale:
    most sales need nothing more (``NO_NEEDS``)."""
    if card is None:
        return NO_NEEDS
    visit = is_visit(program, sale.amount)
    today = local_day(sale.at, sale.zone) if card.stamp_day is not None or program.tiers else None
    day_stamps = today is not None and card.stamp_day is not None and today.isoformat() < card.stamp_day
    since = today - timedelta(days=lookback_days(program)) if today is not None and program.tiers else None
    birthday = visit and program.birthday is not None and card.enrolled
    coupons = card.coupon_end is not None and card.coupon_end <= sale.at + timedelta(
        days=program.expiry.warn_days
    )
    referrer = visit and card.referred and card.visits == 0 and program.referral is not None
    if not (day_stamps or since or birthday or coupons or referrer):
        return NO_NEEDS
    return SaleNeeds(day_stamps, since, birthday, coupons, referrer)


# What most sales need beyond the card: nothing.
NO_NEEDS = SaleNeeds()


def plan_sale(
    card: CardSnapshot | None,
    program: Program,
    sale: NewSale,
    history: SaleHistory | None = None,
    *,
    new_code: Callable[[], str] = new_coupon_code,
) -> SalePlan:
    """The sale on ``card`` (None: a walk-in) under ``program``, with what
    ``sale_needs`` asked of its ``history``. ``new_code`` makes the new
    coupons' codes. Refuses (``InvalidInput``) an amount over
    ``max_amount``, or a sale in the past before the card was created."""
    if card is not None and sale.backdated and sale.at < card.created_at:
        raise InvalidInput(
            code="invalid_time",
            phrase="sale_before_card",
            number=card.number,
            created=card.created_at,
            at=sale.at,
        )
    if sale.amount > program.earning.max_amount:
        raise InvalidInput(
            code="invalid_amount",
            phrase="sale_over_max",
            amount=sale.amount,
            maximum=program.earning.max_amount,
        )
    if card is None:
        return _walk_in(program, sale)
    return _card_sale(card, program, sale, history or SaleHistory(), new_code)


def _earning(
    program: Program, sale: NewSale, times: int, tier_times: int, earned_today: int
) -> tuple[int, list[Outcome]]:
    """What the sale earns (``times``: its multiplier, ``tier_times`` its
    tier's), capped per day, and why it earned what it did."""
    outcomes = []
    amount = sale.amount
    if amount < program.earning.min_amount:
        outcomes.append(Outcome.BELOW_MINIMUM)
    uncapped = sale_stamps(program, amount, sale.categories, times)
    if times > 1 and stamps_for_sale(program.earning, amount):
        outcomes.append(Outcome.TIER_MULTIPLIER if tier_times == times else Outcome.OFFPEAK)
    if program.category_bonus and amount > 0 and category_stamps(program, sale.categories):
        outcomes.append(Outcome.CATEGORY_BONUS)
    stamps = cap_for_day(uncapped, earned_today, program.earning.max_per_day)
    if stamps < uncapped:
        outcomes.append(Outcome.DAILY_CAP)
    return stamps, outcomes


def _walk_in(program: Program, sale: NewSale) -> SalePlan:
    local = sale.at.astimezone(sale.zone)
    times = offpeak_multiplier(program.offpeak, local)  # quiet hours
    stamps, why = _earning(program, sale, times, 1, 0)
    return SalePlan(
        day=local.date().isoformat(),
        stamps=stamps,
        stamps_added=stamps,
        visit=False,
        card=None,
        entries=(),
        coupons=(),
        rewarded=(),
        tier=None,
        notices=(),
        outcomes=(Outcome.WALK_IN, *why),
    )


def _card_sale(
    card: CardSnapshot,
    program: Program,
    sale: NewSale,
    history: SaleHistory,
    new_code: Callable[[], str],
) -> SalePlan:
    moment, zone = sale.at, sale.zone
    local = moment.astimezone(zone)
    today = local.date()
    day = today.isoformat()
    entries: list[LedgerEntry] = []
    notices: list[Notice] = []
    outcomes: list[Outcome] = []
    # 1. Stamps that lapsed before this visit go first.
    balance, cycle = card.balance, card.cycle
    gone = lapsed(program, card.balance, card.last_visit_at, moment, zone)
    if gone is not None:
        entries.append(expiry_entry(gone.stamps, gone.at))
        balance, cycle = 0, card.cycle + 1
        notices.append(lapse_notice(gone, program, zone))
        outcomes.append(Outcome.STAMPS_LAPSED)
    # 2. The status this visit gives (it counts itself), and its multiplier.
    visit = is_visit(program, sale.amount)
    status = TierStatus(None)
    if program.tiers:
        status, said = _status(history, Sale(today, sale.amount, visit))
        notices += said
        outcomes += [o for o in (Outcome.TIER_REACHED, Outcome.TIER_GRACE) if any(n.code == o for n in said)]
    times = multiplier(program, status.tier, local)
    tier_times = status.tier.stamp_multiplier if status.tier else 1
    # 3. What the sale earns, capped per day; gifts are not capped.
    earned_today = _earned_on(card, day, history)
    stamps, why = _earning(program, sale, times, tier_times, earned_today)
    outcomes += why
    visits = card.visits + int(visit)
    surprise = surprise_at(program.surprises, visits) if visit else None
    referral = program.referral if visit and card.visits == 0 and card.referred else None
    if referral is not None and not history.referrer_active:
        referral = None
    # A pre-printed card's first sale hands it out: starter stamps first.
    starter = starter_stamps(program, card.status)
    first = []
    if starter:
        first.append(LedgerEntry("starter", starter, moment))
        outcomes.append(Outcome.STARTER_STAMPS)
    gifts = 0
    if surprise is not None:
        gifts += surprise.stamps
        notices.append(Notice(Outcome.SURPRISE, {"message": surprise.message}))
        outcomes.append(Outcome.SURPRISE)
        first.append(LedgerEntry("surprise", surprise.stamps, moment, checkout_id=THIS_SALE))
    if referral is not None:
        outcomes.append(Outcome.REFERRAL)
        if referral.referred_stamps:
            gifts += referral.referred_stamps
            notices.append(Notice(Outcome.REFERRAL, {"stamps": referral.referred_stamps}))
            first.append(LedgerEntry("referral", referral.referred_stamps, moment, checkout_id=THIS_SALE))
    added = starter + stamps + gifts
    planned = advance(balance, cycle, added, program)
    gift = plan_gift(
        balance,
        cycle,
        added,
        program,
        kind="earn",
        at=moment,
        origin="checkout",
        zone=zone,
        held={key for key in card.held if key.cycle >= cycle} if planned.reached else frozenset(),
        checkout_id=THIS_SALE,
        first=first,
        planned=planned,
        new_code=new_code,
    )
    entries += gift.entries
    # What the sale announces is what it rewards: each with its coupon.
    if gift.rewarded and any(not r.final for r in gift.rewarded):
        outcomes.append(Outcome.MILESTONE)
    if gift.completions:
        outcomes.append(Outcome.CARD_COMPLETED)
    coupons = list(gift.coupons)
    birthday = _birthday_coupon(card, program, sale, history, new_code) if visit else None
    if birthday is not None:
        coupons.append(birthday)
        notices.append(Notice(Outcome.BIRTHDAY, {"reward": birthday.reward}))
        outcomes.append(Outcome.BIRTHDAY)
    # A sale recorded in the past (--at) leaves the card's current day alone.
    current = card.stamp_day is None or day >= card.stamp_day
    last_visit = max(card.last_visit_at, moment) if card.last_visit_at is not None else moment
    warnings = _warnings(card, program, sale, history, gift.balance, last_visit, coupons)
    if warnings:
        notices += warnings
        outcomes += [
            o
            for o in (Outcome.STAMPS_EXPIRING, Outcome.COUPON_EXPIRING)
            if any(n.code == o for n in warnings)
        ]
    return SalePlan(
        day=day,
        stamps=stamps,
        stamps_added=stamps + gifts,
        visit=visit,
        card=CardUpdate(
            balance=gift.balance,
            cycle=gift.cycle,
            status=ACTIVE,
            stamp_day=day if current else card.stamp_day,
            day_stamps=earned_today + stamps if current else card.day_stamps,
            visits=visits,
            last_visit_at=last_visit,
        ),
        entries=tuple(entries),
        coupons=tuple(coupons),
        rewarded=gift.rewarded,
        tier=status.tier.name if status.tier else None,
        notices=tuple(notices),
        outcomes=tuple(outcomes),
        referrer_stamps=referral.referrer_stamps if referral is not None else 0,
        starter_stamps=starter,
    )


def _status(history: SaleHistory, this: Sale) -> tuple[TierStatus, list[Notice]]:
    """The card's status tier with ``this`` sale (it counts itself), and what
    the sale says of it."""
    if history.tiers is None:
        raise ValueError("a programme with status tiers needs the card's sales and tiers")
    today = this.day
    sales = [s for s in history.sales if s.day <= today]
    before = tier_status(history.tiers.on, sales, today)
    after = tier_status(history.tiers.on, [*sales, this], today)
    return after, tier_notices(before, after)


def _birthday_coupon(
    card: CardSnapshot, program: Program, sale: NewSale, history: SaleHistory, new_code: Callable[[], str]
) -> NewCoupon | None:
    """The birthday coupon of a qualifying visit: at the first visit in the
    window, once a year (a coupon of milestone 0, its cycle the birthday's
    year), for a card with a holder."""
    if program.birthday is None or not card.enrolled:
        return None
    year = birthday_year(program.birthday, history.born, local_day(sale.at, sale.zone))
    if year is None or CouponKey(year, 0) in card.held:
        return None
    return NewCoupon(
        new_code(),
        year,
        0,
        False,
        program.birthday.reward,
        "birthday",
        sale.at,
        end_of_day_after(sale.at, program.coupon_valid_days, sale.zone),
        program.birthday.cost,
        THIS_SALE,
    )


def _warnings(
    card: CardSnapshot,
    program: Program,
    sale: NewSale,
    history: SaleHistory,
    balance: int,
    last_visit: datetime,
    coupons: Sequence[NewCoupon],
) -> list[Notice]:
    """What lapses soon: the card's stamps (``balance`` after the sale), its
    coupons (the sale's new ones among them)."""
    moment, zone = sale.at, sale.zone
    notices = []
    expiring = stamps_expiring(program, balance, lapse_at(program, last_visit, zone), moment, zone)
    if expiring is not None:
        notices.append(expiring)
    warn = timedelta(days=program.expiry.warn_days)
    if (card.coupon_end is not None and card.coupon_end <= moment + warn) or (
        coupons and timedelta(days=program.coupon_valid_days) <= warn
    ):
        # The card's coupons matter only when one ends within warn_days
        # (``sale_needs``): else none of them is in the warning's window.
        live = [*history.coupons, *((c.reward, c.expires_at) for c in coupons)]
        notices += coupons_expiring(live, moment, program.expiry.warn_days, zone)
    return notices


def _earned_on(card: CardSnapshot, day: str, history: SaleHistory) -> int:
    """Stamps the card's sales earned on ``day`` (refunded ones not counted)."""
    if day == card.stamp_day:
        return card.day_stamps
    if card.stamp_day is None or day > card.stamp_day:
        return 0
    # A sale recorded in the past (--at): that day's, read from the ledger.
    if history.day_stamps is None:
        raise ValueError("a sale before the card's current day needs that day's stamps")
    return history.day_stamps
