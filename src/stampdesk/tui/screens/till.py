"""The cashier's screen: scan a card, type the amount, see the stamps.

Everything that reads or writes the shop's data goes through the ``Desk``,
in thread workers that only post messages (``..messages``); the ``@on``
handlers below own what the screen shows. One ``Worker.StateChanged``
handler turns any failure into a line in the feedback area.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from enum import Enum
from functools import partial
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import ContentSwitcher, Footer, Header, Input, Label, OptionList, Static
from textual.worker import Worker, WorkerState, get_current_worker

from ...desk import Desk
from ...domain.errors import StampdeskError
from ...results import CardState
from ..keys import translate_bindings
from ..messages import (
    CardEnrolled,
    CardLoaded,
    CouponRedeemed,
    ProgrammeLoaded,
    SaleRecorded,
    SaleRefunded,
    SearchDone,
)
from ..present import (
    Programme,
    enrol_lines,
    redeem_lines,
    refund_lines,
    sale_lines,
    walk_in_lines,
    zero_stamp_reason,
)
from ..scan import ScanGuard, card_digits, claim_token, is_search
from ..text import Text
from ..widgets import CardPanel, Feedback, ScanInput, SearchResults
from .confirm import ConfirmScreen

SEARCH_DELAY = 0.15  # seconds of quiet typing before a live search runs


class Mode(Enum):
    """What the cashier is doing; decides which inputs are shown."""

    IDLE = "idle"  # waiting for a scan
    CARD = "card"  # a card is selected: type the amount
    WALK_IN = "walk-in"  # a sale without a card: type the amount
    REDEEM = "redeem"
    REFUND = "refund"
    ENROL = "enrol"


@dataclass(frozen=True)
class PendingSale:
    """A sale the cashier confirmed. Its idempotency key is kept for a retry
    while the outcome is unknown, so a sale can never be stamped twice."""

    card: str | None
    amount: str
    key: str


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
        Binding("escape", "clear", "key.clear", key_display="Esc"),
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
        self.last_checkout: int | None = None  # offered first when refunding
        self.last_claim: str | None = None  # the last walk-in's receipt code, offered when enrolling
        self._pending: PendingSale | None = None  # a sale being recorded
        self._retry: PendingSale | None = None  # a sale whose outcome is unknown
        self._writing = False
        self._search_timer: Timer | None = None

    # ------------------------------------------------------------------
    # Layout

    def compose(self) -> ComposeResult:
        tr = self.text
        yield Header()
        with Vertical(id="till-body"):
            yield Feedback(id="feedback")
            with Horizontal(id="scan-row", classes="till-row"):
                yield Label(tr("label.card"), classes="till-label")
                yield ScanInput(placeholder=tr("placeholder.card"), id="card-input")
            with ContentSwitcher(initial="idle", id="panel"):
                yield Static(tr("idle.help"), markup=False, id="idle")
                yield SearchResults(tr, id="results")
                yield CardPanel(tr, id="card")
                yield Static("", markup=False, id="walk-in")
                with Vertical(id="redeem"):
                    with Horizontal(classes="till-row"):
                        yield Label(tr("label.coupon"), classes="till-label")
                        yield ScanInput(placeholder=tr("placeholder.coupon"), id="coupon-input")
                    yield Static("", markup=False, id="redeem-result", classes="till-result")
                with Vertical(id="refund"):
                    with Horizontal(classes="till-row"):
                        yield Label(tr("label.checkout"), classes="till-label")
                        yield ScanInput(placeholder=tr("placeholder.checkout"), id="checkout-input")
                    yield Static("", markup=False, id="refund-result", classes="till-result")
                with Vertical(id="enrol"):
                    for field in ("name", "email", "claim"):
                        with Horizontal(classes="till-row"):
                            yield Label(tr(f"label.{field}"), classes="till-label")
                            yield Input(placeholder=tr(f"placeholder.{field}"), id=f"enrol-{field}")
            with Horizontal(id="amount-row", classes="till-row"):
                yield Label(tr("label.amount"), classes="till-label")
                yield ScanInput(placeholder=tr("placeholder.amount"), id="amount-input")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.desk.settings.till or self.text("till.default")
        self._set_mode(Mode.IDLE)
        self.feedback.show(self.text("hint.cleared"))
        self.load_programme()

    @property
    def feedback(self) -> Feedback:
        return self.query_one("#feedback", Feedback)

    @property
    def card_panel(self) -> CardPanel:
        return self.query_one("#card", CardPanel)

    def _input(self, name: str) -> Input:
        return self.query_one(f"#{name}", Input)

    def _show_pane(self, pane: str) -> None:
        self.query_one("#panel", ContentSwitcher).current = pane

    def _set_mode(self, mode: Mode) -> None:
        self.mode = mode
        self.query_one("#amount-row").display = mode in (Mode.CARD, Mode.WALK_IN)

    def _focus(self, name: str, *, clear: bool = False) -> None:
        field = self._input(name)
        if clear:
            field.value = ""
        field.focus()
        field.select_all()

    def _idle(self) -> None:
        """Back to waiting for a scan; what the last action showed stays."""
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
        self.card = None
        self._retry = None
        for name in ("amount-input", "coupon-input", "checkout-input", "enrol-name", "enrol-email"):
            self._input(name).value = ""
        self.query_one("#results", SearchResults).clear_options()
        self._show_pane("idle")
        self.feedback.show(self.text("hint.cleared"))
        self._idle()

    def action_walk_in(self) -> None:
        """F2: a sale without a card."""
        self.card = None
        self._set_mode(Mode.WALK_IN)
        self.query_one("#walk-in", Static).update(self.text("hint.walk_in"))
        self._show_pane("walk-in")
        self.feedback.show(self.text("hint.walk_in"))
        self._focus("amount-input", clear=True)

    def action_search(self) -> None:
        """F3: type a name, an e-mail or a phone number in the card field."""
        self._set_mode(Mode.IDLE)
        if self.query_one("#results", SearchResults).option_count:
            self._show_pane("results")
        self.feedback.show(self.text("hint.search"))
        self._focus("card-input")

    def action_redeem(self) -> None:
        """F4: use a coupon."""
        self._set_mode(Mode.REDEEM)
        self.query_one("#redeem-result", Static).update("")
        self._show_pane("redeem")
        self.feedback.show(self.text("hint.redeem"))
        self._focus("coupon-input", clear=True)

    def action_refund(self) -> None:
        """F5: refund a sale (the last one of this till is offered)."""
        self._set_mode(Mode.REFUND)
        self.query_one("#refund-result", Static).update("")
        self._show_pane("refund")
        self.feedback.show(self.text("hint.refund"))
        self._input("checkout-input").value = str(self.last_checkout or "")
        self._focus("checkout-input")

    def action_enrol(self) -> None:
        """F6: a new card (with the last walk-in's stamps when there was one)."""
        self._set_mode(Mode.ENROL)
        self._show_pane("enrol")
        self.feedback.show(self.text("hint.enrol"))
        self._input("enrol-email").value = ""
        self._input("enrol-claim").value = self.last_claim or ""
        self._focus("enrol-name", clear=True)

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
            self.search_customers(value, choose=True)

    @on(OptionList.OptionSelected, "#results")
    def _customer_chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self._scan(event.option.id)

    def _scan(self, number: str) -> None:
        """A card was scanned, typed or chosen: look it up (once)."""
        self._stop_search()
        if self.guard.is_repeat(number) or (self._pending is not None and self._pending.card == number):
            self.feedback.show(self.text("scan.repeat", number=number), "warning")
            self._focus("card-input", clear=True)
            return
        if self.mode is Mode.CARD and self.card is not None and self.card.number == number:
            self.feedback.show(self.text("scan.selected", number=number))
            self._input("card-input").value = ""
            self._focus("amount-input")
            return
        self.look_up_card(number)

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
        card = self.card.number if self.mode is Mode.CARD and self.card is not None else None
        retry = self._retry
        if retry is not None and (retry.card, retry.amount) == (card, value):
            sale = retry  # the last attempt may have been recorded: same key, no double
        else:
            sale = PendingSale(card, value, f"till-{uuid.uuid4().hex}")
        self._pending = sale
        self._writing = True
        self.record_sale(sale)

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
            self.redeem_coupon(value)

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
            question = ConfirmScreen(
                self.text("refund.title", checkout=value),
                self.text("refund.body"),
                yes=self.text("refund.yes"),
                no=self.text("refund.no"),
            )
            self.app.push_screen(question, partial(self._refund_confirmed, value))

    def _refund_confirmed(self, checkout: str, confirmed: bool | None) -> None:
        if not confirmed:
            self.feedback.show(self.text("refund.cancelled"))
            self._focus("checkout-input")
        elif not self._busy():
            self._writing = True
            self.refund_sale(checkout)

    @on(Input.Submitted, "#enrol-name")
    def _name_submitted(self, event: Input.Submitted) -> None:
        self._focus("enrol-email")

    @on(Input.Submitted, "#enrol-email")
    def _email_submitted(self, event: Input.Submitted) -> None:
        self._focus("enrol-claim")

    @on(Input.Submitted, "#enrol-claim")
    def _claim_submitted(self, event: Input.Submitted) -> None:
        name = self._input("enrol-name").value.strip()
        if not name:
            self.feedback.show(self.text("name.empty"), "warning")
            self._focus("enrol-name")
        elif not self._busy():
            self._writing = True
            email = self._input("enrol-email").value.strip() or None
            self.enrol_customer(name, email, claim_token(event.value))

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

    @work(thread=True, exclusive=True, exit_on_error=False, group="lookup", name="lookup")
    def look_up_card(self, number: str) -> None:
        """Read a card, with the programme its grid is drawn from."""
        card = self.desk.card(number)
        self._post(CardLoaded(card, self.desk.program()))

    @work(thread=True, exclusive=True, exit_on_error=False, group="search", name="search")
    def search_customers(self, query: str, choose: bool = False) -> None:
        """Find customers by name, e-mail or phone."""
        self._post(SearchDone(query, self.desk.search(query), choose))

    # Writes are never exclusive (a started sale is not abandoned) and always
    # report, even when the screen has moved on.

    @work(thread=True, exit_on_error=False, group="write", name="sale")
    def record_sale(self, sale: PendingSale) -> None:
        """Record a checkout (its idempotency key makes a retry harmless)."""
        result = self.desk.checkout(
            card=sale.card, amount=sale.amount, idempotency_key=sale.key, till=self.desk.settings.till
        )
        self.post_message(SaleRecorded(result))

    @work(thread=True, exit_on_error=False, group="write", name="redeem")
    def redeem_coupon(self, code: str) -> None:
        """Use a coupon once."""
        self.post_message(CouponRedeemed(self.desk.redeem(code, till=self.desk.settings.till)))

    @work(thread=True, exit_on_error=False, group="write", name="refund")
    def refund_sale(self, checkout: str) -> None:
        """Refund a checkout the cashier confirmed."""
        self.post_message(SaleRefunded(self.desk.refund(checkout)))

    @work(thread=True, exit_on_error=False, group="write", name="enrol")
    def enrol_customer(self, name: str, email: str | None, claim: str | None) -> None:
        """Create a card, with a walk-in's stamps when ``claim`` is given."""
        self.post_message(CardEnrolled(self.desk.enrol(name=name, email=email, claim=claim)))

    # ------------------------------------------------------------------
    # What the engine answered

    def _use_programme(self, programme: Programme) -> None:
        self.programme = programme
        self.title = programme.name or self.text("app.title")

    @on(ProgrammeLoaded)
    def _programme_loaded(self, message: ProgrammeLoaded) -> None:
        self._use_programme(Programme.from_info(message.programme))

    @on(CardLoaded)
    def _card_loaded(self, message: CardLoaded) -> None:
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

    @on(SearchDone)
    def _search_done(self, message: SearchDone) -> None:
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

    @on(SaleRecorded)
    def _sale_recorded(self, message: SaleRecorded) -> None:
        result = message.result
        self._writing = False
        self._pending = self._retry = None
        self.last_checkout = result.checkout
        if result.card is None:
            self.last_claim = result.claim_token
        else:
            self.guard.stamped(result.card)
        if self.programme is not None and result.program_version != self.programme.version:
            self.load_programme()
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
            lines = walk_in_lines(result, self.programme, self.text)
            self.query_one("#walk-in", Static).update("\n".join(lines))
            self._show_pane("walk-in")
        else:
            if self.card is not None and result.balance is not None:
                known = {c.code for c in self.card.coupons}
                self.card = replace(
                    self.card,
                    balance=result.balance,
                    next_milestone=result.next_milestone or self.card.next_milestone,
                    coupons=self.card.coupons + tuple(c for c in result.coupons if c.code not in known),
                )
                self.card_panel.show_card(self.card, self.programme.milestones if self.programme else ())
            self.card_panel.show_outcome(sale_lines(result, self.programme, self.text))
            self._show_pane("card")
        self._idle()

    @on(CouponRedeemed)
    def _coupon_redeemed(self, message: CouponRedeemed) -> None:
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
        change = message.change
        self._writing = False
        if self.card is not None and self.card.number == change.card:
            self.card = None  # its balance changed: scan it again to see it
        if self.last_claim is not None and self.last_claim.startswith(f"{change.checkout}."):
            self.last_claim = None  # a refunded walk-in's stamps can no longer be claimed
        per_card = self.programme.stamps_per_card if self.programme else None
        self.query_one("#refund-result", Static).update("\n".join(refund_lines(change, per_card, self.text)))
        self.feedback.show(self.text("refund.done", checkout=change.checkout), "success")
        self._input("checkout-input").value = ""
        self._idle()

    @on(CardEnrolled)
    def _card_enrolled(self, message: CardEnrolled) -> None:
        result = message.result
        self._writing = False
        if result.claimed_checkout is not None:
            self.last_claim = None
        for name in ("enrol-name", "enrol-email", "enrol-claim"):
            self._input(name).value = ""
        self._select(result.card, enrol_lines(result, self.text))
        self.feedback.show(
            self.text("enrol.done", number=result.number, name=result.card.name or ""), "success"
        )

    # ------------------------------------------------------------------
    # Failures

    # Where the cashier retypes after a refusal, by worker; for an enrolment,
    # by the field the engine's error code names.
    _RETRY_FIELD: ClassVar[dict[str, str]] = {
        "sale": "amount-input",
        "redeem": "coupon-input",
        "refund": "checkout-input",
    }
    _ENROL_FIELD: ClassVar[dict[str, str]] = {
        "invalid_email": "enrol-email",
        "already_enrolled": "enrol-email",
        "invalid_claim_token": "enrol-claim",
        "already_claimed": "enrol-claim",
        "refunded": "enrol-claim",
    }

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group == "write" and event.state in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            self._writing = False
        if event.state is WorkerState.ERROR:
            self._failed(worker.name, worker.error)

    def _failed(self, worker: str, error: BaseException | None) -> None:
        """Show why ``worker`` failed and give the focus back where the
        cashier fixes it. A ``StampdeskError`` wrote nothing; anything else
        may have, so a sale keeps its idempotency key for the retry."""
        if isinstance(error, StampdeskError):
            self.feedback.show(error.message, "error")
        else:
            self.log.error(f"{worker} worker failed", error)
            detail = str(error) or "-"
            self.feedback.show(
                self.text("error.unexpected", kind=type(error).__name__, detail=detail), "error"
            )
        if worker == "sale":
            self._retry = None if isinstance(error, StampdeskError) else self._pending
            self._pending = None
        if worker in self._RETRY_FIELD:
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
