"""Receipt claims: a walk-in's receipt carries a signed token that lets the
customer keep the stamps of that very sale, once, within the shop's
``claim_days``: on a new card (enrolment) or on the card they already have
(``claim``). The rules of both are here, pure; the services read the sale and
the card, ask these, then write.

A token is 24 bytes in URL-safe base64 (32 characters, so the receipt's QR
code stays at version 4 or below): the sale's id (6 bytes), the last day it
can be claimed (2 bytes, days since 2020-01-01) and a 128-bit HMAC-SHA256 tag
of both under the shop's secret (generated at ``init``, never printed).
Claiming once is enforced by the sale itself (``checkouts.claimed_card_id``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import date, timedelta
from typing import Any, TypeVar

from .errors import InvalidInput, NotFound, Refused
from .stamps import BLANK, ERASED

EPOCH = date(2020, 1, 1)
TAG_BYTES = 16
DEFAULT_CLAIM_DAYS = 30
Sale = TypeVar("Sale", bound=Any)


def claimable(sale: Sale | None) -> Sale:
    """``sale`` (the receipt's checkouts row), refused when it is gone,
    claimed already or refunded."""
    if sale is None:
        raise InvalidInput(code="invalid_claim_token")
    if sale.card_id is not None or sale.claimed_card_id is not None:
        raise Refused(code="already_claimed")
    if sale.refunded_at is not None:
        raise Refused(code="refunded")
    return sale


def receiving_card(status: str | None, number: str) -> None:
    """Refuse a card that cannot take a receipt's stamps: unknown (``status``
    None), erased, or pre-printed and never handed out (it is enrolled with
    the receipt instead: ``enrol --card NUMBER --claim TOKEN``). A card in
    use takes them, named or not."""
    if status is None:
        raise NotFound(code="unknown_card", number=number)
    if status == ERASED:
        raise NotFound(code="card_erased", number=number)
    if status == BLANK:
        raise Refused(code="card_not_enrolled", number=number)


def _tag(secret: bytes, body: bytes) -> bytes:
    return hmac.new(secret, b"claim:" + body, hashlib.sha256).digest()[:TAG_BYTES]


def make_token(secret: bytes, checkout_id: int, last_day: date) -> str:
    """The token for sale ``checkout_id``, claimable until ``last_day`` included."""
    body = checkout_id.to_bytes(6, "big") + (last_day - EPOCH).days.to_bytes(2, "big")
    return base64.urlsafe_b64encode(body + _tag(secret, body)).decode()


def last_claim_day(sale_day: date, days: int = DEFAULT_CLAIM_DAYS) -> date:
    """The last shop-local day a sale of ``sale_day`` can be claimed."""
    return sale_day + timedelta(days=days)


def token_last_day(token: str | None) -> date | None:
    """The last day a token of ``make_token`` says it can be claimed (what
    its receipt prints), None for anything else. Not a check: the tag is not
    read, ``read_token`` decides whether a token is good."""
    if token is None or len(token) != 32:
        return None
    try:
        raw = base64.b64decode(token.encode(), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(raw) != 8 + TAG_BYTES:
        return None
    return EPOCH + timedelta(days=int.from_bytes(raw[6:8], "big"))


def read_token(secret: bytes, token: object, today: date) -> int:
    """The sale a token was made for; ``InvalidInput`` if it is forged or
    garbled, ``Refused`` if it expired."""
    if not isinstance(token, str):
        raise InvalidInput(code="invalid_claim_token")
    text = token.strip()
    if "/join/" in text:  # the whole link from the receipt's QR code
        text = text.rsplit("/join/", 1)[1].split("?")[0].strip("/")
    if len(text) != 32:
        raise InvalidInput(code="invalid_claim_token")
    try:
        raw = base64.urlsafe_b64decode(text.encode())
    except (binascii.Error, ValueError):
        raise InvalidInput(code="invalid_claim_token") from None
    body, tag = raw[:8], raw[8:]
    if len(tag) != TAG_BYTES or not hmac.compare_digest(_tag(secret, body), tag):
        raise InvalidInput(code="invalid_claim_token")
    last_day = EPOCH + timedelta(days=int.from_bytes(body[6:], "big"))
    if today > last_day:
        raise Refused(code="claim_expired", last_day=last_day)
    return int.from_bytes(body[:6], "big")


def enrol_url(public_url: str, token: str) -> str:
    return f"{public_url}join/{token}"
