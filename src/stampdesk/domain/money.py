"""Money as ``Decimal`` with two places, stored as integer cents.

Amounts arrive as strings from scanners, forms and JSON. Floats are refused:
``0.1 + 0.2`` is how peers end up with "268.28000000000003 points".
"""

from __future__ import annotations

import re
from decimal import Decimal

from .errors import InvalidInput

CENT = Decimal("0.01")
_AMOUNT = re.compile(r"^(?:0|[1-9][0-9]{0,8})(?:[.,][0-9]{1,2})?$")
DEFAULT_MAX_AMOUNT = Decimal("10000.00")


def parse_amount(
    value: object,
    *,
    field: str = "amount",
    allow_zero: bool = False,
    maximum: Decimal | None = DEFAULT_MAX_AMOUNT,
) -> Decimal:
    """Return ``value`` as a positive ``Decimal`` with two places.

    Accepts ``"12.50"``, ``"12,50"``, ``"12"``, ``Decimal`` and ``int``.
    Refuses floats, negatives, NaN/infinity, exponents, more than two decimals,
    zero (unless ``allow_zero``) and anything above ``maximum``.
    """
    if isinstance(value, (bool, float)):
        raise InvalidInput(
            f'{field} must be a decimal string such as "12.50", not a float',
            "invalid_amount",
        )
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidInput(f"{field} must be a number, got {value}", "invalid_amount")
        text = format(value, "f")
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise InvalidInput(f'{field} must be a decimal string such as "12.50"', "invalid_amount")
    shown = text if len(text) <= 20 else text[:20] + "…"
    if text.startswith("-"):
        raise InvalidInput(f"{field} must be positive, got {shown}", "invalid_amount")
    if not _AMOUNT.match(text):
        raise InvalidInput(
            f'{field} must be a number with at most two decimals such as "12.50", got {shown!r}',
            "invalid_amount",
        )
    amount = Decimal(text.replace(",", ".")).quantize(CENT)
    if amount == 0 and not allow_zero:
        raise InvalidInput(f"{field} must be more than zero", "invalid_amount")
    if maximum is not None and amount > maximum:
        raise InvalidInput(
            f"{field} {amount} is more than the {maximum} a single sale may be", "invalid_amount"
        )
    return amount


def to_cents(amount: Decimal) -> int:
    """``Decimal("12.50")`` → ``1250``."""
    return int((amount * 100).to_integral_exact())


def from_cents(cents: int) -> Decimal:
    """``1250`` → ``Decimal("12.50")``."""
    return (Decimal(cents) / 100).quantize(CENT)
