"""Key bindings whose footer descriptions are translated.

``BINDINGS`` are class attributes, but the locale is the shop's: bindings
are declared with a text key as description (``"key.refund"``) and each
screen or app swaps in the translation when it is built.
"""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode

from .text import Text

TEXT_KEY_PREFIX = "key."
# A key's own name, where languages differ ("Esc" / "Échap"): one wording
# per key, in the footer as in the help and hints.
KEY_NAME_PREFIX = "keyname."


def translate_bindings(node: DOMNode, text: Text) -> None:
    """Replace ``node``'s binding descriptions and key names that are text
    keys by their translation (call it from ``__init__``, after
    ``super().__init__()``)."""

    def translated(binding: Binding) -> Binding:
        if binding.description.startswith(TEXT_KEY_PREFIX):
            binding = replace(binding, description=text(binding.description))
        if binding.key_display is not None and binding.key_display.startswith(KEY_NAME_PREFIX):
            binding = replace(binding, key_display=text(binding.key_display))
        return binding

    # DOMNode keeps its own copy of the class bindings in ``_bindings``;
    # Textual has no public setter for a binding's description.
    node._bindings = BindingsMap.from_keys(
        {key: [translated(b) for b in bindings] for key, bindings in node._bindings.key_to_bindings.items()}
    )
