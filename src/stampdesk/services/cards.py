"""Cards and customers: enrol (at the till, or from a receipt's page), look up,
search, adjust by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Connection, Select, bindparam, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from .. import db
from ..domain import claims, validate
from ..domain.card_numbers import new_card_number, normalise_card_number
from ..domain.errors import InvalidInput, NotFound, Refused
from ..domain.loyalty import coupons_expiring, grace_notice, lapse_at, lapse_notice, lapsed, stamps_expiring
from ..domain.marketing import Consent, at_enrolment, clean_choice, clean_language, clean_source
from ..domain.marketing import change as change_consent
from ..domain.outcomes import Notice
from ..domain.phones import calling_code, phone_forms
from ..domain.stamps import LedgerEntry, starter_stamps
from ..domain.validate import (
    clean_birthday,
    clean_email,
    clean_name,
    clean_phone,
    clean_reason,
    clean_time,
)
from ..models import cards, checkouts, coupons, customers, name_words
from ..results import (
    CardState,
    ClaimResult,
    CouponInfo,
    CustomerMatch,
    EnrolResult,
    JoinResult,
    StampChange,
    usable_first,
)
from ..store import Store
from . import loyalty
from .shops import current_version
from .stamps import BLANK, ERASED, CardRef, Given, give, lock_card, next_for, take_back

MAX_ADJUSTMENT = 100
T = TypeVar("T")


def enrol(
    store: Store,
    *,
    name: object,
    email: object = None,
    phone: object = None,
    birthday: object = None,
    referrer: str | None = None,
    claim: str | None = None,
    at: object = None,
    notes: str | None = None,
    card: str | None = None,
    leaderboard: bool = False,
    marketing: bool = False,
    marketing_source: str = "api",
) -> EnrolResult:
    """Create a customer and their card: starter stamps, plus the stamps of
    the receipt ``claim`` token (a walk-in sale), which can be claimed once.

    With ``card``, the customer gets that card instead of a new one: a
    pre-printed card (its starter stamps come now) or a card already used at
    the till without a name (it keeps its stamps). With ``leaderboard``, the
    customer agrees to be shown by first name on the customer-of-the-month
    board. With ``marketing``, they agree to receive the shop's marketing
    e-mails (it needs an e-mail: ``marketing_needs_email``), recorded as
    given at the enrolment's time through ``marketing_source`` (``till``,
    ``cli``, ``api``…); without it, they never receive one."""
    now = store.now()
    clean = _clean_details(store, now, name, email, phone, birthday)
    clean["notes"] = clean_reason(notes, "notes") if notes else None
    clean["leaderboard"] = _clean_opt_in(leaderboard)
    moment = clean_time(at, now) if at is not None else now
    clean.update(at_enrolment(marketing, source=marketing_source, email=clean["email"], at=moment).columns())
    referrer_number = normalise_card_number(referrer) if referrer else None
    own_card = normalise_card_number(card) if card is not None else None
    return _new_numbers_retried(
        lambda: _in_transaction(store, _enrol, clean, moment, referrer_number, claim, own_card)
    )


def join(
    store: Store,
    claim: str,
    *,
    name: object,
    email: object,
    phone: object = None,
    birthday: object = None,
    marketing: bool = False,
    language: str | None = None,
) -> JoinResult:
    """What the enrolment page does with its form: the stamps of the receipt
    ``claim`` go to a new card for ``email`` (with the starter stamps), or,
    when a live customer already has that e-mail, to that customer's card
    (their details stay as they are, no starter stamps again). Either way the
    receipt is used up: it can be claimed once. The page answers the same in
    both cases, so that it never tells who is a customer; ``outcome`` says
    which it was (``new_card`` or ``existing_card``) for the caller's records.
    Refused like ``enrol(claim=…)`` for a forged, expired, used or refunded
    receipt.

    ``marketing``: the form's own box for marketing e-mails, recorded as
    given on the ``join_page``; ``language``: the page's language, the new
    customer's (``None``: the shop's). An existing card's customer keeps
    their consent and language as they are: an e-mail typed in a form does
    not prove whose it is (the card's own page changes them)."""
    now = store.now()
    clean = _clean_details(store, now, name, email, phone, birthday)
    if clean["email"] is None:
        raise InvalidInput(code="invalid_email", phrase="receipt_needs_email")
    clean["notes"] = None
    clean["leaderboard"] = 0
    clean.update(at_enrolment(marketing, source="join_page", email=clean["email"], at=now).columns())
    clean["language"] = clean_language(language) if language is not None else None
    return _new_numbers_retried(lambda: _in_transaction(store, _join, clean, now, claim))


def _clean_details(
    store: Store, now: datetime, name: object, email: object, phone: object, birthday: object
) -> dict[str, Any]:
    return {
        "name": clean_name(name),
        "email": clean_email(email),
        "phone": clean_phone(phone),
        "birthday": clean_birthday(birthday, now.astimezone(store.zone).date()),
    }


def _new_numbers_retried(write: Callable[[], T]) -> T:
    for attempt in range(3):
        try:
            return db.retry_transient(write)
        except IntegrityError:
            # A random card number or coupon code collided with a new one (or
            # an e-mail was enrolled meanwhile): the next try sees it.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _in_transaction(store: Store, work: Callable[..., T], *args: Any) -> T:
    with store.write() as conn:
        return work(conn, store, *args)


@cache
def _holder_query() -> Select[Any]:
    # The card of the live customer with this e-mail (the oldest, should they have several).
    return (
        select(cards.c.id)
        .select_from(customers.join(cards, cards.c.customer_id == customers.c.id))
        .where(
            customers.c.email == bindparam("email"),
            customers.c.erased_at.is_(None),
            cards.c.status != ERASED,
        )
        .order_by(cards.c.id)
        .limit(1)
    )


def _join(conn: Connection, store: Store, clean: dict[str, Any], moment: datetime, claim: str) -> JoinResult:
    holder = conn.execute(_holder_query(), {"email": clean["email"]}).scalar()
    if holder is None:
        # A customer enrolled meanwhile breaks the e-mail's unique index: retried, then claimed.
        enrolled = _enrol(conn, store, clean, moment, None, claim, None, email_checked=True)
        return JoinResult("new_card", enrolled.number, enrolled.claimed_stamps, enrolled.new_coupons)
    sale = _claimable(conn, store, claim)
    row = lock_card(conn, store, card_id=holder)
    given = _claim_onto(conn, store, row, sale, moment)
    return JoinResult("existing_card", row.number, kept_stamps(sale), given.coupons)


def claim(store: Store, number: str, token: object) -> ClaimResult:
    """Add a walk-in receipt's stamps to a card the customer already has (they
    forgot it at the sale): once per receipt, within ``claim_days``, as a
    claim at enrolment adds them (ledger kind ``claim``, the card's lapse
    first, milestone coupons and completions; no daily cap, as at enrolment).
    ``token`` is the receipt's token or its whole link.

    ``InvalidInput`` for a malformed card number or a forged receipt
    (``invalid_claim_token``); ``Refused`` for a receipt already claimed
    (``already_claimed``), too old (``claim_expired``) or refunded
    (``refunded``), and for a pre-printed card never handed out
    (``card_not_enrolled``); ``NotFound`` for an unknown or erased card.
    Refused, nothing is written."""
    number = normalise_card_number(number)
    return db.retry_transient(lambda: _in_transaction(store, _claim, number, token, store.now()))


def _claim(conn: Connection, store: Store, number: str, token: object, moment: datetime) -> ClaimResult:
    # The sale is locked before the card, as at enrolment and on the join page.
    sale = _claimable(conn, store, token)
    row = lock_card(conn, store, number=number)
    claims.receiving_card(row.status if row is not None else None, number)
    given = _claim_onto(conn, store, row, sale, moment)
    return ClaimResult(_card_state(conn, store, number), sale.id, kept_stamps(sale), given.coupons)


def _claim_onto(conn: Connection, store: Store, row: Any, sale: Any, moment: datetime) -> Given:
    """The receipt ``sale``'s stamps onto the locked card ``row``, which had
    them before: what the join page and ``claim`` both write."""
    _, program = store.current_program(conn)
    ref = CardRef(row.id, row.number, row.balance, row.cycle)
    if loyalty.expire(conn, store, row, program, moment) is not None:
        ref = CardRef(row.id, row.number, 0, row.cycle + 1)
    conn.execute(
        update(checkouts).where(checkouts.c.id == sale.id).values(claimed_card_id=row.id, claimed_at=moment)
    )
    # A claim is a visit: the card's stamps lapse later (as at enrolment).
    conn.execute(update(cards).where(cards.c.id == row.id).values(last_visit_at=moment))
    return give(
        conn,
        store,
        ref,
        kept_stamps(sale),
        program,
        kind="claim",
        at=moment,
        origin="claim",
        checkout_id=sale.id,
    )


def kept_stamps(sale: Any) -> int:
    """The stamps a walk-in sale still gives (its refunded parts taken off)."""
    return int(sale.stamps - sale.refunded_stamps)


def _claimable(conn: Connection, store: Store, claim: object) -> Any:
    """The walk-in sale of the receipt ``claim``, locked, if its stamps can be claimed."""
    today = store.now().astimezone(store.zone).date()
    checkout_id = claims.read_token(store.claim_secret(conn), claim, today)
    query = select(checkouts).where(checkouts.c.id == checkout_id)
    claimed = conn.execute(query.with_for_update() if store.postgres else query).first()
    return claims.claimable(claimed)


def _enrol(
    conn: Connection,
    store: Store,
    clean: dict[str, Any],
    moment: datetime,
    referrer: str | None,
    claim: str | None,
    own_card: str | None,
    *,
    email_checked: bool = False,
) -> EnrolResult:
    # The caller owns the transaction.
    version, program = store.current_program(conn)
    if (
        clean["email"]
        and not email_checked
        and conn.execute(
            select(customers.c.id).where(customers.c.email == clean["email"], customers.c.erased_at.is_(None))
        ).first()
    ):
        raise Refused(code="already_enrolled", email=clean["email"])
    referrer_id = None
    if referrer:
        if referrer == own_card:
            raise Refused(code="self_referral")
        found = conn.execute(select(cards.c.id, cards.c.status).where(cards.c.number == referrer)).first()
        if found is None or found.status == ERASED:
            raise NotFound(code="unknown_card", phrase="unknown_referrer", number=referrer)
        if found.status != "active":
            raise Refused(code="card_not_active", phrase="referrer_not_active", number=referrer)
        referrer_id = found.id
    claimed = _claimable(conn, store, claim) if claim is not None else None

    existing = None
    if own_card is not None:
        existing = lock_card(conn, store, number=own_card)
        if existing is None:
            raise NotFound(code="unknown_card", number=own_card)
        if existing.customer_id is not None:
            raise Refused(code="card_taken", number=own_card)
        if referrer_id is not None and existing.referred_by_card_id is not None:
            raise Refused(code="already_referred", number=own_card)

    customer_id = conn.execute(
        insert(customers).values(
            **clean,
            name_key=validate.name_key(clean["name"]),
            consent_at=moment,
            created_at=moment,
            channel="receipt_qr" if claimed is not None else "till",
        )
    ).inserted_primary_key[0]  # type: ignore[index]
    conn.execute(insert(name_words), name_word_rows(customer_id, clean["name"]))
    if existing is None:
        number = _free_number(conn, store.settings.card_prefix)
        card_id = conn.execute(
            insert(cards).values(
                number=number,
                customer_id=customer_id,
                referred_by_card_id=referrer_id,
                created_at=moment,
                last_visit_at=moment,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        balance, cycle, starter = 0, 0, starter_stamps(program, None)
    else:
        number, card_id = existing.number, existing.id
        balance, cycle = existing.balance, existing.cycle
        if loyalty.expire(conn, store, existing, program, moment) is not None:
            balance, cycle = 0, cycle + 1
        # A card used at the till before it had a name got its starter stamps then.
        starter = starter_stamps(program, existing.status)
        values: dict[str, Any] = {"customer_id": customer_id, "status": "active", "last_visit_at": moment}
        if referrer_id is not None:
            values["referred_by_card_id"] = referrer_id
        conn.execute(update(cards).where(cards.c.id == card_id).values(**values))

    first = []
    if starter:
        first.append(LedgerEntry("starter", starter, moment))
    claimed_stamps = kept_stamps(claimed) if claimed is not None else 0
    if claimed is not None:
        conn.execute(
            update(checkouts)
            .where(checkouts.c.id == claimed.id)
            .values(claimed_card_id=card_id, claimed_at=moment)
        )
        if claimed_stamps:
            first.append(LedgerEntry("claim", claimed_stamps, moment, checkout_id=claimed.id))
    given = give(
        conn,
        store,
        CardRef(card_id, number, balance, cycle),
        starter + claimed_stamps,
        program,
        kind="starter",
        at=moment,
        origin="enrol",
        first=first,
    )
    state = _card_state(conn, store, number)
    return EnrolResult(
        card=state,
        starter_stamps=starter,
        claimed_stamps=claimed_stamps,
        claimed_checkout=claimed.id if claimed is not None else None,
        new_coupons=given.coupons,
    )


MAX_PRINTED_CARDS = 1000


def issue_cards(store: Store, count: int) -> tuple[str, ...]:
    """Create ``count`` pre-numbered cards to print and hand out: blank until
    their first sale or enrolment, which gives their starter stamps."""
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_PRINTED_CARDS:
        raise InvalidInput(code="invalid_count", most=MAX_PRINTED_CARDS)
    now = store.now()
    numbers: list[str] = []
    with store.write() as conn:
        store.current_program(conn)  # cards are printed with the programme on them
        for _ in range(count):
            number = _free_number(conn, store.settings.card_prefix)
            conn.execute(insert(cards).values(number=number, status=BLANK, created_at=now))
            numbers.append(number)
    return tuple(numbers)


def _free_number(conn: Connection, prefix: str) -> str:
    while True:
        number = new_card_number(prefix)
        if conn.execute(select(cards.c.id).where(cards.c.number == number)).first() is None:
            return number


def card(store: Store, number: str) -> CardState:
    """A card's state: balance, next milestone, coupons still to use."""
    number = normalise_card_number(number)
    with store.read() as conn:
        return _card_state(conn, store, number)


@cache
def _card_query() -> Select[Any]:
    # The current programme version rides along: one round trip, not two.
    version = current_version().scalar_subquery()
    return (
        select(
            cards.c.id,
            cards.c.number,
            cards.c.balance,
            cards.c.cycle,
            cards.c.status,
            cards.c.created_at,
            cards.c.visits,
            cards.c.last_visit_at,
            customers.c.name,
            customers.c.email,
            customers.c.phone,
            customers.c.birthday,
            customers.c.notes,
            customers.c.leaderboard,
            customers.c.marketing,
            customers.c.language,
            version.label("version"),
        )
        .select_from(cards.outerjoin(customers, customers.c.id == cards.c.customer_id))
        .where(cards.c.number == bindparam("number"))
    )


@cache
def _live_coupons_query() -> Select[Any]:
    return (
        select(
            coupons.c.code,
            coupons.c.reward,
            coupons.c.milestone_at,
            coupons.c.issued_at,
            coupons.c.expires_at,
        )
        .where(
            coupons.c.card_id == bindparam("card_id"),
            coupons.c.redeemed_at.is_(None),
            coupons.c.voided_at.is_(None),
        )
        .order_by(coupons.c.id)
    )


def _card_state(conn: Connection, store: Store, number: str) -> CardState:
    row = conn.execute(_card_query(), {"number": number, "shop": store.shop_id(conn)}).first()
    if row is None:
        raise NotFound(code="unknown_card", number=number)
    if row.status == ERASED:
        raise NotFound(code="card_erased", number=number)
    program = store.program_or_refuse(conn, row.version)
    now = store.now()
    notices: list[Notice] = []
    balance, cycle = row.balance, row.cycle
    lapse = lapse_at(program, row.last_visit_at, store.zone)
    gone = lapsed(program, balance, row.last_visit_at, now, store.zone)
    if gone is not None:
        # Lapsed: the ledger's expiry row comes with the card's next change
        # (or `stampdesk expire`); the card already shows what it holds.
        notices.append(lapse_notice(gone, program, store.zone))
        balance, cycle = 0, cycle + 1
    _, status = loyalty.status(conn, store, row.version, row.id, store.local_day(now))
    keep = grace_notice(status)
    if keep is not None:
        notices.append(keep)
    warning = stamps_expiring(program, balance, lapse, now, store.zone)
    if warning is not None:
        notices.append(warning)
    live = usable_first(
        CouponInfo(
            c.code,
            c.reward,
            c.milestone_at,
            c.issued_at,
            c.expires_at,
            "valid" if c.expires_at >= now else "expired",
        )
        for c in conn.execute(_live_coupons_query(), {"card_id": row.id})
    )
    notices += coupons_expiring(
        [(c.reward, c.expires) for c in live], now, program.expiry.warn_days, store.zone
    )
    say = loyalty.phrases(store)
    return CardState(
        number=row.number,
        name=row.name,
        email=row.email,
        phone=row.phone,
        birthday=row.birthday,
        balance=balance,
        cycle=cycle,
        stamps_per_card=program.stamps_per_card,
        next_milestone=next_for(balance, program),
        coupons=live,
        status=row.status,
        created_at=row.created_at,
        program=program.name,
        notes=row.notes,
        tier=status.tier.name if status.tier else None,
        tier_until=store.end_of_day(status.until) if status.until else None,
        perk=status.tier.perk if status.tier else None,
        expires=lapse if balance > 0 else None,
        visits=row.visits,
        leaderboard=bool(row.leaderboard),
        marketing=bool(row.marketing),
        language=row.language,
        messages=tuple(say.render(n) for n in notices),
    )


def name_word_rows(customer_id: int, name: str) -> list[dict[str, Any]]:
    """Rows of ``name_words`` for a customer (enrolment and import write them)."""
    return [{"word": word[:100], "customer_id": customer_id} for word in validate.name_words(name)]


def search(store: Store, query: str, limit: int = 20) -> tuple[CustomerMatch, ...]:
    """Find cards by a name's first letters (any word of it, or the whole
    name), an e-mail's first letters, or a phone number (national or
    international form, for the shop's country). Indexed throughout."""
    limit = max(1, min(limit, 100))
    by, keys = _search_keys(query, calling_code(store.settings.locale))
    seen: dict[str, CustomerMatch] = {}
    with store.read() as conn:
        for key in keys:
            for r in conn.execute(_search_query(by), _search_params(key, limit)).all():
                # A name may match by two of its words; a number by both its forms.
                seen.setdefault(r.number, CustomerMatch(r.number, r.name, r.email, r.phone, r.balance))
    return tuple(seen.values())[:limit]


def search_statement(query: object, limit: int = 20) -> tuple[Select[Any], dict[str, Any]]:
    """The search query and its parameters (for a phone, its form as typed):
    a range on an indexed key (``key <= value < key + U+10FFFF``), never a
    full scan."""
    by, keys = _search_keys(query, None)
    return _search_query(by), _search_params(keys[0], limit)


def _search_keys(query: object, code: str | None) -> tuple[str, tuple[str, ...]]:
    """What a search looks in, and for which keys."""
    if not isinstance(query, str) or not query.strip():
        raise InvalidInput(code="invalid_search")
    text = " ".join(query.split())[:100]
    digits = "".join(c for c in text if c.isdigit())
    if "@" in text:
        return "email", (text.lower(),)
    if len(digits) >= 6 and text.translate(_PHONE_MARKS).lstrip("+") == digits:
        return "phone", phone_forms(("+" if text.startswith("+") else "") + digits, code)
    if " " in text:
        return "name", (validate.name_key(text),)
    return "word", (validate.name_key(text),)


# What people type between a phone number's digits.
_PHONE_MARKS = str.maketrans("", "", " .-()/")


def _search_params(key: str, limit: int) -> dict[str, Any]:
    # Twice the limit: a name matching by two of its words comes back twice.
    return {"key": key, "upper": key + "\U0010ffff", "limit": 2 * max(1, min(limit, 100))}


@cache
def _search_query(by: str) -> Select[Any]:
    joined = customers.join(cards, cards.c.customer_id == customers.c.id)
    column = {"email": customers.c.email, "phone": customers.c.phone, "name": customers.c.name_key}.get(by)
    if column is None:
        column = name_words.c.word
        joined = name_words.join(joined, customers.c.id == name_words.c.customer_id)
    return (
        select(cards.c.number, customers.c.name, customers.c.email, customers.c.phone, cards.c.balance)
        .select_from(joined)
        .where(column >= bindparam("key"), column < bindparam("upper"), customers.c.erased_at.is_(None))
        .order_by(column)
        .limit(bindparam("limit"))
    )


def adjust(store: Store, number: str, stamps: int, *, reason: str, staff: str) -> StampChange:
    """Give or take stamps by hand; the reason and the staff member are kept."""
    number = normalise_card_number(number)
    if isinstance(stamps, bool) or not isinstance(stamps, int) or stamps == 0 or abs(stamps) > MAX_ADJUSTMENT:
        raise InvalidInput(code="invalid_stamps", most=MAX_ADJUSTMENT)
    why = clean_reason(reason)
    who = clean_reason(staff, "staff")
    now = store.now()
    return store.transact(lambda conn: _adjust(conn, store, number, stamps, why, who, now))


def _adjust(
    conn: Connection, store: Store, number: str, stamps: int, why: str, who: str, now: datetime
) -> StampChange:
    # The caller owns the transaction.
    _, program = store.current_program(conn)
    row = lock_card(conn, store, number=number)
    if row is None:
        raise NotFound(code="unknown_card", number=number)
    if row.status == ERASED:
        raise NotFound(code="card_erased", number=number)
    ref = CardRef(row.id, row.number, row.balance, row.cycle)
    if loyalty.expire(conn, store, row, program, now) is not None:
        ref = CardRef(row.id, row.number, 0, row.cycle + 1)
    if stamps > 0:
        # Stamps given by hand restart the lapse clock, as a visit does.
        conn.execute(update(cards).where(cards.c.id == row.id).values(last_visit_at=now))
        given = give(
            conn,
            store,
            ref,
            stamps,
            program,
            kind="adjust",
            at=now,
            origin="adjust",
            staff=who,
            reason=why,
        )
        return StampChange(number, stamps, given.balance, given.cycle, new_coupons=given.coupons)
    taken = take_back(conn, store, ref, -stamps, kind="adjust", at=now, staff=who, reason=why)
    return StampChange(
        number,
        -taken.stamps,
        taken.balance,
        taken.cycle,
        voided_coupons=taken.voided,
        completions_undone=taken.completions_undone,
    )


def set_notes(store: Store, number: str, notes: object) -> CardState:
    """Set the shop's note on a card's customer ("usual: flat white"); an
    empty note clears it. A card nobody enrolled has no customer to note."""
    number = normalise_card_number(number)
    text = None
    if notes is not None and not (isinstance(notes, str) and not notes.strip()):
        text = clean_reason(notes, "notes")
    with store.write() as conn:
        row = conn.execute(select(cards.c.customer_id).where(cards.c.number == number)).first()
        if row is None:
            raise NotFound(code="unknown_card", number=number)
        if row.customer_id is None:
            raise Refused(code="card_not_enrolled", number=number)
        conn.execute(update(customers).where(customers.c.id == row.customer_id).values(notes=text))
        return _card_state(conn, store, number)


def _clean_opt_in(value: object) -> int:
    if not isinstance(value, bool):
        raise InvalidInput(code="invalid_leaderboard")
    return int(value)


def set_leaderboard(store: Store, number: str, on: object) -> CardState:
    """Show (``on``) or stop showing a card's customer on the
    customer-of-the-month board; their choice, asked first. A card nobody
    enrolled has no customer to show, an erased one no longer has one."""
    number = normalise_card_number(number)
    value = _clean_opt_in(on)
    with store.write() as conn:
        query = select(cards.c.customer_id, cards.c.status).where(cards.c.number == number)
        row = conn.execute(query).first()
        if row is None:
            raise NotFound(code="unknown_card", number=number)
        if row.status == ERASED:
            raise NotFound(code="card_erased", number=number)
        if row.customer_id is None:
            raise Refused(code="card_not_enrolled", number=number)
        conn.execute(update(customers).where(customers.c.id == row.customer_id).values(leaderboard=value))
        return _card_state(conn, store, number)


def _holder(conn: Connection, store: Store, number: str) -> Any:
    """The card's customer row, locked: refused for an unknown, erased or
    never-enrolled card."""
    card_row = conn.execute(
        select(cards.c.customer_id, cards.c.status).where(cards.c.number == number)
    ).first()
    if card_row is None:
        raise NotFound(code="unknown_card", number=number)
    if card_row.status == ERASED:
        raise NotFound(code="card_erased", number=number)
    if card_row.customer_id is None:
        raise Refused(code="card_not_enrolled", number=number)
    return _customer_consent(conn, store, card_row.customer_id)


def _customer_consent(conn: Connection, store: Store, customer_id: int) -> Any:
    """The customer's consent row, locked."""
    query = select(
        customers.c.id,
        customers.c.email,
        customers.c.marketing,
        customers.c.marketing_at,
        customers.c.marketing_source,
    ).where(customers.c.id == customer_id)
    return conn.execute(query.with_for_update() if store.postgres else query).one()


def _change_marketing(conn: Connection, customer: Any, on: object, *, source: str, at: datetime) -> bool:
    """Apply the customer's answer ``on`` (the row ``_holder`` or
    ``withdraw_marketing`` read) in ``conn``; whether anything changed."""
    current = Consent(bool(customer.marketing), customer.marketing_at, customer.marketing_source)
    after = change_consent(current, on, source=source, email=customer.email, at=at)
    if after == current:
        return False
    conn.execute(update(customers).where(customers.c.id == customer.id).values(**after.columns()))
    return True


def withdraw_marketing(
    conn: Connection, store: Store, customer_id: int, *, source: str, at: datetime
) -> bool:
    """Withdraw customer ``customer_id``'s consent in ``conn`` (an unsubscribe
    link knows the customer, not the card); whether it was given."""
    return _change_marketing(conn, _customer_consent(conn, store, customer_id), False, source=source, at=at)


def set_marketing(store: Store, number: str, on: object, *, source: str, at: object = None) -> CardState:
    """Give (``on``) or withdraw a card's customer's consent to marketing
    e-mails, through ``source`` (``till``, ``cli``, ``api``, ``card_page``,
    ``unsubscribe``…; see ``domain.marketing``), now or at the past time
    ``at``. When and where are recorded with the change; saying again what
    is already said changes nothing. Giving it needs the customer's e-mail
    (``marketing_needs_email``); an unsubscribe link only withdraws. A card
    nobody enrolled has no customer to ask (``card_not_enrolled``), an
    erased one no longer has one (``card_erased``)."""
    number = normalise_card_number(number)
    now = store.now()
    moment = clean_time(at, now) if at is not None else now
    clean_choice(on)
    clean_source(source)
    with store.write() as conn:
        _change_marketing(conn, _holder(conn, store, number), on, source=source, at=moment)
        return _card_state(conn, store, number)


def set_language(store: Store, number: str, language: object) -> None:
    """Remember the language a card's customer chose (``fr``, ``en``) for
    what the shop sends them; written only when it changes."""
    number = normalise_card_number(number)
    chosen = clean_language(language)
    with store.write() as conn:
        row = _holder(conn, store, number)
        conn.execute(
            update(customers)
            .where(
                customers.c.id == row.id, or_(customers.c.language.is_(None), customers.c.language != chosen)
            )
            .values(language=chosen)
        )
