"""The part of a sale to refund: the items given back, picked from the
sale's (one entry per unit left, Space to pick), or an amount typed. Nothing
is refunded here: the till shows what that part would take back and asks
before it does."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, SelectionList

from ...results import RefundPreview
from ..messages import PartAsked
from ..text import Text
from ..widgets.plain import PlainButton, PlainLabel, PlainStatic


class RefundPartScreen(ModalScreen[PartAsked | None]):
    """Picks a part of ``preview``'s sale; dismissed with it, or None (Escape)."""

    CSS_PATH = "confirm.tcss"
    AUTO_FOCUS = "#part-items"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    def __init__(self, preview: RefundPreview, text: Text) -> None:
        super().__init__()
        self.preview = preview
        self.text = text

    def compose(self) -> ComposeResult:
        tr, preview = self.text, self.preview
        units = [
            (tr("part.unit", sku=line.sku, price=tr.money(line.unit_price)), (line.sku, n))
            for line in preview.items
            for n in range(line.quantity - line.returned)
        ]
        with Vertical(id="confirm-box", classes="refund-part"):
            yield PlainStatic(tr("part.title", checkout=preview.checkout), id="confirm-title")
            yield PlainStatic(
                tr("part.left", amount=tr.money(preview.change.refunded_amount or Decimal(0))), id="part-left"
            )
            if units:
                yield PlainLabel(tr("part.items"))
                yield SelectionList[tuple[str, int]](*units, id="part-items")
            yield PlainLabel(tr("part.amount"))
            yield Input(placeholder=tr("placeholder.amount"), id="part-amount")
            yield PlainStatic("", id="part-problem")
            with Horizontal(id="confirm-buttons"):
                yield PlainButton(tr("part.next"), variant="error", id="part-next")
                yield PlainButton(tr("refund.no"), id="part-cancel")

    def on_mount(self) -> None:
        if not self.query("#part-items"):
            self.query_one("#part-amount", Input).focus()

    @on(Input.Submitted, "#part-amount")
    @on(Button.Pressed, "#part-next")
    def _next(self) -> None:
        amount = self.query_one("#part-amount", Input).value.strip() or None
        picked: dict[str, int] = {}
        for sku, _ in (
            self.query_one("#part-items", SelectionList).selected if self.query("#part-items") else ()
        ):
            picked[sku] = picked.get(sku, 0) + 1
        if not picked and amount is None:
            self.query_one("#part-problem", PlainStatic).update(self.text("part.empty"))
            self.query_one("#part-items" if self.query("#part-items") else "#part-amount").focus()
            return
        self.dismiss(PartAsked(tuple(sorted(picked.items())), amount))

    @on(Button.Pressed, "#part-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
