"""The loyalty rules beyond "N stamps = a reward", as pure functions:
multipliers (status tiers, quiet hours), category bonuses, surprises,
birthdays, status tiers with their grace period, and stamp expiry.

Days are the shop's calendar days (``date`` in its timezone): a window of
90 days, a grace of 30 days and a lapse after 180 days are counted in days
on the shop's clock, so a daylight-saving change moves nothing.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal

from .days import end_of_day_after, local_day
from .outcomes import TIER_PERK, Notice, Outcome
from .program import WEEKDAYS, Birthday, Offpeak, Program, Surprise, Tier
from .rules import stamps_for_sale


def offpeak_multiplier(offpeak: Sequence[Offpeak], local: datetime) -> int:
    """The highest quiet-hours multiplier in force at ``local`` (shop time), or 1."""
    if not offpeak:
        return 1
    day, clock = WEEKDAYS[local.weekday()], local.strftime("%H:%M")
    return max((o.multiplier for o in offpeak if day in o.days and o.start <= clock < o.end), default=1)


def multiplier(program: Program, tier: Tier | None, local: datetime) -> int:
    """The multiplier of a sale: the highest of its tier's and the quiet
    hours' (never their product)."""
    return max(tier.stamp_multiplier if tier else 1, offpeak_multiplier(program.offpeak, local))


def is_visit(program: Program, amount: Decimal) -> bool:
    """Whether a sale of ``amount`` is a qualifying visit."""
    return amount > 0 and amount >= program.earning.min_amount


def category_stamps(program: Program, categories: Iterable[str]) -> int:
    """Bonus stamps for the categories a sale holds (each bonus once a sale)."""
    if not program.category_bonus:
        return 0
    held = {c.lower() for c in categories}
    return sum(b.stamps for b in program.category_bonus if b.category in held)


def sale_stamps(program: Program, amount: Decimal, categories: Iterable[str], times: int) -> int:
    """Stamps a sale earns before the daily cap: visit and amount stamps
    multiplied by ``times``, plus the category bonuses (not multiplied)."""
    if amount <= 0:
        return 0
    return stamps_for_sale(program.earning, amount) * times + category_stamps(program, categories)


def surprise_at(surprises: Iterable[Surprise], visit: int) -> Surprise | None:
    """The surprise of the ``visit``-th qualifying visit, if the owner set one."""
    for s in surprises:
        if s.at_visit == visit:
            return s
    return None


def _birthday_in(year: int, birthday: date) -> date:
    try:
        return birthday.replace(year=year)
    except ValueError:  # 29 February, in a year without one
        return date(year, 2, 28)


def birthday_year(birthday: Birthday, born: date | None, day: date) -> int | None:
    """The year whose birthday ``day`` celebrates (``day`` within
    [birthday, birthday + window_days)), or None."""
    if born is None:
        return None
    for year in (day.year, day.year - 1):
        start = _birthday_in(year, born)
        if start <= day < start + timedelta(days=birthday.window_days):
            return year
    return None


# ----------------------------------------------------------------------
# Stamps that lapse, and the warnings ahead of a lapse or a coupon's end


def lapse_at(program: Program, last_visit: datetime | None, zone: tzinfo) -> datetime | None:
    """The moment a card's stamps lapse: the end of the shop-local day
    ``stamps_after_days`` after its last visit (None: they never do)."""
    days = program.expiry.stamps_after_days
    if days is None or last_visit is None:
        return None
    return end_of_day_after(last_visit, days, zone)


@dataclass(frozen=True)
class Lapse:
    """A card's stamps that lapsed: how many, and the moment they did."""

    stamps: int
    at: datetime


def lapsed(
    program: Program, balance: int, last_visit: datetime | None, moment: datetime, zone: tzinfo
) -> Lapse | None:
    """The stamps of a card (its ``balance``, its last visit) that lapsed by
    ``moment``, if any: all of them, its cycle ends there."""
    when = lapse_at(program, last_visit, zone)
    if when is None or balance <= 0 or moment <= when:
        return None
    return Lapse(balance, when)


def lapse_notice(gone: Lapse, program: Program, zone: tzinfo) -> Notice:
    """ "3 stamps expired on 12/05 (no visit for 180 days)"."""
    return Notice(
        Outcome.STAMPS_LAPSED,
        {
            "stamps": gone.stamps,
            "day": local_day(gone.at, zone),
            "days": program.expiry.stamps_after_days or 0,
        },
    )


def stamps_expiring(
    program: Program, balance: int, lapse: datetime | None, moment: datetime, zone: tzinfo
) -> Notice | None:
    """ "Your 7 stamps expire on 12/05", when they lapse within ``warn_days``."""
    if lapse is None or balance <= 0 or lapse < moment:
        return None
    if lapse - moment > timedelta(days=program.expiry.warn_days):
        return None
    return Notice(Outcome.STAMPS_EXPIRING, {"stamps": balance, "day": local_day(lapse, zone)})


def coupons_expiring(
    live: Iterable[tuple[str, datetime]], moment: datetime, warn_days: int, zone: tzinfo
) -> list[Notice]:
    """ "Use your "Croissant offert" coupon by 01/04" for each live coupon
    ``(reward, expires)`` still valid at ``moment`` that ends within
    ``warn_days``, the soonest first."""
    if warn_days <= 0:
        return []
    horizon = moment + timedelta(days=warn_days)
    return [
        Notice(Outcome.COUPON_EXPIRING, {"reward": reward, "day": local_day(expires, zone)})
        for reward, expires in sorted(live, key=lambda c: c[1])
        if moment <= expires <= horizon
    ]


# ----------------------------------------------------------------------
# Status tiers


@dataclass(frozen=True)
class Sale:
    """A sale that counts for a card's status: its shop-local day, its
    amount and whether it was a qualifying visit (refunded sales are left out)."""

    day: date
    amount: Decimal
    visit: bool


@dataclass(frozen=True)
class TierStatus:
    """A card's status on a given day.

    ``tier`` is the status held; ``until`` the last day it holds when the
    card has fallen below it (the grace period), else None. ``visits`` and
    ``spend`` are what the card still needs by ``until`` to keep it.
    """

    tier: Tier | None
    until: date | None = None
    visits_needed: int = 0
    spend_needed: Decimal = Decimal("0.00")


class _Window:
    """Visits and spend of the sales in (day - window, day], by bisection."""

    def __init__(self, sales: Sequence[Sale]) -> None:
        ordered = sorted(sales, key=lambda s: s.day)
        self.days = [s.day for s in ordered]
        self.visits = [0]
        self.spend = [Decimal(0)]
        for s in ordered:
            self.visits.append(self.visits[-1] + int(s.visit))
            self.spend.append(self.spend[-1] + s.amount)

    def over(self, day: date, window: int) -> tuple[int, Decimal]:
        lo = bisect_right(self.days, day - timedelta(days=window))
        hi = bisect_right(self.days, day)
        return self.visits[hi] - self.visits[lo], self.spend[hi] - self.spend[lo]


def earned_level(tiers: Sequence[Tier], window: _Window, day: date) -> int:
    """The level (len(tiers) for the highest tier, 0 for none) whose both
    criteria the card meets on ``day``."""
    for index, tier in enumerate(tiers):
        visits, spend = window.over(day, tier.window_days)
        if visits >= tier.min_visits and spend >= tier.min_spend:
            return len(tiers) - index
    return 0


def lookback_days(program: Program) -> int:
    """How far back a card's sales decide its status today: a window, then
    as many grace periods as there are tiers to fall through, then a window."""
    if not program.tiers:
        return 0
    widest = max(t.window_days for t in program.tiers)
    return 2 * widest + (len(program.tiers) + 1) * (program.tier_grace_days + 1)


@dataclass(frozen=True)
class TierTimeline:
    """The tiers and grace days of each programme version of a card's line,
    by the shop-local day it was loaded, oldest first."""

    versions: tuple[tuple[date, Sequence[Tier], int], ...]

    def on(self, day: date) -> tuple[Sequence[Tier], int]:
        """The tiers (highest first) and grace days in force on ``day``: a
        version's from the day after it was loaded (the status a card
        reached that day is judged by the rules of that day); before the
        first version, the first one's."""
        _, tiers, grace = self.versions[0]
        for loaded, its_tiers, its_grace in self.versions:
            if loaded < day:
                tiers, grace = its_tiers, its_grace
        return tiers, grace


def tier_notices(before: TierStatus, after: TierStatus) -> list[Notice]:
    """What a sale says of the card's status: a tier reached (and its perk),
    or what keeps the tier it holds in its grace period."""
    notices = []
    held = before.tier.name if before.tier else None
    if after.tier is not None and after.until is None and after.tier.name != held:
        notices.append(Notice(Outcome.TIER_REACHED, {"tier": after.tier.name}))
        if after.tier.perk:
            notices.append(Notice(TIER_PERK, {"tier": after.tier.name, "perk": after.tier.perk}))
    grace = grace_notice(after)
    if grace is not None:
        notices.append(grace)
    return notices


def grace_notice(status: TierStatus) -> Notice | None:
    """ "2 visits and €75.00 spent to stay Gold by 29/06": what keeps a tier
    in its grace period, or None."""
    if status.tier is None or status.until is None:
        return None
    return Notice(
        Outcome.TIER_GRACE,
        {
            "tier": status.tier.name,
            "until": status.until,
            "visits": status.visits_needed,
            "spend": status.spend_needed,
        },
    )


def tier_status(
    tiers_on: Callable[[date], tuple[Sequence[Tier], int]],
    sales: Sequence[Sale],
    today: date,
) -> TierStatus:
    """The status a card holds on ``today``, replayed from its sales.

    ``tiers_on(day)`` gives the tiers (highest first) and the grace days of
    the programme version in force that day. A tier is reached as soon as
    both its criteria hold. When the card falls below the tier it holds, the
    tier holds ``grace`` more days; then it drops one level (and a new grace
    starts if the card is below that level too). A tier held under an older
    programme version keeps its level under a new one: nothing is taken away
    by a change of rules, only by the grace periods that follow.
    """
    window = _Window(sales)
    events: list[date] = sorted({s.day for s in sales if s.day <= today})
    if not events:
        return TierStatus(None)
    first = events[0]
    heap: list[date] = []
    for s in sales:
        for w in {t.window_days for t in tiers_on(s.day)[0]}:
            end = s.day + timedelta(days=w)  # the first day the sale is out of the window
            if end <= today:
                heap.append(end)
    heap.extend(events)
    heap.append(today)
    heapq.heapify(heap)
    level, held, until = 0, None, None  # until: the day the held tier drops
    seen: date | None = None
    while heap:
        day = heapq.heappop(heap)
        if day == seen or day < first:
            continue
        seen = day
        tiers, grace = tiers_on(day)
        if held is not None:
            held = next((t for t in tiers if t.name == held.name), held)  # its current terms
        earned = earned_level(tiers, window, day)
        if earned >= level:
            level, until = earned, None
            held = tiers[len(tiers) - level] if level else None
        else:
            if until is None:
                until = day + timedelta(days=grace)
                if until > day and until <= today:
                    heapq.heappush(heap, until)
            while until is not None and day >= until:
                level -= 1
                if level <= len(tiers):  # else: a level only an older version had
                    held = tiers[len(tiers) - level] if level else None
                if earned >= level:
                    level, until = earned, None
                    held = tiers[len(tiers) - level] if level else None
                else:
                    until = until + timedelta(days=grace)
                    if until > day and until <= today:
                        heapq.heappush(heap, until)
    if held is None or until is None:
        return TierStatus(held)
    # In the grace period: what keeps the tier, counted on its last day.
    # The sales still in its window on its last day count; the rest is needed.
    last = until - timedelta(days=1)
    visits, spend = window.over(last, held.window_days)
    return TierStatus(
        held,
        last,
        visits_needed=max(0, held.min_visits - visits),
        spend_needed=max(Decimal("0.00"), held.min_spend - spend),
    )
