"""Card links: the private, unguessable address of a customer's card page.

A link token is 24 bytes in URL-safe base64 (32 characters): the card's id
(8 bytes) and a 128-bit HMAC-SHA256 tag of the id under the shop's secret
(cards are never deleted, so an id names one card forever). The tag is
domain-separated from the receipt claim tokens (``card-link:`` vs
``claim:``), so one kind can never pass for the other.

The public pages take only these tokens, never a card number: a number read
off someone's card or guessed (EAN-13 has 10 random digits) opens nothing,
and a forged token is refused before the database is asked anything.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from sqlalchemy import select

from ..domain.card_numbers import normalise_card_number
from ..domain.errors import NotFound
from ..models import cards
from ..store import Store
from .stamps import ERASED

TAG_BYTES = 16
ID_BYTES = 8
TOKEN_CHARS = 32


def _tag(secret: bytes, body: bytes) -> bytes:
    return hmac.new(secret, b"card-link:" + body, hashlib.sha256).digest()[:TAG_BYTES]


def make_token(secret: bytes, card_id: int) -> str:
    """The link token of card ``card_id``."""
    body = card_id.to_bytes(ID_BYTES, "big")
    return base64.urlsafe_b64encode(body + _tag(secret, body)).decode()


def read_token(secret: bytes, token: object) -> int:
    """The card id a token was made for; ``NotFound`` if it is forged or garbled."""
    if not isinstance(token, str) or len(token) != TOKEN_CHARS:
        raise NotFound(code="invalid_card_link")
    try:
        raw = base64.urlsafe_b64decode(token.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise NotFound(code="invalid_card_link") from None
    body, tag = raw[:ID_BYTES], raw[ID_BYTES:]
    if len(tag) != TAG_BYTES or not hmac.compare_digest(_tag(secret, body), tag):
        raise NotFound(code="invalid_card_link")
    return int.from_bytes(body, "big")


def card_token(store: Store, number: str) -> str:
    """The link token of the card ``number``."""
    number = normalise_card_number(number)
    with store.read() as conn:
        row = conn.execute(select(cards.c.id, cards.c.status).where(cards.c.number == number)).first()
        if row is None:
            raise NotFound(code="unknown_card", number=number)
        if row.status == ERASED:
            raise NotFound(code="card_erased", number=number)
        return make_token(store.claim_secret(conn), row.id)


def card_link(store: Store, number: str) -> str:
    """The full address of a card's page: what its QR code and e-mails carry."""
    return f"{store.settings.public_url}card/{card_token(store, number)}"


def card_for_token(store: Store, token: object) -> str:
    """The number of the card a link token opens.

    ``NotFound`` (``invalid_card_link``) for a forged or garbled token, and
    ``NotFound`` (``card_erased``) for the link of a card that was erased.
    """
    with store.read() as conn:
        card_id = read_token(store.claim_secret(conn), token)
        row = conn.execute(select(cards.c.number, cards.c.status).where(cards.c.id == card_id)).first()
    if row is None:  # a token made under this secret names a card that exists
        raise NotFound(code="invalid_card_link")
    if row.status == ERASED:
        raise NotFound(code="card_erased", phrase="linked_card_erased")
    return str(row.number)
