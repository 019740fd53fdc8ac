"""What the cashier typed or scanned, and the guard against double scans.

Plain Python (no Textual) so the rules are easy to read and test.
"""

from __future__ import annotations

import time
from collections.abc import Callable

# A barcode scanner types the 13 digits of a card then Enter; people type
# spaces or dashes. Card numbers start with 2 (EAN-13 in-store range).
_SEPARATORS = str.maketrans("", "", " -")
REPEAT_WINDOW = 2.0


def card_digits(text: str) -> str | None:
    """The digits of ``text`` when it looks like a card number (a scan, or a
    number typed by hand), else ``None``. The engine checks the check digit."""
    digits = text.strip().translate(_SEPARATORS)
    if not digits or not digits.isascii() or not digits.isdigit():
        return None
    if len(digits) == 13 or digits.startswith("2"):
        return digits
    return None


def is_search(text: str) -> bool:
    """Whether the card field holds a search (a name, an e-mail, a phone
    number) rather than a card number."""
    value = text.strip()
    return bool(value) and card_digits(value) is None


def claim_token(text: str) -> str | None:
    """The claim token of a receipt, from the token itself or the enrol link
    printed on the receipt (``…/join/<token>``)."""
    value = text.strip()
    if not value:
        return None
    return value.rsplit("/join/", 1)[-1].strip("/")


class ScanGuard:
    """Remembers the last card stamped, so a scanner's double read (or a
    cashier's second scan) within ``window`` seconds is not a second sale."""

    def __init__(self, window: float = REPEAT_WINDOW, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self.clock = clock
        self._last: tuple[str, float] | None = None

    def stamped(self, number: str) -> None:
        """Record that ``number`` was just stamped."""
        self._last = (number, self.clock())

    def is_repeat(self, number: str) -> bool:
        """Whether ``number`` was stamped less than ``window`` seconds ago."""
        if self._last is None:
            return False
        last, at = self._last
        return last == number and self.clock() - at < self.window

    def forget(self) -> None:
        self._last = None
