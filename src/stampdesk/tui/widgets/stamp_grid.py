"""The stamp grid: the paper card's boxes, filled or empty, milestones marked.

● ● ★ ● ○ ☆ ○ ○ ○ ☆
    3     6       10
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.text import Text as RichText

from .plain import PlainStatic

FILLED = "●"
EMPTY = "○"
MILESTONE_FILLED = "★"
MILESTONE_EMPTY = "☆"
PER_ROW = 20  # 2 columns a box: 40 columns, fits an 80-column till with room


@dataclass(frozen=True)
class Box:
    position: int  # 1-based
    filled: bool
    milestone: bool

    @property
    def glyph(self) -> str:
        if self.milestone:
            return MILESTONE_FILLED if self.filled else MILESTONE_EMPTY
        return FILLED if self.filled else EMPTY


def grid_rows(
    balance: int, per_card: int, milestones: Iterable[int], per_row: int = PER_ROW
) -> list[tuple[tuple[Box, ...], str]]:
    """The grid's rows: the boxes, and under them the milestone numbers
    (aligned on their box; a number that would touch another is left out)."""
    marks = set(milestones)
    filled = max(0, min(balance, per_card))
    rows = []
    for start in range(0, max(per_card, 0), per_row):
        boxes = tuple(
            Box(p, p <= filled, p in marks) for p in range(start + 1, min(start + per_row, per_card) + 1)
        )
        labels: list[str] = [" "] * (2 * len(boxes) + 2)
        for i, box in enumerate(boxes):
            number = str(box.position)
            column = 2 * i
            # Keep a blank column before the number so two numbers never merge.
            if box.milestone and all(c == " " for c in labels[max(0, column - 1) : column + len(number)]):
                labels[column : column + len(number)] = list(number)
        rows.append((boxes, "".join(labels).rstrip()))
    return rows


def grid_lines(balance: int, per_card: int, milestones: Iterable[int], per_row: int = PER_ROW) -> list[str]:
    """The grid as plain text lines (boxes, then milestone numbers)."""
    lines = []
    for boxes, labels in grid_rows(balance, per_card, milestones, per_row):
        lines.append(" ".join(b.glyph for b in boxes))
        if labels:
            lines.append(labels)
    return lines


class StampGrid(PlainStatic):
    """Shows ``balance`` stamps out of ``per_card``, milestones starred."""

    DEFAULT_CSS = """
    StampGrid {
        height: auto;
        width: auto;
        padding: 0 0;
    }
    """

    _drawn: tuple[int, int, tuple[int, ...]] | None = None

    def show(self, balance: int, per_card: int, milestones: Iterable[int]) -> None:
        """Draw the grid for this balance (nothing to do when it shows it already)."""
        milestones = tuple(milestones)
        if self._drawn == (balance, per_card, milestones):
            return
        self._drawn = (balance, per_card, milestones)
        text = RichText()
        for n, (boxes, labels) in enumerate(grid_rows(balance, per_card, milestones)):
            if n:
                text.append("\n")
            for i, box in enumerate(boxes):
                if i:
                    text.append(" ")
                style = "bold" if box.filled else "dim"
                if box.milestone:
                    style += " yellow"
                elif box.filled:
                    style += " green"
                text.append(box.glyph, style=style)
            if labels:
                text.append("\n" + labels, style="yellow")
        self.update(text)

    @property
    def plain(self) -> str:
        """What the grid shows, as text (for tests and logs)."""
        content = self.content
        return content.plain if isinstance(content, RichText) else str(content)
