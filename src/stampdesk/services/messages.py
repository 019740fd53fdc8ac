"""Customer e-mails: decide who is due which, queue them once, send each at
most once, and let a customer unsubscribe in one click.

A run (``stampdesk messages run``, safe from cron every few minutes):

1. **decides**, set-based: per shop and kind, one query finds the cards that
   may be due (active, a consenting customer with an e-mail address), the
   rules (``domain.messages``) say which occasion each is due, and the new
   ones are inserted in the outbox, once per kind, card and occasion (a
   unique index: a second run at the same moment adds nothing). A
   campaign's held-out customers get a row in state ``held_out``: nothing
   is sent to them, the report compares;
2. **records** the rows a dead run left ``sending`` past their lease as
   ``uncertain`` (they may have gone: never sent again), and the queued
   rows whose occasion passed as ``stale``;
3. **sends** the queued rows that are due, one at a time: in one
   transaction it checks consent again, that the occasion still holds and
   the weekly cap, then claims the row (queued → sending, guarded on its
   state, so two runs never both claim it); only then does it talk to the
   mail server, and records what came of it: sent, refused for good
   (``failed``), or queued again with a later try (a temporary failure).

A card's link asked for on the shop's page (``ask_card_link``) is queued
in the request's transaction, one an hour per card, and sent at once by
the same claim-and-send path (``send_card_links``); a failure leaves it to
the next run. It is not marketing (``domain.messages.is_marketing``): no
consent, no cap, no holdout, no campaign, no unsubscribe link.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import socket
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from ..config import DEFAULT_PUBLIC_URL, MailSettings
from ..config_file import config_path
from ..domain import messages as rules
from ..domain.coupon_codes import new_coupon_code
from ..domain.days import end_of_day_after, local_day
from ..domain.errors import InvalidInput, NotFound, Refused
from ..domain.loyalty import lapse_at
from ..domain.money import from_cents, to_cents
from ..domain.program import MESSAGE_KINDS, MessageRule, Program
from ..domain.public_url import mail_links_problem
from ..domain.rules import next_milestone
from ..domain.stamps import ACTIVE
from ..domain.validate import clean_email, clean_time, first_name
from ..models import cards, checkouts, coupons, customers, mail_outbox, shops
from ..results import Result
from ..store import Store
from ..words import Book
from . import card_links, mailer
from .cards import withdraw_marketing
from .mail_text import MailFacts, compose, message_domain

# How long a run may hold a row it claimed before another run records it
# as uncertain (one message's exchange with the mail server takes seconds).
LEASE = timedelta(minutes=15)
# Rows inserted per transaction: a till waits at most one batch's write.
BATCH = 5000
# The report's window: a customer "came back" with a sale within this.
CAME_BACK_DAYS = 30
SOURCE = "unsubscribe"
QUEUED = text("mail_outbox.state = 'queued'")  # as ix_mail_outbox_queued states it
SENDING = text("mail_outbox.state = 'sending'")  # as ix_mail_outbox_sending states it
WIN_BACK_MILESTONE = -1  # a win-back coupon's: no milestone's (its cycle: its e-mail's row)


# ----------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class Planned(Result):
    """An e-mail decided (or, in a dry run, that would be)."""

    kind: str
    card: str
    occasion: str
    held_out: bool


@dataclass(frozen=True)
class RunReport(Result):
    """What a run did: decided (of them held out), then sent, refused for
    good, left uncertain, withdrawn (consent gone), stale, and what waits."""

    at: datetime
    dry_run: bool
    decided: int
    held_out: int
    sent: int = 0
    failed: int = 0
    uncertain: int = 0
    withdrawn: int = 0
    stale: int = 0
    waiting: int = 0
    server_down: str | None = None
    planned: tuple[Planned, ...] = ()


@dataclass(frozen=True)
class Preview(Result):
    """An e-mail as it would go: its headers, subject and both parts."""

    kind: str
    card: str
    subject: str
    headers: dict[str, str]
    text: str
    html: str


@dataclass(frozen=True)
class CardLinkAsked(Result):
    """A card's link asked for by e-mail address: the e-mails queued (none
    when no card has the address, its e-mail of this hour is already
    queued, or no mail server is set), and how many went at once."""

    queued: int
    sent: int = 0
    outbox_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Unsubscribed(Result):
    """The one-click unsubscribe: whose, and whether consent was on until now."""

    shop: str
    changed: bool
    language: str | None = None  # the one the customer chose (None: the shop's)


# ----------------------------------------------------------------------
# The unsubscribe link: the customer's id and an HMAC tag under the shop's
# secret, domain-separated from the card links and the receipts' tokens.

TAG_BYTES = 16
ID_BYTES = 8
TOKEN_CHARS = 32


def _tag(secret: bytes, body: bytes) -> bytes:
    return hmac.new(secret, b"unsubscribe:" + body, hashlib.sha256).digest()[:TAG_BYTES]


def unsubscribe_token(secret: bytes, customer_id: int) -> str:
    body = customer_id.to_bytes(ID_BYTES, "big")
    return base64.urlsafe_b64encode(body + _tag(secret, body)).decode()


def read_unsubscribe_token(secret: bytes, token: object) -> int:
    """The customer a token was made for; ``NotFound`` if forged or garbled."""
    if not isinstance(token, str) or len(token) != TOKEN_CHARS:
        raise NotFound(code="invalid_unsubscribe_link")
    try:
        raw = base64.urlsafe_b64decode(token.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise NotFound(code="invalid_unsubscribe_link") from None
    body, tag = raw[:ID_BYTES], raw[ID_BYTES:]
    if len(tag) != TAG_BYTES or not hmac.compare_digest(_tag(secret, body), tag):
        raise NotFound(code="invalid_unsubscribe_link")
    return int.from_bytes(body, "big")


def _links_problem(store: Store) -> str | None:
    """Why an e-mail may not carry links under ``public_url`` (not set: the
    default, this machine; see ``domain.public_url.mail_links_problem``)."""
    url = store.settings.public_url
    return "unset" if url == DEFAULT_PUBLIC_URL else mail_links_problem(url)


def links_usable(store: Store) -> None:
    """Refuse to send e-mails whose links (the card, unsubscribe) a customer
    could not open: ``public_url`` unset, this machine, the shop's own
    network, or not https (``mail_links_unusable``; ``domain.public_url``)."""
    reason = _links_problem(store)
    if reason is not None:
        path = str(config_path(store.settings))
        raise Refused(
            code="mail_links_unusable",
            phrase=f"mail_links_{reason}",
            url=store.settings.public_url,
            path=path,
        )


def mail_problem(store: Store) -> str | None:
    """Why no customer e-mail can go (``no_mail_server``, or why its links
    cannot go in an e-mail: ``_links_problem``); None when they can."""
    return "no_mail_server" if store.settings.mail is None else _links_problem(store)


def sends_mail(store: Store) -> bool:
    """Whether a shop's programme sends customer e-mails."""
    with store.read() as conn:
        for shop in _shops(conn):
            try:
                if store.current_program(conn, shop)[1].messages:
                    return True
            except Refused:
                continue
    return False


def mail_can_go(store: Store) -> bool:
    """Whether customer e-mails can go: a mail server set, and links in
    them a customer can open (``mail_problem``)."""
    return mail_problem(store) is None


def unsubscribe_url(store: Store, secret: bytes, customer_id: int) -> str:
    return f"{store.settings.public_url}unsubscribe/{unsubscribe_token(secret, customer_id)}"


def check_unsubscribe(store: Store, token: object) -> Unsubscribed:
    """The unsubscribe page of a genuine token (else ``NotFound``): the
    shop's name and the customer's language; nothing changes."""
    with store.read() as conn:
        customer = read_unsubscribe_token(store.claim_secret(conn), token)
        return Unsubscribed(_shop_name(conn, store), False, _language(conn, customer))


def _language(conn: Connection, customer_id: int) -> str | None:
    return conn.execute(select(customers.c.language).where(customers.c.id == customer_id)).scalar()


def unsubscribe(store: Store, token: object, *, at: datetime | None = None) -> Unsubscribed:
    """Withdraw the token's customer's consent to marketing e-mails, at once
    (source ``unsubscribe``, the time recorded); again: nothing changes."""

    def body(conn: Connection) -> Unsubscribed:
        customer = read_unsubscribe_token(store.claim_secret(conn), token)
        withdrawn = withdraw_marketing(conn, store, customer, source=SOURCE, at=at or store.now())
        return Unsubscribed(_shop_name(conn, store), withdrawn, _language(conn, customer))

    return store.transact(body)


def _shop_name(conn: Connection, store: Store) -> str:
    if store.settings.shop_details.name:
        return store.settings.shop_details.name
    try:
        return store.current_program(conn)[1].name
    except Refused:
        name = conn.execute(select(shops.c.name).where(shops.c.id == store.shop_id(conn))).scalar()
        return str(name or "")


# ----------------------------------------------------------------------
# Deciding: set-based, per shop and kind


@dataclass(frozen=True)
class _NewRow:
    kind: str
    card_id: int
    customer_id: int
    occasion: str
    held_out: bool
    until: datetime
    coupon_id: int | None


def _consenting(shop: int) -> list[Any]:
    return [
        cards.c.shop_id == shop,
        cards.c.status == ACTIVE,
        customers.c.marketing == 1,
        customers.c.erased_at.is_(None),
        customers.c.email.is_not(None),
    ]


def _card_columns() -> list[Any]:
    return [
        cards.c.id,
        cards.c.customer_id,
        cards.c.balance,
        cards.c.cycle,
        cards.c.last_visit_at,
        customers.c.birthday,
    ]


def _facts(row: Any, coupons_of: Sequence[rules.Coupon] = ()) -> rules.CardFacts:
    return rules.CardFacts(row.balance, row.cycle, row.last_visit_at, row.birthday, tuple(coupons_of))


def _candidates(
    conn: Connection, shop: int, kind: str, program: Program, now: datetime
) -> list[tuple[int, int, rules.CardFacts]]:
    """The cards of ``shop`` that may be due ``kind`` (the query narrows,
    the rules decide), with what the rules need of them: one query, two
    for coupons and birthdays."""
    rule = program.message(kind)
    assert rule is not None
    where = _consenting(shop)
    joined = cards.join(customers, customers.c.id == cards.c.customer_id)
    day = timedelta(days=1)
    if kind == "coupon_expiry":
        rows = conn.execute(
            select(
                *_card_columns(),
                coupons.c.id.label("coupon_id"),
                coupons.c.reward,
                coupons.c.expires_at,
                coupons.c.cycle.label("coupon_cycle"),
                coupons.c.milestone_at,
            )
            .select_from(joined.join(coupons, coupons.c.card_id == cards.c.id))
            .where(
                *where,
                coupons.c.redeemed_at.is_(None),
                coupons.c.voided_at.is_(None),
                coupons.c.expires_at >= now,
                coupons.c.expires_at <= now + timedelta(days=rule.days),
            )
        ).all()
        held: dict[int, list[rules.Coupon]] = defaultdict(list)
        first: dict[int, Any] = {}
        for r in rows:
            first.setdefault(r.id, r)
            held[r.id].append(
                rules.Coupon(r.coupon_id, r.reward, r.expires_at, r.coupon_cycle, r.milestone_at)
            )
        return [(card, r.customer_id, _facts(r, held[card])) for card, r in first.items()]
    query = select(*_card_columns()).select_from(joined).where(*where)
    if kind == "lapse_warning":
        lapse = program.expiry.stamps_after_days
        assert lapse is not None
        query = query.where(
            cards.c.balance > 0,
            cards.c.last_visit_at >= now - timedelta(days=lapse) - 2 * day,
            cards.c.last_visit_at <= now - timedelta(days=lapse - rule.days) + 2 * day,
        )
    elif kind in ("near_reward", "win_back"):
        query = query.where(cards.c.last_visit_at <= now - timedelta(days=rule.days) + day)
    else:  # birthday
        query = query.where(customers.c.birthday.is_not(None))
    rows = conn.execute(query).all()
    gifts: dict[int, list[rules.Coupon]] = defaultdict(list)
    if kind == "birthday" and rows:
        year = now.year
        for c in conn.execute(
            select(coupons.c.id, coupons.c.card_id, coupons.c.reward, coupons.c.expires_at, coupons.c.cycle)
            .select_from(coupons.join(cards, cards.c.id == coupons.c.card_id))
            .where(
                cards.c.shop_id == shop,
                coupons.c.milestone_at == 0,
                coupons.c.voided_at.is_(None),
                coupons.c.cycle.in_((year - 1, year, year + 1)),
            )
        ):
            gifts[c.card_id].append(rules.Coupon(c.id, c.reward, c.expires_at, c.cycle, 0))
    return [(r.id, r.customer_id, _facts(r, gifts.get(r.id, ()))) for r in rows]


def _known(conn: Connection, kind: str) -> tuple[set[tuple[int, str]], dict[int, bool]]:
    """The occasions already decided for ``kind`` (card, occasion), and
    each customer's group in that campaign (held out or not) as first decided."""
    seen: set[tuple[int, str]] = set()
    groups: dict[int, bool] = {}
    for card_id, occasion, customer_id, state in conn.execute(
        select(mail_outbox.c.card_id, mail_outbox.c.occasion, mail_outbox.c.customer_id, mail_outbox.c.state)
        .where(mail_outbox.c.kind == kind)
        .order_by(mail_outbox.c.id)
    ):
        seen.add((card_id, occasion))
        groups.setdefault(customer_id, state == "held_out")
    return seen, groups


def _shops(conn: Connection) -> list[int]:
    return [int(i) for i in conn.execute(select(shops.c.id).order_by(shops.c.id)).scalars()]


def decide(store: Store, now: datetime, kinds: Iterable[str] = MESSAGE_KINDS) -> list[_NewRow]:
    """The e-mails due at ``now`` that the outbox does not hold yet (reads only)."""
    new: list[_NewRow] = []
    zone = store.zone
    with store.read() as conn:
        secret = store.claim_secret(conn)
        for shop in _shops(conn):
            try:
                _, program = store.current_program(conn, shop)
            except Refused:
                continue  # no programme: nothing to say
            for kind in kinds:
                rule = program.message(kind)
                if rule is None:
                    continue
                seen, groups = _known(conn, kind)
                share = program.messaging.holdout
                for card_id, customer_id, facts in _candidates(conn, shop, kind, program, now):
                    for due in rules.due(program, facts, now, zone, (kind,)):
                        if (card_id, due.occasion) in seen:
                            continue
                        seen.add((card_id, due.occasion))
                        group = groups.get(customer_id)
                        if group is None:
                            group = groups[customer_id] = rules.held_out(secret, kind, customer_id, share)
                        new.append(
                            _NewRow(kind, card_id, customer_id, due.occasion, group, due.until, due.coupon_id)
                        )
    return new


def _insert(conn: Connection, store: Store, rows: Sequence[_NewRow], now: datetime) -> None:
    dialect = postgresql if store.postgres else sqlite
    statement = dialect.insert(mail_outbox).on_conflict_do_nothing()
    conn.execute(
        statement,
        [
            {
                "kind": r.kind,
                "card_id": r.card_id,
                "customer_id": r.customer_id,
                "occasion": r.occasion,
                "state": "held_out" if r.held_out else "queued",
                "decided_at": now,
                "stale_at": r.until,
                "next_attempt_at": None if r.held_out else now,
                "coupon_id": r.coupon_id,
            }
            for r in rows
        ],
    )


def queue(store: Store, rows: Sequence[_NewRow], now: datetime) -> None:
    """Insert the decided rows, a batch per transaction; a row another run
    inserted first is left as it is."""
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        store.transact(lambda conn, chunk=chunk: _insert(conn, store, chunk, now))  # type: ignore[misc]


def _numbers(store: Store, card_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(card_ids))
    found: dict[int, str] = {}
    with store.read() as conn:
        for start in range(0, len(ids), 1000):
            part = ids[start : start + 1000]
            found.update(conn.execute(select(cards.c.id, cards.c.number).where(cards.c.id.in_(part))).all())
    return found


# ----------------------------------------------------------------------
# Sending


def _run_name() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(4)}"


def _recover(store: Store, now: datetime) -> tuple[int, int]:
    """Rows a dead run left sending past their lease → uncertain (never
    sent again); queued rows whose occasion passed → stale."""

    def body(conn: Connection) -> tuple[int, int]:
        lost = conn.execute(
            update(mail_outbox)
            .where(SENDING, mail_outbox.c.lease_until < now)
            .values(state="uncertain", lease_until=None, last_error="run_stopped")
        ).rowcount
        stale = conn.execute(
            update(mail_outbox).where(QUEUED, mail_outbox.c.stale_at < now).values(state="stale")
        ).rowcount
        return int(lost), int(stale)

    return store.transact(body)


@dataclass
class _Tally:
    sent: int = 0
    failed: int = 0
    uncertain: int = 0
    withdrawn: int = 0
    stale: int = 0
    server_down: str | None = None
    handled: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class _Claimed:
    id: int
    kind: str
    email: str
    facts: MailFacts
    coupon_issued: int | None  # a win-back coupon this e-mail brought


def _due_ids(store: Store, now: datetime, limit: int = 100) -> list[int]:
    with store.read() as conn:
        return [
            int(i)
            for i in conn.execute(
                select(mail_outbox.c.id)
                .where(QUEUED, mail_outbox.c.next_attempt_at <= now)
                .order_by(mail_outbox.c.next_attempt_at, mail_outbox.c.id)
                .limit(limit)
            ).scalars()
        ]


def _locale(store: Store, language: str | None) -> str:
    if language:
        if language.lower().startswith("fr"):
            return "fr_FR"
        if language.lower().startswith("en"):
            return "en_GB"
    return store.settings.locale


def _card_state(conn: Connection, store: Store, card_id: int) -> Any:
    return conn.execute(
        select(
            cards.c.id,
            cards.c.number,
            cards.c.shop_id,
            cards.c.status,
            cards.c.balance,
            cards.c.cycle,
            cards.c.last_visit_at,
            customers.c.id.label("customer_id"),
            customers.c.name,
            customers.c.email,
            customers.c.birthday,
            customers.c.marketing,
            customers.c.erased_at,
            customers.c.language,
        )
        .select_from(cards.join(customers, customers.c.id == cards.c.customer_id))
        .where(cards.c.id == card_id)
    ).first()


def _live_coupons(conn: Connection, card_id: int) -> list[rules.Coupon]:
    return [
        rules.Coupon(c.id, c.reward, c.expires_at, c.cycle, c.milestone_at)
        for c in conn.execute(
            select(
                coupons.c.id, coupons.c.reward, coupons.c.expires_at, coupons.c.cycle, coupons.c.milestone_at
            )
            .where(
                coupons.c.card_id == card_id, coupons.c.redeemed_at.is_(None), coupons.c.voided_at.is_(None)
            )
            .order_by(coupons.c.id)
        )
    ]


def _birthday_gifts(conn: Connection, card_id: int) -> list[rules.Coupon]:
    # A birthday coupon counts once issued, used or not (as at the till).
    return [
        rules.Coupon(c.id, c.reward, c.expires_at, c.cycle, 0)
        for c in conn.execute(
            select(coupons.c.id, coupons.c.reward, coupons.c.expires_at, coupons.c.cycle).where(
                coupons.c.card_id == card_id, coupons.c.milestone_at == 0, coupons.c.voided_at.is_(None)
            )
        )
    ]


def _about(kind: str, program: Program, card: Any, now: datetime, store: Store) -> dict[str, Any]:
    """What an e-mail of ``kind`` says of the card (day, stamps, reward)."""
    zone = store.zone
    if kind == "lapse_warning":
        lapse = lapse_at(program, card.last_visit_at, zone)
        return {"day": local_day(lapse, zone) if lapse else None, "stamps": card.balance}
    if kind == "near_reward":
        milestone = next_milestone(card.balance, program)
        return {"stamps": max(0, milestone.at - card.balance), "reward": milestone.reward}
    if kind == "win_back":
        last = card.last_visit_at
        return {"day": local_day(last, zone) if last else None, "stamps": card.balance}
    if kind == "birthday" and program.birthday is not None:
        rule = program.message("birthday") or MessageRule("birthday", 0)
        due = rules.birthday(rule, program.birthday, _facts_of(card, ()), now, zone)
        return {"day": local_day(due.until, zone) if due else None, "reward": program.birthday.reward}
    return {}


def _facts_of(card: Any, coupons_of: Sequence[rules.Coupon]) -> rules.CardFacts:
    return rules.CardFacts(card.balance, card.cycle, card.last_visit_at, card.birthday, tuple(coupons_of))


def _mail_facts(
    conn: Connection,
    store: Store,
    program: Program,
    card: Any,
    kind: str,
    now: datetime,
    message_id: str,
    sender: str,
    about: dict[str, Any],
) -> MailFacts:
    secret = store.claim_secret(conn)
    milestone = next_milestone(card.balance, program)
    details = store.settings.shop_details
    return MailFacts(
        kind=kind,
        locale=_locale(store, card.language),
        zone=store.zone,
        shop=details.name or program.name,
        address=details.address,
        name=first_name(card.name) or card.name,
        email=card.email,
        balance=card.balance,
        per_card=program.stamps_per_card,
        next_at=milestone.at,
        next_reward=milestone.reward,
        card_url=f"{store.settings.public_url}card/{card_links.make_token(secret, card.id)}",
        # Only marketing carries it: a link the customer asked for is no list to leave.
        unsubscribe_url=unsubscribe_url(store, secret, card.customer_id)
        if rules.is_marketing(kind)
        else None,
        sender=sender,
        at=now,
        message_id=message_id,
        **about,
    )


def _claim(store: Store, row_id: int, now: datetime, run: str, sender: str, tally: _Tally) -> _Claimed | None:
    """Check the row again and claim it, in one transaction; None when it
    is not to be sent now (another run has it, consent is gone, its
    occasion passed, the weekly cap is reached: each recorded)."""

    def body(conn: Connection) -> tuple[str, _Claimed | None]:
        row = conn.execute(select(mail_outbox).where(mail_outbox.c.id == row_id)).first()
        if row is None or row.state != "queued" or row.next_attempt_at is None or row.next_attempt_at > now:
            return "taken", None
        if store.postgres:
            # The customer's consent and cap are read under their lock: a
            # withdrawal, or another run's e-mail to them, waits or is seen.
            conn.execute(select(customers.c.id).where(customers.c.id == row.customer_id).with_for_update())

        def close(state: str, **values: Any) -> tuple[str, None]:
            conn.execute(
                update(mail_outbox).where(mail_outbox.c.id == row_id, QUEUED).values(state=state, **values)
            )
            return state, None

        card = _card_state(conn, store, row.card_id)
        if card is None or not rules.may_receive(
            row.kind,
            consent=bool(card.marketing),
            erased=card.erased_at is not None,
            email=card.email,
            active=card.status == ACTIVE,
        ):
            return close("withdrawn")
        if now > row.stale_at:
            return close("stale")
        try:
            _, program = store.current_program(conn, card.shop_id)
        except Refused:
            return close("stale")
        rule = program.message(row.kind)
        live = _live_coupons(conn, card.id)
        if rules.is_marketing(row.kind):
            # The campaign still runs, its occasion still holds, the weekly cap has room.
            if rule is None:
                return close("stale", last_error="not_in_programme")
            held = live + _birthday_gifts(conn, card.id) if row.kind == "birthday" else live
            due = {
                d.occasion for d in rules.due(program, _facts_of(card, held), now, store.zone, (row.kind,))
            }
            if row.occasion not in due:
                return close("stale")
            went = conn.execute(
                select(mail_outbox.c.sent_at).where(
                    mail_outbox.c.customer_id == row.customer_id,
                    mail_outbox.c.sent_at > now - rules.WEEK,
                    mail_outbox.c.sent_at <= now,
                    mail_outbox.c.state.in_(("sent", "sending", "uncertain")),
                    # What the customer asked for uses none of the cap.
                    mail_outbox.c.kind.not_in(rules.TRANSACTIONAL_KINDS),
                )
            ).scalars()
            frees = rules.cap_frees_at(list(went), now, program.messaging.max_per_week)
            if frees is not None:
                if frees > row.stale_at:
                    return close("stale", last_error="capped_until_stale")
                conn.execute(
                    update(mail_outbox)
                    .where(mail_outbox.c.id == row_id, QUEUED)
                    .values(next_attempt_at=frees)
                )
                return "capped", None
        message_id = row.message_id or f"<{row_id}.{secrets.token_hex(8)}@{message_domain(sender)}>"
        claimed = conn.execute(
            update(mail_outbox)
            .where(mail_outbox.c.id == row_id, QUEUED)
            .values(
                state="sending",
                claimed_by=run,
                lease_until=now + LEASE,
                sent_at=now,
                attempts=mail_outbox.c.attempts + 1,
                message_id=message_id,
            )
        ).rowcount
        if claimed != 1:
            return "taken", None
        about = _about(row.kind, program, card, now, store)
        issued = None
        if row.kind == "coupon_expiry" and row.coupon_id is not None:
            coupon = next((c for c in live if c.id == row.coupon_id), None)
            if coupon is not None:
                code = conn.execute(select(coupons.c.code).where(coupons.c.id == coupon.id)).scalar()
                about.update(reward=coupon.reward, code=code, day=local_day(coupon.expires_at, store.zone))
        if row.kind == "win_back" and rule is not None and rule.coupon is not None:
            code, expires, issued = _win_back_coupon(conn, store, row, card.id, rule, now)
            about.update(reward=rule.coupon, code=code, coupon_day=local_day(expires, store.zone))
        facts = _mail_facts(conn, store, program, card, row.kind, now, message_id, sender, about)
        return "claimed", _Claimed(row_id, row.kind, card.email, facts, issued)

    outcome, claimed = store.transact(body)
    if outcome in ("withdrawn", "stale"):
        setattr(tally, outcome, getattr(tally, outcome) + 1)
    return claimed


def _win_back_coupon(
    conn: Connection, store: Store, row: Any, card_id: int, rule: Any, now: datetime
) -> tuple[str, datetime, int | None]:
    """The win-back e-mail's coupon: issued at its first try, the same at a retry."""
    if row.coupon_id is not None:
        kept = conn.execute(
            select(coupons.c.code, coupons.c.expires_at).where(coupons.c.id == row.coupon_id)
        ).first()
        if kept is not None:
            return str(kept.code), kept.expires_at, None
    expires = end_of_day_after(now, rule.coupon_days, store.zone)
    code = new_coupon_code()
    inserted = conn.execute(
        coupons.insert().values(
            code=code,
            card_id=card_id,
            # One coupon per e-mail: its row's id stands for the cycle.
            cycle=row.id,
            milestone_at=WIN_BACK_MILESTONE,
            final_reward=0,
            reward=rule.coupon,
            origin="win_back",
            issued_at=now,
            expires_at=expires,
            cost_cents=to_cents(rule.coupon_cost) if rule.coupon_cost is not None else None,
        )
    ).inserted_primary_key
    assert inserted is not None
    coupon_id = inserted[0]
    conn.execute(update(mail_outbox).where(mail_outbox.c.id == row.id).values(coupon_id=coupon_id))
    return code, expires, int(coupon_id)


def _record(
    store: Store, claimed: _Claimed, run: str, now: datetime, failure: mailer.MailFailure | None
) -> str:
    """What came of sending a claimed row: its new state."""

    def body(conn: Connection) -> str:
        mine = and_(mail_outbox.c.id == claimed.id, mail_outbox.c.claimed_by == run, SENDING)
        values: dict[str, Any]
        if failure is None:
            state, values = "sent", {"last_error": None}
        elif isinstance(failure, mailer.Uncertain):
            state, values = "uncertain", {"last_error": failure.detail}
        elif isinstance(failure, mailer.Permanent):
            state, values = "failed", {"last_error": failure.detail, "sent_at": None}
        else:
            attempts = conn.execute(
                select(mail_outbox.c.attempts).where(mail_outbox.c.id == claimed.id)
            ).scalar_one()
            state = "queued"
            values = {
                "last_error": failure.detail,
                "sent_at": None,
                "claimed_by": None,
                "next_attempt_at": rules.retry_at(int(attempts), now),
            }
        conn.execute(update(mail_outbox).where(mine).values(state=state, lease_until=None, **values))
        if state == "failed" and claimed.kind == "win_back":
            # Its coupon was never told of: withdrawn with it.
            conn.execute(
                update(coupons)
                .where(
                    coupons.c.id
                    == select(mail_outbox.c.coupon_id)
                    .where(mail_outbox.c.id == claimed.id)
                    .scalar_subquery(),
                    coupons.c.redeemed_at.is_(None),
                )
                .values(voided_at=now)
            )
        return state

    return store.transact(body)


def _send_due(store: Store, now: datetime, settings: MailSettings, tally: _Tally) -> None:
    _send_rows(store, now, settings, tally, lambda: _due_ids(store, now))


def _send_rows(
    store: Store, now: datetime, settings: MailSettings, tally: _Tally, next_ids: Callable[[], list[int]]
) -> None:
    """Claim, send and record the rows ``next_ids`` gives, until it gives
    none not yet handled (or the server is away: they wait for a run)."""
    run = _run_name()
    server = mailer.MailServer(settings, mailer.password(settings))
    try:
        while True:
            ids = [i for i in next_ids() if i not in tally.handled]
            if not ids:
                return
            for row_id in ids:
                tally.handled.add(row_id)
                if not server.connected:
                    try:
                        server.open()
                    except mailer.ServerDown as down:
                        tally.server_down = down.detail
                        return
                claimed = _claim(store, row_id, now, run, settings.sender, tally)
                if claimed is None:
                    continue
                failure: mailer.MailFailure | None = None
                try:
                    server.send(compose(claimed.facts), claimed.email)
                except mailer.MailFailure as error:
                    failure = error
                state = _record(store, claimed, run, now, failure)
                if state == "sent":
                    tally.sent += 1
                elif state == "failed":
                    tally.failed += 1
                elif state == "uncertain":
                    tally.uncertain += 1
                if isinstance(failure, mailer.Temporary) and not server.connected:
                    # The server went away: the rest wait for the next run.
                    tally.server_down = failure.detail
                    return
    finally:
        server.close()


def run(store: Store, *, at: object = None, dry_run: bool = False) -> RunReport:
    """Decide, queue and send the e-mails due at ``at`` (default now; a past
    time runs as if then: occasions, the cap and leases use it). ``dry_run``
    decides and returns the plan, writing and sending nothing."""
    now = store.now() if at is None else clean_time(at, store.now())
    settings = store.settings.mail
    if settings is None and not dry_run:
        raise Refused(code="mail_not_configured", path=str(config_path(store.settings)))
    if settings is not None and not dry_run:
        mailer.password(settings)  # a missing password is said before anything is decided
        links_usable(store)
    new = decide(store, now)
    held = sum(1 for r in new if r.held_out)
    if dry_run:
        numbers = _numbers(store, (r.card_id for r in new))
        planned = tuple(Planned(r.kind, numbers[r.card_id], r.occasion, r.held_out) for r in new)
        return RunReport(now, True, len(new), held, planned=planned)
    assert settings is not None
    queue(store, new, now)
    lost, stale = _recover(store, now)
    tally = _Tally(uncertain=lost, stale=stale)
    _send_due(store, now, settings, tally)
    with store.read() as conn:
        waiting = conn.execute(select(func.count()).select_from(mail_outbox).where(QUEUED)).scalar_one()
    return RunReport(
        at=now,
        dry_run=False,
        decided=len(new),
        held_out=held,
        sent=tally.sent,
        failed=tally.failed,
        uncertain=tally.uncertain,
        withdrawn=tally.withdrawn,
        stale=tally.stale,
        waiting=int(waiting),
        server_down=tally.server_down,
    )


# ----------------------------------------------------------------------
# A card's link, asked for on the shop's page


def ask_card_link(store: Store, email: object, *, at: object = None) -> CardLinkAsked:
    """Queue the e-mail of its card's link to every live card of ``email``:
    one per card and UTC hour (a burst of requests queues one), whatever
    the customer's consent. Nothing is queued for an address no card has,
    an erased card's, or when no e-mail can go (``mail_can_go``); the caller
    says the same either way. ``send_card_links`` sends them."""
    address = clean_email(email)
    if address is None:
        raise InvalidInput(code="invalid_email", phrase="email_invalid", email="")
    now = store.now() if at is None else clean_time(at, store.now())
    if not mail_can_go(store):
        return CardLinkAsked(0)

    def body(conn: Connection) -> tuple[int, ...]:
        found = conn.execute(
            select(cards.c.id, cards.c.customer_id)
            .select_from(cards.join(customers, customers.c.id == cards.c.customer_id))
            .where(customers.c.email == address, customers.c.erased_at.is_(None), cards.c.status == ACTIVE)
            .order_by(cards.c.id)
        ).all()
        dialect = postgresql if store.postgres else sqlite
        ids: list[int] = []
        for card_id, customer_id in found:
            inserted = conn.execute(
                dialect.insert(mail_outbox)
                .values(
                    kind=rules.CARD_LINK,
                    card_id=card_id,
                    customer_id=customer_id,
                    occasion=rules.card_link_occasion(now),
                    state="queued",
                    decided_at=now,
                    stale_at=now + rules.CARD_LINK_FRESH_FOR,
                    next_attempt_at=now,
                )
                .on_conflict_do_nothing()
                .returning(mail_outbox.c.id)
            ).scalar()
            if inserted is not None:
                ids.append(int(inserted))
        return tuple(ids)

    queued = store.transact(body)
    return CardLinkAsked(len(queued), outbox_ids=queued)


def send_card_links(store: Store, asked: CardLinkAsked, *, at: object = None) -> CardLinkAsked:
    """Send the e-mails ``ask_card_link`` queued, at once, through the
    runs' claim-and-send path (each at most once). The mail server away or
    its password missing: they stay queued for the next run."""
    settings = store.settings.mail
    if settings is None or not asked.outbox_ids:
        return asked
    now = store.now() if at is None else clean_time(at, store.now())
    try:
        mailer.password(settings)
    except Refused:
        return asked  # the next run says what is missing
    tally = _Tally()
    ids = list(asked.outbox_ids)
    _send_rows(store, now, settings, tally, lambda: ids)
    return CardLinkAsked(asked.queued, tally.sent, asked.outbox_ids)


# ----------------------------------------------------------------------
# Preview


def preview(store: Store, kind: object, number: str, *, at: object = None) -> Preview:
    """The e-mail ``kind`` card ``number`` would get now (or ``at``), as it
    would go; nothing is written. Refused when the programme sends no such
    e-mail or the card has nothing to say of it (no coupon, no birthday)."""
    from ..domain.card_numbers import normalise_card_number

    known = MESSAGE_KINDS + rules.TRANSACTIONAL_KINDS
    if kind not in known:
        raise InvalidInput(code="unknown_message_kind", kind=str(kind)[:30], known=", ".join(known))
    assert isinstance(kind, str)
    number = normalise_card_number(number)
    now = store.now() if at is None else clean_time(at, store.now())
    with store.read() as conn:
        found = conn.execute(select(cards.c.id).where(cards.c.number == number)).scalar()
        if found is None:
            raise NotFound(code="unknown_card", number=number)
        card = _card_state(conn, store, int(found))
        if card is None:
            raise Refused(code="card_not_enrolled", number=number)
        if not card.email:
            raise Refused(code="card_without_email", number=number)
        _, program = store.current_program(conn, card.shop_id)
        if program.message(kind) is None and rules.is_marketing(kind):
            raise Refused(code="message_not_in_program", kind=kind)
        live = _live_coupons(conn, card.id)
        about = _about(kind, program, card, now, store)
        if kind == "coupon_expiry":
            if not live:
                raise Refused(code="message_not_due", kind=kind, number=number)
            soonest = min(live, key=lambda c: c.expires_at)
            code = conn.execute(select(coupons.c.code).where(coupons.c.id == soonest.id)).scalar()
            about.update(reward=soonest.reward, code=code, day=local_day(soonest.expires_at, store.zone))
        rule = program.message(kind)
        if kind == "win_back" and rule is not None and rule.coupon is not None:
            about.update(
                reward=rule.coupon,
                code="XXXX-XXXX",
                coupon_day=local_day(end_of_day_after(now, rule.coupon_days, store.zone), store.zone),
            )
        if about.get("day") is None and kind in ("lapse_warning", "win_back", "birthday"):
            raise Refused(code="message_not_due", kind=kind, number=number)
        mail = store.settings.mail
        shop = store.settings.shop_details.name or program.name
        sender = mail.sender if mail is not None else f"{shop} <no-reply@stampdesk.invalid>"
        message_id = f"<preview.{secrets.token_hex(8)}@{message_domain(sender)}>"
        facts = _mail_facts(conn, store, program, card, kind, now, message_id, sender, about)
    message = compose(facts)
    parts = {part.get_content_type(): part.get_content() for part in message.iter_parts()}
    return Preview(
        kind=kind,
        card=number,
        subject=str(message["Subject"]),
        headers={name: str(value) for name, value in message.items()},
        text=str(parts.get("text/plain", "")),
        html=str(parts.get("text/html", "")),
    )


# ----------------------------------------------------------------------
# The report: per campaign, who came back after an e-mail and without one


@dataclass(frozen=True)
class MessageFigures(Result):
    """One campaign over the report's period: e-mails sent and customers
    held out, the share of each that came back within ``CAME_BACK_DAYS``
    (a sale, not refunded), what they spent and the coupons they redeemed
    then, the uplift (difference of the shares, in points of 1) with its
    95 % interval, what the difference is worth, and the verdict."""

    sent: int
    held_out: int
    came_back_sent: float
    came_back_held_out: float
    revenue_sent: Decimal
    revenue_held_out: Decimal
    coupons_redeemed_sent: int
    coupons_redeemed_held_out: int
    reward_cost_sent: Decimal
    reward_cost_held_out: Decimal
    uplift: float | None
    uplift_low: float | None
    uplift_high: float | None
    extra_revenue: Decimal
    extra_reward_cost: Decimal
    verdict_code: str
    verdict: str


def figures(
    conn: Connection, store: Store, a: datetime, b: datetime, shop: int | None = None
) -> dict[str, MessageFigures]:
    """The campaigns' figures for e-mails sent (and customers held out) in
    [a, b): three queries, whatever the number of e-mails."""
    counted = func.coalesce(mail_outbox.c.sent_at, mail_outbox.c.decided_at)
    in_period = or_(
        and_(mail_outbox.c.state == "sent", mail_outbox.c.sent_at >= a, mail_outbox.c.sent_at < b),
        and_(mail_outbox.c.state == "held_out", mail_outbox.c.decided_at >= a, mail_outbox.c.decided_at < b),
    )
    narrow = (
        [] if shop is None else [mail_outbox.c.card_id.in_(select(cards.c.id).where(cards.c.shop_id == shop))]
    )
    # The campaigns only: a card's link the customer asked for is none.
    narrow.append(mail_outbox.c.kind.in_(MESSAGE_KINDS))
    rows = conn.execute(
        select(mail_outbox.c.id, mail_outbox.c.kind, mail_outbox.c.state, counted.label("at")).where(
            in_period, *narrow
        )
    ).all()
    if not rows:
        return {}
    window = timedelta(days=CAME_BACK_DAYS)
    far = b + window
    starts = {r.id: r.at for r in rows}
    spent: dict[int, int] = defaultdict(int)
    came: set[int] = set()
    for row_id, at, kept in conn.execute(
        select(mail_outbox.c.id, checkouts.c.at, checkouts.c.amount_cents - checkouts.c.refunded_cents)
        .select_from(mail_outbox.join(checkouts, checkouts.c.card_id == mail_outbox.c.card_id))
        .where(
            in_period,
            *narrow,
            checkouts.c.at > counted,
            checkouts.c.at < far,
            checkouts.c.refunded_at.is_(None),
        )
    ):
        if at <= starts[row_id] + window:
            came.add(row_id)
            spent[row_id] += int(kept)
    used: dict[int, int] = defaultdict(int)
    cost: dict[int, int] = defaultdict(int)
    for row_id, at, cents in conn.execute(
        select(mail_outbox.c.id, coupons.c.redeemed_at, coupons.c.cost_cents)
        .select_from(mail_outbox.join(coupons, coupons.c.card_id == mail_outbox.c.card_id))
        .where(in_period, *narrow, coupons.c.redeemed_at > counted, coupons.c.redeemed_at < far)
    ):
        if at <= starts[row_id] + window:
            used[row_id] += 1
            cost[row_id] += int(cents or 0)
    groups: dict[tuple[str, bool], list[int]] = defaultdict(list)
    for r in rows:
        groups[(r.kind, r.state == "sent")].append(r.id)
    say = Book(store.settings.locale, store.zone)
    out: dict[str, MessageFigures] = {}
    for kind in MESSAGE_KINDS:
        sent_ids, held_ids = groups.get((kind, True), []), groups.get((kind, False), [])
        if not sent_ids and not held_ids:
            continue
        out[kind] = campaign(
            kind,
            say,
            sent=[(i in came, spent[i], used[i], cost[i]) for i in sent_ids],
            held=[(i in came, spent[i], used[i], cost[i]) for i in held_ids],
        )
    return out


def campaign(
    kind: str,
    say: Book,
    sent: Sequence[tuple[bool, int, int, int]],
    held: Sequence[tuple[bool, int, int, int]],
) -> MessageFigures:
    """A campaign's figures from its e-mails (came back, cents spent,
    coupons used, their cost in cents), sent and held out."""
    u = rules.uplift(len(sent), sum(1 for s in sent if s[0]), len(held), sum(1 for h in held if h[0]))
    revenue_sent = from_cents(sum(s[1] for s in sent))
    revenue_held = from_cents(sum(h[1] for h in held))
    cost_sent = from_cents(sum(s[3] for s in sent))
    cost_held = from_cents(sum(h[3] for h in held))
    extra_revenue = extra_cost = Decimal("0.00")
    if sent and held:
        # What each e-mail brought beyond what the held-out customers did, for every e-mail sent.
        n = Decimal(len(sent))
        extra_revenue = (revenue_sent / n - revenue_held / len(held)) * n
        extra_cost = (cost_sent / n - cost_held / len(held)) * n
    extra_revenue = extra_revenue.quantize(Decimal("0.01"))
    extra_cost = extra_cost.quantize(Decimal("0.01"))
    code = rules.pays(u, extra_revenue, extra_cost)
    name = say(f"mail.kind.{kind}")
    return MessageFigures(
        sent=len(sent),
        held_out=len(held),
        came_back_sent=round(u.sent, 4),
        came_back_held_out=round(u.held_out, 4),
        revenue_sent=revenue_sent,
        revenue_held_out=revenue_held,
        coupons_redeemed_sent=sum(s[2] for s in sent),
        coupons_redeemed_held_out=sum(h[2] for h in held),
        reward_cost_sent=cost_sent,
        reward_cost_held_out=cost_held,
        uplift=None if u.difference is None else round(u.difference, 4),
        uplift_low=None if u.low is None else round(u.low, 4),
        uplift_high=None if u.high is None else round(u.high, 4),
        extra_revenue=extra_revenue,
        extra_reward_cost=extra_cost,
        verdict_code=code,
        verdict=say(f"report.messages.verdict.{code}", kind=name, extra=extra_revenue, cost=extra_cost),
    )
