"""The cashier's screen: scan a card, type the amount, see the stamps.

Everything that reads or writes the shop's data goes through the ``Desk``,
in thread workers that only post messages (``..messages``); the ``@on``
handlers below own what the screen shows. One ``Worker.StateChanged``
handler turns any failure into a line in the feedback area.

Receipts: when the settings name a printer, every sale asks for its receipt
and its worker prints the waiting receipts once the sale is committed and
shown. A printer fault only leaves receipts waiting: the status line above
the footer says why and how many, and F7 prints them (or, when none waits,
the last sale's again). A walk-in sale's enrolment link is also drawn as a
QR code beside its result, so the customer can scan it even without paper.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import Enum
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Footer, Header, Input, OptionList, Static
from textual.worker import Worker, WorkerState, get_current_worker

from ...desk import Desk
from ...domain.errors import StampdeskError, Unreachable
from ...domain.money import parse_amount
from ...domain.program import QuickPick
from ...results import CardState, CheckoutResult, RefundPreview
from ..keys import translate_bindings
from ..messages import (
    CardEnrolled,
    CardLoaded,
    CardUnreachable,
    CouponRedeemed,
    OutboxSynced,
    PartAsked,
    PrinterChecked,
    ProgrammeLoaded,
    ReceiptClaimed,
    ReceiptsPrinted,
    RefundShown,
    SaleKept,
    SaleRecorded,
    SaleRefunded,
    SearchDone,
)
from ..present import (
    Programme,
    card_after_sale,
    claim_lines,
    enrol_lines,
    printer_line,
    printer_off_line,
    printer_state,
    qr_caption,
    redeem_lines,
    refund_lines,
    refund_question,
    sale_lines,
    walk_in_lines,
    walk_in_link,
    zero_stamp_reason,
)
from ..scan import ScanGuard, card_digits, claim_token, is_search
from ..text import Text
from ..typeahead import hold_keys, release_keys
from ..widgets import (
    CardPanel,
    EnrolQR,
    Feedback,
    QuickPicks,
    ScanInput,
    SearchResults,
    StatusBar,
    TillFooter,
)
from ..widgets.feedback import Kind
from ..widgets.plain import PlainCheckbox, PlainLabel, PlainStatic
from .confirm import ConfirmScreen
from .refund_part import RefundPartScreen

if TYPE_CHECKING:
    from ...print_outbox import ReceiptPrinter

SEARCH_DELAY = 0.15  # seconds of quiet typing before a live search runs
MIN_BODY_WIDTH = 40  # columns the cashier's fields keep beside a QR code
LINK_LINES = 2  # the walk-in's link under a QR code: one sentence, the URL


# How often a till with an offline outbox tries to send its kept sales.
SYNC_SECONDS = 5.0


class Mode(Enum):
    """What the cashier is doing; decides which inputs are shown."""

    IDLE = "idle"  # waiting for a scan
    CARD = "card"  # a card is selected: type the amount
    WALK_IN = "walk-in"  # a sale without a card: type the amount
    REDEEM = "redeem"
    REFUND = "refund"
    ENROL = "enrol"
    CLAIM = "claim"  # a walk-in receipt for the card on screen


@dataclass(frozen=True)
class PendingSale:
    """A sale the cashier confirmed. Its idempotency key is kept for a retry
    while the outcome is unknown, so a sale can never be stamped twice."""

    card: str | None
    amount: str
    key: str
    items: tuple[tuple[QuickPick, int], ...] = ()  # quick picks and how many of each

    def item_dicts(self) -> list[dict[str, object]]:
        return [
            {"sku": p.sku, "category": p.category, "quantity": n, "unit_price": str(p.price)}
            for p, n in self.items
        ]


class TillPrinter:
    """The shop's receipt printer as the till uses it, from worker threads.

    Opened once, by the first worker that needs it (opening may import
    python-escpos, ~130 ms, so never in the UI thread). Printing holds a
    lock: a sale's worker and F7's never send the same waiting receipt twice.
    """

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.settings = desk.settings.printer  # as they were when this printer was opened
        self.url: str | None = self.settings.url or None
        self.code: str | None = None  # why the printer cannot be used (the engine's error code)…
        self.problem: str | None = None  # …and its message
        self._printer: ReceiptPrinter | None = None
        self._opened = False
        self._opening = threading.Lock()
        self._printing = threading.Lock()

    def open(self) -> ReceiptPrinter | None:
        """The printer, or None when none is set or it cannot be used."""
        with self._opening:
            if not self._opened and self.url:
                from ...print_outbox import printer_for

                try:
                    self._printer = printer_for(self.desk)
                except StampdeskError as error:
                    self.code, self.problem = error.code, Text(self.desk.settings.locale).error(error)
                except Exception as error:  # a broken printer library: sell without receipts
                    self.code, self.problem = "error", f"{type(error).__name__}: {error}"
            self._opened = True
            return self._printer

    def check(self) -> PrinterChecked:
        """Open the printer and count the receipts already waiting."""
        printer = self.open()
        waiting = len(self.desk.pending_receipts()) if printer is not None else 0
        return PrinterChecked(self.url, self.code, self.problem, waiting)

    def print_waiting(
        self, printer: ReceiptPrinter, *, again: int | None = None, by_hand: bool = False
    ) -> ReceiptsPrinted:
        """Print the waiting receipts, oldest first, up to the first fault.

        With ``again`` (F7) and no receipt waiting, sale ``again`` is queued
        once more first (it prints as DUPLICATA). A fault, or a receipt that
        cannot be built or recorded, is reported, never raised: the sales
        stand and their receipts wait.
        """
        from ...print_outbox import print_pending

        reprinted = None
        with self._printing:
            if again is not None and not self.desk.pending_receipts():
                self.desk.reprint(again)
                reprinted = again
            try:
                outcomes = print_pending(self.desk, printer)
                waiting: int | None = len(self.desk.pending_receipts())
            except Exception as error:
                detail = f"{type(error).__name__}: {error}"
                return ReceiptsPrinted(0, "error", detail, None, reprinted, by_hand)
        fault = next((o for o in outcomes if not o.printed), None)
        return ReceiptsPrinted(
            printed=sum(o.printed for o in outcomes),
            reason=(fault.reason or "error") if fault is not None else None,
            detail=fault.message if fault is not None else None,
            waiting=waiting,
            reprinted=reprinted,
            by_hand=by_hand,
        )


def _typed_amount(text: str) -> Decimal | None:
    """The amount the cashier typed ("9,80" or "9.80"), None if it is not one
    (the engine then says why)."""
    try:
        return parse_amount(text)
    except StampdeskError:
        return None


def scanned_card(text: str) -> str | None:
    """A card number scanned into a field that expects something else (an
    amount, a coupon code): exactly 13 digits, which no amount can be."""
    value = text.strip()
    return value if len(value) == 13 and value.isascii() and value.isdigit() else None


class TillScreen(Screen[None]):
    """The till's main screen (see the module docstring)."""

    CSS_PATH = "till.tcss"
    AUTO_FOCUS = "#card-input"
    # Function keys and ctrl combos only: a scanner types digits and Enter,
    # and no letter may ever trigger an action.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "walk_in", "key.walk_in", key_display="F2"),
        Binding("f3", "search", "key.search", key_display="F3"),
        Binding("f4", "redeem", "key.redeem", key_display="F4"),
        Binding("f5", "refund", "key.refund", key_display="F5"),
        Binding("f6", "enrol", "key.enrol", key_display="F6"),
        Binding("f7", "reprint", "key.reprint", key_display="F7"),
        Binding("f8", "picks", "key.picks", key_display="F8", show=False),
        # Listed in the help, as F8: the footer's 80 columns are full.
        Binding("f11", "claim", "key.claim", key_display="F11", show=False),
        Binding("escape", "clear", "key.clear", key_display="keyname.escape"),
        Binding("down", "choose", "key.choose", show=False),
    ]

    def __init__(self, desk: Desk, text: Text, *, guard: ScanGuard | None = None) -> None:
        super().__init__()
        translate_bindings(self, text)
        self.desk = desk
        self.text = text
        self.guard = guard or ScanGuard()
        self.mode = Mode.IDLE
        self.programme: Programme | None = None
        self.card: CardState | None = None
        # A card scanned while the database is out of reach: sold blind, its
        # sale kept in the till's outbox.
        self._blind_card: str | None = None
        self.last_checkout: int | None = None  # offered first when refunding
        # The walk-in sale just shown, whose stamps F6 offers to a new card:
        # only right after that sale; any other action takes the offer back.
        self.last_claim: str | None = None  # its receipt code
        self._claim_offer: tuple[int, int] | None = None  # (its sale, its stamps)
        self._pending: PendingSale | None = None  # a sale being recorded
        self._retry: PendingSale | None = None  # a sale whose outcome is unknown
        self._writing = False
        self._writer: Worker[None] | None = None  # the write that ``_writing`` waits for
        # The worker whose answer the keys typed meanwhile wait for (a card
        # looked up, a sale written…): they go on once it has been shown.
        self._awaited: Worker[None] | None = None
        self._search_timer: Timer | None = None
        self.printer = TillPrinter(desk)
        self.printer_usable: bool | None = None  # None until the printer has been opened
        self._printer_reported = False  # a print's outcome is newer than the start's check
        self._status_before_f7: tuple[str, Kind] | None = None  # put back if F7 is refused
        self._walk_in: CheckoutResult | None = None  # the walk-in shown, drawn again on a resize
        self.basket: dict[QuickPick, int] = {}  # quick picks pressed for the sale being typed
        self._mode_rows: tuple[Widget, Widget, Widget, QuickPicks] | None = None  # see _set_mode
        self._resumed = False  # see on_screen_resume

    # ------------------------------------------------------------------
    # Layout

    def compose(self) -> ComposeResult:
        tr = self.text
        # A walk-in's QR code takes the right-hand column from the top; the
        # header then spans the left one only, so that a version-4 code with
        # its caption fits an 80×24 terminal.
        with Horizontal(id="till-main"):
            with Vertical(id="till-body"):
                yield Header()
                yield Feedback(id="feedback")
                with Horizontal(id="scan-row", classes="till-row"):
                    yield PlainLabel(tr("label.card"), classes="till-label")
                    yield ScanInput(placeholder=tr("placeholder.card"), id="card-input")
                with ContentSwitcher(initial="idle", id="panel"):
                    yield PlainStatic(tr("idle.help"), id="idle")
                    yield SearchResults(tr, id="results")
                    yield CardPanel(tr, id="card")
                    yield PlainStatic("", id="walk-in")
                    with Vertical(id="redeem"):
                        with Horizontal(classes="till-row"):
                            yield PlainLabel(tr("label.coupon"), classes="till-label")
                            yield ScanInput(placeholder=tr("placeholder.coupon"), id="coupon-input")
                        yield PlainStatic("", id="redeem-result", classes="till-result")
                    with Vertical(id="refund"):
                        with Horizontal(classes="till-row"):
                            yield PlainLabel(tr("label.checkout"), classes="till-label")
                            yield ScanInput(placeholder=tr("placeholder.checkout"), id="checkout-input")
                        yield PlainStatic("", id="refund-result", classes="till-result")
                    with Vertical(id="claim"):
                        yield PlainStatic("", id="claim-card", classes="till-result")
                        with Horizontal(classes="till-row"):
                            yield PlainLabel(tr("label.claim"), classes="till-label")
                            yield ScanInput(placeholder=tr("placeholder.claim_card"), id="claim-input")
                    with Vertical(id="enrol"):
                        for field in ("name", "email", "claim"):
                            if field == "claim":
                                # Consent to marketing e-mails: its own question, unticked.
                                with Horizontal(classes="till-row"):
                                    yield PlainLabel(tr("label.marketing"), classes="till-label")
                                    yield PlainCheckbox(tr("enrol.marketing_box"), id="enrol-marketing")
                            with Horizontal(classes="till-row"):
                                yield PlainLabel(tr(f"label.{field}"), classes="till-label")
                                yield ScanInput(placeholder=tr(f"placeholder.{field}"), id=f"enrol-{field}")
                        yield PlainStatic("", id="enrol-offer", classes="till-result")
                with Horizontal(id="amount-row", classes="till-row"):
                    yield PlainLabel(tr("label.amount"), classes="till-label")
                    yield ScanInput(placeholder=tr("placeholder.amount"), id="amount-input")
                yield QuickPicks(id="picks")
            yield EnrolQR(id="walk-in-qr")
        yield PlainStatic("", id="walk-in-link")
        yield StatusBar(id="printer-status")
        yield TillFooter(compact=True)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        if not self._resumed:
            # Its first time on top: the styles the screen's widgets were
            # given as they were mounted hold (working them all out again
            # took a tenth of the start's time in the app).
            self._resumed = True
            event.refresh_styles = False

    def on_mount(self) -> None:
        self.sub_title = self.desk.settings.till or self.text("till.default")
        self._set_mode(Mode.IDLE)
        self._hide_qr()
        self.feedback.show(self.text("hint.cleared"))
        self.load_programme()
        self._start_printer()
        self._warn_setup()
        if self.desk.offline is not None:
            self.set_interval(SYNC_SECONDS, self.sync_outbox)

    def _start_printer(self) -> None:
        """Say which printer the till uses, and open it (in a worker)."""
        if self.printer.url is None:
            self.printer_usable = False
            self.status_bar.show(self.text("printer.none"))
        else:
            self.status_bar.show(printer_line(self.printer.url, None, self.text))
            self.check_printer()

    def _warn_setup(self) -> None:
        """Keep the set-up's warning (receipt QR codes a phone cannot open)
        on the status line, after the printer's state."""
        warnings = self.desk.setup_warnings()
        self.status_bar.warn(warnings[0].short(self.text) if warnings else None)

    def use_printer_settings(self) -> None:
        """After the owner's screens: a printer set or changed there is used
        from the next sale (and checked now)."""
        if self.printer.settings == self.desk.settings.printer:
            return
        self.printer = TillPrinter(self.desk)
        self.printer_usable = None
        self._printer_reported = False
        self._start_printer()

    @property
    def feedback(self) -> Feedback:
        return self.query_one("#feedback", Feedback)

    @property
    def card_panel(self) -> CardPanel:
        return self.query_one("#card", CardPanel)

    @property
    def status_bar(self) -> StatusBar:
        """The printer's status line."""
        return self.query_one("#printer-status", StatusBar)

    @property
    def qr(self) -> EnrolQR:
        """The last walk-in's QR code (hidden when none is shown)."""
        return self.query_one("#walk-in-qr", EnrolQR)

    def _input(self, name: str) -> Input:
        return self.query_one(f"#{name}", Input)

    def _show_pane(self, pane: str) -> None:
        if pane != "walk-in":
            self._walk_in = None
            self._hide_qr()
        self.query_one("#panel", ContentSwitcher).current = pane

    def _set_mode(self, mode: Mode) -> None:
        self.mode = mode
        selling = mode in (Mode.CARD, Mode.WALK_IN)
        if self._mode_rows is None:
            # Found once: a query with a descendant selector walks the whole
            # screen, and every scan changes the mode twice.
            self._mode_rows = (
                self.query_one("#amount-row"),
                self.query_one("#redeem .till-row"),
                self.query_one("#refund .till-row"),
                self.query_one("#picks", QuickPicks),
            )
        amount_row, redeem_row, refund_row, picks = self._mode_rows
        amount_row.display = selling
        # A coupon's or a refund's field shows only while it is typed into:
        # its result stays on screen, the field does not (the focus is elsewhere).
        redeem_row.display = mode is Mode.REDEEM
        refund_row.display = mode is Mode.REFUND
        picks.display = selling and bool(picks.picks)

    def _focus(self, name: str, *, clear: bool = False) -> None:
        field = self._input(name)
        if clear:
            field.value = ""
        field.focus()
        field.select_all()

    def _idle(self) -> None:
        """Back to waiting for a scan; what the last action showed stays."""
        self.basket.clear()
        self._set_mode(Mode.IDLE)
        self._input("amount-input").value = ""
        self._focus("card-input", clear=True)

    # ------------------------------------------------------------------
    # Key bindings

    def action_clear(self) -> None:
        """Escape: forget the current card and any half-typed action (a sale
        already sent is not cancelled: its outcome will still show)."""
        self._stop_search()
        self.workers.cancel_group(self, "lookup")
        self._forget_claim()
        self.card = None
        self._blind_card = None
        self._retry = None
        for name in (
            "amount-input",
            "coupon-input",
            "checkout-input",
            "enrol-name",
            "enrol-email",
            "claim-input",
        ):
            self._input(name).value = ""
        self._marketing_box.value = False
        self.query_one("#results", SearchResults).clear_options()
        self._show_pane("idle")
        if self.feedback.kind != "success":
            # What just succeeded (a sale recorded, a coupon used) stays said.
            self.feedback.show(self.text("hint.cleared"))
        self._idle()

    def action_walk_in(self) -> None:
        """F2: a sale without a card."""
        self._forget_claim()
        self.card = None
        self._blind_card = None
        self._walk_in = None
        self.basket.clear()
        self._hide_qr()
        self._set_mode(Mode.WALK_IN)
        self.query_one("#walk-in", Static).update(self.text("hint.walk_in"))
        self._show_pane("walk-in")
        self.feedback.show(self.text("hint.walk_in"))
        self._focus("amount-input", clear=True)

    def action_search(self) -> None:
        """F3: type a name, an e-mail or a phone number in the card field."""
        self._forget_claim()
        self._set_mode(Mode.IDLE)
        if self.query_one("#results", SearchResults).option_count:
            self._show_pane("results")
        self.feedback.show(self.text("hint.search"))
        self._focus("card-input")

    def action_redeem(self) -> None:
        """F4: use a coupon."""
        self._forget_claim()
        self._set_mode(Mode.REDEEM)
        self.query_one("#redeem-result", Static).update("")
        self._show_pane("redeem")
        self.feedback.show(self.text("hint.redeem"))
        self._focus("coupon-input", clear=True)

    def action_refund(self) -> None:
        """F5: refund a sale (the last one of this till is offered)."""
        self._forget_claim()
        self._set_mode(Mode.REFUND)
        self.query_one("#refund-result", Static).update("")
        self._show_pane("refund")
        self.feedback.show(self.text("hint.refund"))
        self._input("checkout-input").value = str(self.last_checkout or "")
        self._focus("checkout-input")

    def action_enrol(self) -> None:
        """F6: a new card; right after a walk-in sale, with that sale's stamps
        (its receipt code filled in, the sale and its stamps shown)."""
        self._set_mode(Mode.ENROL)
        self._show_pane("enrol")
        self.feedback.show(self.text("hint.enrol"))
        self._input("enrol-email").value = ""
        self._marketing_box.value = False  # asked anew for every customer
        offer = ""
        if self.last_claim is not None and self._claim_offer is not None:
            checkout, stamps = self._claim_offer
            offer = self.text("enrol.offer", checkout=checkout, stamps=self.text.stamps(stamps))
        self._input("enrol-claim").value = self.last_claim or ""
        self.query_one("#enrol-offer", Static).update(offer)
        self._focus("enrol-name", clear=True)

    def action_claim(self) -> None:
        """F11: add a walk-in receipt to the card on screen (its customer
        forgot the card at that sale): scan the receipt's QR code or type its
        code, then Enter."""
        card = self.card
        if card is None or self.mode not in (Mode.CARD, Mode.CLAIM):
            self.feedback.show(self.text("claim.no_card"), "warning")
            return
        self._forget_claim()
        self.basket.clear()
        self._set_mode(Mode.CLAIM)
        self._show_pane("claim")
        name = card.name or self.text("card.number", number=card.number)
        self.query_one("#claim-card", Static).update(self.text("claim.for", number=card.number, name=name))
        self.feedback.show(self.text("hint.claim"))
        self._focus("claim-input", clear=True)

    def _forget_claim(self) -> None:
        """Another action than enrolling: the walk-in's stamps are no longer
        offered (its customer can still claim them from the receipt)."""
        self.last_claim = None
        self._claim_offer = None

    @on(Input.Changed, "#enrol-claim")
    def _claim_typed(self, event: Input.Changed) -> None:
        if self.last_claim is None or event.value.strip() != self.last_claim:
            self.query_one("#enrol-offer", Static).update("")  # another receipt, or none

    def action_reprint(self) -> None:
        """F7: print the receipts waiting for the printer; when none waits,
        the last sale of this till again (marked DUPLICATA)."""
        if self.printer_usable is False:
            self.feedback.show(self.text("reprint.off"), "warning")
            return
        self._status_before_f7 = (self.status_bar.message, self.status_bar.kind)
        self.status_bar.show(printer_line(self.text("printer.state.printing"), None, self.text))
        self.print_receipts(self.last_checkout)

    def action_picks(self) -> None:
        """F8: from the amount to the quick-pick buttons, and back."""
        picks = self.query_one("#picks", QuickPicks)
        if self.mode not in (Mode.CARD, Mode.WALK_IN) or not picks.picks:
            self.feedback.show(self.text("picks.none"), "warning")
        elif self.focused is not None and self.focused.parent is picks:
            self._focus("amount-input")
        else:
            picks.focus_first()
            self.feedback.show(self.text("picks.keys"))

    @on(QuickPicks.Picked)
    def _picked(self, message: QuickPicks.Picked) -> None:
        """A quick pick adds one item; the amount becomes the basket's total."""
        if self.mode not in (Mode.CARD, Mode.WALK_IN):
            return
        pick = self.query_one("#picks", QuickPicks).pick(message.index)
        self.basket[pick] = self.basket.get(pick, 0) + 1
        self._show_basket()
        if message.back:  # Enter or a click: back to the amount, where Enter records the sale
            self._focus("amount-input")

    @on(QuickPicks.Unpicked)
    def _unpicked(self, message: QuickPicks.Unpicked) -> None:
        """Delete on a pick takes one of it out of the sale."""
        pick = self.query_one("#picks", QuickPicks).pick(message.index)
        if self.mode not in (Mode.CARD, Mode.WALK_IN) or pick not in self.basket:
            return
        self.basket[pick] -= 1
        if not self.basket[pick]:
            del self.basket[pick]
        self._show_basket()

    def _basket_total(self) -> Decimal:
        return sum((p.price * n for p, n in self.basket.items()), Decimal("0"))

    def _show_basket(self) -> None:
        """The amount field holds the basket's total, typed as the cashier
        would type it ("9,80" in French); the feedback line lists it."""
        amount = self._input("amount-input")
        if not self.basket:
            amount.value = ""
            self.feedback.show(self.text("picks.empty"))
            return
        total = self._basket_total()
        typed = f"{total:.2f}"
        amount.value = typed.replace(".", ",") if self.text.locale == "fr_FR" else typed
        items = ", ".join(f"{n}× {p.label}" for p, n in self.basket.items())
        self.feedback.show(self.text("picks.basket", items=items, total=self.text.money(total)))

    def action_choose(self) -> None:
        """↓ from the card field moves into the search results."""
        results = self.query_one("#results", SearchResults)
        if (
            self.focused is self._input("card-input")
            and self.query_one("#panel", ContentSwitcher).current == "results"
            and results.option_count
        ):
            results.focus()

    # ------------------------------------------------------------------
    # The cashier's input

    @on(Input.Changed, "#card-input")
    def _card_typed(self, event: Input.Changed) -> None:
        self._stop_search()
        query = event.value.strip()
        if query:
            self._forget_claim()  # the next customer
        if is_search(query):
            self._search_timer = self.set_timer(SEARCH_DELAY, partial(self.search_customers, query))
        elif not query and self.query_one("#panel", ContentSwitcher).current == "results":
            self._show_pane("idle")

    @on(Input.Submitted, "#card-input")
    def _card_submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        number = card_digits(value)
        if number is not None:
            self._scan(number)
        elif value:
            self._stop_search()
            self._await(self.search_customers(value, choose=True))

    @on(OptionList.OptionSelected, "#results")
    def _customer_chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self._scan(event.option.id)

    def _scan(self, number: str) -> None:
        """A card was scanned, typed or chosen: look it up (once)."""
        self._stop_search()
        self._forget_claim()
        if self.guard.is_repeat(number) or (self._pending is not None and self._pending.card == number):
            self.feedback.show(self.text("scan.repeat", number=number), "warning")
            self._focus("card-input", clear=True)
            return
        if self.mode is Mode.CARD and self.card is not None and self.card.number == number:
            self.feedback.show(self.text("scan.selected", number=number))
            self._input("card-input").value = ""
            self._focus("amount-input")
            return
        self._await(self.look_up_card(number))

    def _await(self, worker: Worker[None]) -> Worker[None]:
        """Keep the keys typed from now on until ``worker``'s answer is on
        screen (``_settled``): they belong to the field it will focus."""
        if self._awaited is not None:
            release_keys(self, self._awaited)
        self._awaited = worker
        hold_keys(self, worker)
        return worker

    def _settled(self) -> None:
        """The awaited answer is shown: the keys typed meanwhile go on, into
        the field that now has the focus."""
        if self._awaited is not None:
            release_keys(self, self._awaited)
            self._awaited = None

    def _stop_search(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
        self.workers.cancel_group(self, "search")

    def _busy(self) -> bool:
        """Refuse a second write while one runs (a double Enter)."""
        if self._writing:
            self.feedback.show(self.text("busy"), "warning")
        return self._writing

    @on(Input.Submitted, "#amount-input")
    def _amount_submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        number = scanned_card(value)
        if number is not None:
            self._input("amount-input").value = ""
            self._scan(number)
            return
        if self.mode not in (Mode.CARD, Mode.WALK_IN) or self._busy():
            return
        if not value:
            self.feedback.show(self.text("amount.empty"), "warning")
            return
        if self.basket and _typed_amount(value) != self._basket_total():
            # The amount was changed after picking: a sale must not record
            # an amount its items do not add up to.
            total = self.text.money(self._basket_total())
            self.feedback.show(self.text("picks.mismatch", total=total), "warning")
            return
        self._forget_claim()  # another sale
        card = self.card.number if self.mode is Mode.CARD and self.card is not None else None
        if self.mode is Mode.CARD and self.card is None:
            card = self._blind_card
        items = tuple(self.basket.items())
        retry = self._retry
        if retry is not None and (retry.card, retry.amount, retry.items) == (card, value, items):
            sale = retry  # the last attempt may have been recorded: same key, no double
        else:
            sale = PendingSale(card, value, f"till-{uuid.uuid4().hex}", items)
        self._pending = sale
        self._writing = True
        self._writer = self._await(self.record_sale(sale))

    @on(Input.Submitted, "#coupon-input")
    def _coupon_submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        number = scanned_card(value)
        if number is not None:
            self._scan(number)
        elif not value:
            self.feedback.show(self.text("coupon.empty"), "warning")
        elif not self._busy():
            self._writing = True
            self._writer = self._await(self.redeem_coupon(value))

    @on(Input.Submitted, "#claim-input")
    def _receipt_submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        number = scanned_card(value)
        if number is not None:  # another card scanned: that customer now
            self._input("claim-input").value = ""
            self._scan(number)
        elif not value:
            self.feedback.show(self.text("claim.empty"), "warning")
        elif self.card is not None and not self._busy():
            self._writing = True
            self._writer = self._await(self.claim_receipt(self.card.number, value))

    @on(Input.Submitted, "#checkout-input")
    def _checkout_submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        number = scanned_card(value)
        if number is not None:
            self._scan(number)
        elif not value.isdigit():
            self.feedback.show(self.text("checkout.invalid"), "warning")
            self._focus("checkout-input")
        elif not self._busy():
            # The sale is shown before the question: an unknown or refunded
            # sale is refused here, without a dialog.
            self._await(self.show_refund(value))

    @on(RefundShown)
    def _refund_shown(self, message: RefundShown) -> None:
        self._settled()
        preview, part = message.preview, message.part
        per_card = self.programme.stamps_per_card if self.programme else None
        question = ConfirmScreen(
            self.text("refund.title.part" if part else "refund.title", checkout=preview.checkout),
            "\n".join(refund_question(preview, per_card, self.text)),
            yes=self.text("refund.yes"),
            no=self.text("refund.no"),
            # A whole sale may be refunded in part instead: its items or an amount.
            other=None if part else self.text("refund.part"),
        )
        self.app.push_screen(question, partial(self._refund_confirmed, preview, part))

    def _refund_confirmed(
        self, preview: RefundPreview, part: PartAsked | None, confirmed: bool | None
    ) -> None:
        if confirmed is None and part is None:
            self.app.push_screen(RefundPartScreen(preview, self.text), partial(self._part_picked, preview))
        elif not confirmed:
            self.feedback.show(self.text("refund.cancelled"))
            self._focus("checkout-input")
        elif not self._busy():
            self._writing = True
            self._writer = self._await(self.refund_sale(str(preview.checkout), part))

    def _part_picked(self, preview: RefundPreview, part: PartAsked | None) -> None:
        if part is None:
            self.feedback.show(self.text("refund.cancelled"))
            self._focus("checkout-input")
        elif not self._busy():
            # What that part would take back is shown before it is refunded.
            self._await(self.show_refund(str(preview.checkout), part))

    @on(Input.Submitted, "#enrol-name")
    def _name_submitted(self, event: Input.Submitted) -> None:
        self._focus("enrol-email")

    @on(Input.Submitted, "#enrol-email")
    def _email_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            # An e-mail given: the customer is asked about marketing e-mails
            # (Space ticks the box, Enter moves on without ticking it).
            self._marketing_box.focus()
        else:
            self._focus("enrol-claim")

    @property
    def _marketing_box(self) -> PlainCheckbox:
        return self.query_one("#enrol-marketing", PlainCheckbox)

    @on(Input.Submitted, "#enrol-claim")
    def _claim_submitted(self, event: Input.Submitted) -> None:
        name = self._input("enrol-name").value.strip()
        if not name:
            self.feedback.show(self.text("name.empty"), "warning")
            self._focus("enrol-name")
        elif not self._busy():
            self._writing = True
            email = self._input("enrol-email").value.strip() or None
            marketing = self._marketing_box.value
            self._writer = self._await(self.enrol_customer(name, email, claim_token(event.value), marketing))

    # ------------------------------------------------------------------
    # Workers: the only code that calls the Desk. They run in threads, never
    # touch a widget, and report with a message.

    def _post(self, message: Message) -> None:
        # A read replaced by a newer one (a new scan, more typing) says nothing.
        if not get_current_worker().is_cancelled:
            self.post_message(message)

    @work(thread=True, exclusive=True, exit_on_error=False, group="programme", name="programme")
    def load_programme(self) -> None:
        """Read the current programme (its name heads the screen)."""
        self._post(ProgrammeLoaded(self.desk.program()))

    @work(thread=True, exclusive=True, exit_on_error=False, group="ready", name="ready")
    def get_ready_to_sell(self) -> None:
        """Once the programme is on screen: import what the first sale needs
        (the till starts without it)."""
        self.desk.ready_to_sell()

    @work(thread=True, exclusive=True, exit_on_error=False, group="lookup", name="lookup")
    def look_up_card(self, number: str) -> None:
        """Read a card, with the programme its grid is drawn from."""
        try:
            card = self.desk.card(number)
        except Unreachable:
            if self.desk.offline is None:
                raise
            self._post(CardUnreachable(number))  # sold blind: the sale waits in the outbox
            return
        self._post(CardLoaded(card, self.desk.program()))

    @work(thread=True, exclusive=True, exit_on_error=False, group="search", name="search")
    def search_customers(self, query: str, choose: bool = False) -> None:
        """Find customers by name, e-mail or phone."""
        self._post(SearchDone(query, self.desk.search(query), choose))

    # Writes are never exclusive (a started sale is not abandoned) and always
    # report, even when the screen has moved on.

    @work(thread=True, exit_on_error=False, group="write", name="sale")
    def record_sale(self, sale: PendingSale) -> None:
        """Record a checkout (its idempotency key makes a retry harmless),
        with its receipt when a printer is set; then, the sale committed and
        reported, print the waiting receipts (its own among them)."""
        printer = self.printer.open()
        result = self.desk.checkout(
            card=sale.card,
            amount=sale.amount,
            items=sale.item_dicts(),
            idempotency_key=sale.key,
            till=self.desk.settings.till,
            receipt=printer is not None,
        )
        from ...offline import OfflineSale

        if isinstance(result, OfflineSale):
            self.post_message(SaleKept(result))
            if printer is not None:
                from ...print_outbox import print_offline_sale

                print_offline_sale(self.desk, printer, result)
            return
        self.post_message(SaleRecorded(result))
        if printer is not None:
            self.post_message(self.printer.print_waiting(printer))

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync", name="sync")
    def sync_outbox(self) -> None:
        """Send the sales kept while the database was out of reach."""
        if not self.desk.waiting_sales():
            return
        report = self.desk.sync()
        self.post_message(OutboxSynced(report.sent, report.waiting))

    # The printer's workers: one at a time (a newer one replaces a waiting
    # one); their reports are always shown, like a write's.

    @work(thread=True, exclusive=True, exit_on_error=False, group="printer", name="printer")
    def check_printer(self) -> None:
        """Open the printer of the settings when the till starts."""
        self.post_message(self.printer.check())

    @work(thread=True, exclusive=True, exit_on_error=False, group="printer", name="reprint")
    def print_receipts(self, again: int | None) -> None:
        """F7: print the waiting receipts, or sale ``again``'s once more."""
        printer = self.printer.open()
        if printer is None:
            self.post_message(self.printer.check())
            return
        self.post_message(self.printer.print_waiting(printer, again=again, by_hand=True))

    @work(thread=True, exit_on_error=False, group="write", name="redeem")
    def redeem_coupon(self, code: str) -> None:
        """Use a coupon once."""
        self.post_message(CouponRedeemed(self.desk.redeem(code, till=self.desk.settings.till)))

    @work(thread=True, exclusive=True, exit_on_error=False, group="lookup", name="preview")
    def show_refund(self, checkout: str, part: PartAsked | None = None) -> None:
        """A sale and what its refund (of ``part`` of it) would take back, before asking."""
        items, amount = (part.items or None, part.amount) if part is not None else (None, None)
        self._post(RefundShown(self.desk.refund_preview(checkout, items, amount), part))

    @work(thread=True, exit_on_error=False, group="write", name="refund")
    def refund_sale(self, checkout: str, part: PartAsked | None = None) -> None:
        """Refund a checkout (or ``part`` of it) the cashier confirmed."""
        items, amount = (part.items or None, part.amount) if part is not None else (None, None)
        change = self.desk.refund(checkout, items, amount, till=self.desk.settings.till)
        self.post_message(SaleRefunded(change))

    @work(thread=True, exit_on_error=False, group="write", name="enrol")
    def enrol_customer(self, name: str, email: str | None, claim: str | None, marketing: bool) -> None:
        """Create a card, with a walk-in's stamps when ``claim`` is given and
        the customer's consent to marketing e-mails when they said yes."""
        till = "till"  # where the consent was given, kept with it
        result = self.desk.enrol(
            name=name, email=email, claim=claim, marketing=marketing, marketing_source=till
        )
        self.post_message(CardEnrolled(result))

    @work(thread=True, exit_on_error=False, group="write", name="claim")
    def claim_receipt(self, number: str, token: str) -> None:
        """Add a walk-in receipt (its code or link) to card ``number``."""
        self.post_message(ReceiptClaimed(self.desk.claim(number, token)))

    # ------------------------------------------------------------------
    # What the engine answered

    def _use_programme(self, programme: Programme) -> None:
        if programme == self.programme:
            return  # the same version, as every scan brings it: nothing to redraw
        if self.programme is None:
            self.call_after_refresh(self.get_ready_to_sell)
        self.programme = programme
        self.title = programme.name or self.text("app.title")
        self.query_one("#picks", QuickPicks).show(programme.quick_picks, self.text.money)
        self._set_mode(self.mode)

    @on(ProgrammeLoaded)
    def _programme_loaded(self, message: ProgrammeLoaded) -> None:
        self._use_programme(Programme.from_info(message.programme))

    @on(CardLoaded)
    def _card_loaded(self, message: CardLoaded) -> None:
        self._settled()
        self._use_programme(Programme.from_info(message.programme))
        self._select(message.card, [])

    def _select(self, card: CardState, outcome: list[str]) -> None:
        """Make ``card`` the current one: show it, then ask for the amount."""
        if self._retry is not None and self._retry.card != card.number:
            self._retry = None
        self.card = card
        milestones = self.programme.milestones if self.programme else ()
        self.card_panel.show_card(card, milestones)
        self.card_panel.show_outcome(outcome)
        self._show_pane("card")
        self._set_mode(Mode.CARD)
        self._input("card-input").value = ""
        self._focus("amount-input", clear=True)
        # What to do now: the line must not still say "scan a card" or "n found".
        if card.name:
            self.feedback.show(self.text("card.ready", name=card.name))
        else:
            self.feedback.show(self.text("card.ready.blank", number=card.number))

    @on(SearchDone)
    def _search_done(self, message: SearchDone) -> None:
        if message.choose:
            self._settled()
        if not message.choose and message.query != self._input("card-input").value.strip():
            return  # the cashier typed on (or scanned) since
        results = self.query_one("#results", SearchResults)
        found = results.show(message.query, message.matches)
        if not found:
            self.feedback.show(self.text("search.none", query=message.query), "warning")
            if message.choose:
                self._focus("card-input")
            return
        self._show_pane("results")
        self._set_mode(Mode.IDLE)
        if message.choose and found == 1:
            self._scan(message.matches[0].number)
            return
        self.feedback.show(self.text("search.found", count=found))
        if message.choose:
            results.focus()

    @on(CardUnreachable)
    def _card_unreachable(self, message: CardUnreachable) -> None:
        self._settled()
        self.card = None
        self._blind_card = message.number
        self.card_panel.show_outcome([self.text("lookup.offline", number=message.number)])
        self._show_pane("card")
        self._set_mode(Mode.CARD)
        self.feedback.show(self.text("lookup.offline", number=message.number), "warning")
        self._input("card-input").value = ""
        self._focus("amount-input", clear=True)

    @on(SaleKept)
    def _sale_kept(self, message: SaleKept) -> None:
        self._settled()
        self._writing = False
        self._pending = self._retry = None
        self._blind_card = None
        if message.sale.card is not None:
            self.guard.stamped(message.sale.card)
        self.feedback.show(self.text("sale.offline", waiting=message.sale.waiting), "warning")
        self.status_bar.show(self.text("sync.waiting", waiting=message.sale.waiting), "warning")
        self.card = None
        self._show_pane("idle")
        self._idle()

    @on(OutboxSynced)
    def _outbox_synced(self, message: OutboxSynced) -> None:
        if message.waiting:
            self.status_bar.show(self.text("sync.waiting", waiting=message.waiting), "warning")
        elif message.sent:
            self.status_bar.show(self.text("sync.done", sent=message.sent), "success")

    @on(SaleRecorded)
    def _sale_recorded(self, message: SaleRecorded) -> None:
        self._settled()
        result = message.result
        self._writing = False
        self._pending = self._retry = None
        self.last_checkout = result.checkout
        if result.card is None and result.stamps_added:
            self.last_claim = result.claim_token
            self._claim_offer = (result.checkout, result.stamps_added)
        elif result.card is not None:
            self.guard.stamped(result.card)
        if self.programme is not None and result.program_version != self.programme.version:
            self.load_programme()
        if result.print_job is not None and self.printer_usable is not False:
            self.status_bar.show(printer_line(self.text("printer.state.printing"), None, self.text))
        done = self.text("sale.done", checkout=result.checkout)
        if result.stamps_added:
            self.feedback.show(f"{done} {self.text.count('added', result.stamps_added)}", "success")
        else:
            self.feedback.show(f"{done} {zero_stamp_reason(result, self.programme, self.text)}", "warning")

        selected = self.card.number if self.card is not None else None
        if not (
            (self.mode is Mode.WALK_IN and result.card is None)
            or (self.mode is Mode.CARD and result.card is not None and selected == result.card)
        ):
            return  # the cashier moved on (Escape, the next card): the feedback line says it
        if result.card is None:
            self._show_walk_in(result)
            self._show_pane("walk-in")
        else:
            if self.card is not None and result.balance is not None:
                self.card = card_after_sale(self.card, result)
                self.card_panel.show_card(self.card, self.programme.milestones if self.programme else ())
            self.card_panel.show_outcome(sale_lines(result, self.programme, self.text))
            self._show_pane("card")
        self._idle()

    def _show_walk_in(self, result: CheckoutResult) -> None:
        """A walk-in's result; its link as a QR code beside it when the link
        is worth stamps and the terminal has room, else as text."""
        self._walk_in = result
        qr_shown = False
        if result.stamps_added and result.enrol_url:
            rows = sum(w.outer_size.height for w in (self.status_bar, self.query_one(Footer)))
            qr_shown = self.qr.show(
                result.enrol_url,
                qr_caption(result.stamps_added, self.text),
                columns=self.size.width - MIN_BODY_WIDTH - self.qr.styles.margin.left,
                lines=self.size.height - rows - LINK_LINES,
            )
        if not qr_shown:
            self._hide_qr()
        else:
            link = self.query_one("#walk-in-link", Static)
            link.update("\n".join(walk_in_link(result, self.text)))
            link.display = self.qr.display = True
        lines = walk_in_lines(result, self.programme, self.text, link=not qr_shown)
        self.query_one("#walk-in", Static).update("\n".join(lines))

    def _hide_qr(self) -> None:
        qr = self.qr
        if qr.data is not None:
            qr.clear()
        qr.display = False
        self.query_one("#walk-in-link").display = False

    def on_resize(self, event: events.Resize) -> None:
        """Draw the shown QR code again for the new size (or its link as text)."""
        if self._walk_in is not None:
            self._show_walk_in(self._walk_in)

    @on(PrinterChecked)
    def _printer_checked(self, message: PrinterChecked) -> None:
        self.printer_usable = message.url is not None and message.problem is None
        if not self.printer_usable:
            self.status_bar.show(
                printer_off_line(message.url, message.code, message.problem, self.text),
                "warning" if message.url else "info",
            )
        elif not self._printer_reported:  # a sale's print may have reported already
            kind: Kind = "warning" if message.waiting else "info"
            self.status_bar.show(printer_line(message.url or "", message.waiting, self.text), kind)

    @on(ReceiptsPrinted)
    def _receipts_printed(self, message: ReceiptsPrinted) -> None:
        self.printer_usable = True
        self._printer_reported = True
        tr = self.text
        state = printer_state(message.reason, tr)
        kind: Kind = (
            "success" if message.reason is None else "error" if message.reason == "error" else "warning"
        )
        self.status_bar.show(printer_line(state, message.waiting, tr), kind)
        if not message.by_hand:
            return  # a sale's receipt: the status line is enough
        if message.reason is not None:
            self.feedback.show(tr("reprint.failed", state=state), "warning")
        elif message.reprinted is not None:
            self.feedback.show(tr("reprint.again", checkout=message.reprinted), "success")
        elif message.printed:
            self.feedback.show(tr.count("printed", message.printed), "success")
        else:
            self.feedback.show(tr("reprint.nothing"))

    @on(CouponRedeemed)
    def _coupon_redeemed(self, message: CouponRedeemed) -> None:
        self._settled()
        result = message.result
        self._writing = False
        if self.card is not None and self.card.number == result.card:
            left = tuple(c for c in self.card.coupons if c.code != result.code)
            self.card = replace(self.card, coupons=left)
        self.query_one("#redeem-result", Static).update("\n".join(redeem_lines(result, self.text)))
        self.feedback.show(self.text("redeem.done", code=result.code, reward=result.reward), "success")
        self._input("coupon-input").value = ""
        self._idle()

    @on(SaleRefunded)
    def _sale_refunded(self, message: SaleRefunded) -> None:
        self._settled()
        change = message.change
        self._writing = False
        if self.card is not None and self.card.number == change.card:
            self.card = None  # its balance changed: scan it again to see it
        per_card = self.programme.stamps_per_card if self.programme else None
        self.query_one("#refund-result", Static).update("\n".join(refund_lines(change, per_card, self.text)))
        self.feedback.show(refund_lines(change, per_card, self.text)[0], "success")
        self._input("checkout-input").value = ""
        self._idle()

    @on(CardEnrolled)
    def _card_enrolled(self, message: CardEnrolled) -> None:
        self._settled()
        result = message.result
        self._writing = False
        self._forget_claim()
        for name in ("enrol-name", "enrol-email", "enrol-claim"):
            self._input(name).value = ""
        self._marketing_box.value = False
        self._select(result.card, enrol_lines(result, self.text))
        self.feedback.show(
            self.text("enrol.done", number=result.number, name=result.card.name or ""), "success"
        )

    @on(ReceiptClaimed)
    def _receipt_claimed(self, message: ReceiptClaimed) -> None:
        self._settled()
        result = message.result
        self._writing = False
        self._input("claim-input").value = ""
        self._select(result.card, claim_lines(result, self.text))
        added = self.text.count("added", result.stamps_added)
        self.feedback.show(
            self.text("claim.done", checkout=result.checkout, number=result.number, added=added), "success"
        )

    # ------------------------------------------------------------------
    # Failures

    # Where the cashier retypes after a refusal, by worker; for an enrolment,
    # by the field the engine's error code names.
    _RETRY_FIELD: ClassVar[dict[str, str]] = {
        "sale": "amount-input",
        "redeem": "coupon-input",
        "refund": "checkout-input",
        "preview": "checkout-input",
        "claim": "claim-input",
    }
    _ENROL_FIELD: ClassVar[dict[str, str]] = {
        "invalid_email": "enrol-email",
        "already_enrolled": "enrol-email",
        "marketing_needs_email": "enrol-email",
        "invalid_claim_token": "enrol-claim",
        "already_claimed": "enrol-claim",
        "refunded": "enrol-claim",
    }

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker is self._writer and event.state in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            # Only the write the cashier waits for: a sale's worker printing
            # on after its report must not free a newer write's guard.
            self._writing = False
            self._writer = None
        if event.state is WorkerState.ERROR:
            self._failed(worker.name, worker.error)
        if worker is self._awaited and event.state in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            self._settled()  # it ended without an answer (a refusal, a cancelled read)

    def _failed(self, worker: str, error: BaseException | None) -> None:
        """Show why ``worker`` failed and give the focus back where the
        cashier fixes it. A ``StampdeskError`` wrote nothing; anything else
        may have, so a sale keeps its idempotency key for the retry."""
        if not isinstance(error, StampdeskError):
            self.log.error(f"{worker} worker failed", error)
        self.feedback.show(self.text.problem(error), "error")
        if worker == "sale":
            self._retry = None if isinstance(error, StampdeskError) else self._pending
            self._pending = None
        if worker in ("printer", "reprint"):
            # The printer never takes the focus from what the cashier types.
            # A refusal (no such sale to print again) says nothing about the
            # printer: its line is put back as it was.
            if isinstance(error, StampdeskError) and self._status_before_f7 is not None:
                self.status_bar.show(*self._status_before_f7)
            else:
                failed = printer_state("error", self.text)
                self.status_bar.show(printer_line(failed, None, self.text), "error")
        elif worker in self._RETRY_FIELD:
            self._focus(self._RETRY_FIELD[worker])
        elif worker == "enrol":
            code = error.code if isinstance(error, StampdeskError) else ""
            self._focus(self._ENROL_FIELD.get(code, "enrol-name"))
        else:
            # A lookup or search: back to waiting for a scan, the field cleared
            # after a failed lookup so the next scan starts afresh.
            if worker == "lookup":
                self._set_mode(Mode.IDLE)
            self._focus("card-input", clear=worker == "lookup")
