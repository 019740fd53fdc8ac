"""Messages the till's workers post when the engine has answered.

Workers run the ``Desk`` calls in threads and never touch widgets; they post
one of these, and the screen's ``@on`` handlers update what the cashier sees.
Each message carries the engine's frozen result as it came.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from ..results import (
    CardState,
    CheckoutResult,
    CustomerMatch,
    EnrolResult,
    ProgramInfo,
    RedeemResult,
    StampChange,
)


@dataclass
class ProgrammeLoaded(Message):
    """The shop's current programme (name, milestones, earning rules)."""

    programme: ProgramInfo


@dataclass
class CardLoaded(Message):
    """A card looked up by its number (scanned, typed or chosen)."""

    card: CardState
    programme: ProgramInfo


@dataclass
class SearchDone(Message):
    """The customers matching ``query``; ``choose`` when the cashier pressed
    Enter (a single match is then selected at once)."""

    query: str
    matches: tuple[CustomerMatch, ...]
    choose: bool = False


@dataclass
class SaleRecorded(Message):
    """A checkout, for a card or a walk-in."""

    result: CheckoutResult


@dataclass
class CouponRedeemed(Message):
    result: RedeemResult


@dataclass
class SaleRefunded(Message):
    change: StampChange


@dataclass
class CardEnrolled(Message):
    result: EnrolResult
