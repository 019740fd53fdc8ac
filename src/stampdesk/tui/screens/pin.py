"""The PIN screen: a cashier signs in at the till, or an owner unlocks the
owner's screens.

The PIN is typed into a masked field (digits only) and checked by the engine
in a thread worker; the screen is dismissed with the member of staff whose
PIN it was. Signing in cannot be skipped (Escape does nothing); asking for an
owner's PIN can (Escape goes back).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static
from textual.worker import Worker, WorkerState

from ...desk import PIN_DIGITS, Desk, StaffMember
from ...domain.errors import StampdeskError
from ..keys import translate_bindings
from ..owner_text import OwnerText
from ..widgets.plain import PlainLabel, PlainStatic


@dataclass
class PinAccepted(Message):
    """The engine recognised the PIN: ``member`` is who typed it."""

    member: StaffMember


class PinScreen(Screen[StaffMember | None]):
    """Asks for a PIN; dismissed with the member of staff, or ``None`` when
    the owner goes back (Escape) or when the shop turns out to have no staff."""

    CSS_PATH = "pin.tcss"
    AUTO_FOCUS = "#pin-input"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "key.back", key_display="keyname.escape"),
    ]

    def __init__(self, desk: Desk, text: OwnerText, *, owner: bool = False) -> None:
        super().__init__()
        translate_bindings(self, text)
        self.desk = desk
        self.text = text
        self.owner = owner
        self.checking = False

    def compose(self) -> ComposeResult:
        tr = self.text
        yield Header()
        with Vertical(id="pin-box"):
            yield PlainStatic(tr("pin.title.owner" if self.owner else "pin.title"), id="pin-title")
            yield PlainStatic(tr("pin.prompt.owner" if self.owner else "pin.prompt"), id="pin-prompt")
            yield PlainLabel(tr("pin.label"), id="pin-label")
            yield Input(
                password=True,
                restrict=r"[0-9]*",
                max_length=PIN_DIGITS[1],
                id="pin-input",
            )
            yield PlainStatic("", id="pin-message")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.text("pin.title.owner" if self.owner else "pin.title")

    @property
    def message(self) -> str:
        """The line under the field (for tests and logs)."""
        return str(self.query_one("#pin-message", Static).content)

    def _say(self, line: str, kind: str = "") -> None:
        shown = self.query_one("#pin-message", Static)
        shown.update(line)
        shown.set_classes(kind)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Signing in cannot be skipped: Escape is for the owner's PIN only.
        return self.owner if action == "cancel" else True

    def action_cancel(self) -> None:
        """Escape: back to where the owner came from."""
        if self.owner:
            self.dismiss(None)

    @on(Input.Submitted, "#pin-input")
    def _submitted(self, event: Input.Submitted) -> None:
        pin = event.value.strip()
        if self.checking:
            return
        if not pin:
            self._say(self.text("pin.empty"), "-warning")
            return
        self.checking = True
        self._say(self.text("pin.checking"))
        self.check_pin(pin)

    @work(thread=True, exclusive=True, exit_on_error=False, group="pin", name="pin")
    def check_pin(self, pin: str) -> None:
        """Ask the engine whose PIN this is (it counts the wrong ones)."""
        self.post_message(PinAccepted(self.desk.verify_pin(pin, owner=self.owner)))

    @on(PinAccepted)
    def _accepted(self, message: PinAccepted) -> None:
        self.checking = False
        self.query_one("#pin-input", Input).value = ""
        self.dismiss(message.member)

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self.checking = False
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        field = self.query_one("#pin-input", Input)
        field.value = ""
        field.focus()
        if isinstance(error, StampdeskError):
            if error.code == "no_staff":
                self.dismiss(None)  # nobody has a PIN (any more): nothing to unlock
                return
            self._say(self._refusal(error), "-error")
        else:
            self.log.error("PIN check failed", error)
            self._say(self.text.problem(error), "-error")

    def _refusal(self, error: StampdeskError) -> str:
        """The engine's refusal in the shop's language."""
        if error.code == "wrong_pin":
            return self.text("pin.wrong")
        if error.code == "not_owner":
            return self.text("pin.not_owner")
        if error.code == "pin_locked":
            return self.text("pin.locked", seconds=error.params["seconds"])
        return self.text.error(error)
