"""What services return: plain frozen values, never ORM rows.

``to_dict()`` gives the JSON shape of the contract (amounts as strings, times
as ISO 8601); the CLI ``--json``, the HTTP API and the Python API all use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .domain.program import Program
from .domain.public_url import MAIL_CANNOT_GO
from .words import Book, book


def plain(value: Any) -> Any:
    """A value in its JSON form: amounts as strings, times as ISO 8601."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, Result):
        return value.to_dict()
    return value


class Result:
    """Base of the results: ``to_dict()`` gives every field in JSON form."""

    def to_dict(self) -> dict[str, Any]:
        return {f.name: plain(getattr(self, f.name)) for f in fields(self)}  # type: ignore[arg-type]


@dataclass(frozen=True)
class MilestoneInfo(Result):
    at: int
    reward: str


@dataclass(frozen=True)
class NextMilestone(Result):
    at: int
    reward: str
    remaining: int


@dataclass(frozen=True)
class CouponInfo(Result):
    code: str
    reward: str
    milestone: int
    issued: datetime
    expires: datetime
    status: str = "valid"  # valid, redeemed, voided, expired


def usable_first(coupons: Iterable[CouponInfo]) -> tuple[CouponInfo, ...]:
    """Coupons in the order a cashier and a customer need them: the valid
    ones first, the nearest end first; then the others, the latest first."""
    coupons = list(coupons)
    valid = sorted((c for c in coupons if c.status == "valid"), key=lambda c: (c.expires, c.code))
    others = sorted(
        (c for c in coupons if c.status != "valid"), key=lambda c: (c.expires, c.code), reverse=True
    )
    return (*valid, *others)


@dataclass(frozen=True)
class CheckoutResult(Result):
    """The outcome of one sale, identical when an idempotent retry replays it."""

    checkout: int
    card: str | None
    amount: Decimal
    at: datetime
    stamps_added: int
    balance: int | None
    stamps_per_card: int
    milestones: tuple[MilestoneInfo, ...]
    coupons: tuple[CouponInfo, ...]
    program_version: int
    enrol_url: str | None = None
    claim_token: str | None = None
    next_milestone: NextMilestone | None = None
    replayed: bool = False
    print_job: int | None = None  # the receipt waiting for the printer, if asked
    tier: str | None = None  # the card's status tier with this sale
    # The lines the receipt prints beside the stamps: a surprise, a birthday,
    # a tier reached or what keeps it, stamps or coupons about to lapse.
    messages: tuple[str, ...] = ()
    # What the sale did, as codes (``domain.outcomes.Outcome``): why it
    # earned what it did (below_minimum, daily_cap, offpeak…) and what it
    # handed over (milestone, card_completed, birthday…). Empty for a sale
    # recorded before stampdesk said them.
    outcomes: tuple[str, ...] = ()
    # A pre-printed card's first sale: the starter stamps it got with the
    # sale, besides ``stamps_added`` (outcome ``starter_stamps``).
    starter_stamps: int = 0


@dataclass(frozen=True)
class ReturnedItem(Result):
    """Items a refund gave back: a SKU and how many."""

    sku: str
    quantity: int


@dataclass(frozen=True)
class SaleRefund(Result):
    """One refund of a sale: when, where, the amount it gave back, whether
    it was the rest of the sale (``whole``), the stamps it took off the
    sale's own and the items returned."""

    at: datetime
    till: str | None
    amount: Decimal
    whole: bool
    stamps: int
    items: tuple[ReturnedItem, ...] = ()


@dataclass(frozen=True)
class RecordedSale(CheckoutResult):
    """A recorded sale as it is now: its result, each coupon's current
    status, when it was refunded whole (None: not yet), what its refunds
    gave back so far and each of them."""

    refunded_at: datetime | None = None
    refunded_amount: Decimal = Decimal("0.00")
    refunds: tuple[SaleRefund, ...] = ()


@dataclass(frozen=True)
class CardState(Result):
    """A card as the cashier and the customer see it."""

    number: str
    name: str | None
    email: str | None
    phone: str | None
    birthday: date | None
    balance: int
    cycle: int
    stamps_per_card: int
    next_milestone: NextMilestone
    coupons: tuple[CouponInfo, ...]
    status: str
    created_at: datetime
    program: str
    notes: str | None = None  # the shop's note on the customer ("usual: flat white")
    tier: str | None = None  # the status tier held
    tier_until: datetime | None = None  # in the grace period: the tier holds until then
    perk: str | None = None  # the tier's perk
    expires: datetime | None = None  # when the card's stamps lapse without a visit
    visits: int = 0  # qualifying visits
    leaderboard: bool = False  # shown (by first name) on the customer-of-the-month board
    marketing: bool = False  # agreed to receive the shop's marketing e-mails
    language: str | None = None  # the language the customer chose ("fr", "en"; None: the shop's)
    # What the card has to say: what keeps its tier, stamps or coupons about to lapse.
    messages: tuple[str, ...] = ()

    @property
    def progress(self) -> str:
        """ "7/10 — Un café offert at 10": what the till and receipt show."""
        nxt = self.next_milestone
        if self.balance >= self.stamps_per_card:  # the card holds more than it now takes
            return book()("card.progress.full", reward=nxt.reward)
        return book()(
            "card.progress", balance=self.balance, per_card=self.stamps_per_card, reward=nxt.reward, at=nxt.at
        )

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "progress": self.progress}


@dataclass(frozen=True)
class EnrolResult(Result):
    """A new card: its state, plus what enrolment put on it."""

    card: CardState
    starter_stamps: int
    claimed_stamps: int
    claimed_checkout: int | None
    new_coupons: tuple[CouponInfo, ...] = ()

    @property
    def number(self) -> str:
        return self.card.number

    def to_dict(self) -> dict[str, Any]:
        # The card's fields at the top level, as `stampdesk card` shows them.
        data = super().to_dict()
        return {**data.pop("card"), **data}


@dataclass(frozen=True)
class JoinResult(Result):
    """What a receipt's enrolment form did. ``outcome``: ``new_card`` (a card
    was made for the e-mail) or ``existing_card`` (the e-mail's customer
    already had one: the receipt's stamps went to it). The customer's page
    answers the same for both."""

    outcome: str
    card: str  # the number of the card the receipt's stamps went to
    claimed_stamps: int
    new_coupons: tuple[CouponInfo, ...] = ()


@dataclass(frozen=True)
class ClaimResult(Result):
    """A walk-in receipt added to a card the customer already had: the
    card's state after it, the sale claimed, its stamps, and the coupons they
    unlocked (as a claim at enrolment gives them)."""

    card: CardState
    checkout: int  # the walk-in sale whose receipt was claimed
    stamps_added: int
    new_coupons: tuple[CouponInfo, ...] = ()

    @property
    def number(self) -> str:
        return self.card.number

    def to_dict(self) -> dict[str, Any]:
        # The card's fields at the top level, as `stampdesk card` shows them.
        data = super().to_dict()
        return {**data.pop("card"), **data}


@dataclass(frozen=True)
class RedeemResult(Result):
    code: str
    reward: str
    card: str
    redeemed_at: datetime
    replayed: bool = False  # the first answer of this idempotency key, again
    checkout: int | None = None  # the sale in which the reward was handed over, if said

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["coupon"] = data.pop("code")
        return data


@dataclass(frozen=True)
class StampChange(Result):
    """A refund or a manual adjustment: what it took or gave."""

    card: str | None
    stamps: int  # signed: negative when stamps were taken back
    balance: int | None
    cycle: int | None
    voided_coupons: tuple[str, ...] = ()
    new_coupons: tuple[CouponInfo, ...] = ()
    completions_undone: int = 0
    checkout: int | None = None
    replayed: bool = False  # the first answer of this idempotency key, again


@dataclass(frozen=True)
class RefundChange(StampChange):
    """A refund: what it took back (``StampChange``), the amount it gave
    back (``refunded_amount``) and the items returned, what is left of the
    sale (``kept_amount``), and whether the sale is now refunded whole."""

    refunded_amount: Decimal | None = None
    kept_amount: Decimal | None = None
    whole: bool = True
    items: tuple[ReturnedItem, ...] = ()


@dataclass(frozen=True)
class SaleLine(Result):
    """One line of a sale: an item, how many, at what unit price, and how
    many of it were returned (refunded) since."""

    sku: str
    category: str
    quantity: int
    unit_price: Decimal
    returned: int = 0


@dataclass(frozen=True)
class RefundPreview(Result):
    """A sale as it stands and what refunding it now would take back,
    worked out by the refund itself and rolled back: nothing is written."""

    checkout: int
    at: datetime
    amount: Decimal
    till: str | None
    items: tuple[SaleLine, ...]
    card: str | None  # the card its stamps went to: its own, or the one that claimed a walk-in's
    name: str | None  # that card's holder
    walk_in: bool  # sold without a card
    change: RefundChange  # what the refund would take back


@dataclass(frozen=True)
class ExpiryReport(Result):
    """What ``stampdesk expire`` wrote: the cards whose stamps lapsed, and
    how many idempotency keys past ``idempotency_days`` it forgot."""

    cards: int
    stamps: int
    keys: int = 0


@dataclass(frozen=True)
class ProgramInfo(Result):
    """A programme version: its rules as JSON (``rules``, what ``to_dict``
    shows) and typed (``program``, for callers that apply them)."""

    version: int
    created_at: datetime
    rules: dict[str, Any]
    source: str
    shop: str | None = None  # the shop it was loaded for; None: the whole chain
    program: Program = field(kw_only=True)  # the same rules, typed

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "created_at": plain(self.created_at),
            "shop": self.shop,
            **self.rules,
        }


@dataclass(frozen=True)
class Mismatch(Result):
    card: str
    balance: int
    ledger_balance: int
    cycle: int
    ledger_cycle: int


@dataclass(frozen=True)
class MissingReward(Result):
    """A card cycle the ledger completed without its final reward: no
    coupon for it, used or not."""

    card: str
    cycle: int  # the card's cycle that was completed (0: its first card)


@dataclass(frozen=True)
class SetupWarning(Result):
    """Something in the shop's set-up to see to, though everything works:
    ``code`` ``public_url_unreachable`` (``domain.public_url``), with why
    (``reason``: unset, loopback, any_address, no_host), the URL in use and
    the config file to set it in; or ``mail_cannot_go``: the programme sends
    customer e-mails but none can go (``reason``: no_mail_server, or why an
    e-mail may not carry ``public_url``: unset, loopback, …, not_https, private)."""

    code: str
    reason: str
    public_url: str
    config_file: str

    def said(self, book: Book) -> str:
        """The whole warning in ``book``'s language: what fails, and how to set it."""
        if self.code == MAIL_CANNOT_GO:
            what = book(f"setup.mail.{self.reason}", url=self.public_url)
            fix = "setup.mail.fix_server" if self.reason == "no_mail_server" else "setup.mail.fix_url"
        else:
            what = book(f"setup.public_url.{self.reason}", url=self.public_url)
            fix = "setup.public_url.fix"
        return f"{what} {book(fix, path=self.config_file)}"

    def short(self, book: Book) -> str:
        """The warning on one line of a screen (the till's status line)."""
        area = "mail" if self.code == MAIL_CANNOT_GO else "public_url"
        return book(f"setup.{area}.short", path=self.config_file)

    def to_dict(self) -> dict[str, Any]:
        # As the errors' JSON: codes, and the English sentence as ``message``.
        return {**super().to_dict(), "message": self.said(book())}


@dataclass(frozen=True)
class CheckReport(Result):
    cards: int
    ledger_rows: int
    mismatches: tuple[Mismatch, ...] = field(default_factory=tuple)
    missing_rewards: tuple[MissingReward, ...] = field(default_factory=tuple)
    # The set-up's warnings: they do not make the report fail (``ok``).
    warnings: tuple[SetupWarning, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.mismatches and not self.missing_rewards

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, **super().to_dict()}


@dataclass(frozen=True)
class CustomerMatch(Result):
    number: str
    name: str
    email: str | None
    phone: str | None
    balance: int


@dataclass(frozen=True)
class LeaderboardEntry(Result):
    """One customer on the board: only what other customers may see."""

    rank: int
    name: str  # first name only
    card: str  # the card number, all but its last 4 digits hidden
    visits: int  # qualifying visits in the month, refunded sales left out


@dataclass(frozen=True)
class Leaderboard(Result):
    """The customer-of-the-month board of a shop-local calendar month: the
    customers who opted in, by qualifying visits."""

    month: str  # YYYY-MM
    start: datetime  # the month's first shop-local midnight (UTC)
    end: datetime  # the next month's first shop-local midnight (UTC)
    entries: tuple[LeaderboardEntry, ...]
