"""The till's words: a view over the words book (``stampdesk.words``).

The till never writes a user-visible sentence inline: it asks ``Text`` for a
key of the book (``words/tables/till.py``), and every amount, day and time
goes through the book's one formatter, so the till writes "1 234,50 €" and
"14/12/2026" as the receipt and the customer's pages do. An engine error is
said in the shop's language too (``Text.problem``).
"""

from __future__ import annotations

from datetime import date

from ..domain.errors import StampdeskError
from ..results import NextMilestone
from ..words import DEFAULT_LOCALE, Book, formats

__all__ = ["DEFAULT_LOCALE", "Text"]


class Text(Book):
    """The till's strings, numbers and dates in one locale and time zone.

    ``text("sale.done", checkout=12)`` gives the sentence for the shop's
    locale; an unknown locale falls back to English.
    """

    def problem(self, error: BaseException | None) -> str:
        """What went wrong, for the cashier: an engine error in the shop's
        language, anything else as an unexpected error naming its kind."""
        if isinstance(error, StampdeskError):
            return self.error(error)
        return self("till.unexpected", kind=type(error).__name__, detail=str(error) or "-")

    def month(self, month: str) -> str:
        """ "2026-11" by its name: "novembre 2026", "November 2026"."""
        year, number = (int(part) for part in month.split("-"))
        return formats.month(date(year, number, 1), self.locale)

    def progress(self, balance: int, per_card: int, nxt: NextMilestone | None) -> str:
        """ "7/10 — Un café offert at 10 (3 to go)": the card's progress line
        (``CardState.progress`` in the shop's language, plus what remains)."""
        if nxt is None:
            return self("card.progress.bare", balance=balance, per_card=per_card)
        if balance >= per_card:
            # The owner lowered the card's stamps below what it holds: it is
            # complete, and its next sale gives the final reward.
            return self("progress.full", reward=nxt.reward)
        line = self("card.progress", balance=balance, per_card=per_card, reward=nxt.reward, at=nxt.at)
        if nxt.remaining > 0:
            line += f" ({self('progress.remaining', count=nxt.remaining)})"
        return line
