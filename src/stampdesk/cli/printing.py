"""Receipts on paper: reprint, a test page, the waiting receipts, the emulator."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..domain.errors import Refused
from .common import (
    CONTEXT,
    EXIT_ERROR,
    CliState,
    book_for,
    book_of,
    common_options,
    current_state,
    desk_for,
    emit,
)

if TYPE_CHECKING:
    from ..desk import Desk
    from ..offline import OfflineSale


def print_offline_sale(desk: Desk, printer: Any, sale: OfflineSale) -> Any:
    from ..print_outbox import print_offline_sale as print_it

    return print_it(desk, printer, sale)


def printer_of(desk: Desk) -> Any:
    from ..print_outbox import printer_for

    return printer_for(desk)


def print_until(desk: Desk, printer: Any, job: int) -> Any:
    """Print the waiting receipts, oldest first, up to ``job``; its outcome."""
    from ..print_outbox import print_pending

    for outcome in print_pending(desk, printer):
        if outcome.job == job or not outcome.printed:
            return outcome
    return None


def print_one(state: CliState, desk: Desk, job: Any) -> None:
    """Print a just-queued job; exit 1 (the job stays queued) if the printer fails."""
    outcome = print_until(desk, printer_of(desk), job.id)
    data = {
        "job": job.id,
        "checkout": job.checkout,
        "duplicate": job.duplicate,
        "printed": bool(outcome and outcome.printed),
        "files": list(outcome.files) if outcome else [],
    }
    if outcome is None:
        raise Refused(code="pending", phrase="receipt_waits_behind")
    if not outcome.printed:
        fault = outcome.fault
        raise Refused(code=outcome.reason, phrase=f"receipt_waits_{fault.phrase}", **fault.params)
    say = book_of(desk)
    emit(state, data, lambda: say("cli.printed.duplicate" if job.duplicate else "cli.printed", job=job.id))


@click.command(context_settings=CONTEXT)
@click.argument("checkout_id", metavar="CHECKOUT_ID")
@common_options
def reprint(checkout_id: str) -> None:
    """Print a sale's receipt again (marked DUPLICATA)."""
    state = current_state()
    with desk_for(state) as desk:
        printer_of(desk)  # a bad printer is refused before anything is queued
        print_one(state, desk, desk.reprint(checkout_id))


@click.command("print-test", context_settings=CONTEXT)
@common_options
def print_test() -> None:
    """Print a test receipt: accents, a QR code, a barcode, the columns."""
    from ..services import printing

    state = current_state()
    with desk_for(state) as desk:
        printer_of(desk)
        print_one(state, desk, printing.test_page(desk.store))


@click.command("print-pending", context_settings=CONTEXT)
@click.option(
    "--till",
    "tills",
    multiple=True,
    metavar="NAME",
    help="Also print the receipts of this till (repeatable); by default those of "
    "the configured till and of no till.",
)
@common_options
def print_pending_command(tills: tuple[str, ...]) -> None:
    """Print the receipts waiting for the printer (after paper out, offline…)."""
    from ..print_outbox import print_pending

    state = current_state()
    with desk_for(state) as desk:
        outcomes = print_pending(desk, printer_of(desk), tills=tills)
        left = len(desk.pending_receipts(tills=tills))
        say = book_of(desk)
    data = {
        "printed": sum(o.printed for o in outcomes),
        "pending": left,
        "error": next((o.message for o in outcomes if not o.printed), None),
    }
    emit(
        state,
        data,
        lambda: say(
            "cli.print_pending.error" if data["error"] else "cli.print_pending",
            printed=data["printed"],
            left=left,
            error=data["error"],
        ),
    )
    if left:
        sys.exit(EXIT_ERROR)


@click.command("printer-emulator", context_settings=CONTEXT)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback).")
@click.option("--port", default=9100, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@click.option("--out", "out_dir", default="receipts", show_default=True, help="Folder for PNG + text.")
@click.option(
    "--mode",
    default="ok",
    show_default=True,
    type=click.Choice(["ok", "paper_out", "cover_open", "offline", "silent"]),
    help="Play a printer fault, to try the till's handling of it.",
)
@common_options
def printer_emulator(host: str, port: int, out_dir: str, mode: str) -> None:
    """A loopback ESC/POS printer: saves each receipt as PNG + text, answers
    status queries (try stampdesk with it before buying a printer)."""
    from ..printer.emulator import PrinterEmulator  # Pillow only for this command

    emulator = PrinterEmulator(host, port, Path(out_dir), mode)
    try:
        bound = emulator.start()
    except OSError as error:
        raise Refused(code="port_unavailable", host=host, port=port, detail=str(error.strerror)) from None
    said = book_for(current_state())("cli.emulator", host=host, port=bound, mode=mode, folder=out_dir)
    click.echo(said, err=True)
    try:
        emulator.serve_forever(echo=lambda line: click.echo(line))
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()


COMMANDS = (
    reprint,
    print_test,
    print_pending_command,
    printer_emulator,
)
