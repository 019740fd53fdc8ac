"""The till's screens, each with its ``.tcss`` beside it."""

from .confirm import ConfirmScreen
from .till import TillScreen

__all__ = ["ConfirmScreen", "TillScreen"]
