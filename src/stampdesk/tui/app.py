"""The till: a Textual app over a ``Desk``.

``make_till(desk)`` builds it for the CLI (``stampdesk till``) and the tests
alike; ``run_till(desk)`` runs it in the terminal until the cashier quits.
The app never opens the database itself: the CLI passes an open ``Desk``.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from ..desk import Desk
from .keys import translate_bindings
from .scan import ScanGuard
from .screens.till import TillScreen
from .text import Text


class TillApp(App[None]):
    """The cashier's till. Later screens (staff PINs, the owner's programme
    editor) are pushed on top of ``TillScreen``."""

    TITLE = "stampdesk"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "key.quit", key_display="^q", priority=True),
    ]

    def __init__(self, desk: Desk, *, guard: ScanGuard | None = None) -> None:
        super().__init__()
        self.desk = desk
        self.text = Text(desk.settings.locale, desk.settings.zone)
        self.guard = guard or ScanGuard()
        translate_bindings(self, self.text)

    def on_mount(self) -> None:
        self.push_screen(TillScreen(self.desk, self.text, guard=self.guard))

    @property
    def till(self) -> TillScreen:
        """The cashier's screen (under any dialog pushed on top of it)."""
        for screen in self.screen_stack:
            if isinstance(screen, TillScreen):
                return screen
        raise LookupError("the till screen is not mounted")


def make_till(desk: Desk) -> TillApp:
    """The till app for ``desk`` (used by the CLI and the tests)."""
    return TillApp(desk)


def run_till(desk: Desk) -> None:
    """Run the till in this terminal until the cashier quits (ctrl+q)."""
    make_till(desk).run()
