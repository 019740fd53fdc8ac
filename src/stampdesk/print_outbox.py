"""Printing the receipts waiting in the outbox.

The sale is already committed with its job (``services.printing``); this
module builds each job's receipt, sends it to the printer of the settings'
URL, and records the outcome. A printer fault leaves the job pending with its
reason, for the next attempt or ``stampdesk reprint``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from .config import PrinterSettings
from .desk import Desk
from .domain.errors import InvalidInput, NotFound
from .offline import OfflineSale
from .printer import transport
from .printer.receipt import Receipt, build_offline_receipt, build_sale_receipt, build_test_receipt
from .printer.transport import PrinterError, PrinterURL, parse_printer_url
from .results import Result
from .services import printing
from .services.checkout import sale_result

DEFAULT_PROFILE = "TM-T88V"


@dataclass(frozen=True)
class PrintOutcome(Result):
    """What happened to one job."""

    job: int
    checkout: int | None
    printed: bool
    reason: str | None = None  # paper_out, cover_open, offline, no_answer, refused, error
    message: str | None = None  # in English; ``fault`` says it in the reader's language
    files: tuple[str, ...] = ()  # what a preview:// printer wrote
    fault: PrinterError | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        shown = super().to_dict()
        del shown["fault"]  # the reason and the message say it
        return shown


class ReceiptPrinter:
    """The shop's printer, from its URL and python-escpos profile."""

    def __init__(self, url: str, profile: str | None = None) -> None:
        self.url = url
        self.target: PrinterURL = parse_printer_url(url)
        self.profile = profile or DEFAULT_PROFILE
        if self.target.scheme != "preview":
            from .printer.escpos_render import profile_names

            if self.profile not in profile_names():
                raise InvalidInput(code="invalid_printer_profile", profile=self.profile)

    @property
    def columns(self) -> int:
        from .printer.escpos_render import profile_columns

        return profile_columns(self.profile)

    def output(self, receipt: Receipt, name: str) -> tuple[str, ...]:
        """Print (or preview) a receipt; ``PrinterError`` if it did not print."""
        if self.target.scheme == "preview":
            from .printer.render_png import render_png
            from .printer.render_text import render_text

            folder = transport.preview_folder(self.target)
            png, txt = folder / f"{name}.png", folder / f"{name}.txt"
            render_png(receipt).save(png)
            txt.write_text(render_text(receipt), encoding="utf-8")
            return (str(png), str(txt))
        from .printer.escpos_render import render_escpos, send_to_device

        data = render_escpos(receipt, profile=self.profile)
        if self.target.scheme == "tcp":
            transport.send_tcp(self.target, data)
        elif self.target.scheme == "file":
            transport.write_file(self.target, data)
        else:
            try:
                send_to_device(
                    self.target.scheme,
                    self.target.target,
                    data,
                    vendor=self.target.vendor,
                    product=self.target.product,
                    baudrate=self.target.baudrate,
                    profile=self.profile,
                )
            except Exception as error:  # the device libraries raise their own kinds
                raise PrinterError(
                    reason="error", phrase="printer_failed", url=self.url, detail=str(error)
                ) from None
        return ()


def printer_for(desk: Desk) -> ReceiptPrinter:
    """The printer of the desk's settings, or a clear error if none is set."""
    url = desk.settings.printer.url
    if not url:
        raise InvalidInput(code="no_printer")
    return ReceiptPrinter(url, desk.settings.printer.profile)


def receipt_for(desk: Desk, job: printing.PrintJob, columns: int) -> Receipt:
    """The receipt a job prints, built from what the sale recorded."""
    settings = desk.settings
    shop = desk.program().program.name
    if job.checkout is None:
        return test_receipt(desk, settings.printer, columns)
    result = sale_result(desk.store, job.checkout)
    card = None
    if result.card:
        try:
            card = desk.card(result.card)
        except NotFound as missing:
            # A reprint of a sale whose card was erased since: no name, no progress.
            if missing.code != "card_erased":
                raise
    return build_sale_receipt(
        shop_name=shop,
        header_lines=settings.printer.header,
        footer_lines=settings.printer.footer,
        result=result,
        card=card,
        locale=settings.locale,
        zone=desk.store.zone,
        now=desk.store.now(),
        duplicate=job.duplicate,
        width_chars=columns,
        card_details=settings.printer.card_details,
    )


def test_receipt(desk: Desk, settings: PrinterSettings, columns: int) -> Receipt:
    """The test page, with the header and footer of ``settings`` (saved, or as
    the owner typed them: the page lets them check on paper before saving)."""
    return build_test_receipt(
        desk.program().program.name,
        desk.settings.locale,
        columns,
        header_lines=settings.header,
        footer_lines=settings.footer,
    )


def print_job(
    desk: Desk, printer: ReceiptPrinter, job: printing.PrintJob, receipt: Receipt | None = None
) -> PrintOutcome:
    """Print one job (``receipt``: what it prints, if not built from the
    job) and record the outcome; never raises for a printer fault."""
    receipt = receipt or receipt_for(desk, job, printer.columns)
    try:
        files = printer.output(receipt, f"receipt-{job.id:06d}")
    except PrinterError as fault:
        printing.failed(desk.store, job.id, f"{fault.reason}: {fault.message}", uncertain=fault.uncertain)
        return PrintOutcome(job.id, job.checkout, False, fault.reason, fault.message, fault=fault)
    printing.printed(desk.store, job.id)
    return PrintOutcome(job.id, job.checkout, True, files=files)


def print_offline_sale(desk: Desk, printer: ReceiptPrinter, sale: OfflineSale) -> PrintOutcome:
    """Print the receipt of a sale kept offline, now (no print job: the
    database is out of reach); never raises for a printer fault."""
    settings = desk.settings
    shop = desk.offline.shop_name if desk.offline is not None else ""
    receipt = build_offline_receipt(
        shop_name=shop or settings.shop or "",
        header_lines=settings.printer.header,
        footer_lines=settings.printer.footer,
        card=sale.card,
        amount=sale.amount,
        at=sale.at,
        reference=sale.key,
        locale=settings.locale,
        zone=desk.store.zone,
        width_chars=printer.columns,
        card_details=settings.printer.card_details,
    )
    try:
        files = printer.output(receipt, f"offline-{sale.key}")
    except PrinterError as fault:
        return PrintOutcome(0, None, False, fault.reason, fault.message, fault=fault)
    return PrintOutcome(0, None, True, files=files)


def print_pending(
    desk: Desk, printer: ReceiptPrinter, *, tills: Collection[str] = ()
) -> tuple[PrintOutcome, ...]:
    """Print the pending jobs of this till (and of ``tills``), oldest first;
    stop at the first fault (the printer is not ready: the others wait with it)."""
    outcomes = []
    for job in desk.pending_receipts(tills=tills):
        outcome = print_job(desk, printer, job)
        outcomes.append(outcome)
        if not outcome.printed:
            break
    return tuple(outcomes)


def print_test_page(
    desk: Desk, printer: ReceiptPrinter, settings: PrinterSettings | None = None
) -> PrintOutcome:
    """Queue a test page for this till and print it now on ``printer``
    (which may be a printer the owner is trying before saving it), with the
    header and footer of ``settings`` (default: the saved ones)."""
    receipt = test_receipt(desk, settings or desk.settings.printer, printer.columns)
    return print_job(desk, printer, printing.test_page(desk.store), receipt)


def check_printer_settings(url: object, profile: object) -> ReceiptPrinter:
    """The printer for a URL and profile the owner typed, or the error that
    says what is wrong with them."""
    if not isinstance(url, str) or not url.strip():
        raise InvalidInput(code="invalid_printer_url", phrase="no_printer_url")
    name = profile.strip() if isinstance(profile, str) and profile.strip() else None
    return ReceiptPrinter(url.strip(), name)
