"""Coupons: redeemed once, at the till."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from ..domain.coupon_codes import normalise_coupon_code
from ..domain.errors import NotFound, Refused
from ..models import cards, coupons
from ..results import RedeemResult
from ..store import Store
from . import idempotency
from .stamps import ERASED


def redeem(
    store: Store, code: str, *, till: str | None = None, idempotency_key: object = None
) -> RedeemResult:
    """Use a coupon. A second use, a voided or an expired coupon is refused.

    With ``idempotency_key``, the same key again from the same ``till`` (the
    sender; default the settings' till) returns the first answer
    (``replayed``) instead of "already used"; with another coupon it is refused.
    """
    code = normalise_coupon_code(code)
    now = store.now()
    if idempotency_key is not None:
        return idempotency.run_once(
            store,
            "redeem",
            idempotency_key,
            {"coupon": code},
            lambda conn: _redeem(conn, store, code, till, now),
            replayed_redemption,
            till=till,
        )
    return store.transact(lambda conn: _redeem(conn, store, code, till, now))


def replayed_redemption(data: dict[str, Any]) -> RedeemResult:
    """A redemption's stored answer, as returned again for its idempotency key."""
    when = datetime.fromisoformat(data["redeemed_at"])
    return RedeemResult(data["coupon"], data["reward"], data["card"], when, replayed=True)


def _redeem(conn: Connection, store: Store, code: str, till: str | None, now: datetime) -> RedeemResult:
    # The caller owns the transaction.
    query = (
        select(coupons, cards.c.number, cards.c.status.label("card_status"))
        .select_from(coupons.join(cards, cards.c.id == coupons.c.card_id))
        .where(coupons.c.code == code)
    )
    row = conn.execute(query.with_for_update(of=coupons) if store.postgres else query).first()
    if row is None:
        raise NotFound(f"no coupon {code}", "unknown_coupon")
    if row.redeemed_at is not None:
        when = row.redeemed_at.astimezone(store.zone).strftime("%Y-%m-%d %H:%M")
        raise Refused(f"coupon {code} was already used on {when}", "coupon_used")
    if row.card_status == ERASED:
        raise Refused(f"coupon {code} was cancelled: its card was erased", "coupon_voided")
    if row.voided_at is not None:
        raise Refused(f"coupon {code} was cancelled (its sale was refunded)", "coupon_voided")
    if row.expires_at < now:
        day = row.expires_at.astimezone(store.zone).date().isoformat()
        raise Refused(f"coupon {code} expired on {day}", "coupon_expired")
    done = conn.execute(
        update(coupons)
        .where(coupons.c.id == row.id, coupons.c.redeemed_at.is_(None), coupons.c.voided_at.is_(None))
        .values(redeemed_at=now, redeemed_till=till or store.settings.till)
    )
    if done.rowcount != 1:
        raise Refused(f"coupon {code} was just used at another till", "coupon_used")
    return RedeemResult(code, row.reward, row.number, now)
