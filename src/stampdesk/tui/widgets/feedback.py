"""The status line: what just happened, or what went wrong, in one place."""

from __future__ import annotations

from typing import Literal

from textual.widget import Widget

from .plain import PlainStatic

Kind = Literal["info", "success", "warning", "error"]
KINDS: tuple[Kind, ...] = ("info", "success", "warning", "error")


def kind_shown(line: Widget) -> Kind | None:
    """The kind whose class ``line`` carries (None before its first line)."""
    return next((kind for kind in KINDS if line.has_class(f"-{kind}")), None)


def show_kind(line: Widget, kind: Kind) -> None:
    """Colour ``line`` by ``kind``: its classes change at once, so that its
    styles are worked out once, not for each class taken off and put on."""
    others = [f"-{other}" for other in KINDS if other != kind]
    if line.has_class(f"-{kind}") and not any(line.has_class(c) for c in others):
        return
    line.remove_class(*others, update=False)
    line.add_class(f"-{kind}", update=False)
    line.update_node_styles()


class Feedback(PlainStatic):
    """One or two lines the cashier reads after each action.

    Errors are shown as the engine words them (``StampdeskError.message``),
    never as a traceback. The text is shown as written, so a message
    quoting what was typed cannot break the display.
    """

    DEFAULT_CSS = """
    Feedback {
        height: auto;
        min-height: 1;
        max-height: 2;
        padding: 0 1;
        background: $boost;
    }
    Feedback.-success {
        background: $success 30%;
    }
    Feedback.-warning {
        background: $warning 35%;
        text-style: bold;
    }
    Feedback.-error {
        background: $error 45%;
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
