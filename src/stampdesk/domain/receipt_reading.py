"""Reading a till's receipt: its total, whether it is a refund, a card number.

The receipt-printer plugin (``stampdesk proxy``) sees the lines a till
prints; these rules decide what the sale was. Pure: lines in, a
:class:`Reading` out, with a code saying why.

The total is found by the shop's own patterns first (``[proxy]
total_patterns``: regular expressions with a named group ``total``), then
by labels common on French and English receipts, best first: "NET A
PAYER", "A PAYER" / "Montant dû" / "Amount due", "TOTAL TTC" / "TOTAL EUR",
"TOTAL". Lines that only look like it are skipped: "SOUS-TOTAL",
"SUBTOTAL", "TOTAL TVA", "TOTAL HT", a count of items. When the best label
appears more than once, its last line wins (the amount due comes last).
The amount may be on the label's line or alone on the next one.

Amounts are written as tills write them (:func:`parse_money`): a decimal
comma or point, thousands grouped by a space, a no-break space, a narrow
no-break space, a point, a comma or an apostrophe, a currency sign or code
before or after, a minus before or after.

A refund ("REMBOURSEMENT", "AVOIR", "REFUND", "RETOUR" as a receipt's
title, or a negative total) earns nothing. A card number is one of the
shop's (its prefix, 13 digits, a good check digit), written on the receipt
or in one of its barcodes.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from .card_numbers import DEFAULT_PREFIX, check_digit
from .errors import InvalidInput

#: What a receipt is: a sale to record, a refund, or nothing to record (no
#: total found, or a total of zero).
Outcome = Literal["sale", "refund", "no_total", "zero_total"]

#: The idempotency keys of the receipts' sales start so (then the receipt's hash).
KEY_PREFIX = "proxy:"

# The labels of an amount due, best first (a line is upper-cased and its
# accents removed before it is compared).
LABELS: tuple[tuple[str, str], ...] = (
    ("net_a_payer", r"NET\s*A\s*PAYER"),
    ("a_payer", r"A\s*PAYER"),
    ("montant_du", r"MONTANT\s*DU"),
    ("amount_due", r"(?:AMOUNT|BALANCE|TOTAL)\s*DUE"),
    ("total_ttc", r"TOTAL\s*T\.?T\.?C\.?"),
    ("total_eur", r"TOTAL\s*(?:EUR|€)"),
    ("total", r"TOTAL"),
)
_RANK = {name: rank for rank, (name, _) in enumerate(LABELS)}
# How the names rank: "a_payer", "montant_du" and "amount_due" are one rank.
_SAME_RANK = {"montant_du": "a_payer", "amount_due": "a_payer", "total_eur": "total_ttc"}
_LABEL = re.compile(
    r"^[\W_]*(?:" + "|".join(f"(?P<{name}>{regex})" for name, regex in LABELS) + r")(?![A-Z])"
)
# A line that says "total" of something else than what is due.
_NOT_DUE = re.compile(
    r"SOUS[\s-]*TOTAL|SUB[\s-]*TOTAL|\bT\.?V\.?A\b|\bVAT\b|\bTAX(?:ES)?\b|\bH\.?T\.?(?![A-Z])"
    r"|\bARTICLES?\b|\bITEMS?\b|\bQTE\b|\bQTY\b|\bREMISES?\b|\bDISCOUNTS?\b|\bPOINTS?\b"
)
# A receipt's title that says it is a refund: the word alone, or with a number.
_REFUND = re.compile(
    r"^[\W_]*(?:REMBOURSEMENT|AVOIR|REFUND|RETOUR|RETURN)"
    r"(?:\s+(?:RECEIPT|TICKET|CLIENT|CUSTOMER))?"
    r"(?:\s*(?:N[O°º]?\.?|#|:)?\s*[\w-]*\d[\w-]*)?[\W_]*$"
)

_CURRENCY = r"(?:[€$£]|EUR|GBP|USD|CHF)"
_MINUS = "-−–"
_SEPARATORS = " .,'’\u00a0\u202f\u2009"
_MONEY = re.compile(
    rf"(?P<before>[{_MINUS}]?)\s*(?P<c1>{_CURRENCY})?\s*(?P<sign>[{_MINUS}]?)\s*"
    rf"(?P<number>\d[\d{_SEPARATORS}]*?)\s*(?P<c2>{_CURRENCY})?\s*(?P<after>[{_MINUS}]?)",
    re.IGNORECASE,
)
# What stands between a label and its amount: spaces, colons, dot leaders, a dashed rule.
_LEADERS = re.compile(r"^[\s:.=*]*(?:-{2,}[\s:.=*]*)?")
_GROUP_SPLIT = re.compile(f"[{_SEPARATORS}]")
# A last character that is no letter, digit or currency: a sign drawn in the wrong code page.
_UNDRAWN = re.compile(r"\s*[^\w\s€$£.,'\u2212-]$")
_CARD = re.compile(r"(?<![\d])(\d(?:[ -]?\d){12})(?![\d])")


@dataclass(frozen=True)
class Reading:
    """What a receipt says.

    ``outcome`` is the code; ``total`` the amount due (negative on a refund
    whose total says so); ``pattern`` which pattern found it (``custom:N``,
    the Nth of the shop's, from 1, or a default label's name: ``total``,
    ``total_ttc``, ``net_a_payer``…) and ``line`` on which line (from 0);
    ``card`` a card number of the shop's found on it; ``refund_line`` the
    line that said it is a refund.
    """

    outcome: Outcome
    total: Decimal | None = None
    pattern: str | None = None
    line: int | None = None
    card: str | None = None
    refund_line: int | None = None


def compile_patterns(patterns: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    """The shop's total patterns, checked: each a regular expression with a
    named group ``total`` (``InvalidInput`` ``invalid_config`` otherwise)."""
    out: list[re.Pattern[str]] = []
    for number, text in enumerate(patterns, 1):
        try:
            pattern = re.compile(text)
        except (re.error, TypeError) as error:
            raise InvalidInput(
                code="invalid_config", phrase="config_proxy_pattern", number=number, detail=str(error)
            ) from None
        if "total" not in pattern.groupindex:
            raise InvalidInput(code="invalid_config", phrase="config_proxy_pattern_group", number=number)
        out.append(pattern)
    return tuple(out)


def read_receipt(
    lines: Sequence[str],
    *,
    patterns: Sequence[re.Pattern[str]] = (),
    codes: Sequence[str] = (),
    card_prefix: str = DEFAULT_PREFIX,
) -> Reading:
    """Read a receipt's ``lines`` (and the data of its barcodes, ``codes``):
    see the module's docstring."""
    card = find_card_number([*lines, *codes], card_prefix)
    total, pattern, where = find_total(lines, patterns)
    refund_line = next((i for i, line in enumerate(lines) if _REFUND.match(_plain(line))), None)
    if refund_line is not None or (total is not None and total < 0):
        return Reading("refund", total, pattern, where, card, refund_line)
    if total is None:
        return Reading("no_total", card=card)
    if total == 0:
        return Reading("zero_total", total, pattern, where, card)
    return Reading("sale", total, pattern, where, card)


def find_total(
    lines: Sequence[str], patterns: Sequence[re.Pattern[str]] = ()
) -> tuple[Decimal | None, str | None, int | None]:
    """The amount due, which pattern found it and on which line (None, None, None: none)."""
    for number, pattern in enumerate(patterns, 1):
        for index, line in enumerate(lines):
            match = pattern.search(line)
            if match is None or match.group("total") is None:
                continue
            amount = parse_money(match.group("total"))
            if amount is not None:
                return amount, f"custom:{number}", index
    best: tuple[int, Decimal, str, int] | None = None
    for index, line in enumerate(lines):
        plain = _plain(line)
        match = _LABEL.match(plain)
        if match is None or _NOT_DUE.search(plain):
            continue
        name = next(key for key, value in match.groupdict().items() if value is not None)
        rank = _RANK[_SAME_RANK.get(name, name)]
        rest = _LEADERS.sub("", plain[match.end() :]).rstrip(" *=")
        amount = _amount(rest) if rest else _alone_on_next(lines, index)
        if amount is None:
            continue
        if best is None or rank <= best[0]:
            best = (rank, amount, name, index)
    if best is None:
        return None, None, None
    return best[1], best[2], best[3]


def _amount(text: str) -> Decimal | None:
    """The amount ``text`` ends with; a sign the printer could not draw in
    its code page ("12,50 ╒" for "12,50 €") is passed over."""
    amount = parse_money(text)
    if amount is None:
        trimmed = _UNDRAWN.sub("", text)
        if trimmed != text:
            amount = parse_money(trimmed)
    return amount


def _alone_on_next(lines: Sequence[str], index: int) -> Decimal | None:
    """The amount on the next non-blank line when that line holds nothing else."""
    for line in lines[index + 1 : index + 3]:
        if line.strip():
            return _amount(_plain(line))
    return None


def parse_money(text: str) -> Decimal | None:
    """An amount as a till prints it ("1 234,50 €", "€1,234.50", "12.50EUR",
    "-4,50", "4,50-"); None when ``text`` is not one amount. Whole amounts
    ("12 €") need a currency sign; decimals are one or two digits."""
    match = _MONEY.fullmatch(text.strip())
    if match is None:
        return None
    currency = match["c1"] or match["c2"]
    if match["c1"] and match["c2"]:
        return None
    signs = [s for s in (match["before"], match["sign"], match["after"]) if s]
    if len(signs) > 1:
        return None
    number = match["number"].rstrip(_SEPARATORS)
    value = _number(number, whole_ok=currency is not None)
    if value is None:
        return None
    return -value if signs else value


def _number(text: str, *, whole_ok: bool) -> Decimal | None:
    groups = _GROUP_SPLIT.split(text)
    separators = [char for char in text if char in _SEPARATORS]
    if any(not group for group in groups):
        return None  # two separators in a row
    decimals = ""
    point = None
    if separators and separators[-1] in ".," and len(groups[-1]) in (1, 2):
        decimals = groups.pop()
        point = separators.pop()
    elif not whole_ok:
        return None
    if separators:
        # Thousands: one kind of separator, not the decimal one, groups of three.
        if len(set(separators)) > 1 or separators[0] == point:
            return None
        if not 1 <= len(groups[0]) <= 3 or any(len(group) != 3 for group in groups[1:]):
            return None
    return Decimal(f"{''.join(groups)}.{decimals or '0'}").quantize(Decimal("0.01"))


def find_card_number(texts: Iterable[str], prefix: str = DEFAULT_PREFIX) -> str | None:
    """The first of the shop's card numbers (``prefix``, 13 digits, a good
    check digit; spaces or dashes between digits allowed) in ``texts``."""
    for text in texts:
        for match in _CARD.finditer(text):
            digits = re.sub(r"[ -]", "", match.group(1))
            if digits.startswith(prefix) and check_digit(digits[:12]) == digits[12]:
                return digits
    return None


def receipt_key(lines: Sequence[str]) -> str:
    """The idempotency key of a receipt's sale: its text's hash, so that a
    reprint of the same receipt is the same sale."""
    digest = hashlib.sha256("\n".join(line.rstrip() for line in lines).encode("utf-8")).hexdigest()
    return KEY_PREFIX + digest


def _plain(line: str) -> str:
    """The line upper-cased, without accents, its spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", line)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.upper().split())
