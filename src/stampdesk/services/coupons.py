"""Coupons: redeemed once, at the till."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from ..domain.coupon_codes import ALPHABET, normalise_coupon_code
from ..domain.errors import InvalidInput, NotFound, Refused
from ..domain.validate import clean_checkout_id, clean_time
from ..models import cards, checkouts, coupons
from ..results import RedeemResult
from ..store import Store
from . import idempotency
from .stamps import ERASED, not_refunded


def redeem(
    store: Store,
    code: str,
    *,
    till: str | None = None,
    idempotency_key: object = None,
    checkout: object = None,
    at: object = None,
) -> RedeemResult:
    """Use a coupon. A second use, a voided or an expired coupon is refused.

    ``checkout``: the sale in which the reward was handed over (the report's
    reward cost per sale; refunding that sale leaves the coupon used).
    ``at``: when it was used, for history (a past time; the coupon must have
    been valid then).

    With ``idempotency_key``, the same key again from the same ``till`` (the
    sender; default the settings' till) returns the first answer
    (``replayed``) instead of "already used"; with another coupon it is refused.
    """
    code = _coupon_code(code)
    now = store.now()
    sale = None if checkout is None else clean_checkout_id(checkout)
    moment = now if at is None else clean_time(at, now)
    params: dict[str, Any] = {"coupon": code}
    if sale is not None or at is not None:
        params.update(checkout=sale, at=None if at is None else moment.isoformat())
    if idempotency_key is not None:
        return idempotency.run_once(
            store,
            "redeem",
            idempotency_key,
            params,
            lambda conn: _redeem(conn, store, code, till, moment, sale),
            replayed_redemption,
            till=till,
        )
    return store.transact(lambda conn: _redeem(conn, store, code, till, moment, sale))


def replayed_redemption(data: dict[str, Any]) -> RedeemResult:
    """A redemption's stored answer, as returned again for its idempotency key."""
    when = datetime.fromisoformat(data["redeemed_at"])
    return RedeemResult(
        data["coupon"], data["reward"], data["card"], when, replayed=True, checkout=data.get("checkout")
    )


def _coupon_code(text: object) -> str:
    """The canonical code of ``text``. Eight letters and digits that cannot
    be a code (a letter no code holds, such as U) are a coupon this shop
    never issued: "no coupon QWERTYUP", not "not a coupon code"."""
    try:
        return normalise_coupon_code(text)
    except InvalidInput:
        typed = text.strip().upper().replace("-", "").replace(" ", "") if isinstance(text, str) else ""
        if len(typed) == 8 and typed.isascii() and typed.isalnum() and set(typed) - set(ALPHABET + "OIL"):
            raise NotFound(code="unknown_coupon", coupon=typed) from None
        raise


def _redeem(
    conn: Connection, store: Store, code: str, till: str | None, now: datetime, sale: int | None
) -> RedeemResult:
    # The caller owns the transaction. ``now``: the moment of the use (``--at``).
    if sale is not None:
        handed = conn.execute(select(checkouts.c.refunded_at).where(checkouts.c.id == sale)).first()
        not_refunded(handed, sale, store)
    query = (
        select(coupons, cards.c.number, cards.c.status.label("card_status"))
        .select_from(coupons.join(cards, cards.c.id == coupons.c.card_id))
        .where(coupons.c.code == code)
    )
    row = conn.execute(query.with_for_update(of=coupons) if store.postgres else query).first()
    if row is None:
        raise NotFound(code="unknown_coupon", coupon=code)
    if row.redeemed_at is not None:
        raise Refused(code="coupon_used", coupon=code, at=row.redeemed_at.astimezone(store.zone))
    if row.card_status == ERASED:
        raise Refused(code="coupon_voided", phrase="coupon_card_erased", coupon=code)
    if row.voided_at is not None:
        raise Refused(code="coupon_voided", phrase="coupon_sale_refunded", coupon=code)
    if row.expires_at < now:
        expires = row.expires_at.astimezone(store.zone).date()
        raise Refused(code="coupon_expired", coupon=code, expires=expires)
    if row.issued_at > now:
        # Used in the past (--at), before it was issued.
        raise InvalidInput(code="invalid_time", phrase="coupon_used_before_issued", coupon=code, at=now)
    done = conn.execute(
        update(coupons)
        .where(coupons.c.id == row.id, coupons.c.redeemed_at.is_(None), coupons.c.voided_at.is_(None))
        .values(redeemed_at=now, redeemed_till=till or store.settings.till, redeemed_checkout_id=sale)
    )
    if done.rowcount != 1:
        raise Refused(code="coupon_used", phrase="coupon_used_elsewhere", coupon=code)
    return RedeemResult(code, row.reward, row.number, now, checkout=sale)
