"""The one money and date formatter of every surface (Babel).

The till, the owner's screens, the receipt, the customer pages, the report
and the CLI all write an amount, a day or a time through these functions,
so "1 234,50 €" and "14/12/2026" read the same wherever a person sees them.

Babel puts no-break spaces in amounts ("4,50\\u00a0€", "1\\u202f234,50\\u00a0€");
``plain=True`` turns them into plain spaces, for the receipt, printed from a
single-byte code page, and for text a terminal lays out in columns.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_decimal, format_percent

DEFAULT_LOCALE = "en_GB"
CURRENCY = "EUR"  # the shop's currency is not configurable yet: the euro, as in the seeds

# Spaces Babel uses inside numbers and amounts.
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})


def plain_spaces(text: str) -> str:
    """``text`` with Babel's no-break and narrow spaces as plain spaces."""
    return text.translate(_SPACES)


def language(locale: str) -> str:
    """ "fr" for any French locale, else "en": the languages the book holds."""
    return "fr" if locale.lower().startswith("fr") else "en"


def money(amount: Decimal, locale: str, currency: str = CURRENCY) -> str:
    """``Decimal("1234.5")`` as "1 234,50 €" (fr_FR) or "€1,234.50" (en_GB)."""
    return plain_spaces(str(format_currency(amount, currency, locale=locale)))


def number(value: Decimal | int | float, locale: str, digits: int | None = None) -> str:
    """A plain number as the locale writes it: "1,5" / "1.5"; ``digits`` fixes the decimals."""
    pattern = None if digits is None else ("#,##0." + "0" * digits if digits else "#,##0")
    return plain_spaces(str(format_decimal(value, format=pattern, locale=locale)))


def typed(amount: Decimal, locale: str) -> str:
    """An amount as a person types it in a field: "12,50" / "12.50" (two
    decimals, no currency, no grouping: the till reads it back)."""
    return str(format_decimal(amount, format="0.00", locale=locale))


def percent(share: float | Decimal, locale: str, digits: int = 1) -> str:
    """A share (0.5) as "50,0 %" / "50.0%"."""
    # The locale's own pattern ("#,##0 %" in French), with the decimals asked.
    pattern = str(Locale.parse(locale).percent_formats[None].pattern)
    if digits:
        pattern = pattern.replace("#,##0", "#,##0." + "0" * digits, 1)
    return plain_spaces(str(format_percent(share, format=pattern, locale=locale)))


def local(moment: datetime, zone: tzinfo | None) -> datetime:
    """``moment`` in the shop's time zone (a naive time is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone) if zone is not None else moment


def day(value: date | datetime, locale: str, zone: tzinfo | None = None) -> str:
    """A day as the locale writes it: "14/12/2026" in fr_FR and en_GB.
    A time is first brought to the shop's zone."""
    if isinstance(value, datetime):
        value = local(value, zone).date()
    return plain_spaces(str(format_date(value, "short", locale=locale)))


def time_of_day(moment: datetime, locale: str, zone: tzinfo | None = None) -> str:
    """Hours and minutes in the shop's zone: "14:05"."""
    return plain_spaces(str(format_time(local(moment, zone).time(), "short", locale=locale)))


def when(moment: datetime, locale: str, zone: tzinfo | None = None) -> str:
    """A day and a time: "14/12/2026 14:05"."""
    return f"{day(moment, locale, zone)} {time_of_day(moment, locale, zone)}"


def month(value: date, locale: str) -> str:
    """A month by its name: "février 2026", "February 2026"."""
    return str(format_date(value, "LLLL y", locale=locale))
