"""The owner's quick-pick buttons: one press adds an item to the sale."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.containers import Grid
from textual.message import Message
from textual.widgets import Button

from ...domain.program import QuickPick
from .plain import PlainButton

COLUMNS = 4  # 80 columns: four buttons of 20 a row


class PickButton(PlainButton):
    """A quick pick's button: its label as the owner wrote it and its price.

    Enter adds the item and goes back to the amount (where Enter records the
    sale), Space adds one more and stays on the buttons, Delete (or
    Backspace, or minus) takes one of this item out of the sale. A click
    adds the item like Enter.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "pick(True)", show=False),
        Binding("space", "pick(False)", show=False),
        Binding("delete,backspace,minus", "unpick", show=False),
    ]

    def __init__(self, label: str, index: int, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(label, compact=True, id=id, classes=classes)
        self.index = index

    def action_pick(self, back: bool) -> None:
        self.post_message(QuickPicks.Picked(self.index, back))

    def action_unpick(self) -> None:
        self.post_message(QuickPicks.Unpicked(self.index))

    async def _on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(QuickPicks.Picked(self.index, True))


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
        """The cashier added one of the ``index``-th pick; ``back``: and
        goes back to the amount (Enter, a click) rather than on picking."""

        index: int
        back: bool

    @dataclass
    class Unpicked(Message):
        """The cashier took one of the ``index``-th pick out of the sale."""

        index: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.picks: tuple[QuickPick, ...] = ()

    def show(self, picks: Sequence[QuickPick], money: Callable[[Decimal], str]) -> None:
        """Draw one button per pick, with its price (the programme changed,
        or first load)."""
        if tuple(picks) == self.picks:
            return
        self.picks = tuple(picks)
        self.remove_children()
        self.mount_all(
            PickButton(f"{p.label} {money(p.price)}", i, id=f"pick-{i}", classes="quick-pick")
            for i, p in enumerate(self.picks)
        )

    def pick(self, index: int) -> QuickPick:
        return self.picks[index]

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
