"""Giving stamps to a card and taking them back, worked out as plans: the
ledger entries, the coupons a gift issues or a take-back voids, and what
the card becomes. Pure: a service reads the card, plans here, then writes
the plan (``services.stamps``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal

from .coupon_codes import new_coupon_code
from .days import end_of_day_after
from .program import Program
from .rules import Advance, CouponKey, Reached, advance, retreat, rewards_due

# A card in use.
ACTIVE = "active"
# A pre-printed card not handed out yet: its first sale or enrolment gives
# the starter stamps and makes it active.
BLANK = "blank"
# A card whose holder erased their data: kept for the accounts, refused at the till.
ERASED = "erased"

# An entry or a coupon of a sale not written yet points to the sale with
# this checkout id; the sale's id replaces it when the sale is written.
THIS_SALE = -1


def starter_stamps(program: Program, status: str | None) -> int:
    """The starter stamps a card gets now: a new card (``status`` None) or a
    pre-printed one handed out (``blank``), at its enrolment or at its first
    sale, whichever comes first; none for a card already in use."""
    return program.starter_stamps if status is None or status == BLANK else 0


@dataclass(frozen=True)
class LedgerEntry:
    """A line of a card's ledger, to be written.

    ``checkout_id``: the sale it belongs to (``THIS_SALE``: the sale being
    recorded). ``coupon``: the code of the new coupon it names (a
    completion's final reward).
    """

    kind: str
    stamps: int
    at: datetime
    cycles: int = 0
    checkout_id: int | None = None
    coupon: str | None = None
    staff: str | None = None
    reason: str | None = None


def expiry_entry(stamps: int, at: datetime) -> LedgerEntry:
    """The entry of a card's lapsed stamps: at the lapse moment, ending the cycle."""
    return LedgerEntry("expiry", -stamps, at, cycles=1, reason="no visit")


@dataclass(frozen=True)
class NewCoupon:
    """A coupon to issue to a card: a milestone's, a completion's final
    reward (``final_reward``) or a birthday's (milestone 0, its cycle the
    birthday's year)."""

    code: str
    cycle: int
    milestone_at: int
    final_reward: bool
    reward: str
    origin: str
    issued_at: datetime
    expires_at: datetime
    cost: Decimal | None = None
    checkout_id: int | None = None


@dataclass(frozen=True)
class Gift:
    """What giving stamps does: the ledger entries, the new coupons (a
    completion's entry names its final reward's by code), the card's new
    balance and cycle, and the milestones it rewards (``rewarded``, each
    with its coupon in ``coupons``, in the same order: a milestone whose
    coupon the card already holds is neither rewarded nor announced)."""

    entries: tuple[LedgerEntry, ...]
    coupons: tuple[NewCoupon, ...]
    balance: int
    cycle: int
    rewarded: tuple[Reached, ...]
    completions: int  # the card's cycles the gift completed


def plan_gift(
    balance: int,
    cycle: int,
    stamps: int,
    program: Program,
    *,
    kind: str,
    at: datetime,
    origin: str,
    zone: tzinfo,
    held: Collection[CouponKey] = frozenset(),
    checkout_id: int | None = None,
    staff: str | None = None,
    reason: str | None = None,
    first: Sequence[LedgerEntry] = (),
    planned: Advance | None = None,
    new_code: Callable[[], str] = new_coupon_code,
) -> Gift:
    """Add ``stamps`` (≥ 0) to a card holding ``balance`` in ``cycle``: the
    ledger entries, milestone coupons, completions and their final rewards.

    ``held``: the keys of the card's coupons not voided (used or not), from
    this cycle on: a milestone whose coupon the card holds gives none.
    ``first`` are entries written first (enrolment's starter stamps before
    the claimed ones), already counted in ``stamps``. ``planned`` is the
    ``advance()`` the caller already computed for these same values.
    """
    result = planned or advance(balance, cycle, stamps, program)
    entries = list(first)
    rest = stamps - sum(e.stamps for e in first)
    if rest:
        entries.append(
            LedgerEntry(kind, rest, at, checkout_id=checkout_id, staff=staff, reason=reason),
        )
    new: list[NewCoupon] = []
    due: tuple[Reached, ...] = ()
    if result.reached:
        due = rewards_due(result.reached, held)
        expires = end_of_day_after(at, program.coupon_valid_days, zone)
        for reached in result.reached:
            code = None
            if reached in due:
                code = new_code()
                new.append(
                    NewCoupon(
                        code,
                        reached.cycle,
                        reached.milestone.at,
                        reached.final,
                        reached.milestone.reward,
                        origin,
                        at,
                        expires,
                        reached.milestone.cost,
                        checkout_id,
                    )
                )
            if reached.final:
                # The completion names its final reward's coupon; none when
                # the card already holds the cycle's (used, its completion
                # undone by a refund, and now completed again).
                entries.append(
                    LedgerEntry(
                        "completion",
                        -program.stamps_per_card,
                        at,
                        cycles=1,
                        checkout_id=checkout_id,
                        coupon=code,
                    )
                )
    return Gift(tuple(entries), tuple(new), result.balance, result.cycle, due, len(result.completed))


# ----------------------------------------------------------------------
# Taking stamps back


@dataclass(frozen=True)
class SaleMarks:
    """What a sale (or its refund) changes on the card beside its stamps:
    the stamps counted against ``max_per_day`` on ``stamp_day``, its
    qualifying visits and its last visit."""

    stamp_day: str | None
    day_stamps: int
    visits: int
    last_visit_at: datetime | None


@dataclass(frozen=True)
class HeldCoupon:
    """A card's coupon neither used nor voided, as a take-back weighs it."""

    code: str
    cycle: int
    milestone_at: int  # 0: a birthday's (its cycle is the birthday's year)
    final_reward: bool
    origin: str = "checkout"
    checkout_id: int | None = None


def undoable_completions(ledger: Iterable[tuple[str, int]]) -> tuple[int, ...]:
    """The stamps each completion since the card's last lapse took, newest
    first, from its ledger's ``(kind, stamps)`` in order.

    Undoing one whose final reward was already used is safe: that coupon
    stays, and keeps the milestone consumed for its cycle, so completing
    the card again gives no second reward. A lapse (``expiry``) is a wall:
    the stamps before it are gone, and so are the completions.
    """
    stack: list[int] = []
    for kind, stamps in ledger:
        if kind == "completion":
            stack.append(-stamps)
        elif kind == "expiry":
            stack.clear()
        elif kind == "completion_reversed" and stack:
            stack.pop()
    return tuple(reversed(stack))


@dataclass(frozen=True)
class TakeBack:
    """What taking stamps back does: the ledger entries, the card's new
    balance and cycle, the coupons it voids (by code), the completions it
    undoes and the stamps it took (fewer than asked at zero)."""

    entries: tuple[LedgerEntry, ...]
    balance: int
    cycle: int
    voided: tuple[str, ...]
    completions_undone: int
    stamps: int


def plan_take_back(
    balance: int,
    cycle: int,
    stamps: int,
    *,
    completions: Sequence[int],
    coupons: Iterable[HeldCoupon],
    kind: str,
    at: datetime,
    checkout_id: int | None = None,
    staff: str | None = None,
    reason: str | None = None,
) -> TakeBack:
    """Remove ``stamps`` (≥ 0), down to zero at most, undoing the card's
    ``completions`` (``undoable_completions``) newest first while the
    balance would be negative (see ``retreat``), and void the unused
    coupons (``coupons``: the card's, neither used nor voided) the card no
    longer qualifies for: a milestone's whose stamps are gone, a final
    reward whose completion is undone. A birthday's coupon is no
    milestone's: it stays."""
    result = retreat(balance, cycle, stamps, completions)
    entries = []
    if result.taken:
        entries.append(
            LedgerEntry(kind, -result.taken, at, checkout_id=checkout_id, staff=staff, reason=reason)
        )
    for spc in completions[: result.reversed_completions]:
        entries.append(LedgerEntry("completion_reversed", spc, at, cycles=-1, checkout_id=checkout_id))
    voided = tuple(
        c.code
        for c in coupons
        if c.milestone_at > 0
        and (
            c.cycle > result.cycle
            or (c.cycle == result.cycle and (c.final_reward or c.milestone_at > result.balance))
        )
    )
    return TakeBack(
        tuple(entries), result.balance, result.cycle, voided, result.reversed_completions, result.taken
    )
