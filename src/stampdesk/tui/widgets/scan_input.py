"""An input that a barcode scanner can fill."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import Input


class ScanInput(Input):
    """An ``Input`` that also submits on Tab and on line feed.

    Scanners end a code with Enter, but some are set to send Tab or LF
    (ctrl+j): all three submit, so no scan ever moves the focus elsewhere.

    Taking the focus does not select the field's text: keys typed ahead
    (kept while the screen changed) may already be in it, and the next key
    must not replace them. The till selects a suggested value itself.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab,ctrl+j", "submit", "Submit", show=False),
    ]

    DEFAULT_CSS = """
    ScanInput {
        width: 1fr;
    }
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("select_on_focus", False)
        super().__init__(*args, **kwargs)
