"""The status line above the footer: how the till's receipt printer is."""

from __future__ import annotations

from .feedback import Kind, kind_shown, show_kind
from .plain import PlainStatic


class StatusBar(PlainStatic):
    """One line that stays until the next change (unlike ``Feedback``, which
    answers the cashier's last action): "Printer: ready", "Printer: out of
    paper — 1 receipt waiting (F7 prints)". Shown as written: it may quote
    a configured URL."""

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    StatusBar.-success {
        color: $text-success;
    }
    StatusBar.-warning {
        background: $warning 35%;
        color: $text;
        text-style: bold;
    }
    StatusBar.-error {
        background: $error 45%;
        color: $text;
        text-style: bold;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)
        self.kind: Kind = "info"
        self.message = ""

    def show(self, message: str, kind: Kind = "info") -> None:
        """Replace the line with ``message``, coloured by ``kind``."""
        if (message, kind) == (self.message, kind_shown(self)):
            return  # already said: no new layout and drawing
        self.kind = kind
        self.message = message
        show_kind(self, kind)
        self.update(message)
