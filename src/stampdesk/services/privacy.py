"""A customer's rights over their data: see it all (export), correct it,
and erase it.

``export`` gathers everything the shop keeps about a card's holder: their
profile and consent, the card, its ledger, its sales and its coupons.

``correct`` replaces their name and contact details (the search index follows).

``erase`` removes the person and keeps the accounts: in one transaction the
customer's name becomes a neutral placeholder, their e-mail, phone, birthday,
notes and language are deleted, their consent to marketing e-mails is
withdrawn (its time and place cleared), their name leaves the search index,
their unused coupons are voided and the card is marked ``erased`` (the till
and the API then refuse it by name). The ledger and the sales stay, anonymous, so the
shop's totals and ``stampdesk check`` still add up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, or_, select, update

from ..domain import marketing
from ..domain.card_numbers import normalise_card_number
from ..domain.errors import NotFound, Refused
from ..domain.money import from_cents
from ..domain.validate import clean_birthday, clean_email, clean_name, clean_phone, name_key
from ..models import cards, checkout_items, checkouts, coupons, customers, ledger, name_words
from ..results import CardState, Result, plain
from ..store import Store
from . import cards as card_service
from .stamps import ERASED

# What an erased customer's name becomes: the column cannot be empty, and no
# language is assumed (the till shows it only in the history of old sales).
ERASED_NAME = "—"
EXPORT_FORMAT = "stampdesk-export/1"


@dataclass(frozen=True)
class ErasedCard(Result):
    """What erasing a card did."""

    card: str
    erased_at: datetime
    voided_coupons: tuple[str, ...]
    stamps_lost: int


def _card_row(conn: Any, number: str) -> Any:
    columns = (cards.c.id, cards.c.number, cards.c.status, cards.c.customer_id)
    row = conn.execute(select(*columns).where(cards.c.number == number)).first()
    if row is None:
        raise NotFound(code="unknown_card", number=number)
    if row.status == ERASED:
        raise NotFound(code="card_erased", number=number)
    return row


def export(store: Store, number: str) -> dict[str, Any]:
    """Everything kept about the holder of card ``number``, as JSON-ready data."""
    number = normalise_card_number(number)
    with store.read() as conn:
        card = _card_row(conn, number)
        full = conn.execute(select(cards).where(cards.c.id == card.id)).one()
        customer = None
        if card.customer_id is not None:
            customer = conn.execute(select(customers).where(customers.c.id == card.customer_id)).one()
        referrer = None
        if full.referred_by_card_id is not None:
            referrer = conn.execute(
                select(cards.c.number).where(cards.c.id == full.referred_by_card_id)
            ).scalar()
        sales = conn.execute(
            select(checkouts)
            .where(or_(checkouts.c.card_id == card.id, checkouts.c.claimed_card_id == card.id))
            .order_by(checkouts.c.id)
        ).all()
        items: dict[int, list[dict[str, Any]]] = {}
        if sales:
            for item in conn.execute(
                select(checkout_items)
                .where(checkout_items.c.checkout_id.in_([s.id for s in sales]))
                .order_by(checkout_items.c.id)
            ):
                items.setdefault(item.checkout_id, []).append(
                    {
                        "sku": item.sku,
                        "category": item.category,
                        "quantity": item.quantity,
                        "unit_price": str(from_cents(item.unit_price_cents)),
                    }
                )
        ledger_rows = conn.execute(
            select(ledger).where(ledger.c.card_id == card.id).order_by(ledger.c.id)
        ).all()
        coupon_rows = conn.execute(
            select(coupons).where(coupons.c.card_id == card.id).order_by(coupons.c.id)
        ).all()
        program = store.current_program(conn)[1].name
    return {
        "format": EXPORT_FORMAT,
        "exported_at": plain(store.now()),
        "shop": program,
        "customer": None
        if customer is None
        else {
            "name": customer.name,
            "email": customer.email,
            "phone": customer.phone,
            "birthday": plain(customer.birthday),
            "notes": customer.notes,  # what the staff noted, e.g. "usual: flat white"
            # Shown by first name on the shop's customer-of-the-month board.
            "leaderboard": bool(customer.leaderboard),
            # Their consent to marketing e-mails: given or not, when it last
            # changed and where (join_page, till, api, cli, card_page, unsubscribe, import).
            "marketing": bool(customer.marketing),
            "marketing_at": plain(customer.marketing_at),
            "marketing_source": customer.marketing_source,
            # The language they chose for what the shop sends them (null: the shop's).
            "language": customer.language,
            "consent_at": plain(customer.consent_at),
            "created_at": plain(customer.created_at),
        },
        "card": {
            "number": full.number,
            "status": full.status,
            "balance": full.balance,
            "completed_cards": full.cycle,
            "created_at": plain(full.created_at),
            "referred_by": referrer,
        },
        "sales": [
            {
                "checkout": s.id,
                "at": plain(s.at),
                "amount": str(from_cents(s.amount_cents)),
                "stamps": s.stamps,
                "till": s.till,
                "claimed_from_receipt": s.claimed_card_id == card.id,
                "refunded_at": plain(s.refunded_at),
                "items": items.get(s.id, []),
            }
            for s in sales
        ],
        "ledger": [
            {
                "at": plain(r.at),
                "kind": r.kind,
                "stamps": r.stamps,
                "completed_cards": r.cycles,
                "checkout": r.checkout_id,
                "reason": r.reason,
            }
            for r in ledger_rows
        ],
        "coupons": [
            {
                "code": c.code,
                "reward": c.reward,
                "milestone": c.milestone_at,
                "issued_at": plain(c.issued_at),
                "expires_at": plain(c.expires_at),
                "redeemed_at": plain(c.redeemed_at),
                "voided_at": plain(c.voided_at),
            }
            for c in coupon_rows
        ],
    }


def erase(store: Store, number: str) -> ErasedCard:
    """Erase the holder of card ``number`` and retire the card, keeping the
    anonymous ledger and sales. A second erase finds nothing to erase."""
    number = normalise_card_number(number)
    now = store.now()
    with store.write() as conn:
        query = select(cards.c.id, cards.c.status, cards.c.customer_id, cards.c.balance).where(
            cards.c.number == number
        )
        card = conn.execute(query.with_for_update() if store.postgres else query).first()
        if card is None:
            raise NotFound(code="unknown_card", number=number)
        if card.status == ERASED:
            raise NotFound(code="card_erased", number=number)
        live = conn.execute(
            select(coupons.c.id, coupons.c.code).where(
                coupons.c.card_id == card.id, coupons.c.redeemed_at.is_(None), coupons.c.voided_at.is_(None)
            )
        ).all()
        if live:
            conn.execute(update(coupons).where(coupons.c.id.in_([c.id for c in live])).values(voided_at=now))
        if card.customer_id is not None:
            conn.execute(delete(name_words).where(name_words.c.customer_id == card.customer_id))
            conn.execute(
                update(customers)
                .where(customers.c.id == card.customer_id)
                .values(
                    name=ERASED_NAME,
                    name_key="",
                    email=None,
                    phone=None,
                    birthday=None,
                    notes=None,
                    language=None,
                    erased_at=now,
                    **marketing.after_erasure().columns(),
                )
            )
        conn.execute(update(cards).where(cards.c.id == card.id).values(status=ERASED))
    return ErasedCard(number, now, tuple(c.code for c in live), card.balance)


def correct(
    store: Store, number: str, *, name: object, email: object, phone: object = None, birthday: object = None
) -> CardState:
    """Replace the name, e-mail, phone and birthday of card ``number``'s
    holder (their right to rectification); an empty phone or birthday is
    deleted. Refused if the e-mail belongs to another customer."""
    number = normalise_card_number(number)
    today = store.now().astimezone(store.zone).date()
    holder_name = clean_name(name)
    clean = {
        "name": holder_name,
        "email": clean_email(email),
        "phone": clean_phone(phone),
        "birthday": clean_birthday(birthday, today),
    }
    with store.write() as conn:
        card = _card_row(conn, number)
        if card.customer_id is None:
            raise NotFound(code="unknown_customer", number=number)
        if clean["email"]:
            taken = conn.execute(
                select(customers.c.id).where(
                    customers.c.email == clean["email"],
                    customers.c.erased_at.is_(None),
                    customers.c.id != card.customer_id,
                )
            ).first()
            if taken is not None:
                raise Refused(code="already_enrolled", phrase="email_on_another_card", email=clean["email"])
        conn.execute(
            update(customers)
            .where(customers.c.id == card.customer_id)
            .values(**clean, name_key=name_key(holder_name))
        )
        conn.execute(delete(name_words).where(name_words.c.customer_id == card.customer_id))
        conn.execute(insert(name_words), card_service.name_word_rows(card.customer_id, holder_name))
    return card_service.card(store, number)
