"""A customer's card as the cashier sees it: greeting, status tier, grid,
progress, when its stamps lapse, what the card has to say, coupons, and what
the last operation on it did."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from ...results import CardState
from ..present import coupon_lines, tier_line
from ..text import Text
from .plain import PlainStatic
from .stamp_grid import StampGrid


class CardPanel(VerticalScroll):
    """Shows one card; ``show_outcome`` adds the lines of the last sale."""

    DEFAULT_CSS = """
    CardPanel {
        height: 1fr;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    CardPanel > .card-greeting {
        text-style: bold;
        height: auto;
    }
    CardPanel > .card-status {
        color: $warning;
        height: auto;
    }
    CardPanel > .card-notes {
        color: $text-muted;
        text-style: italic;
        height: auto;
    }
    CardPanel > .card-tier {
        color: $text-accent;
        text-style: bold;
        height: auto;
    }
    CardPanel > StampGrid {
        margin: 1 0 0 0;
    }
    CardPanel > .card-progress {
        height: auto;
        margin-bottom: 1;
    }
    CardPanel > .card-expires {
        color: $text-muted;
        height: auto;
    }
    CardPanel > .card-messages {
        color: $warning;
        height: auto;
    }
    CardPanel > .card-coupons {
        height: auto;
        color: $text-accent;
        margin-bottom: 1;
    }
    CardPanel > .card-coupons-expired {
        height: auto;
        color: $text-muted;
        text-style: dim;
    }
    CardPanel > .card-outcome {
        height: auto;
        border-top: solid $success;
    }
    CardPanel > .-empty {
        display: none;
    }
    """

    def __init__(self, text: Text, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.text = text
        self.card: CardState | None = None
        # What each part shows now: a part whose words do not change is not
        # updated (an update lays the whole screen out again and redraws it).
        self._shown: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield PlainStatic("", classes="card-greeting")
        yield PlainStatic("", classes="card-status -empty")
        yield PlainStatic("", classes="card-notes -empty")
        yield PlainStatic("", classes="card-tier -empty")
        yield StampGrid()
        yield PlainStatic("", classes="card-progress")
        # The coupons to use come right after the progress and the stamps'
        # lapse (one line), so that one is always on screen at 80×24; the
        # expired ones last, dimmed.
        yield PlainStatic("", classes="card-expires -empty")
        yield PlainStatic("", classes="card-coupons -empty")
        yield PlainStatic("", classes="card-messages -empty")
        yield PlainStatic("", classes="card-coupons-expired -empty")
        yield PlainStatic("", classes="card-outcome -empty")

    def show_card(self, card: CardState, milestones: Iterable[int]) -> None:
        """Draw ``card``; the milestones mark the grid."""
        self.card = card
        tr = self.text
        greeting = tr("card.greeting", name=card.name) if card.name else tr("card.number", number=card.number)
        if card.name:
            greeting += f"   {tr('card.number', number=card.number)}"
        self._fill(".card-greeting", greeting)
        if card.status == "blank":  # a printed card not handed out yet: it earns, with its starter stamps
            status = tr("card.blank")
        else:
            status = "" if card.status == "active" else tr("card.status", status=card.status)
        self._fill(".card-status", status)
        self._fill(".card-notes", tr("card.notes", notes=card.notes) if card.notes else "")
        self._fill(".card-tier", tier_line(card, tr))
        self.query_one(StampGrid).show(card.balance, card.stamps_per_card, milestones)
        self._fill(".card-progress", tr.progress(card.balance, card.stamps_per_card, card.next_milestone))
        self._fill(".card-expires", tr("card.expires", day=tr.day(card.expires)) if card.expires else "")
        self._fill(".card-messages", "\n".join(card.messages))
        usable = coupon_lines((c for c in card.coupons if c.status == "valid"), tr)
        self._fill(
            ".card-coupons",
            "\n".join([tr("coupons.title"), *(f"  {line}" for line in usable)]) if usable else "",
        )
        expired = coupon_lines((c for c in card.coupons if c.status != "valid"), tr)
        self._fill(".card-coupons-expired", "\n".join(f"  {line}" for line in expired))

    def show_outcome(self, lines: Sequence[str]) -> None:
        """Show what the last operation did (an empty list hides the box)."""
        self._fill(".card-outcome", "\n".join(lines))
        if lines:
            self.scroll_end(animate=False)

    def _fill(self, selector: str, content: str) -> None:
        if self._shown.get(selector) == content:
            return
        self._shown[selector] = content
        part = self.query_one(selector, Static)
        part.update(content)
        if selector not in (".card-greeting", ".card-progress"):
            # An empty part takes no line at all (80×24 leaves little room).
            part.set_class(not content, "-empty")

    @property
    def plain(self) -> str:
        """Everything the panel shows, as text (for tests and logs)."""
        parts = []
        for child in self.query(Static):
            if child.has_class("-empty"):
                continue
            shown = child.plain if isinstance(child, StampGrid) else str(child.content)
            if shown:
                parts.append(shown)
        return "\n".join(parts)
