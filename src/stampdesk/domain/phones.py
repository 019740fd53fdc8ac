"""Phone numbers as customers type them: "07 77 23 90 86" and
"+33 7 77 23 90 86" are one number in a French shop.

Numbers are kept as typed, cleaned to a leading "+" and digits
(``validate.clean_phone``). A search for one form also looks for the other,
for the shop's own country (from its locale); a foreign number is found in
the form it was given.
"""

from __future__ import annotations

# Country calling codes of the countries whose shops' locales stampdesk
# speaks or borders; a locale's territory maps to its code.
CALLING_CODES = {
    "FR": "33",
    "GB": "44",
    "BE": "32",
    "CH": "41",
    "LU": "352",
    "MC": "377",
    "DE": "49",
    "ES": "34",
    "IT": "39",
    "NL": "31",
    "IE": "353",
    "PT": "351",
}


def calling_code(locale: str) -> str | None:
    """The calling code of the locale's country ("fr_FR" → "33"), or None."""
    territory = locale.replace("-", "_").rpartition("_")[2].upper()
    return CALLING_CODES.get(territory)


def phone_forms(number: str, code: str | None) -> tuple[str, ...]:
    """``number`` (a "+" then digits, or digits: a whole number or its
    first digits) and the same number in the other form of the shop's
    country: national "0…" ⇄ international "+<code>…"; "00<code>" reads as
    "+<code>"."""
    forms = [number]
    if number.startswith("00"):
        number = "+" + number[2:]
        forms.append(number)
    if code is not None:
        if number.startswith("+" + code):
            forms.append("0" + number[1 + len(code) :])
        elif number.startswith("0") and len(number) > 1:
            forms.append("+" + code + number[1:])
    return tuple(dict.fromkeys(forms))
