"""stampdesk: stamp cards and a loyalty engine for small shops.

>>> import stampdesk
>>> desk = stampdesk.connect("sqlite:///shop.db")   # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .domain.errors import InvalidInput, NotFound, Refused, StampdeskError

if TYPE_CHECKING:
    from .desk import Desk, connect

__all__ = ["Desk", "InvalidInput", "NotFound", "Refused", "StampdeskError", "connect"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # The database layer is imported on first use, so `import stampdesk` stays cheap.
    if name in ("connect", "Desk"):
        from . import desk

        return getattr(desk, name)
    raise AttributeError(f"module 'stampdesk' has no attribute {name!r}")
