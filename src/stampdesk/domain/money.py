"""Money as ``Decimal`` with two places, stored as integer cents.

Amounts arrive as strings from scanners, forms and JSON. Floats are refused:
``0.1 + 0.2`` is how peers end up with "268.28000000000003 points".
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from .errors import InvalidInput

CENT = Decimal("0.01")
_AMOUNT = re.compile(r"^(?:0|[1-9][0-9]{0,8})(?:[.,][0-9]{1,2})?$")
DEFAULT_MAX_AMOUNT = Decimal("10000.00")
EXAMPLE = Decimal("12.50")  # the amount an error shows as an example ("12,50" in French)


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
        raise _refused("float", field)
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise _refused("not_number", field, value=value)
        text = format(value, "f")
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise _refused("not_text", field)
    shown = text if len(text) <= 20 else text[:20] + "…"
    if text.startswith("-"):
        raise _refused("negative", field, shown=shown)
    if not _AMOUNT.match(text):
        raise _refused("malformed", field, shown=shown)
    amount = Decimal(text.replace(",", ".")).quantize(CENT)
    if amount == 0 and not allow_zero:
        raise _refused("zero", field)
    if maximum is not None and amount > maximum:
        raise _refused("too_big", field, amount=amount, maximum=maximum)
    return amount


def _refused(mistake: str, field: str, **values: Any) -> InvalidInput:
    """``invalid_amount``: the till's amount is "the amount" ("le montant"),
    any other amount is named by its field; the example is typed as the
    reader types an amount ("12,50" in French)."""
    phrase = f"amount_{mistake}" if field == "amount" else f"field_amount_{mistake}"
    return InvalidInput(code="invalid_amount", phrase=phrase, field=field, example=EXAMPLE, **values)


def to_cents(amount: Decimal) -> int:
    """``Decimal("12.50")`` → ``1250``."""
    return int((amount * 100).to_integral_exact())


def from_cents(cents: int) -> Decimal:
    """``1250`` → ``Decimal("12.50")``."""
    return (Decimal(cents) / 100).quantize(CENT)
