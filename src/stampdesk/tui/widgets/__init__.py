"""Reusable widgets of the till; each carries its own DEFAULT_CSS."""

from .card_panel import CardPanel
from .feedback import Feedback
from .scan_input import ScanInput
from .search_results import SearchResults
from .stamp_grid import StampGrid

__all__ = ["CardPanel", "Feedback", "ScanInput", "SearchResults", "StampGrid"]
