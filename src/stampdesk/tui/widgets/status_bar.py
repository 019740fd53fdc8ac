"""The status line above the footer: how the till's receipt printer is, and
a standing warning about the shop's set-up (receipt QR codes a phone cannot
open) shown after it, never instead of it."""

from __future__ import annotations

from .feedback import Kind, kind_shown, show_kind
from .plain import PlainStatic

SEPARATOR = " · "  # between the printer's state and the standing warning


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
        self.warning = ""  # the set-up's standing warning, kept across ``show``

    def show(self, message: str, kind: Kind = "info") -> None:
        """Replace the line with ``message``, coloured by ``kind``."""
        if (message, kind) == (self.message, self.kind) and kind_shown(self) is not None:
            return  # already said: no new layout and drawing
        self.kind = kind
        self.message = message
        self._draw()

    def warn(self, warning: str | None) -> None:
        """Keep ``warning`` after whatever the line says (None: take it back).
        The line is coloured as a warning unless it says an error."""
        self.warning = warning or ""
        self._draw()

    @property
    def shown(self) -> str:
        """The whole line as the cashier reads it."""
        return SEPARATOR.join(part for part in (self.message, self.warning) if part)

    def _draw(self) -> None:
        kind = self.kind
        if self.warning and kind in ("info", "success"):
            kind = "warning"
        show_kind(self, kind)
        self.update(self.shown)
