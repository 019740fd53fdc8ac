"""Card numbers: EAN-13 in the in-store 20–29 range, with a check digit.

Every till scanner reads EAN-13, and the 20–29 prefixes are reserved for a
shop's own use, so our numbers never clash with a product barcode. The check
digit catches a mistyped number before any database lookup.
"""

from __future__ import annotations

import secrets

from .errors import InvalidInput

DEFAULT_PREFIX = "29"


def check_digit(first12: str) -> str:
    """The EAN-13 check digit of a 12-digit string."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def new_card_number(prefix: str = DEFAULT_PREFIX) -> str:
    """A random card number: ``prefix`` + random digits + check digit."""
    if not (len(prefix) == 2 and prefix.isdigit() and prefix[0] == "2"):
        raise InvalidInput(phrase="card_prefix", prefix=prefix)
    body = prefix + "".join(str(secrets.randbelow(10)) for _ in range(10))
    return body + check_digit(body)


def normalise_card_number(text: object) -> str:
    """Return a valid 13-digit card number or raise ``InvalidInput``.

    Spaces and dashes that people type are ignored; what a scanner sends
    (13 digits) passes unchanged.
    """
    if not isinstance(text, str):
        raise InvalidInput(code="invalid_card_number", phrase="card_number_not_text")
    digits = text.strip().replace(" ", "").replace("-", "")
    shown = text.strip()[:20]
    if len(digits) != 13 or not digits.isascii() or not digits.isdigit():
        raise InvalidInput(code="invalid_card_number", phrase="card_number_length", shown=shown)
    if digits[0] != "2":
        raise InvalidInput(code="invalid_card_number", phrase="card_number_not_loyalty", number=digits)
    if check_digit(digits[:12]) != digits[12]:
        raise InvalidInput(code="invalid_card_number", phrase="card_number_check_digit", number=digits)
    return digits


def masked_card_number(number: str, shown: int = 4) -> str:
    """A card number with all but its last ``shown`` digits hidden
    ("•••••••••0123"), for lists other customers may see."""
    return "•" * max(0, len(number) - shown) + number[-shown:]
