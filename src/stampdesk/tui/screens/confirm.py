"""A yes/no question in a modal box: Enter confirms, Escape cancels.

No single-letter keys (y/n): a barcode scanner typing into the till must
never answer a question by accident. For the same reason an Enter that ends
a burst of typed characters (a scan) does not confirm: only a lone Enter does.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button

from ..widgets.plain import PlainButton, PlainStatic


class ConfirmScreen(ModalScreen[bool | None]):
    """Asks ``title`` (with ``body`` below); dismissed with ``True`` when the
    cashier confirms, ``False`` when they cancel, and ``None`` when they
    choose the ``other`` answer, if one is offered (between the two)."""

    CSS_PATH = "confirm.tcss"
    AUTO_FOCUS = "#confirm-yes"  # set as the dialog is shown, before any key reaches it
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    def __init__(self, title: str, body: str, *, yes: str, no: str, other: str | None = None) -> None:
        super().__init__()
        self.question = title
        self.body = body
        self.yes = yes
        self.no = no
        self.other = other
        self._typed = False  # characters arrived since the last Enter

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield PlainStatic(self.question, id="confirm-title")
            yield PlainStatic(self.body, id="confirm-body")
            with Horizontal(id="confirm-buttons"):
                yield PlainButton(self.yes, variant="error", id="confirm-yes")
                if self.other is not None:
                    yield PlainButton(self.other, id="confirm-other")
                yield PlainButton(self.no, id="confirm-no")

    def on_key(self, event: events.Key) -> None:
        # Keys reach this screen before the focused button's Enter binding.
        if event.is_printable:
            self._typed = True
            event.stop()
        elif event.key in ("enter", "tab", "ctrl+j") and self._typed:
            self._typed = False  # the end of a scan, not an answer
            event.stop()
            event.prevent_default()

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-other")
    def _other(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#confirm-no")
    def _no(self) -> None:
        self.dismiss(False)

    def action_cancel(self) -> None:
        self.dismiss(False)
