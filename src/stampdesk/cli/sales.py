"""Sales and what undoes or spends them: checkout, sync, redeem, refund."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from ..domain.outcomes import Outcome
from .common import (
    CONTEXT,
    book_of,
    common_options,
    coupon_lines,
    current_state,
    desk_for,
    emit,
    progress_line,
    stamps,
    warn,
)
from .printing import print_offline_sale, print_until, printer_of

if TYPE_CHECKING:
    from ..domain.program import Earning
    from ..offline import OfflineSale
    from ..results import CheckoutResult, StampChange
    from ..words import Book


KEY_HELP = (
    "Idempotency key: the same key again from this till returns the first result (for idempotency_days)."
)


@click.command(context_settings=CONTEXT)
@click.option("--card", "card_number", metavar="NUMBER", help="The customer's card; none for a walk-in.")
@click.option("--amount", required=True, metavar="A", help='The sale\'s amount, e.g. "12.50".')
@click.option(
    "--item",
    "items",
    multiple=True,
    metavar="SKU:CATEGORY:QTY:PRICE",
    help="A line of the sale (repeatable).",
)
@click.option("--key", metavar="KEY", help=KEY_HELP)
@click.option("--at", metavar="ISO", help="When, for history (a past, timezone-aware time); default now.")
@click.option("--till", metavar="NAME", help="The till recording the sale (whose key it is).")
@click.option("--print", "print_it", is_flag=True, help="Print the receipt.")
@common_options
def checkout(
    card_number: str | None,
    amount: str,
    items: tuple[str, ...],
    key: str | None,
    at: str | None,
    till: str | None,
    print_it: bool,
) -> None:
    """Record a sale and stamp the card (a walk-in gets an enrolment link).

    With --print, the receipt's job is recorded with the sale and sent to the
    printer; a printer fault leaves it pending and the sale stands (exit 0).
    """
    from ..offline import OfflineSale

    state = current_state()
    outcome = None
    with desk_for(state) as desk:
        # A missing or malformed printer is refused before anything is written.
        printer = printer_of(desk) if print_it else None
        result = desk.checkout(
            card=card_number,
            amount=amount,
            items=list(items),
            idempotency_key=key,
            at=at,
            till=till,
            receipt=print_it,
        )
        say = book_of(desk)
        reason = None
        if isinstance(result, OfflineSale):
            outcome = print_offline_sale(desk, printer, result) if printer is not None else None
        else:
            if not result.stamps_added and {Outcome.BELOW_MINIMUM, Outcome.DAILY_CAP} & set(result.outcomes):
                reason = zero_stamp_reason(result, desk.program().program.earning)
            if printer is not None and result.print_job is not None:
                outcome = print_until(desk, printer, result.print_job)
    data = result.to_dict()
    if isinstance(result, OfflineSale):
        if print_it:
            data["printed"] = bool(outcome and outcome.printed)
            data["print_error"] = None if outcome is None or outcome.printed else outcome.message
        emit(state, data, lambda: offline_text(result, say))
        if print_it and not data["printed"]:
            warn(say, say("cli.checkout.not_printed", detail=data["print_error"]))
        return
    if print_it:
        data["printed"] = bool(outcome and outcome.printed)
        data["print_error"] = None if outcome is None or outcome.printed else outcome.message
    emit(state, data, lambda: checkout_text(result, say, reason))
    if print_it and not data["printed"]:
        detail = data["print_error"] or say("cli.receipt.earlier_waits")
        warn(say, say("cli.checkout.receipt_waits", checkout=result.checkout, detail=detail))


def zero_stamp_reason(result: CheckoutResult, earning: Earning) -> tuple[str, dict[str, Any]] | None:
    """Why a sale earned no stamp (its outcome codes), with the figure the
    sentence quotes: the minimum amount, or the day's cap."""
    if Outcome.BELOW_MINIMUM in result.outcomes:
        return f"outcome.{Outcome.BELOW_MINIMUM}", {"minimum": earning.min_amount}
    if Outcome.DAILY_CAP in result.outcomes and earning.max_per_day is not None:
        return f"outcome.{Outcome.DAILY_CAP}", {"count": earning.max_per_day}
    return None


def checkout_text(result: CheckoutResult, say: Book, reason: tuple[str, dict[str, Any]] | None = None) -> str:
    """The cashier's view of a sale: stamps, progress, coupons to hand over,
    and why it earned no stamp when it did not."""
    key = "cli.checkout.replayed" if result.replayed else "cli.checkout"
    head = say(key, checkout=result.checkout, amount=result.amount)
    if result.card is None:
        lines = [
            say("cli.checkout.walk_in", head=head),
            say("cli.checkout.to_claim", stamps=stamps(say, result.stamps_added), url=result.enrol_url),
        ]
        if reason is not None:
            lines.append(say(reason[0], **reason[1]))
        return "\n".join(lines)
    lines = [say("cli.checkout.card", head=head, card=result.card)]
    balance = result.balance if result.balance is not None else 0
    progress = progress_line(say, balance, result.stamps_per_card, result.next_milestone)
    if result.starter_stamps:
        # A pre-printed card's first sale: its starter stamps, then what the visit earned.
        starter = say.count("cli.starter_stamps", result.starter_stamps)
        added = say(
            "cli.checkout.added_starter", starter=starter, stamps=result.stamps_added, progress=progress
        )
    else:
        added = say("cli.checkout.added", stamps=stamps(say, result.stamps_added), progress=progress)
    lines.append(added)
    if reason is not None:
        lines.append(say(reason[0], **reason[1]))
    if result.tier:
        lines.append(say("cli.tier", tier=result.tier))
    for m in result.milestones:
        lines.append(say("cli.checkout.milestone", reward=m.reward, stamps=stamps(say, m.at)))
    lines += result.messages
    lines += coupon_lines(say, result.coupons, title="cli.coupons.to_hand_over")
    return "\n".join(lines)


def offline_text(sale: OfflineSale, say: Book) -> str:
    """What the cashier is told of a sale kept while the database is out of reach."""
    who = say("cli.offline.card", card=sale.card) if sale.card else say("cli.offline.walk_in")
    waiting = say.count("cli.sales", sale.waiting)
    return say("cli.offline", amount=sale.amount, who=who, waiting=waiting, key=sale.key)


def change_text(change: StampChange, say: Book, *, what: str, part: bool = False) -> str:
    """A refund (``part``: of a part of a sale) or adjustment: what was given or taken back."""
    count = stamps(say, abs(change.stamps))
    if change.card is None:
        return say("cli.change.walk_in.part" if part else "cli.change.walk_in", what=what, stamps=count)
    key = "cli.change.gave" if change.stamps > 0 else "cli.change.took_back"
    lines = [say(key, what=what, stamps=count, card=change.card, balance=change.balance)]
    if change.completions_undone:
        lines.append(say("cli.change.undone", count=change.completions_undone))
    if change.voided_coupons:
        lines.append(say("cli.change.voided", codes=", ".join(change.voided_coupons)))
    lines += coupon_lines(say, change.new_coupons, title="cli.coupons.new")
    return "\n".join(lines)


@click.command(context_settings=CONTEXT)
@common_options
def sync() -> None:
    """Send the sales this till kept while the database was out of reach,
    in the order they were made (each is recorded once); exit 1 while the
    database still cannot be reached."""
    state = current_state()
    with desk_for(state) as desk:
        report = desk.sync()
        waiting = desk.waiting_sales()
        say = book_of(desk)
    data = report.to_dict()

    def text() -> str:
        if desk.offline is None:
            return say("cli.sync.no_outbox")
        sent, left = say.count("cli.sales", report.sent), say.count("cli.sales", waiting)
        lines = [say("cli.sync.sent", sent=sent, waiting=left)]
        if not report.online:
            lines.append(say("cli.sync.out_of_reach"))
        for refusal in report.refusals:
            lines.append(
                say("cli.sync.refused", key=refusal.key, amount=refusal.amount, message=refusal.message)
            )
        return "\n".join(lines)

    emit(state, data, text)
    if not report.online:
        raise SystemExit(1)


@click.command(context_settings=CONTEXT)
@click.argument("coupon")
@click.option("--till", metavar="NAME", help="The till where the coupon is used.")
@click.option("--key", metavar="KEY", help=KEY_HELP)
@click.option("--checkout", "checkout_id", metavar="ID", help="The sale in which the reward is handed over.")
@click.option("--at", metavar="ISO", help="When it was used, for history (ISO 8601 with its offset).")
@common_options
def redeem(coupon: str, till: str | None, key: str | None, checkout_id: str | None, at: str | None) -> None:
    """Use a COUPON (once), in a sale (--checkout) or in the past (--at)."""
    state = current_state()
    with desk_for(state) as desk:
        if key is None:
            result = desk.redeem(coupon, till=till, checkout=checkout_id, at=at)
        else:
            result = desk.redeem_once(coupon, idempotency_key=key, till=till, checkout=checkout_id, at=at)
        say = book_of(desk)

    def text() -> str:
        done = say("cli.redeem.done", code=result.code, reward=result.reward, card=result.card)
        if result.checkout is None:
            return done
        return "\n".join((done, say("cli.redeem.in_sale", checkout=result.checkout)))

    emit(state, result.to_dict(), text)


@click.command(context_settings=CONTEXT)
@click.argument("checkout_id", metavar="CHECKOUT_ID")
@click.option(
    "--item",
    "items",
    metavar="SKU:QTY",
    multiple=True,
    help="Refund only these items (repeat the option; QTY 1 if left out).",
)
@click.option("--amount", metavar="A", help="Refund only this amount (with --item: what those items cost).")
@click.option("--key", metavar="KEY", help=KEY_HELP)
@click.option("--till", metavar="NAME", help="The till sending the refund (whose key it is).")
@common_options
def refund(
    checkout_id: str, items: tuple[str, ...], amount: str | None, key: str | None, till: str | None
) -> None:
    """Refund a sale: take back all it gave (its stamps, a surprise, referral
    stamps on both cards, its birthday coupon), down to zero at most. With
    --item or --amount, refund a part of it: the sale's stamps are worked out
    again on what it keeps and the difference is taken back."""
    state = current_state()
    asked = list(items) if items else None
    with desk_for(state) as desk:
        if key is None:
            change = desk.refund(checkout_id, items=asked, amount=amount)
        else:
            change = desk.refund_once(checkout_id, idempotency_key=key, till=till, items=asked, amount=amount)
        say = book_of(desk)
    if change.whole:
        what = say("cli.refunded", checkout=change.checkout)
    else:
        what = say(
            "cli.refunded.part",
            checkout=change.checkout,
            amount=change.refunded_amount,
            kept=change.kept_amount,
        )
    emit(state, change.to_dict(), lambda: change_text(change, say, what=what, part=not change.whole))


COMMANDS = (
    checkout,
    sync,
    redeem,
    refund,
)
