"""The engine's results as the lines the cashier reads.

Pure functions (no Textual): a result and the shop's ``Text`` in, lines out.
The receipt printer will say the same things in its own layout.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

from ..domain.program import QuickPick
from ..results import (
    CardState,
    CheckoutResult,
    ClaimResult,
    CouponInfo,
    EnrolResult,
    ProgramInfo,
    RedeemResult,
    RefundChange,
    RefundPreview,
    StampChange,
)
from .text import Text


@dataclass(frozen=True)
class Programme:
    """What the till needs from the programme's rules."""

    name: str
    version: int
    stamps_per_card: int
    milestones: tuple[int, ...]
    min_amount: Decimal | None = None
    max_per_day: int | None = None
    quick_picks: tuple[QuickPick, ...] = ()

    @classmethod
    def from_info(cls, info: ProgramInfo) -> Programme:
        """What the till uses of a programme version (its typed rules)."""
        program = info.program
        return cls(
            name=program.name,
            version=info.version,
            stamps_per_card=program.stamps_per_card,
            milestones=tuple(m.at for m in program.milestones),
            min_amount=program.earning.min_amount,
            max_per_day=program.earning.max_per_day,
            quick_picks=program.quick_picks,
        )


def coupon_lines(coupons: Iterable[CouponInfo], text: Text) -> list[str]:
    """One line per coupon still to use (expired ones say so)."""
    lines = []
    for c in coupons:
        key = "coupon.valid" if c.status == "valid" else "coupon.expired"
        lines.append(text(key, code=c.code, reward=c.reward, day=text.day(c.expires)))
    return lines


def tier_line(card: CardState, text: Text) -> str:
    """ "Status: Gold until 29/06/2026  ·  Perk: Café offert le mardi", or
    nothing for a card without a status tier."""
    if card.tier is None:
        return ""
    if card.tier_until is not None:
        line = text("card.tier.until", tier=card.tier, day=text.day(card.tier_until))
    else:
        line = text("card.tier", tier=card.tier)
    return f"{line}  ·  {text('card.perk', perk=card.perk)}" if card.perk else line


def card_after_sale(card: CardState, result: CheckoutResult) -> CardState:
    """The card as a sale on it left it, without reading it again: the
    balance, next milestone, new coupons and status tier come with the sale.
    What the sale moved but does not carry (the stamps' lapse date, the end
    of a grace period) is dropped rather than shown stale; the sale's own
    lines say what holds now."""
    known = {c.code for c in card.coupons}
    same_tier = result.tier == card.tier
    return replace(
        card,
        balance=result.balance if result.balance is not None else card.balance,
        # A printed card's first sale hands it out.
        status="active" if card.status == "blank" else card.status,
        next_milestone=result.next_milestone or card.next_milestone,
        coupons=card.coupons + tuple(c for c in result.coupons if c.code not in known),
        tier=result.tier,
        tier_until=None,
        perk=card.perk if same_tier else None,
        expires=None,
        messages=(),
    )


def zero_stamp_reason(result: CheckoutResult, programme: Programme | None, text: Text) -> str:
    """Why a sale earned no stamp, as the engine says it (the result's
    outcome codes): below the minimum amount, or the day's cap reached; the
    programme gives the figure the sentence quotes."""
    if programme is not None:
        if "below_minimum" in result.outcomes and programme.min_amount is not None:
            return text("outcome.below_minimum", minimum=programme.min_amount)
        if "daily_cap" in result.outcomes and programme.max_per_day is not None:
            return text("outcome.daily_cap", count=programme.max_per_day)
    return text("sale.none")


def sale_lines(result: CheckoutResult, programme: Programme | None, text: Text) -> list[str]:
    """A card's sale: stamps added, rewards reached, coupons to hand over,
    the card's status tier and what the engine says (a surprise, a birthday,
    what keeps the tier, stamps or coupons about to lapse)."""
    lines = [text("sale.title", checkout=result.checkout, amount=text.money(result.amount))]
    if result.replayed:
        lines.append(text("sale.replayed"))
    if result.stamps_added or result.starter_stamps:
        progress = text.progress(result.balance or 0, result.stamps_per_card, result.next_milestone)
        if result.starter_stamps:
            # A pre-printed card's first sale: its starter stamps, then what the visit earned.
            starter = text.count("starter", result.starter_stamps)
            lines.append(
                text("sale.added_starter", starter=starter, count=result.stamps_added, progress=progress)
            )
        else:
            lines.append(
                text("sale.added", added=text.count("added", result.stamps_added), progress=progress)
            )
        if "daily_cap" in result.outcomes and programme is not None and programme.max_per_day is not None:
            # Fewer stamps than the sale earns: the day's cap took the rest.
            lines.append(text("outcome.daily_cap.some", count=programme.max_per_day))
        elif not result.stamps_added:  # the starter stamps alone: say why the visit earned none
            lines.append(zero_stamp_reason(result, programme, text))
    else:
        lines.append(zero_stamp_reason(result, programme, text))
    lines.extend(text("sale.milestone", reward=m.reward, at=m.at) for m in result.milestones)
    lines.extend(
        text("sale.coupon", code=c.code, reward=c.reward, day=text.day(c.expires)) for c in result.coupons
    )
    if result.tier:
        lines.append(text("sale.tier", tier=result.tier))
    # The engine's lines (a surprise, a tier reached, stamps about to lapse)
    # come last: the panel scrolls to its end, so they are always in view.
    lines.extend(result.messages)
    return lines


def walk_in_lines(
    result: CheckoutResult, programme: Programme | None, text: Text, *, link: bool = True
) -> list[str]:
    """A sale without a card: the stamps it keeps and the link to claim them
    (without the link when ``link`` is false: the till shows it apart, under
    its QR code)."""
    lines = [text("walk_in.title", checkout=result.checkout, amount=text.money(result.amount))]
    if result.replayed:
        lines.append(text("sale.replayed"))
    if result.stamps_added:
        if link:
            lines.extend(walk_in_link(result, text))
        if result.claim_token:
            lines.append(text("walk_in.claim", token=result.claim_token))
    else:
        lines.append(text("walk_in.none"))
        lines.append(zero_stamp_reason(result, programme, text))
    return lines


def walk_in_link(result: CheckoutResult, text: Text) -> list[str]:
    """The two lines telling a walk-in where to keep the sale's stamps."""
    return [text("walk_in.keep", stamps=text.stamps(result.stamps_added)), f"  {result.enrol_url}"]


def redeem_lines(result: RedeemResult, text: Text) -> list[str]:
    """A used coupon: the reward to hand over, and whose card it was."""
    return [
        text("redeem.done", code=result.code, reward=result.reward),
        text("redeem.card", card=result.card, day=text.day(result.redeemed_at)),
    ]


def refund_lines(change: StampChange, per_card: int | None, text: Text) -> list[str]:
    """What a refund took back, and the coupons it cancelled."""
    if isinstance(change, RefundChange) and not change.whole:
        done = text(
            "refund.done.part",
            checkout=change.checkout,
            amount=text.money(change.refunded_amount or Decimal(0)),
            kept=text.money(change.kept_amount or Decimal(0)),
        )
    else:
        done = text("refund.done", checkout=change.checkout)
    lines = [done]
    taken = text.count("taken", abs(change.stamps))
    if change.card is None:
        lines.append(text("refund.walk_in", taken=taken))
    else:
        balance = change.balance
        lines.append(
            text("refund.card", card=change.card, taken=taken, balance=balance, per_card=per_card or "?")
        )
    if change.voided_coupons:
        lines.append(text("refund.voided", codes=", ".join(change.voided_coupons)))
    if change.completions_undone:
        lines.append(text("refund.completions", count=change.completions_undone))
    return lines


def refund_question(preview: RefundPreview, per_card: int | None, text: Text) -> list[str]:
    """A sale shown before it is refunded: when, how much, what, whose,
    and what its refund would take back."""
    amount = text.money(preview.amount)
    when = text.when(preview.at)
    lines = [
        text("refund.sale.till", when=when, till=preview.till, amount=amount)
        if preview.till
        else text("refund.sale", when=when, amount=amount)
    ]
    if preview.items:
        items = ", ".join(f"{i.quantity}× {i.sku} {text.money(i.unit_price)}" for i in preview.items)
        lines.append(text("refund.items", items=items))
    change = preview.change
    left = change.refunded_amount if change.whole else None
    if left is not None and left != preview.amount:
        lines.append(text("refund.rest", amount=text.money(left)))  # parts were refunded before
    if not change.whole:
        returned = ", ".join(f"{i.quantity}× {i.sku}" for i in change.items)
        lines.append(
            text(
                "refund.part.items" if returned else "refund.part.amount",
                items=returned,
                amount=text.money(change.refunded_amount or Decimal(0)),
                kept=text.money(change.kept_amount or Decimal(0)),
            )
        )
    if preview.card is None:
        lines.append(text("refund.of_walk_in"))
    else:
        kind = "refund.of_claimed" if preview.walk_in else "refund.of_card"
        lines.append(text(kind, card=preview.card, name=preview.name or "—"))
    taken = text.count("taken", abs(change.stamps))
    if change.stamps and preview.card is None:
        lines.append(text("refund.unclaimable", taken=taken))
    elif change.stamps and change.balance is not None and per_card is not None:
        before = change.balance - change.stamps - change.completions_undone * per_card
        lines.append(
            text("refund.takes", taken=taken, before=before, after=change.balance, per_card=per_card)
        )
    if change.voided_coupons:
        lines.append(text("refund.voids", codes=", ".join(change.voided_coupons)))
    if change.completions_undone:
        lines.append(text("refund.undoes", count=change.completions_undone))
    if not change.stamps and not change.voided_coupons and not change.completions_undone:
        lines.append(text("refund.nothing"))
    return lines


def enrol_lines(result: EnrolResult, text: Text) -> list[str]:
    """A new card: its number, starter stamps and claimed stamps."""
    lines = [text("enrol.done", number=result.number, name=result.card.name or "")]
    lines.append(text("enrol.starter", count=result.starter_stamps))
    if result.claimed_checkout is not None:
        lines.append(text("enrol.claimed", checkout=result.claimed_checkout, count=result.claimed_stamps))
    if result.card.marketing:
        lines.append(text("enrol.marketing"))
    lines.extend(
        text("sale.coupon", code=c.code, reward=c.reward, day=text.day(c.expires)) for c in result.new_coupons
    )
    return lines


def claim_lines(result: ClaimResult, text: Text) -> list[str]:
    """A receipt added to a card: the sale's stamps, the coupons to hand over."""
    lines = [text("enrol.claimed", checkout=result.checkout, count=result.stamps_added)]
    lines.extend(
        text("sale.coupon", code=c.code, reward=c.reward, day=text.day(c.expires)) for c in result.new_coupons
    )
    return lines


# What stopped a receipt (``PrintOutcome.reason``), in the words of the
# status line; anything else the printer package may add reads as an error.
PRINTER_FAULTS = ("paper_out", "cover_open", "offline", "no_answer", "refused", "error")


def printer_state(reason: str | None, text: Text) -> str:
    """ "ready" when the last receipts printed, else what stopped them
    ("out of paper", "cover open"…)."""
    if reason is None:
        return text("printer.state.ready")
    return text(f"printer.state.{reason if reason in PRINTER_FAULTS else 'error'}")


def printer_line(state: str, waiting: int | None, text: Text) -> str:
    """The printer's status line: "Printer: out of paper — 1 receipt waiting
    (F7 prints)"; ``state`` is already in words (``printer_state``)."""
    if not waiting:
        return text("printer.line", state=state)
    return text("printer.line.waiting", state=state, waiting=text.count("waiting", waiting))


def printer_off_line(url: str | None, code: str | None, problem: str | None, text: Text) -> str:
    """The status line of a till that prints no receipt: no printer is set,
    its URL is malformed, or it cannot be used (an unknown profile…)."""
    if not url:
        return text("printer.none")
    if code == "invalid_printer_url":
        return text("printer.bad_url", url=url)
    return text("printer.unusable", problem=problem or code or "?")


def qr_caption(stamps: int, text: Text) -> str:
    """ "Scan to keep your 3 stamps", under a walk-in's QR code."""
    return text.count("qr.caption", stamps)
