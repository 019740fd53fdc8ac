"""Sales and what undoes or spends them: checkout, sync, redeem, refund."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from .common import (
    CONTEXT,
    common_options,
    coupon_lines,
    current_state,
    desk_for,
    emit,
    one_line,
    plural,
    progress_line,
    zone_of,
)
from .printing import print_offline_sale, print_until, printer_of

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from ..offline import OfflineSale
    from ..results import CheckoutResult, StampChange


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
        if isinstance(result, OfflineSale):
            outcome = print_offline_sale(desk, printer, result) if printer is not None else None
        else:
            zone = zone_of(desk)
            if printer is not None and result.print_job is not None:
                outcome = print_until(desk, printer, result.print_job)
    data = result.to_dict()
    if isinstance(result, OfflineSale):
        if print_it:
            data["printed"] = bool(outcome and outcome.printed)
            data["print_error"] = None if outcome is None or outcome.printed else outcome.message
        emit(state, data, lambda: offline_text(result))
        if print_it and not data["printed"]:
            click.echo(
                f"stampdesk: warning: the receipt did not print: {one_line(data['print_error'])}", err=True
            )
        return
    if print_it:
        data["printed"] = bool(outcome and outcome.printed)
        data["print_error"] = None if outcome is None or outcome.printed else outcome.message
    emit(state, data, lambda: checkout_text(result, zone))
    if print_it and not data["printed"]:
        click.echo(
            f"stampdesk: warning: checkout {result.checkout} is recorded; its receipt waits for the printer: "
            f"{one_line(data['print_error'] or 'an earlier receipt is still waiting')}",
            err=True,
        )


def checkout_text(result: CheckoutResult, zone: ZoneInfo) -> str:
    """The cashier's view of a sale: stamps, progress, coupons to hand over."""
    head = f"Checkout {result.checkout}: {result.amount}"
    if result.replayed:
        head += " (already recorded with this key: nothing changed)"
    if result.card is None:
        lines = [
            f"{head}, no card",
            f"{plural(result.stamps_added, 'stamp')} to claim: enrol at {result.enrol_url}",
        ]
        return "\n".join(lines)
    lines = [f"{head}, card {result.card}"]
    balance = result.balance if result.balance is not None else 0
    lines.append(
        f"+{plural(result.stamps_added, 'stamp')} → "
        f"{progress_line(balance, result.stamps_per_card, result.next_milestone)}"
    )
    if result.tier:
        lines.append(f"Tier: {result.tier}")
    for m in result.milestones:
        lines.append(f"Milestone reached: {m.reward} ({m.at} stamps)")
    lines += result.messages
    lines += coupon_lines(result.coupons, zone, title="Coupons to hand over")
    return "\n".join(lines)


def offline_text(sale: OfflineSale) -> str:
    """What the cashier is told of a sale kept while the database is out of reach."""
    who = f"card {sale.card}" if sale.card else "walk-in"
    return (
        f"Offline: the sale of {sale.amount} ({who}) is kept on this till and its stamps wait for "
        f"synchronisation ({plural(sale.waiting, 'sale')} waiting). Reference: {sale.key}"
    )


def change_text(change: StampChange, zone: ZoneInfo, *, what: str) -> str:
    """A refund or adjustment: what was given or taken back."""
    if change.card is None:
        return f"{what}: walk-in sale, its {plural(abs(change.stamps), 'stamp')} can no longer be claimed"
    verb = "gave" if change.stamps > 0 else "took back"
    lines = [
        f"{what}: {verb} {plural(abs(change.stamps), 'stamp')} on card {change.card} "
        f"(balance {change.balance})"
    ]
    if change.completions_undone:
        lines.append(f"Completed cards undone: {change.completions_undone}")
    if change.voided_coupons:
        lines.append("Coupons cancelled: " + ", ".join(change.voided_coupons))
    lines += coupon_lines(change.new_coupons, zone, title="New coupons")
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
    data = report.to_dict()

    def text() -> str:
        if desk.offline is None:
            return "Nothing to send: this till has no offline outbox (offline = false)."
        lines = [f"Sent {plural(report.sent, 'sale')}; {plural(waiting, 'sale')} waiting."]
        if not report.online:
            lines.append("The database is still out of reach: run `stampdesk sync` again later.")
        for refusal in report.refusals:
            lines.append(f"Refused by the database: {refusal.key} ({refusal.amount}): {refusal.message}")
        return "\n".join(lines)

    emit(state, data, text)
    if not report.online:
        raise SystemExit(1)


@click.command(context_settings=CONTEXT)
@click.argument("coupon")
@click.option("--till", metavar="NAME", help="The till where the coupon is used.")
@click.option("--key", metavar="KEY", help=KEY_HELP)
@common_options
def redeem(coupon: str, till: str | None, key: str | None) -> None:
    """Use a COUPON (once)."""
    state = current_state()
    with desk_for(state) as desk:
        if key is None:
            result = desk.redeem(coupon, till=till)
        else:
            result = desk.redeem_once(coupon, idempotency_key=key, till=till)
    emit(state, result.to_dict(), lambda: f"Coupon {result.code} used: {result.reward} (card {result.card})")


@click.command(context_settings=CONTEXT)
@click.argument("checkout_id", metavar="CHECKOUT_ID")
@click.option("--key", metavar="KEY", help=KEY_HELP)
@click.option("--till", metavar="NAME", help="The till sending the refund (whose key it is).")
@common_options
def refund(checkout_id: str, key: str | None, till: str | None) -> None:
    """Refund a sale: take back all it gave (its stamps, a surprise, referral
    stamps on both cards, its birthday coupon), down to zero at most."""
    state = current_state()
    with desk_for(state) as desk:
        if key is None:
            change = desk.refund(checkout_id)
        else:
            change = desk.refund_once(checkout_id, idempotency_key=key, till=till)
        zone = zone_of(desk)
    what = f"Checkout {change.checkout} refunded"
    emit(state, change.to_dict(), lambda: change_text(change, zone, what=what))


COMMANDS = (
    checkout,
    sync,
    redeem,
    refund,
)
