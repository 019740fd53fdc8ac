"""The till: a Textual app over a ``Desk``.

``make_till(desk)`` builds it for the CLI (``stampdesk till``) and the tests
alike; ``run_till(desk)`` runs it in the terminal until the cashier quits.
The app never opens the database itself: the CLI passes an open ``Desk``.

Who is at the till: a shop without staff opens straight on the cashier's
screen. Once it has staff, the till starts on the PIN screen; F10 goes back
to it (switch cashier), and F9 opens the owner's screens, after an owner's
PIN unless an owner is signed in.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from typing import ClassVar

from textual import events, on, work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.worker import Worker, WorkerState

from ..desk import Desk, StaffMember
from .keys import translate_bindings
from .owner_text import OwnerText
from .scan import ScanGuard
from .screens.pin import PinScreen
from .screens.till import TillScreen
from .typeahead import InOrderKeys

# Whether a till of this process froze what its start built (see TillApp._started).
_start_frozen = False


@dataclass
class StaffChecked(Message):
    """The active members of staff (none: the till needs no PIN)."""

    members: tuple[StaffMember, ...]


class TillApp(InOrderKeys):
    """The cashier's till. The PIN screen and the owner's screens are pushed
    on top of ``TillScreen``. Keys are handled in the order they were typed,
    into the field they were typed for (``InOrderKeys``)."""

    TITLE = "stampdesk"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "key.quit", key_display="^q", priority=True),
        # No room left in the footer at 80 columns: the till's idle help lists these.
        Binding("f9", "owner", "key.owner", key_display="F9", show=False),
        Binding("f10", "switch_cashier", "key.switch", key_display="F10", show=False),
    ]

    def __init__(self, desk: Desk, *, guard: ScanGuard | None = None) -> None:
        super().__init__()
        self.desk = desk
        self.text = OwnerText(desk.settings.locale, desk.settings.zone)
        self.guard = guard or ScanGuard()
        self.has_staff: bool | None = None  # unknown until the engine says
        self._staff_known = False  # the engine answered once (or failed to)
        self._checking_staff = object()  # holds the keys until then
        self.cashier: StaffMember | None = None  # who signed in with their PIN
        # The garbage collector was paused for the start, by ``run_till``:
        # the till turns it back on once its first screen is drawn.
        self.paused_gc = False
        translate_bindings(self, self.text)

    def on_mount(self) -> None:
        self.push_screen(TillScreen(self.desk, self.text, guard=self.guard))
        # Locked until the engine says whether the shop has staff: the keys
        # typed meanwhile wait (for the PIN screen, if the shop has staff),
        # the mouse does nothing, and a failed check puts the till behind the
        # PIN screen. The PIN screen is built only for a shop that needs it:
        # building it to take it away again cost a shop without staff a
        # tenth of its start (its screen, then the till's styles once more).
        self.hold_keys(self._checking_staff)
        self.check_staff()
        self.call_after_refresh(self._started)

    def _started(self) -> None:
        """The till's first screen is drawn. What the start built (modules,
        widgets, styles) lives as long as the till: it is frozen out of the
        garbage collector's reach, once per process, so a full collection
        no longer goes through all of it (up to a tenth of a second in the
        middle of a scan). A collector paused for the start (``run_till``)
        runs again."""
        global _start_frozen
        if not _start_frozen:
            _start_frozen = True
            gc.freeze()
        if self.paused_gc:
            self.paused_gc = False
            gc.enable()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.MouseEvent) and not self._staff_known:
            return  # nobody may use the till before the engine says who may
        await super().on_event(event)

    def _staff_known_now(self) -> None:
        """The first answer about the staff is in: the till may be used
        (through the PIN screen if one was pushed)."""
        self._staff_known = True
        self.release_keys(self._checking_staff)

    @property
    def till(self) -> TillScreen:
        """The cashier's screen (under any dialog pushed on top of it)."""
        for screen in self.screen_stack:
            if isinstance(screen, TillScreen):
                return screen
        raise LookupError("the till screen is not mounted")

    def _sign_in_screen(self) -> PinScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, PinScreen) and not screen.owner:
                return screen
        return None

    # ------------------------------------------------------------------
    # Signing in

    def _ask_sign_in(self) -> None:
        if self._sign_in_screen() is None:
            self.push_screen(PinScreen(self.desk, self.text), self._signed_in)

    def _signed_in(self, member: StaffMember | None) -> None:
        if member is None:  # the shop has no staff (any more): the till is open
            self.has_staff = False
            self.cashier = None
        else:
            self.has_staff = True
            self.cashier = member
        self._show_cashier()
        self.refresh_bindings()

    def _show_cashier(self) -> None:
        till = self.till
        if self.cashier is None:
            till.sub_title = self.desk.settings.till or self.text("till.default")
            return
        name, label = self.cashier.name, self.desk.settings.till
        till.sub_title = (
            self.text("signin.subtitle.named", till=label, name=name)
            if label
            else self.text("signin.subtitle", name=name)
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="staff", name="staff")
    def check_staff(self) -> None:
        """Ask the engine who the active members of staff are."""
        self.post_message(StaffChecked(self.desk.staff()))

    @on(StaffChecked)
    def _staff_checked(self, message: StaffChecked) -> None:
        members = message.members
        self.has_staff = bool(members)
        if self.cashier is not None and self.cashier.id not in {m.id for m in members}:
            self.cashier = None  # deactivated meanwhile
            self._show_cashier()
        signing_in = self._sign_in_screen()
        if not members and signing_in is not None and self.screen is signing_in:
            signing_in.dismiss(None)
        elif members and self.cashier is None:
            self._ask_sign_in()
        self.refresh_bindings()
        self._staff_known_now()

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.name == "staff":
            # Behind the PIN screen: the cashier's PIN check will tell what is wrong.
            self.log.error("staff check failed", event.worker.error)
            if not self._staff_known:
                self._ask_sign_in()
                self._staff_known_now()

    # ------------------------------------------------------------------
    # F9 and F10

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        screen = self.screen
        if action == "owner":
            return isinstance(screen, TillScreen) or (isinstance(screen, PinScreen) and not screen.owner)
        if action == "switch_cashier":
            return isinstance(screen, TillScreen) and bool(self.has_staff)
        return True

    def action_switch_cashier(self) -> None:
        """F10: the cashier signs out; the next one types their PIN."""
        self.cashier = None
        self._show_cashier()
        self._ask_sign_in()

    def action_owner(self) -> None:
        """F9: the owner's screens; an owner's PIN first unless an owner is
        signed in (or the shop has no staff yet, so no PIN to ask)."""
        if self.has_staff is False or (self.cashier is not None and self.cashier.is_owner):
            self._open_owner()
        else:
            self.push_screen(PinScreen(self.desk, self.text, owner=True), self._owner_pin)

    def _owner_pin(self, member: StaffMember | None) -> None:
        if member is not None:
            self._open_owner()

    def _open_owner(self) -> None:
        # Imported when first opened: the owner's screens (editor, preview,
        # receipt layout) cost a tenth of the till's start otherwise.
        from .screens.owner import OwnerScreen

        self.push_screen(OwnerScreen(self.desk, self.text), self._owner_closed)

    def _owner_closed(self, _: None) -> None:
        # The programme, the staff or the printer may have changed.
        self.till.load_programme()
        self.till.use_printer_settings()
        self.check_staff()


def make_till(desk: Desk) -> TillApp:
    """The till app for ``desk`` (used by the CLI and the tests)."""
    return TillApp(desk)


def run_till(desk: Desk, *, collect_after_start: bool | None = None) -> None:
    """Run the till in this terminal until the cashier quits (ctrl+q).

    The garbage collector is paused until the till's first screen is drawn:
    the start builds what lives as long as the till, and collecting while
    it does finds nothing to free (a twentieth of the start's time).
    ``collect_after_start``: whether to turn it on then (by default, if it
    is on now; ``stampdesk till`` pauses it before importing the till)."""
    app = make_till(desk)
    app.paused_gc = gc.isenabled() if collect_after_start is None else collect_after_start
    gc.disable()
    try:
        app.run()
    finally:
        if app.paused_gc:  # closed before its first screen was drawn
            gc.enable()
