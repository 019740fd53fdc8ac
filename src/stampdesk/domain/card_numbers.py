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
        raise InvalidInput(f"card prefix must be two digits from 20 to 29, got {prefix!r}")
    body = prefix + "".join(str(secrets.randbelow(10)) for _ in range(10))
    return body + check_digit(body)


def normalise_card_number(text: object) -> str:
    """Return a valid 13-digit card number or raise ``InvalidInput``.

    Spaces and dashes that people type are ignored; what a scanner sends
    (13 digits) passes unchanged.
    """
    if not isinstance(text, str):
        raise InvalidInput("card number must be text of 13 digits", "invalid_card_number")
    digits = text.strip().replace(" ", "").replace("-", "")
    shown = text.strip()[:20]
    if len(digits) != 13 or not digits.isascii() or not digits.isdigit():
        raise InvalidInput(f"card number must be 13 digits, got {shown!r}", "invalid_card_number")
    if digits[0] != "2":
        raise InvalidInput(
            f"{digits} is not a loyalty card number (they start with 2)", "invalid_card_number"
        )
    if check_digit(digits[:12]) != digits[12]:
        raise InvalidInput(f"{digits} has a wrong check digit: mistyped card number?", "invalid_card_number")
    return digits


def masked_card_number(number: str, shown: int = 4) -> str:
    """A card number with all but its last ``shown`` digits hidden
    ("•••••••••0123"), for lists other customers may see."""
    return "•" * max(0, len(number) - shown) + number[-shown:]
