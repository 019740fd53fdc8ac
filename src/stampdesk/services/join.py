"""What the enrolment page shows before the customer gives their name: the
programme, and the stamps waiting for them on the receipt they scanned.

The preview refuses exactly what enrolment with the same token would refuse
(forged, expired, already claimed, refunded), so the page never offers a
form that cannot succeed. It only reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, func, select

from ..domain import claims
from ..domain.money import from_cents
from ..models import checkouts, program_versions, versions_for
from ..results import MilestoneInfo, Result
from ..store import Store


@dataclass(frozen=True)
class JoinPreview(Result):
    """A receipt's enrolment offer: the card the customer would get."""

    program: str  # the programme's (and so the shop's) name
    stamps_per_card: int
    starter_stamps: int  # given to every new card
    receipt_stamps: int  # earned by the receipt's sale, waiting to be claimed
    milestones: tuple[MilestoneInfo, ...]
    amount: Decimal  # the receipt's sale
    sale_at: datetime
    claim_until: date  # the last shop-local day the receipt can be claimed

    @property
    def stamps_waiting(self) -> int:
        """What the new card starts with: starter stamps plus the receipt's."""
        return self.starter_stamps + self.receipt_stamps


@cache
def _sale_query() -> Select[Any]:
    # The sale and, in the same round trip, the current programme version.
    # (the newest version of the sale's shop or of the whole chain)
    version = (
        select(func.max(program_versions.c.id)).where(versions_for(checkouts.c.shop_id)).scalar_subquery()
    )
    return select(
        checkouts.c.amount_cents,
        checkouts.c.at,
        (checkouts.c.stamps - checkouts.c.refunded_stamps).label("stamps"),
        checkouts.c.card_id,
        checkouts.c.claimed_card_id,
        checkouts.c.refunded_at,
        version.label("version"),
    ).where(checkouts.c.id == bindparam("checkout_id"))


def preview(store: Store, token: object) -> JoinPreview:
    """The offer of a receipt's claim ``token``.

    ``InvalidInput`` (``invalid_claim_token``) for a forged or garbled token,
    ``Refused`` for an expired one (``claim_expired``), one already claimed
    (``already_claimed``) or a refunded sale (``refunded``).
    """
    today = store.now().astimezone(store.zone).date()
    with store.read() as conn:
        checkout_id = claims.read_token(store.claim_secret(conn), token, today)
        sale = claims.claimable(conn.execute(_sale_query(), {"checkout_id": checkout_id}).first())
        program = store.program_or_refuse(conn, sale.version)
    sale_day = sale.at.astimezone(store.zone).date()
    return JoinPreview(
        program=program.name,
        stamps_per_card=program.stamps_per_card,
        starter_stamps=program.starter_stamps,
        receipt_stamps=sale.stamps,
        milestones=tuple(MilestoneInfo(m.at, m.reward) for m in program.milestones),
        amount=from_cents(sale.amount_cents),
        sale_at=sale.at,
        claim_until=claims.last_claim_day(sale_day, store.settings.claim_days),
    )
