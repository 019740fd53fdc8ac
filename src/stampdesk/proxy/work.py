"""What the receipt-printer plugin does with one receipt: read it, record the
sale, and give the loyalty block to print before its cut.

:meth:`ReceiptWork.process` returns a :class:`Done`: the block, or the code
of why the receipt goes to the printer unchanged (``no_total``,
``zero_total``, ``refund``, ``reprint``, ``database``, ``refused``). The
server runs it in a worker thread within the time budget and turns anything
it raises into ``error``.

The sale goes through the ``Desk`` as every other caller's: a walk-in sale
whose stamps the customer keeps with the QR printed, or a sale on the card
whose number the receipt carries (a card the shop does not know, or cannot
stamp, makes it a walk-in sale). Its idempotency key is the receipt's text
hashed (``proxy:<sha256>``): a reprint of the same receipt is the same sale,
recorded once (``reprint``: printed as it is, nothing added).

The block is the loyalty part of stampdesk's own receipts
(:func:`~stampdesk.printer.receipt.loyalty_elements`), rendered by the same
ESC/POS renderer for the shop's printer profile, in the shop's language; the
till's print mode is put back after it.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING

from ..config import Settings
from ..domain.errors import NotFound, Refused, StampdeskError, Unreachable
from ..domain.receipt_reading import Reading, compile_patterns, read_receipt, receipt_key
from ..printer.decode import Page, PrintMode
from ..printer.escpos_render import DEFAULT_PROFILE, INIT, printer_model, render_escpos
from ..printer.receipt import Receipt, Rule, loyalty_elements
from .stream import HeldReceipt

if TYPE_CHECKING:
    from ..desk import Desk
    from ..results import CheckoutResult

#: ``STAMPDESK_PROXY_FAULT``: ``parser`` makes reading a receipt raise,
#: ``delay:MS`` makes each receipt's work take MS milliseconds longer (to try
#: the fail-open paths on a real set-up).
FAULT_VARIABLE = "STAMPDESK_PROXY_FAULT"

ESC, GS = b"\x1b", b"\x1d"
# Before the block: plain text, left aligned (the renderer selects its code page).
PLAIN = ESC + b"!\x00" + GS + b"!\x00" + GS + b"B\x00" + ESC + b"-\x00" + ESC + b"a\x00"
_ALIGN = {"left": 0, "center": 1, "right": 2}
_HRI = {"none": 0, "above": 1, "below": 2, "both": 3}


@dataclass(frozen=True)
class Faults:
    """Faults a test or an owner trying the set-up plays (see ``FAULT_VARIABLE``)."""

    parser_error: bool = False
    delay_ms: int = 0

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Faults:
        value = (os.environ if environ is None else environ).get(FAULT_VARIABLE, "")
        if value == "parser":
            return cls(parser_error=True)
        if value.startswith("delay:") and value[6:].isdigit():
            return cls(delay_ms=int(value[6:]))
        return cls()


class InjectedFault(RuntimeError):
    """The fault ``STAMPDESK_PROXY_FAULT=parser`` plays."""


@dataclass(frozen=True)
class Done:
    """One receipt's outcome: ``block`` to print before its cut, or ``reason``
    (a code) why it goes unchanged; the sale recorded, if any."""

    reason: str | None
    block: bytes | None = None
    reading: Reading | None = None
    checkout: int | None = None
    amount: Decimal | None = None
    card: str | None = None
    replayed: bool = False
    detail: str | None = None  # what went wrong (``error``): the exception's kind


def read_page(page: Page, patterns: Sequence[re.Pattern[str]], card_prefix: str) -> Reading:
    """What a decoded receipt says: its text lines, and its barcodes' and QR
    codes' data for a card number."""
    codes = [code.data for code in page.barcodes] + [code.data for code in page.qr_codes]
    return read_receipt(page.text_lines, patterns=patterns, codes=codes, card_prefix=card_prefix)


def restore(mode: PrintMode) -> bytes:
    """The commands that put ``mode`` back (what the till had set)."""
    size = (max(1, min(mode.width, 8)) - 1) << 4 | (max(1, min(mode.height, 8)) - 1)
    return b"".join(
        (
            ESC + b"t" + bytes((mode.codepage & 0xFF,)),
            ESC + b"a" + bytes((_ALIGN[mode.align],)),
            ESC + b"!" + bytes((mode.font & 1,)),
            GS + b"!" + bytes((size,)),
            ESC + b"E" + bytes((int(mode.bold),)),
            ESC + b"-" + bytes((mode.underline & 3,)),
            GS + b"B" + bytes((int(mode.invert),)),
            GS + b"h" + bytes((mode.barcode_height & 0xFF,)),
            GS + b"w" + bytes((mode.barcode_width & 0xFF,)),
            GS + b"H" + bytes((_HRI[mode.hri],)),
        )
    )


class ReceiptWork:
    """Reads receipts and records their sales for one shop (thread-safe)."""

    def __init__(self, settings: Settings, *, desk: Desk | None = None, faults: Faults | None = None) -> None:
        self.settings = settings
        self.patterns = compile_patterns(settings.proxy.total_patterns)
        self.faults = faults if faults is not None else Faults.from_env()
        self.profile = settings.printer.profile or DEFAULT_PROFILE
        self._desk = desk
        self._own_desk = desk is None
        self._lock = threading.Lock()

    # -- set-up

    def warm_up(self) -> str | None:
        """Load what the first receipt would otherwise wait for (the ESC/POS
        renderer, the sale's modules) and open the database; the database's
        problem, if it is out of reach (receipts then pass unchanged)."""
        printer_model(self.profile)
        render_escpos(Receipt((Rule(),)), profile=self.profile)
        from ..services import checkout  # noqa: F401  (imported before the first sale)

        try:
            self.desk()
        except Exception as error:  # the database's driver says why in its own words
            return " ".join(str(error).split())[:200]
        return None

    def desk(self) -> Desk:
        """The shop's ``Desk``, opened on first use (again after a failure)."""
        with self._lock:
            if self._desk is None:
                from ..desk import connect

                # A receipt is never kept for later: while the database is out
                # of reach, receipts print unchanged (no offline outbox).
                self._desk = connect(settings=replace(self.settings, offline=False))
            return self._desk

    def close(self) -> None:
        with self._lock:
            if self._own_desk and self._desk is not None:
                self._desk.close()
                self._desk = None

    # -- one receipt

    def read(self, held: HeldReceipt) -> Reading:
        """What the receipt says (see ``domain.receipt_reading``)."""
        if self.faults.parser_error:
            raise InjectedFault(FAULT_VARIABLE)
        return read_page(held.page, self.patterns, self.settings.card_prefix)

    def process(self, held: HeldReceipt) -> Done:
        """Read the receipt, record its sale, build its block (see the module's docstring)."""
        if self.faults.delay_ms:
            time.sleep(self.faults.delay_ms / 1000)
        reading = self.read(held)
        if reading.outcome != "sale" or reading.total is None:
            return Done(reading.outcome, reading=reading, amount=reading.total, card=reading.card)
        key = receipt_key(held.page.text_lines)
        from sqlalchemy.exc import SQLAlchemyError

        try:
            result = self._record(self.desk(), reading, key)
        except Unreachable:
            self._forget_desk()
            return Done("database", reading=reading, amount=reading.total, card=reading.card)
        except StampdeskError:
            return Done("refused", reading=reading, amount=reading.total, card=reading.card)
        except (SQLAlchemyError, OSError):
            self._forget_desk()
            return Done("database", reading=reading, amount=reading.total, card=reading.card)
        done = Done(
            None,
            reading=reading,
            checkout=result.checkout,
            amount=result.amount,
            card=result.card,
            replayed=result.replayed,
        )
        if result.replayed:
            return replace(done, reason="reprint")
        return replace(done, block=self.block(result, held.mode))

    def block(self, result: CheckoutResult, mode: PrintMode) -> bytes:
        """The loyalty block for ``result``, ready to go before the till's cut."""
        settings = self.settings
        model = printer_model(self.profile)
        elements = loyalty_elements(
            result=result,
            card=None,
            locale=settings.locale,
            zone=settings.zone,
            card_details=settings.printer.card_details,
        )
        receipt = Receipt((*elements, Rule()), model.columns)
        data = render_escpos(receipt, profile=self.profile)
        # The renderer starts with ESC @, which would also reset the till's
        # margins and line spacing: the block sets only what it uses.
        data = data.removeprefix(INIT)
        return PLAIN + data + restore(mode)

    def _record(self, desk: Desk, reading: Reading, key: str) -> CheckoutResult:
        from ..results import CheckoutResult

        try:
            result = desk.checkout(amount=reading.total, card=reading.card, idempotency_key=key)
        except (NotFound, Refused):
            if reading.card is None:
                raise
            # A card the shop cannot stamp (unknown, erased, never handed out):
            # the customer keeps the stamps with the walk-in's QR instead.
            result = desk.checkout(amount=reading.total, idempotency_key=key)
        assert isinstance(result, CheckoutResult)  # no offline outbox here
        return result

    def _forget_desk(self) -> None:
        """After a database failure, open it afresh next time (its file may have come back)."""
        if not self._own_desk:
            return
        with self._lock:
            desk, self._desk = self._desk, None
        if desk is not None:
            # Closing a broken engine may fail too; it is dropped anyway.
            with contextlib.suppress(Exception):
                desk.close()
