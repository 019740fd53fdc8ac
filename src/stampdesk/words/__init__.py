"""Every sentence a person reads, and the one way money and dates are written.

``Book(locale, zone)`` renders a key of the catalogue (``words.tables``);
``formats`` holds the money and date formatter every surface uses.
"""

from __future__ import annotations

from .book import Book, book, catalogue
from .formats import DEFAULT_LOCALE, day, language, money, time_of_day, when

__all__ = ["DEFAULT_LOCALE", "Book", "book", "catalogue", "day", "language", "money", "time_of_day", "when"]
