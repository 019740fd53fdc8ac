"""Messages the till's workers post when the engine has answered.

Workers run the ``Desk`` calls in threads and never touch widgets; they post
one of these, and the screen's ``@on`` handlers update what the cashier sees.
Each message carries the engine's frozen result as it came.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from ..results import (
    CardState,
    CheckoutResult,
    ClaimResult,
    CustomerMatch,
    EnrolResult,
    ProgramInfo,
    RedeemResult,
    RefundPreview,
    StampChange,
)

if TYPE_CHECKING:
    from ..offline import OfflineSale  # imported once the till is up (Desk.ready_to_sell)


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
class SaleKept(Message):
    """A sale kept in the till's outbox: the database is out of reach."""

    sale: OfflineSale


@dataclass
class OutboxSynced(Message):
    """Kept sales were sent (``sent``); ``waiting`` still wait."""

    sent: int
    waiting: int


@dataclass
class CardUnreachable(Message):
    """A card scanned while the database is out of reach: sold blind."""

    number: str


@dataclass
class CouponRedeemed(Message):
    result: RedeemResult


@dataclass
class SaleRefunded(Message):
    change: StampChange


@dataclass
class CardEnrolled(Message):
    result: EnrolResult


@dataclass
class ReceiptClaimed(Message):
    """A walk-in receipt added to the card on screen (F11)."""

    result: ClaimResult


@dataclass
class PrinterChecked(Message):
    """The printer of the settings, opened when the till starts.

    ``url`` is None when no printer is set; ``problem`` (with the engine's
    error ``code``) says why a set printer cannot be used. ``waiting`` counts
    the receipts already in the outbox.
    """

    url: str | None
    code: str | None
    problem: str | None
    waiting: int


@dataclass
class ReceiptsPrinted(Message):
    """The waiting receipts went to the printer: ``printed`` of them did;
    ``reason`` (``PrintOutcome.reason``) and ``detail`` say what stopped the
    others, ``waiting`` how many still wait (None: unknown). ``reprinted`` is
    the sale whose receipt F7 queued again, if it did; ``by_hand`` when the
    cashier asked (F7), not a sale."""

    printed: int
    reason: str | None
    detail: str | None
    waiting: int | None
    reprinted: int | None = None
    by_hand: bool = False


@dataclass(frozen=True)
class PartAsked:
    """The part of a sale the cashier picked to refund: items (SKU,
    quantity) and/or an amount as typed."""

    items: tuple[tuple[str, int], ...] = ()
    amount: str | None = None


@dataclass
class RefundShown(Message):
    """A sale to refund, and what its refund (of ``part`` of it, if asked)
    would take back (nothing written yet)."""

    preview: RefundPreview
    part: PartAsked | None = None
