"""Key bindings whose footer descriptions are translated.

``BINDINGS`` are class attributes, but the locale is the shop's: bindings
are declared with a text key as description (``"key.refund"``) and each
screen or app swaps in the translation when it is built.
"""

from __future__ import annotations

from dataclasses import replace

from textual.binding import BindingsMap
from textual.dom import DOMNode

from .text import Text

TEXT_KEY_PREFIX = "key."


def translate_bindings(node: DOMNode, text: Text) -> None:
    """Replace ``node``'s binding descriptions that are text keys by their
    translation (call it from ``__init__``, after ``super().__init__()``)."""
    # DOMNode keeps its own copy of the class bindings in ``_bindings``;
    # Textual has no public setter for a binding's description.
    node._bindings = BindingsMap.from_keys(
        {
            key: [
                replace(b, description=text(b.description))
                if b.description.startswith(TEXT_KEY_PREFIX)
                else b
                for b in bindings
            ]
            for key, bindings in node._bindings.key_to_bindings.items()
        }
    )
