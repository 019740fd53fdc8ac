"""Reusable widgets of the till; each carries its own DEFAULT_CSS."""

from .card_panel import CardPanel
from .feedback import Feedback
from .footer import TillFooter
from .qr import EnrolQR
from .quick_picks import QuickPicks
from .scan_input import ScanInput
from .search_results import SearchResults
from .stamp_grid import StampGrid
from .status_bar import StatusBar

__all__ = [
    "CardPanel",
    "EnrolQR",
    "QuickPicks",
    "Feedback",
    "ScanInput",
    "SearchResults",
    "StampGrid",
    "StatusBar",
    "TillFooter",
]
