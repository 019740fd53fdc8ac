"""Checks for what people type: names, e-mails, phones, dates, sale items.

Each function returns the clean value or raises ``InvalidInput`` with a line a
cashier can act on.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from .errors import InvalidInput
from .money import parse_amount

MAX_NAME = 100
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")
# A clock a little ahead of the database's is not a future sale.
CLOCK_SKEW = timedelta(minutes=5)


def _plain_text(value: object, what: str, limit: int, *, required: bool = True) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{what} must be text", f"invalid_{what}")
    text = " ".join(value.split())
    if not text and required:
        raise InvalidInput(f"{what} must not be empty", f"invalid_{what}")
    if len(text) > limit:
        raise InvalidInput(f"{what} is longer than {limit} characters", f"invalid_{what}")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") for c in text):
        raise InvalidInput(f"{what} holds characters that cannot be printed", f"invalid_{what}")
    return text


def clean_name(value: object) -> str:
    return _plain_text(value, "name", MAX_NAME)


def name_key(name: str) -> str:
    """Search key: case-folded, accents removed ("Élodie" → "elodie")."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_words(name: str) -> list[str]:
    """The distinct words of a name's search key ("Jean-Luc d'Arc" → jean-luc, luc, d'arc, arc)."""
    words: list[str] = []
    for word in name_key(name).split():
        words.append(word)
        words.extend(part for part in re.split(r"[-'’]", word)[1:] if part)
    return list(dict.fromkeys(words))


def first_name(name: str) -> str:
    """The first word of a name ("Ana Martin" → "Ana"): what a list that
    other customers may see shows of a person."""
    words = name.split()
    return words[0] if words else ""


def clean_email(value: object) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise InvalidInput("email must be text", "invalid_email")
    email = value.strip()
    if len(email) > 254 or not _EMAIL.match(email) or len(email.split("@")[0]) > 64:
        raise InvalidInput(f"{email[:60]!r} is not an e-mail address", "invalid_email")
    # Stored lower-case: "Ana@Example.org" and "ana@example.org" are one customer.
    return email.lower()


def clean_phone(value: object) -> str | None:
    """Keep a leading + and the digits; 6 to 15 digits (E.164 allows 15)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise InvalidInput("phone must be text", "invalid_phone")
    raw = value.strip()
    if not re.fullmatch(r"\+?[0-9 ().-]+", raw):
        raise InvalidInput(f"{raw[:30]!r} is not a phone number", "invalid_phone")
    digits = re.sub(r"[^0-9]", "", raw)
    if not 6 <= len(digits) <= 15:
        raise InvalidInput(f"{raw[:30]!r} is not a phone number (6 to 15 digits)", "invalid_phone")
    return ("+" if raw.startswith("+") else "") + digits


def clean_birthday(value: object, today: date) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        raise InvalidInput("birthday must be a date, not a time", "invalid_birthday")
    if isinstance(value, date):
        day = value
    elif isinstance(value, str):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput(
                f"birthday must be YYYY-MM-DD, got {value.strip()[:20]!r}", "invalid_birthday"
            ) from None
    else:
        raise InvalidInput("birthday must be YYYY-MM-DD", "invalid_birthday")
    if not date(1900, 1, 1) <= day <= today:
        raise InvalidInput(f"birthday {day} is not a plausible date of birth", "invalid_birthday")
    return day


def clean_time(value: object, now: datetime, *, what: str = "at") -> datetime:
    """A past, timezone-aware time (``--at``), returned in UTC."""
    if isinstance(value, str):
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
        except ValueError:
            raise InvalidInput(
                f"{what} must be an ISO time such as 2026-03-01T09:30:00+01:00, got {text[:40]!r}",
                "invalid_time",
            ) from None
    elif isinstance(value, datetime):
        moment = value
    else:
        raise InvalidInput(f"{what} must be an ISO time", "invalid_time")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput(f"{what} must carry a time zone, such as +01:00 or Z", "invalid_time")
    moment = moment.astimezone(UTC)
    if moment > now + CLOCK_SKEW:
        raise InvalidInput(f"{what} {moment.isoformat()} is in the future", "invalid_time")
    if moment.year < 2000:
        raise InvalidInput(f"{what} {moment.isoformat()} is too far in the past", "invalid_time")
    return moment


def clean_month(value: object) -> date:
    """A calendar month, as ``YYYY-MM`` text or any ``date`` in it; returned
    as the month's first day."""
    if isinstance(value, datetime):
        raise InvalidInput("month must be a date or YYYY-MM, not a time", "invalid_month")
    if isinstance(value, date):
        return value.replace(day=1)
    if isinstance(value, str):
        text = value.strip()
        match = _MONTH.match(text)
        if match is not None:
            year, month = int(match[1]), int(match[2])
            if 1 <= month <= 12 and 2000 <= year <= 9999:
                return date(year, month, 1)
        raise InvalidInput(f"month must be YYYY-MM, such as 2026-03, got {text[:20]!r}", "invalid_month")
    raise InvalidInput("month must be YYYY-MM, such as 2026-03", "invalid_month")


def clean_key(value: object) -> str:
    """An idempotency key: 1–200 printable ASCII characters."""
    if not isinstance(value, str) or not _KEY.match(value):
        raise InvalidInput(
            "idempotency key must be 1 to 200 printable characters without spaces",
            "invalid_idempotency_key",
        )
    return value


def clean_checkout_id(value: object) -> int:
    """A sale's id as typed (``"42"``) or passed (``42``)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**62:
        raise InvalidInput("checkout id must be a positive whole number", "invalid_checkout_id")
    return value


def clean_reason(value: object, what: str = "reason") -> str:
    return _plain_text(value, what, 200)


@dataclass(frozen=True)
class Item:
    """One line of a sale."""

    sku: str
    category: str
    quantity: int
    unit_price: Decimal

    def to_dict(self) -> dict[str, object]:
        return {
            "sku": self.sku,
            "category": self.category,
            "quantity": self.quantity,
            "unit_price": str(self.unit_price),
        }


def clean_item(value: object) -> Item:
    """An item from a mapping ``{sku, category, quantity, unit_price}``, or an
    ``Item``, or the CLI's ``SKU:CATEGORY:QTY:PRICE``."""
    if isinstance(value, Item):
        raw: dict[str, object] = value.to_dict()
    elif isinstance(value, str):
        parts = value.split(":")
        if len(parts) != 4:
            raise InvalidInput(f"item must be SKU:CATEGORY:QTY:PRICE, got {value[:60]!r}", "invalid_item")
        raw = dict(zip(("sku", "category", "quantity", "unit_price"), parts, strict=True))
    elif isinstance(value, dict):
        raw = value
    else:
        raise InvalidInput("item must be an object with sku, category, quantity, unit_price", "invalid_item")
    sku = raw.get("sku")
    if not isinstance(sku, str) or not re.fullmatch(r"[\x21-\x7e]{1,64}", sku.strip()):
        raise InvalidInput("item sku must be 1 to 64 printable characters", "invalid_item")
    category = raw.get("category") or ""
    if not isinstance(category, str) or len(category.strip()) > 64 or any(ord(c) < 32 for c in category):
        raise InvalidInput("item category must be text of at most 64 characters", "invalid_item")
    qty = raw.get("quantity", 1)
    if isinstance(qty, str) and qty.strip().isdigit():
        qty = int(qty.strip())
    if isinstance(qty, bool) or not isinstance(qty, int) or not 1 <= qty <= 10_000:
        raise InvalidInput("item quantity must be a whole number from 1 to 10000", "invalid_item")
    price = parse_amount(raw.get("unit_price"), field="item unit_price", allow_zero=True)
    return Item(sku.strip(), category.strip().lower(), qty, price)
