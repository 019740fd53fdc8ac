"""The stamp rules, as pure functions over plain values.

A card holds ``balance`` stamps in its current ``cycle``. Reaching a milestone
does not spend stamps; reaching ``stamps_per_card`` completes the card: the
final reward is issued and a new cycle starts with the overflow carried over.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .program import Earning, Milestone, Program


def stamps_for_sale(earning: Earning, amount: Decimal) -> int:
    """Stamps a sale of ``amount`` earns before the daily cap.

    A visit qualifies from ``min_amount``; it earns ``per_visit`` plus one
    stamp per full ``per_amount`` spent.
    """
    if amount < earning.min_amount or amount <= 0:
        return 0
    stamps = earning.per_visit
    if earning.per_amount is not None:
        stamps += int(amount // earning.per_amount)
    return stamps


def cap_for_day(stamps: int, earned_today: int, max_per_day: int | None) -> int:
    """Stamps allowed once ``earned_today`` are counted against ``max_per_day``."""
    if max_per_day is None:
        return stamps
    return max(0, min(stamps, max_per_day - earned_today))


@dataclass(frozen=True)
class Reached:
    """A milestone reached in a given cycle of a card; ``final``: the final
    reward of the card's completion, not an intermediate milestone."""

    cycle: int
    milestone: Milestone
    final: bool = False

    @property
    def coupon(self) -> CouponKey:
        """What the coupon it gives is one of (see ``CouponKey``)."""
        return CouponKey(self.cycle, None if self.final else self.milestone.at)


@dataclass(frozen=True)
class CouponKey:
    """The identity of a reward coupon on a card: one live coupon a key.

    An intermediate milestone's is its cycle and position (``at``). A
    completion's final reward is its cycle's alone (``at`` None): one a
    cycle, wherever the programme puts the final reward. Programme changes
    move positions (a lowered ``stamps_per_card`` makes the position of an
    intermediate milestone already rewarded the final one's), so the final
    reward never collides with a milestone coupon the card holds, and a
    cycle never gets two final rewards.
    """

    cycle: int
    at: int | None


@dataclass(frozen=True)
class Advance:
    balance: int
    cycle: int
    reached: tuple[Reached, ...]
    completed: tuple[int, ...]  # the stamps_per_card each completion took


def advance(balance: int, cycle: int, stamps: int, program: Program) -> Advance:
    """Add ``stamps`` (≥ 0) to a card and say which milestones it crosses.

    A milestone is reached when the balance goes from below ``at`` to ``at`` or
    more. The final reward comes with every completion, even when a newer
    programme lowered ``stamps_per_card`` under a balance already held.
    """
    if stamps < 0:
        raise ValueError("advance() adds stamps; use retreat() to take them back")
    spc = program.stamps_per_card
    reached: list[Reached] = []
    completed: list[int] = []
    before, remaining = balance, stamps
    while True:
        after = before + remaining
        for m in program.milestones:
            if m.at < spc and before < m.at <= after:
                reached.append(Reached(cycle, m))
        if after < spc:
            return Advance(after, cycle, tuple(reached), tuple(completed))
        reached.append(Reached(cycle, program.final_reward, final=True))
        completed.append(spc)
        cycle += 1
        before, remaining = 0, after - spc


def rewards_due(reached: Sequence[Reached], held: Collection[CouponKey]) -> tuple[Reached, ...]:
    """The milestones of ``reached`` that give a coupon: those whose coupon
    the card does not hold yet (``held``: its coupons not voided, used or
    not). A used coupon keeps its milestone consumed for its cycle, so
    reaching it again gives, and announces, nothing."""
    due: list[Reached] = []
    taken = set(held)
    for r in reached:
        if r.coupon not in taken:
            taken.add(r.coupon)
            due.append(r)
    return tuple(due)


@dataclass(frozen=True)
class Retreat:
    balance: int
    cycle: int
    reversed_completions: int
    taken: int  # the stamps actually taken: ``stamps``, or fewer at zero


def retreat(balance: int, cycle: int, stamps: int, completions: Sequence[int]) -> Retreat:
    """Take ``stamps`` back from a card (a refund or a negative adjustment).

    When the balance would fall below zero, the latest completions are undone
    (newest first, given as the stamps each took). A balance never goes below
    zero: what cannot be taken back (stamps that already lapsed) is not.
    """
    b, c, n = balance - stamps, cycle, 0
    while b < 0 and n < len(completions):
        b += completions[n]
        c -= 1
        n += 1
    taken = stamps + min(b, 0)
    return Retreat(max(b, 0), c, n, taken)


def next_milestone(balance: int, program: Program) -> Milestone:
    """The next milestone the card will reach (the final reward at the latest)."""
    for m in program.milestones:
        if m.at > balance:
            return m
    return program.final_reward
