"""The owner's quick-pick buttons: one press adds an item to the sale."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import events, on
from textual.binding import Binding, BindingType
from textual.containers import Grid
from textual.message import Message
from textual.widgets import Button

from ...domain.program import QuickPick
from .plain import PlainButton

COLUMNS = 4  # 80 columns: four buttons of 20 a row


class PickButton(PlainButton):
    """A quick pick's button (its label shown as the owner wrote it),
    telling a key press from a click."""

    by_keyboard = False  # how the last press came (its message is handled later)

    def action_press(self) -> None:
        self.by_keyboard = True
        super().action_press()

    async def _on_click(self, event: events.Click) -> None:
        self.by_keyboard = False
        await super()._on_click(event)


class QuickPicks(Grid):
    """A grid of one-line buttons, one per ``[[program.quick_picks]]``.

    Reached with the mouse, or with F8 then the arrows and Enter: a scanner
    types into the amount field, never here.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "move(-1)", show=False),
        Binding("right", "move(1)", show=False),
        Binding("up", f"move({-COLUMNS})", show=False),
        Binding("down", f"move({COLUMNS})", show=False),
    ]

    DEFAULT_CSS = """
    QuickPicks {
        grid-size: 4;
        grid-gutter: 0 1;
        height: auto;
        padding: 0 1;
    }
    QuickPicks > Button {
        width: 1fr;
        min-width: 0;
    }
    """

    @dataclass
    class Picked(Message):
        """The cashier pressed the button of ``pick`` (with Enter or a click)."""

        pick: QuickPick
        by_keyboard: bool

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.picks: tuple[QuickPick, ...] = ()

    def show(self, picks: Sequence[QuickPick]) -> None:
        """Draw one button per pick (the programme changed, or first load)."""
        if tuple(picks) == self.picks:
            return
        self.picks = tuple(picks)
        self.remove_children()
        self.mount_all(
            PickButton(p.label, compact=True, id=f"pick-{i}", classes="quick-pick")
            for i, p in enumerate(self.picks)
        )

    @on(Button.Pressed, ".quick-pick")
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        button = event.button
        assert isinstance(button, PickButton) and button.id is not None
        self.post_message(self.Picked(self.picks[int(button.id.removeprefix("pick-"))], button.by_keyboard))

    def action_move(self, step: int) -> None:
        """Arrows move between the buttons (and stay on the grid)."""
        buttons = list(self.query(Button))
        if self.app.focused in buttons:
            index = buttons.index(self.app.focused)
            if 0 <= index + step < len(buttons):
                buttons[index + step].focus()

    def focus_first(self) -> bool:
        """Focus the first button; False when there is none."""
        buttons = list(self.query(Button))
        if not buttons:
            return False
        buttons[0].focus()
        return True
