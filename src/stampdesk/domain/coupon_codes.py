"""Coupon codes: 8 characters, easy to read aloud, with a check character.

The alphabet is Crockford's base 32 (no I, L, O, U), so a code read from a
receipt is not misread; the last character is a check so a mistyped code is
refused without a lookup.
"""

from __future__ import annotations

import secrets

from .errors import InvalidInput

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_BODY = 7
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _check_char(body: str) -> str:
    total = sum((i + 1) * ALPHABET.index(c) for i, c in enumerate(body))
    return ALPHABET[total % 31]


def new_coupon_code() -> str:
    # 35 random bits, 5 per character (one urandom call, not seven).
    bits = int.from_bytes(secrets.token_bytes(5), "big")
    body = "".join(ALPHABET[(bits >> (5 * i)) & 31] for i in range(_BODY))
    return body + _check_char(body)


def normalise_coupon_code(text: object) -> str:
    """Return the canonical code or raise ``InvalidInput``."""
    if not isinstance(text, str):
        raise InvalidInput(code="invalid_coupon_code", phrase="coupon_code_not_text")
    code = text.strip().upper().replace("-", "").replace(" ", "").translate(_CONFUSABLE)
    shown = text.strip()[:20]
    # Only ASCII: "ß".upper() is "SS", and no receipt prints a non-ASCII code.
    if not text.strip().isascii() or len(code) != _BODY + 1 or any(c not in ALPHABET for c in code):
        raise InvalidInput(code="invalid_coupon_code", phrase="coupon_code_shape", shown=shown)
    if _check_char(code[:_BODY]) != code[_BODY]:
        raise InvalidInput(code="invalid_coupon_code", phrase="coupon_code_check", coupon=code)
    return code
