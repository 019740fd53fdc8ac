"""A coupon's status at a moment: what a till or a customer can still do with it."""

from __future__ import annotations

from datetime import datetime

VALID = "valid"  # can be used
REDEEMED = "redeemed"  # used, once
VOIDED = "voided"  # taken back (its sale refunded, its card erased)
EXPIRED = "expired"  # past its last day, unused


def coupon_status(
    *, expires: datetime, now: datetime, redeemed_at: datetime | None, voided_at: datetime | None
) -> str:
    """``valid``, ``redeemed``, ``voided`` or ``expired``: what happened to
    it first wins (a coupon used, then past its day, stays ``redeemed``)."""
    if redeemed_at is not None:
        return REDEEMED
    if voided_at is not None:
        return VOIDED
    return VALID if expires >= now else EXPIRED
