"""The words book: every sentence a person reads, in French and in English.

The tables live in ``stampdesk.words.tables``, one module per area, each with
an ``EN`` and an ``FR`` dict of the same keys (a test checks it). A sentence
is a ``str.format`` template whose fields may say how a value is written:
``{amount:money}``, ``{day:day}``, ``{at:when}``, ``{at:time}``,
``{share:percent}``, ``{value:number}``: the book writes them with the one
money and date formatter (``formats``), in the book's locale and zone.
``{example:amount}`` is an amount as typed in a field ("12,50"),
``{at:iso}`` a time as ISO 8601 (what ``--at`` takes), ``{problem:error}``
an error said in the book's language (an error that wraps another).

Errors of the engine carry a code, a phrase and their values
(``StampdeskError``); ``Book.error`` puts them in words: ``error.<phrase>``.
"""

from __future__ import annotations

import importlib
import pkgutil
import string
from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from decimal import Decimal
from functools import cache
from typing import Any, Protocol

from . import formats, tables
from .formats import DEFAULT_LOCALE, language

LANGUAGES = ("en", "fr")


class Said(Protocol):
    """What the book needs of an error: its phrase and values, and the
    sentence given by hand when it predates the book."""

    @property
    def phrase(self) -> str: ...
    @property
    def params(self) -> Mapping[str, Any]: ...
    @property
    def given(self) -> str | None: ...


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every table of ``words.tables`` merged, per language; a key defined
    twice is a mistake."""
    merged: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
    for info in sorted(pkgutil.iter_modules(tables.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{tables.__name__}.{info.name}")
        for lang, table in (("en", module.EN), ("fr", module.FR)):
            twice = set(merged[lang]) & set(table)
            if twice:
                raise RuntimeError(f"words defined twice: {sorted(twice)} ({info.name})")
            merged[lang].update(table)
    return merged


class _Formatter(string.Formatter):
    def __init__(self, book: Book) -> None:
        self.book = book

    def format_field(self, value: Any, format_spec: str) -> str:
        book = self.book
        if format_spec == "money":
            return book.money(Decimal(value))
        if format_spec == "day":
            return book.day(value)
        if format_spec == "when":
            return book.when(value)
        if format_spec == "time":
            return formats.time_of_day(value, book.locale, book.zone)
        if format_spec == "percent":
            return formats.percent(value, book.locale)
        if format_spec == "number":
            return formats.number(value, book.locale)
        if format_spec == "stamps":
            return book.count("stamps", int(value))
        if format_spec == "amount":
            return formats.typed(Decimal(value), book.locale)
        if format_spec == "iso":
            return str(value.isoformat())
        if format_spec == "error":
            return book.error(value)
        if format_spec == "lines":
            # (line, error) pairs of a file: "line 3: …; line 7: …", each error in the book's words.
            return "; ".join(
                book("error.import_line", line=line, problem=book.error(error)) for line, error in value
            )
        return str(super().format_field(value, format_spec))


class Book:
    """The words of one locale and time zone.

    ``book("sale.done", checkout=12)`` gives the sentence; an unknown locale
    speaks English. ``Book("fr_FR").money(Decimal("1234.5"))`` is "1 234,50 €".
    """

    def __init__(self, locale: str = DEFAULT_LOCALE, zone: tzinfo | None = None) -> None:
        self.language = language(locale or DEFAULT_LOCALE)
        self.locale = "fr_FR" if self.language == "fr" else DEFAULT_LOCALE
        self.zone = zone
        self.table = catalogue()[self.language]
        self._formatter = _Formatter(self)

    @property
    def french(self) -> bool:
        return self.language == "fr"

    def __contains__(self, key: str) -> bool:
        return key in self.table

    def __call__(self, key: str, /, **values: Any) -> str:
        """The sentence for ``key`` with ``values`` filled in."""
        return self._formatter.vformat(self.table[key], (), values)

    def count(self, key: str, count: int, **values: Any) -> str:
        """``key.one`` or ``key.other`` for ``count`` (French uses the
        singular for 0 and 1, English only for 1)."""
        one = abs(count) < 2 if self.french else abs(count) == 1
        return self(f"{key}.{'one' if one else 'other'}", count=count, **values)

    def stamps(self, count: int) -> str:
        """ "3 stamps" / "3 tampons"."""
        return self.count("stamps", count)

    def money(self, amount: Decimal) -> str:
        return formats.money(amount, self.locale)

    def day(self, value: date | datetime) -> str:
        return formats.day(value, self.locale, self.zone)

    def when(self, moment: datetime) -> str:
        return formats.when(moment, self.locale, self.zone)

    def error(self, error: Said) -> str:
        """An engine error in words: ``error.<phrase>`` with its values. An
        error raised with a sentence of its own (``given``: none should be;
        a test looks for them) keeps it."""
        if error.given is not None:
            return error.given
        return self(f"error.{error.phrase}", **error.params)


@cache
def book(locale: str = DEFAULT_LOCALE) -> Book:
    """The book of ``locale`` in no particular zone (cached)."""
    return Book(locale)
