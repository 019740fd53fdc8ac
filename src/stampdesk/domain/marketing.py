"""A customer's consent to marketing e-mails (GDPR, CNIL): its own yes or no,
apart from the card.

Nothing else implies it: having a card, agreeing that the shop keeps one's
details to run it, appearing on the customer-of-the-month board or giving an
e-mail address are not consent. It is off until the customer says yes, on a
surface that asks it plainly, and they can take it back as easily.

A change records when it was made and where (``SOURCES``), so the shop can
show when and how a customer agreed. Saying again what is already said
changes nothing: the record keeps the moment of the real change (an
unsubscribe link followed twice keeps the first time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .errors import InvalidInput, Refused

# Where a customer gave or withdrew their consent.
SOURCES = ("join_page", "till", "api", "cli", "card_page", "unsubscribe", "import")
# The languages a customer can choose for what the shop sends them
# (``customers.language``; none: the shop's).
LANGUAGES = ("fr", "en")
# Where consent can only be withdrawn (an unsubscribe link never gives it).
WITHDRAW_ONLY = ("unsubscribe",)


@dataclass(frozen=True)
class Consent:
    """What the customer's record says: given or not, and since when and
    where (``None`` until it first changed)."""

    given: bool
    at: datetime | None = None
    source: str | None = None

    def columns(self) -> dict[str, object]:
        """The ``customers`` columns that hold it."""
        return {"marketing": int(self.given), "marketing_at": self.at, "marketing_source": self.source}


# A customer who never said anything, and what erasing a card leaves.
NONE = Consent(False)


def clean_choice(value: object) -> bool:
    """A yes or a no, never a number or a text that looks like one."""
    if not isinstance(value, bool):
        raise InvalidInput(code="invalid_marketing")
    return value


def clean_source(value: object) -> str:
    if value not in SOURCES:
        raise InvalidInput(code="invalid_marketing_source", sources=", ".join(SOURCES))
    assert isinstance(value, str)
    return value


def clean_language(value: object) -> str:
    if value not in LANGUAGES:
        raise InvalidInput(code="invalid_language", languages=", ".join(LANGUAGES))
    assert isinstance(value, str)
    return value


def change(current: Consent, on: object, *, source: object, email: str | None, at: datetime) -> Consent:
    """The consent after the customer says ``on`` (True: yes, False: no)
    through ``source`` at ``at``.

    Giving it needs an e-mail address to send to (``marketing_needs_email``)
    and a surface that asks for it (an unsubscribe link only withdraws);
    withdrawing is always possible. The same answer again keeps the record
    as it was."""
    wanted = clean_choice(on)
    where = clean_source(source)
    if wanted and where in WITHDRAW_ONLY:
        raise InvalidInput(code="invalid_marketing_source", phrase="marketing_withdraw_only", source=where)
    if wanted and not email:
        raise Refused(code="marketing_needs_email")
    if wanted == current.given:
        return current
    return Consent(wanted, at, where)


def at_enrolment(on: object, *, source: object, email: str | None, at: datetime) -> Consent:
    """A new customer's consent: what the enrolment form's own box says,
    off unless ticked (see ``change``)."""
    return change(NONE, on, source=source, email=email, at=at)


def after_erasure() -> Consent:
    """An erased customer: no consent, no trace of when or where it was."""
    return NONE
