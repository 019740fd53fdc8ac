"""The status line: what just happened, or what went wrong, in one place."""

from __future__ import annotations

from typing import Literal

from .plain import PlainStatic

Kind = Literal["info", "success", "warning", "error"]
KINDS: tuple[Kind, ...] = ("info", "success", "warning", "error")


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
        self.kind = kind
        self.message = message
        for other in KINDS:
            self.set_class(other == kind, f"-{other}")
        self.update(message)
