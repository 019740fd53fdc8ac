"""The shapes of what the HTTP API reads, as JSON Schema patterns.

Each pattern accepts exactly the text its validator accepts (``money``,
``card_numbers``, ``coupon_codes``), all but what a pattern cannot say: a
check digit, the programme's maximum amount. Tests hold both sides
together. The schema of the API documents them, so a till can check a
value before it sends it.

Patterns are written for every regex engine that reads a schema (ECMA,
Python, Rust): plain classes and ``\\uXXXX`` escapes, no ``\\s``, whose
meaning differs between them.
"""

from __future__ import annotations

# What ``str.strip()`` removes around a value (Python's whitespace).
SPACE = "[\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
_NOT_SPACE = "[^\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"


def _spaced(core: str) -> str:
    return f"^{SPACE}*(?:{core}){SPACE}*$"


# A sale's amount: more than zero, at most 9 digits before the point (the
# programme's ``earning.max_amount`` caps it further), two decimals at most,
# "." or ",".
POSITIVE_AMOUNT = _spaced("[1-9][0-9]{0,8}(?:[.,][0-9]{1,2})?|0[.,](?:[1-9][0-9]?|0[1-9])")
# An item's unit price: zero to 10000.00.
PRICE = _spaced("(?:0|[1-9][0-9]{0,3})(?:[.,][0-9]{1,2})?|10000(?:[.,]00?)?")
# A card number: 13 digits, the first a 2; spaces and dashes between are ignored.
CARD_NUMBER = _spaced("[ -]*2(?:[ -]*[0-9]){12}[ -]*")
# A coupon code: 8 characters of Crockford's base 32 (no U; I, L and O read
# as 1, 1 and 0; lower case as upper); spaces and dashes between are ignored.
COUPON_CODE = _spaced("[ -]*(?:[0-9A-TV-Za-tv-z][ -]*){8}")
# A search: some text that is not only spaces.
NOT_BLANK = _NOT_SPACE
# A referrer's card number, or "" (none).
CARD_NUMBER_OR_EMPTY = f"^$|{CARD_NUMBER}"
# A phone number: a leading +, then 6 to 15 digits among spaces, dots,
# dashes and brackets; or nothing but spaces (none).
PHONE = _spaced("|\\+?[ ().-]*(?:[0-9][ ().-]*){6,15}")
# An item's category: no control character, at most 64 characters once the
# spaces around are cut.
_WIDE_SPACE = "[\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
_SHOWN = "[^\\x00-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
CATEGORY = f"^{_WIDE_SPACE}*(?:{_SHOWN}(?:[^\\x00-\\x1f]{{0,62}}{_SHOWN})?)?{_WIDE_SPACE}*$"
# An item's product code: 1 to 64 printable ASCII characters without spaces.
SKU = _spaced("[!-~]{1,64}")
# An idempotency key: 1 to 200 printable ASCII characters, no space.
IDEMPOTENCY_KEY = "^[!-~]{1,200}$"
