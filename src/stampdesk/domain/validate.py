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
# The free texts ``clean_reason`` checks besides a name, by what they are.
PLAIN_TEXTS = ("name", "reason", "notes", "staff")
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")
# A clock a little ahead of the database's is not a future sale.
CLOCK_SKEW = timedelta(minutes=5)


def _plain_text(value: object, what: str, limit: int, *, required: bool = True) -> str:
    """``what`` is one of ``PLAIN_TEXTS``: the book says each its own way
    (``error.name_empty``: "le nom ne peut pas être vide")."""
    if not isinstance(value, str):
        raise InvalidInput(code=f"invalid_{what}", phrase=f"{what}_not_text")
    text = " ".join(value.split())
    if not text and required:
        raise InvalidInput(code=f"invalid_{what}", phrase=f"{what}_empty")
    if len(text) > limit:
        raise InvalidInput(code=f"invalid_{what}", phrase=f"{what}_too_long", limit=limit)
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") for c in text):
        raise InvalidInput(code=f"invalid_{what}", phrase=f"{what}_unprintable")
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
        raise InvalidInput(code="invalid_email", phrase="email_not_text")
    email = value.strip()
    if len(email) > 254 or not _EMAIL.match(email) or len(email.split("@")[0]) > 64:
        raise InvalidInput(code="invalid_email", phrase="email_invalid", email=email[:60])
    # Stored lower-case: "Ana@Example.org" and "ana@example.org" are one customer.
    return email.lower()


def clean_phone(value: object) -> str | None:
    """Keep a leading + and the digits; 6 to 15 digits (E.164 allows 15)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise InvalidInput(code="invalid_phone", phrase="phone_not_text")
    raw = value.strip()
    if not re.fullmatch(r"\+?[0-9 ().-]+", raw):
        raise InvalidInput(code="invalid_phone", phrase="phone_invalid", phone=raw[:30])
    digits = re.sub(r"[^0-9]", "", raw)
    if not 6 <= len(digits) <= 15:
        raise InvalidInput(code="invalid_phone", phrase="phone_digits", phone=raw[:30])
    return ("+" if raw.startswith("+") else "") + digits


def clean_birthday(value: object, today: date) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        raise InvalidInput(code="invalid_birthday", phrase="birthday_time")
    if isinstance(value, date):
        day = value
    elif isinstance(value, str):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput(
                code="invalid_birthday", phrase="birthday_format_got", text=value.strip()[:20]
            ) from None
    else:
        raise InvalidInput(code="invalid_birthday", phrase="birthday_format")
    if not date(1900, 1, 1) <= day <= today:
        raise InvalidInput(code="invalid_birthday", phrase="birthday_implausible", day=day)
    return day


def clean_time(value: object, now: datetime, *, what: str = "at") -> datetime:
    """A past, timezone-aware time (``--at``), returned in UTC."""
    if isinstance(value, str):
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
        except ValueError:
            raise InvalidInput(
                code="invalid_time", phrase="time_format_got", what=what, text=text[:40]
            ) from None
    elif isinstance(value, datetime):
        moment = value
    else:
        raise InvalidInput(code="invalid_time", phrase="time_format", what=what)
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput(code="invalid_time", phrase="time_zone", what=what)
    moment = moment.astimezone(UTC)
    if moment > now + CLOCK_SKEW:
        raise InvalidInput(code="invalid_time", phrase="time_future", what=what, moment=moment)
    if moment.year < 2000:
        raise InvalidInput(code="invalid_time", phrase="time_past", what=what, moment=moment)
    return moment


def clean_month(value: object) -> date:
    """A calendar month, as ``YYYY-MM`` text or any ``date`` in it; returned
    as the month's first day."""
    if isinstance(value, datetime):
        raise InvalidInput(code="invalid_month", phrase="month_time")
    if isinstance(value, date):
        return value.replace(day=1)
    if isinstance(value, str):
        text = value.strip()
        match = _MONTH.match(text)
        if match is not None:
            year, month = int(match[1]), int(match[2])
            if 1 <= month <= 12 and 2000 <= year <= 9999:
                return date(year, month, 1)
        raise InvalidInput(code="invalid_month", phrase="month_format_got", text=text[:20])
    raise InvalidInput(code="invalid_month", phrase="month_format")


def clean_key(value: object) -> str:
    """An idempotency key: 1–200 printable ASCII characters."""
    if not isinstance(value, str) or not _KEY.fullmatch(value):  # "$" alone lets a "\n" by
        raise InvalidInput(code="invalid_idempotency_key")
    return value


def clean_checkout_id(value: object) -> int:
    """A sale's id as typed (``"42"``) or passed (``42``)."""
    # ASCII digits only: "²".isdigit() is true, but no id is written so.
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**62:
        raise InvalidInput(code="invalid_checkout_id")
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
            raise InvalidInput(code="invalid_item", phrase="item_format_got", text=value[:60])
        raw = dict(zip(("sku", "category", "quantity", "unit_price"), parts, strict=True))
    elif isinstance(value, dict):
        raw = value
    else:
        raise InvalidInput(code="invalid_item", phrase="item_object")
    sku = raw.get("sku")
    if not isinstance(sku, str) or not re.fullmatch(r"[\x21-\x7e]{1,64}", sku.strip()):
        raise InvalidInput(code="invalid_item", phrase="item_sku")
    category = raw.get("category") or ""
    if not isinstance(category, str) or len(category.strip()) > 64 or any(ord(c) < 32 for c in category):
        raise InvalidInput(code="invalid_item", phrase="item_category")
    qty = raw.get("quantity", 1)
    if isinstance(qty, str) and qty.strip().isdigit():
        qty = int(qty.strip())
    if isinstance(qty, bool) or not isinstance(qty, int) or not 1 <= qty <= 10_000:
        raise InvalidInput(code="invalid_item", phrase="item_quantity")
    price = parse_amount(raw.get("unit_price"), field="item unit_price", allow_zero=True)
    return Item(sku.strip(), category.strip().lower(), qty, price)


def clean_return(
    items: object = None, amount: object = None
) -> tuple[tuple[tuple[str, int], ...], Decimal | None]:
    """What a refund asks back: ``items`` as (SKU, quantity) pairs, mappings
    ``{sku, quantity}`` or the CLI's ``SKU:QTY`` (quantity 1 if left out), and
    ``amount``; neither: the whole sale (what is left of it)."""
    wanted: list[tuple[str, int]] = []
    if items is not None:
        if isinstance(items, (str, bytes, dict)) or not isinstance(items, (list, tuple)):
            raise InvalidInput(code="invalid_refund", phrase="refund_items_list")
        for item in items:
            wanted.append(_returned(item))
    money = None if amount is None else parse_amount(amount, maximum=None)  # never past the sale
    return tuple(wanted), money


def _returned(item: object) -> tuple[str, int]:
    if isinstance(item, str):
        name, _, count = item.rpartition(":") if ":" in item else (item, "", "1")
        raw: object = {"sku": name, "quantity": count}
    elif isinstance(item, tuple) and len(item) == 2:
        raw = {"sku": item[0], "quantity": item[1]}
    else:
        raw = item
    if not isinstance(raw, dict):
        raise InvalidInput(code="invalid_refund", phrase="refund_item_form")
    sku = raw.get("sku")
    if not isinstance(sku, str) or not re.fullmatch(r"[\x21-\x7e]{1,64}", sku.strip()):
        raise InvalidInput(code="invalid_item", phrase="item_sku")
    qty = raw.get("quantity", 1)
    if isinstance(qty, str) and qty.strip().isdigit():
        qty = int(qty.strip())
    if isinstance(qty, bool) or not isinstance(qty, int) or not 1 <= qty <= 10_000:
        raise InvalidInput(code="invalid_item", phrase="item_quantity")
    return sku.strip(), qty
