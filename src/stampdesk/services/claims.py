"""Receipt claim tokens: a walk-in's receipt carries a signed token that lets
the customer, once enrolled, keep the stamps of that very sale."""

from __future__ import annotations

import base64
import hashlib
import hmac

from ..domain.errors import InvalidInput

_SIG_BYTES = 12


def _signature(secret: bytes, checkout_id: int) -> str:
    digest = hmac.new(secret, f"claim:{checkout_id}".encode(), hashlib.sha256).digest()[:_SIG_BYTES]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def make_token(secret: bytes, checkout_id: int) -> str:
    """``<checkout id>.<signature>``: short enough for a small QR code."""
    return f"{checkout_id}.{_signature(secret, checkout_id)}"


def read_token(secret: bytes, token: object) -> int:
    """The checkout id a token was made for, or ``InvalidInput`` if forged."""
    if not isinstance(token, str) or token.count(".") != 1:
        raise InvalidInput("this receipt code is not valid", "invalid_claim_token")
    head, signature = token.strip().split(".")
    if not head.isdigit() or len(head) > 18:
        raise InvalidInput("this receipt code is not valid", "invalid_claim_token")
    checkout_id = int(head)
    if not hmac.compare_digest(_signature(secret, checkout_id), signature):
        raise InvalidInput("this receipt code is not valid", "invalid_claim_token")
    return checkout_id


def enrol_url(public_url: str, token: str) -> str:
    return f"{public_url}join/{token}"
