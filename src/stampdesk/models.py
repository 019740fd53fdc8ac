"""Database tables (SQLAlchemy Core), for SQLite and PostgreSQL alike.

The ``ledger`` is the source of truth: append-only (triggers refuse UPDATE and
DELETE), one row per change of a card's stamps. ``cards.balance`` and
``cards.cycle`` are caches of it that ``stampdesk check`` reconciles.

Money is stored as integer cents, times as UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    or_,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware in Python, UTC in the database (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; times must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


# SQLite only makes INTEGER PRIMARY KEY a rowid alias; PostgreSQL gets bigint.
Id = BigInteger().with_variant(Integer(), "sqlite")
# Prefix search on names must use an index on PostgreSQL whatever its locale.
SearchKey = String(100).with_variant(String(100, collation="C"), "postgresql")

_POSTGRESQL_PARTIAL: list[tuple[Index, str]] = []


def partial_index(name: str, *columns: str, where: str, unique: bool = False) -> Index:
    """An index of the rows matching ``where`` (SQLite and PostgreSQL).

    The PostgreSQL half is added by ``use_postgresql`` when a PostgreSQL
    engine is made: declaring ``postgresql_where`` here would load
    SQLAlchemy's PostgreSQL dialect into every till that runs on SQLite
    (tens of milliseconds of its start).
    """
    index = Index(name, *columns, unique=unique, sqlite_where=text(where))
    _POSTGRESQL_PARTIAL.append((index, where))
    return index


def use_postgresql() -> None:
    """Give the partial indexes their PostgreSQL condition (idempotent)."""
    for index, where in _POSTGRESQL_PARTIAL:
        index.dialect_kwargs["postgresql_where"] = text(where)


settings = Table(
    "settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# The shops of a chain (a single shop has one: "Main shop", id 1). Cards are
# one card everywhere: a card's ``shop_id`` is only where it was enrolled.
shops = Table(
    "shops",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("name_key", String(100), nullable=False),  # case- and accent-folded, for uniqueness
    Column("created_at", UTCDateTime, nullable=False),
    Index("uq_shops_name_key", "name_key", unique=True),
)

# The tills of the chain, each in one shop: a till's sales are the shop's, and
# an API key is a till's (``api_keys.name`` is the till's name).
tills = Table(
    "tills",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("shop_id", Integer, ForeignKey("shops.id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

program_versions = Table(
    "program_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("name", String(100), nullable=False),
    Column("rules", Text, nullable=False),  # JSON of Program.to_dict()
    Column("source", Text, nullable=False),  # the TOML file as loaded
    # NULL: the whole chain's; else one shop's, until the chain loads a newer one.
    Column("shop_id", Integer, ForeignKey("shops.id"), nullable=True),
)


def versions_for(shop: Any) -> Any:
    """The programme versions that may rule the shop ``shop`` (a value, a
    bound parameter or a column): the whole chain's and the shop's own."""
    return or_(program_versions.c.shop_id.is_(None), program_versions.c.shop_id == shop)


customers = Table(
    "customers",
    metadata,
    Column("id", Id, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("name_key", SearchKey, nullable=False),
    Column("email", String(254), nullable=True),
    Column("phone", String(20), nullable=True),
    Column("birthday", Date, nullable=True),
    Column("notes", Text, nullable=True),
    # Shown by first name on the shop's "customer of the month" board: opt-in only.
    Column("leaderboard", Integer, nullable=False, server_default=text("0")),
    # How they enrolled: till (the till, the API, the command line), receipt_qr
    # (claiming a walk-in receipt's stamps), import.
    Column("channel", String(16), nullable=False, server_default=text("'till'")),
    Column("consent_at", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("erased_at", UTCDateTime, nullable=True),
    # Consent to marketing e-mails, apart from the card: never given by default;
    # when it last changed and where (join_page, till, api, cli, card_page, unsubscribe).
    Column("marketing", Integer, nullable=False, server_default=text("0")),
    Column("marketing_at", UTCDateTime, nullable=True),
    Column("marketing_source", String(16), nullable=True),
    # The language the customer chose on their card page (None: the shop's).
    Column("language", String(8), nullable=True),
    Index("ix_customers_name_key", "name_key"),
    # One live customer per e-mail (stored lower-case); erased ones free it.
    partial_index("uq_customers_live_email", "email", where="erased_at IS NULL", unique=True),
    Index("ix_customers_phone", "phone"),
    Index("ix_customers_created_at", "created_at"),  # the report's members by enrolment
    partial_index("ix_customers_erased_at", "erased_at", where="erased_at IS NOT NULL"),
)

# Every word of a customer's name, so "mar" finds "Élodie Marchand" by surname.
name_words = Table(
    "name_words",
    metadata,
    Column("word", SearchKey, primary_key=True),
    Column("customer_id", Id, ForeignKey("customers.id"), primary_key=True),
    sqlite_with_rowid=False,  # the primary key is the index: no second copy
)

cards = Table(
    "cards",
    metadata,
    Column("id", Id, primary_key=True),
    Column("number", String(13), nullable=False, unique=True),
    Column("customer_id", Id, ForeignKey("customers.id"), nullable=True, index=True),
    Column("shop_id", Integer, ForeignKey("shops.id"), nullable=False, server_default=text("1")),
    Column("referred_by_card_id", Id, ForeignKey("cards.id"), nullable=True),
    Column("balance", Integer, nullable=False, server_default=text("0")),
    Column("cycle", Integer, nullable=False, server_default=text("0")),
    Column("status", String(16), nullable=False, server_default=text("'active'")),
    # Stamps earned by sales on `stamp_day` (shop-local), for max_per_day: kept
    # on the card, which every sale updates anyway, instead of an index on the
    # sales that every sale would have to write into.
    Column("stamp_day", String(10), nullable=True),
    Column("day_stamps", Integer, nullable=False, server_default=text("0")),
    Column("created_at", UTCDateTime, nullable=False),
    # Qualifying sales not refunded (surprises at the N-th visit, referral at
    # the first), and the last time the card got stamps by a visit (enrolment,
    # sale, claim, a stamp given by hand): its stamps lapse
    # ``program.expiry.stamps_after_days`` after it.
    Column("visits", Integer, nullable=False, server_default=text("0")),
    Column("last_visit_at", UTCDateTime, nullable=True),
)

checkouts = Table(
    "checkouts",
    metadata,
    Column("id", Id, primary_key=True),
    Column("shop_id", Integer, ForeignKey("shops.id"), nullable=False, server_default=text("1")),
    Column("till", String(64), nullable=True),
    Column("card_id", Id, ForeignKey("cards.id"), nullable=True),
    Column("amount_cents", BigInteger, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("day", String(10), nullable=False),  # shop-local date, for max_per_day
    Column("program_version_id", Integer, ForeignKey("program_versions.id"), nullable=False),
    Column("stamps", Integer, nullable=False),
    Column("balance_after", Integer, nullable=True),
    Column("milestones", String(200), nullable=False, server_default=text("''")),
    Column("idempotency_key", String(200), nullable=True),
    Column("fingerprint", String(64), nullable=True),
    # Whose key it is (the till that sent it, "" for none) and when it was
    # first used: a key answers only its own till, for ``idempotency_days``.
    # A key past that window has its scope cleared: the sale keeps its key,
    # out of the index, and the same key is a new sale.
    Column("idempotency_scope", String(64), nullable=True),
    Column("idempotency_at", UTCDateTime, nullable=True),
    Column("refunded_at", UTCDateTime, nullable=True),
    Column("claimed_card_id", Id, ForeignKey("cards.id"), nullable=True),
    Column("claimed_at", UTCDateTime, nullable=True),
    Column("visit", Integer, nullable=False, server_default=text("0")),  # 1: a qualifying visit
    Column("tier", String(40), nullable=True),  # the card's status tier at the sale
    Column("messages", Text, nullable=True),  # JSON list: the receipt's lines (surprise, tier, expiry)
    # The card's month of enrolment (YYYY-MM, shop time): the report's
    # retention table reads it from the sales alone.
    Column("cohort", String(7), nullable=True),
    # What the sale did, as comma-separated outcome codes (below_minimum,
    # daily_cap, milestone…): its result says them again when replayed.
    Column("outcomes", String(400), nullable=True),
    # What its refunds gave back so far (a part, or the whole with ``refunded_at``),
    # and the stamps its refunded parts took off ``stamps`` (what it first earned):
    # it keeps ``stamps - refunded_stamps``.
    Column("refunded_cents", BigInteger, nullable=False, server_default=text("0")),
    Column("refunded_stamps", Integer, nullable=False, server_default=text("0")),
    # A card's sales in time order: the tiers' rolling window, its history.
    Index("ix_checkouts_card_id_at", "card_id", "at"),
    # Sales by time, with what the report counts of them (the cards that came,
    # what they spent): a period's sales are read from the index alone.
    Index("ix_checkouts_at", "at", "card_id", "amount_cents", "refunded_at", "shop_id"),
    # Only sales sent with a key still kept are indexed: the others cost no
    # index write. One sale per till and key.
    partial_index(
        "uq_checkouts_idempotency_scope_key",
        "idempotency_scope",
        "idempotency_key",
        where="idempotency_scope IS NOT NULL",
        unique=True,
    ),
)

# The months each card had a sale in (not refunded), by its month of
# enrolment: the report's retention table counts them, instead of every sale
# of six months. A sale adds its row (once a month per card); the refund of a
# card's only sale of a month takes it away.
card_months = Table(
    "card_months",
    metadata,
    Column("month", String(7), primary_key=True),  # YYYY-MM, shop time
    Column("cohort", String(7), primary_key=True),  # the card's month of enrolment
    Column("card_id", Id, primary_key=True),
    sqlite_with_rowid=False,
)

checkout_items = Table(
    "checkout_items",
    metadata,
    Column("id", Id, primary_key=True),
    Column("checkout_id", Id, ForeignKey("checkouts.id"), nullable=False, index=True),
    Column("sku", String(64), nullable=False),
    Column("category", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price_cents", BigInteger, nullable=False),
    Column("refunded_quantity", Integer, nullable=False, server_default=text("0")),  # returned so far
)

# A sale's refunds, each a part of it (items or an amount) or the rest of it
# (``whole``: the sale is refunded). ``stamps``: what it took off the sale's
# own stamps (its count, negative); ``card_id``/``taken``: the card they had
# gone to by then, and what could be taken back from it.
checkout_refunds = Table(
    "checkout_refunds",
    metadata,
    Column("id", Id, primary_key=True),
    Column("checkout_id", Id, ForeignKey("checkouts.id"), nullable=False, index=True),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("till", String(64), nullable=True),
    Column("amount_cents", BigInteger, nullable=False),
    Column("items", Text, nullable=True),  # JSON: [[sku, quantity], …]
    Column("whole", Integer, nullable=False, server_default=text("0")),
    Column("stamps", Integer, nullable=False),
    Column("card_id", Id, ForeignKey("cards.id"), nullable=True),
    Column("taken", Integer, nullable=False, server_default=text("0")),
)

coupons = Table(
    "coupons",
    metadata,
    Column("id", Id, primary_key=True),
    Column("code", String(16), nullable=False, unique=True),
    Column("card_id", Id, ForeignKey("cards.id"), nullable=False),
    Column("cycle", Integer, nullable=False),
    Column("milestone_at", Integer, nullable=False),
    # 1: the final reward of the cycle's completion (one a card cycle, at
    # whatever position the programme of the day put it); 0: a milestone's
    # or a birthday's (milestone 0, its cycle the birthday's year).
    Column("final_reward", Integer, nullable=False, server_default=text("0")),
    Column("reward", String(100), nullable=False),
    Column("origin", String(16), nullable=False),  # checkout, enrol, adjust
    Column("checkout_id", Id, ForeignKey("checkouts.id"), nullable=True, index=True),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("redeemed_at", UTCDateTime, nullable=True),
    Column("redeemed_till", String(64), nullable=True),
    # The sale in which the reward was handed over, if the till said.
    Column("redeemed_checkout_id", Id, ForeignKey("checkouts.id"), nullable=True),
    Column("voided_at", UTCDateTime, nullable=True),
    # What the reward costs the shop (the milestone's ``cost``), for the report.
    Column("cost_cents", BigInteger, nullable=True),
    Index("ix_coupons_issued_at", "issued_at"),
    # Only used coupons: a card's unused ones are looked up by the card.
    partial_index("ix_coupons_redeemed_at", "redeemed_at", where="redeemed_at IS NOT NULL"),
    # One live coupon per milestone and card cycle, and one final reward per
    # completed cycle, apart: a lowered stamps_per_card can put the final
    # reward where a milestone already rewarded stands. A voided one may be
    # re-earned. The first also finds a card's live coupons.
    partial_index(
        "uq_coupons_live_milestone",
        "card_id",
        "cycle",
        "milestone_at",
        "final_reward",
        where="voided_at IS NULL",
        unique=True,
    ),
    partial_index(
        "uq_coupons_live_final_reward",
        "card_id",
        "cycle",
        where="voided_at IS NULL AND final_reward = 1",
        unique=True,
    ),
)

# The ledger rows beside a sale's own stamps and the completions (starter,
# claim, surprise, referral, adjust, import, refund, expiry): few, indexed by
# time for the report, which states this condition as written (a database
# uses a partial index only for a query that states its condition).
LEDGER_RARE_ROWS = "kind NOT IN ('earn', 'completion', 'completion_reversed')"

ledger = Table(
    "ledger",
    metadata,
    Column("id", Id, primary_key=True),
    Column("card_id", Id, ForeignKey("cards.id"), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    # starter, earn, claim, import, adjust, refund, completion, completion_reversed,
    # expiry (lapsed stamps), surprise, referral
    Column("kind", String(24), nullable=False),
    Column("stamps", Integer, nullable=False),
    Column("cycles", Integer, nullable=False, server_default=text("0")),
    Column("checkout_id", Id, ForeignKey("checkouts.id"), nullable=True),
    Column("coupon_id", Id, ForeignKey("coupons.id"), nullable=True),
    Column("staff", String(64), nullable=True),
    Column("reason", String(200), nullable=True),
    # Covers `stampdesk check` (a sum per card) and a card's history. Every
    # index is one more page written at each checkout: keep them few.
    Index("ix_ledger_card_id_stamps", "card_id", "stamps", "cycles"),
    # The report sums the rarer rows by time (a sale's own stamps are on the sale).
    partial_index("ix_ledger_rare_at", "at", where=LEDGER_RARE_ROWS),
)

# Receipts to print, written in the same transaction as their sale: a printer
# that is out of paper or unplugged never loses a sale, and the receipt is
# printed once it is back.
print_jobs = Table(
    "print_jobs",
    metadata,
    Column("id", Id, primary_key=True),
    Column("checkout_id", Id, ForeignKey("checkouts.id"), nullable=True),
    Column("kind", String(16), nullable=False),  # sale, test
    Column("created_at", UTCDateTime, nullable=False),
    # The till whose printer prints it (the till of the sale, or the one asking
    # for a reprint or a test page); NULL: any printer of the shop.
    Column("till", String(64), nullable=True),
    # pending, printed, or replaced (by a reprint of the same sale)
    Column("status", String(16), nullable=False, server_default=text("'pending'")),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("last_error", String(200), nullable=True),
    # Sent, but the printer never confirmed it: printing it again says DUPLICATA.
    Column("uncertain", Integer, nullable=False, server_default=text("0")),
    Column("printed_at", UTCDateTime, nullable=True),
    Index("ix_print_jobs_checkout_id", "checkout_id"),
    partial_index("ix_print_jobs_pending", "id", where="status = 'pending'"),
)

# The shop's people: cashiers sign in at the till with a PIN, owners also open
# the owner's screens. The PIN is kept only as a salted hash (``pin_hash``
# names the algorithm and its parameters); a member who leaves is deactivated,
# not deleted, so their name stays readable in the ledger's ``staff`` column.
staff = Table(
    "staff",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(60), nullable=False),
    Column("name_key", String(60), nullable=False),  # case- and accent-folded, for uniqueness
    Column("role", String(16), nullable=False),  # cashier, owner
    Column("pin_hash", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("deactivated_at", UTCDateTime, nullable=True),
    # One active member per name; a deactivated one frees it.
    partial_index("uq_staff_live_name_key", "name_key", where="deactivated_at IS NULL", unique=True),
)

# The wrong PINs typed in a row at each till (its name in the config, ''
# for a till without one) of a shop, and until when it refuses every PIN:
# kept in the database, so that neither quitting the till nor opening it a
# second time lets anyone guess on. The PIN screen does not know whose PIN
# is typed (the PIN alone signs in), so the count is the till's; a prankster
# locks only the till they stand at, for 30 s at a time.
pin_attempts = Table(
    "pin_attempts",
    metadata,
    Column("shop_id", Integer, ForeignKey("shops.id"), primary_key=True),
    Column("till", String(64), primary_key=True),
    Column("wrong", Integer, nullable=False, server_default=text("0")),
    Column("locked_until", UTCDateTime, nullable=True),
)

# Keys of the till software that drives the HTTP API. Only a SHA-256 of the
# key is kept (the key carries 256 random bits, so a slow hash buys nothing);
# ``prefix`` (the key's first characters) lets the owner tell keys apart in
# listings. A revoked key stays, so that past sales keep naming their till.
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False),  # the till's name, recorded on its sales
    Column("prefix", String(16), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),  # till, admin
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_used_at", UTCDateTime, nullable=True),
    Column("revoked_at", UTCDateTime, nullable=True),
    # One live key per name; a revoked one frees it.
    partial_index("uq_api_keys_live_name", "name", where="revoked_at IS NULL", unique=True),
)

# The first answer to a refund or a coupon redemption sent with an
# ``Idempotency-Key`` (checkouts keep theirs on the sale itself). The row is
# inserted before the operation, in its transaction: a concurrent duplicate
# waits on the unique index and then replays ``answer`` instead of acting.
# A key is its sender's (``scope``: the till, "" for none); rows older than
# ``idempotency_days`` are deleted.
idempotent_requests = Table(
    "idempotent_requests",
    metadata,
    Column("id", Id, primary_key=True),
    Column("operation", String(16), nullable=False),  # refund, redeem
    Column("scope", String(64), nullable=False, server_default=text("''")),
    Column("key", String(200), nullable=False),
    Column("fingerprint", String(64), nullable=False),  # what was asked, hashed
    Column("answer", Text, nullable=False),  # the result's JSON
    Column("created_at", UTCDateTime, nullable=False),
    Index("uq_idempotent_requests_operation_scope_key", "operation", "scope", "key", unique=True),
)

# Customer e-mails (``services.messages``). Each is decided once per kind,
# card and occasion (the unique index: two runs at once, or a run again,
# add nothing), then sent at most once: a run claims a row (queued →
# sending, with its name and a lease) before it talks to the mail server,
# and a row a dead run left sending is never sent again (``uncertain``
# after its lease). ``state``: queued, held_out (the campaign's control
# group: nothing is sent), sending, sent, failed (refused for good),
# uncertain, withdrawn (consent withdrawn before it went), stale (its
# occasion passed before it could go).
mail_outbox = Table(
    "mail_outbox",
    metadata,
    Column("id", Id, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("card_id", Id, ForeignKey("cards.id"), nullable=False),
    Column("customer_id", Id, ForeignKey("customers.id"), nullable=False),
    Column("occasion", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("decided_at", UTCDateTime, nullable=False),
    Column("stale_at", UTCDateTime, nullable=False),  # past it, not worth sending
    Column("next_attempt_at", UTCDateTime, nullable=True),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("claimed_by", String(64), nullable=True),
    Column("lease_until", UTCDateTime, nullable=True),
    # When it went (or is going, while sending): the frequency cap counts it.
    Column("sent_at", UTCDateTime, nullable=True),
    # coupon_expiry: the coupon it is about; win_back: the coupon it brought.
    Column("coupon_id", Id, ForeignKey("coupons.id"), nullable=True),
    Column("message_id", String(200), nullable=True),
    Column("last_error", String(200), nullable=True),
    Index("uq_mail_outbox_kind_card_id_occasion", "kind", "card_id", "occasion", unique=True),
    # What a run sends: the queued rows, by when they are due.
    partial_index("ix_mail_outbox_queued", "next_attempt_at", where="state = 'queued'"),
    partial_index("ix_mail_outbox_sending", "lease_until", where="state = 'sending'"),
    # The frequency cap: a customer's e-mails by when they went.
    Index("ix_mail_outbox_customer_id_sent_at", "customer_id", "sent_at"),
    Index("ix_mail_outbox_decided_at", "decided_at"),  # the report's period
)
