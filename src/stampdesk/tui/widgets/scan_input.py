"""An input that a barcode scanner can fill."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import Input


class ScanInput(Input):
    """An ``Input`` that also submits on Tab and on line feed.

    Scanners end a code with Enter, but some are set to send Tab or LF
    (ctrl+j): all three submit, so no scan ever moves the focus elsewhere.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab,ctrl+j", "submit", "Submit", show=False),
    ]

    DEFAULT_CSS = """
    ScanInput {
        width: 1fr;
    }
    """
