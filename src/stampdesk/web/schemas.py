"""The HTTP API's bodies, as the OpenAPI schema documents them.

Requests are validated here only for their *shape* (a JSON string where a
string is due, no unknown field); the values themselves (amounts, card
numbers, times, e-mails) are checked by the same domain functions as the
CLI's, so both give the same messages. Responses are the results'
``to_dict()``; these models only describe them.

Amounts are decimal strings. A JSON number is refused with its own error
type, ``invalid_amount``, which the error handler turns into the code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

from ..domain import shapes

AMOUNT_EXAMPLE = "12.50"


def decimal_string(value: Any, field: str) -> Any:
    """Refuse a JSON number where an amount is due, saying what to send."""
    if isinstance(value, bool | int | float):
        raise PydanticCustomError(
            "invalid_amount",
            '{field} must be a decimal string such as "{example}", not a JSON number '
            '(floats lose cents: send "12.50" in quotes)',
            {"field": field, "example": AMOUNT_EXAMPLE},
        )
    return value


_FORBID = ConfigDict(extra="forbid")


def whole_number(value: Any) -> Any:
    """JSON Schema calls 2.0 an integer: so does the API (never ``true`` or "2")."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# The shapes the domain reads (``domain.shapes``), as the schema documents
# them; the domain still checks each value, so its messages stay the same
# as the CLI's. A ``format`` names what a pattern cannot say (a check digit,
# a time in the past, a signed token).
CARD_NUMBER_SCHEMA: dict[str, Any] = dict(
    type="string",
    format="card-number",
    pattern=shapes.CARD_NUMBER,
    description="13 digits starting with 2, the last a check digit (EAN-13); spaces and dashes "
    "between digits are ignored.",
    examples=["2000000000015"],
)
CardNumber = Annotated[str, WithJsonSchema(CARD_NUMBER_SCHEMA)]
PAST_TIME = {"type": "string", "format": "past-date-time"}


# --------------------------------------------------------------------------
# Errors


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. `unknown_card`, `invalid_amount`.")
    message: str = Field(description="One line a cashier or an integrator can act on.")


class ErrorBody(BaseModel):
    """Every 4xx (and a 500, which is a bug) has this shape."""

    error: ErrorDetail

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"error": {"code": "unknown_card", "message": "no card 2000000000015"}}]
        }
    )


def error_example(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


# --------------------------------------------------------------------------
# Requests


class ItemIn(BaseModel):
    """One line of a sale, as the CLI's ``SKU:CATEGORY:QTY:PRICE``."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [{"sku": "FLAT", "category": "coffee", "quantity": 2, "price": "3.20"}]
        },
    )

    sku: str = Field(
        description="The product's code (1 to 64 printable characters).",
        json_schema_extra={"pattern": shapes.SKU},
    )
    category: str = Field(
        "",
        description="The product's category (category bonus stamps), at most 64 characters.",
        json_schema_extra={"pattern": shapes.CATEGORY},
    )
    # Strict: `true` is not a quantity, nor is "2".
    quantity: int = Field(
        1, strict=True, description="1 to 10000.", json_schema_extra={"minimum": 1, "maximum": 10000}
    )
    price: str = Field(
        validation_alias=AliasChoices("price", "unit_price"),
        description='Unit price, a decimal string such as "3.20", from 0 to 10000.00 '
        "(`unit_price` is accepted too).",
        json_schema_extra={"pattern": shapes.PRICE},
    )

    @field_validator("price", mode="before")
    @classmethod
    def _price_is_text(cls, value: Any) -> Any:
        return decimal_string(value, "item price")

    _quantity_is_whole = field_validator("quantity", mode="before")(whole_number)


class CheckoutIn(BaseModel):
    """A sale. Send the till's receipt number as ``Idempotency-Key``."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [
                {"card": "2000000000015", "amount": "12.50"},
                {
                    "card": None,
                    "amount": "7.40",
                    "items": [{"sku": "FLAT", "category": "coffee", "quantity": 2, "price": "3.70"}],
                },
                {
                    "card": "2000000000015",
                    "amount": "4.20",
                    "at": "2026-03-01T09:30:00+01:00",
                    "receipt": True,
                },
            ]
        },
    )

    card: CardNumber | None = Field(
        None, description="The customer's card number; null or absent for a walk-in."
    )
    amount: str = Field(
        description='The sale\'s amount, a decimal string such as "12.50" (never a number): more '
        "than zero, two decimals at most (`.` or `,`), at most the programme's `earning.max_amount` "
        "(10000.00 unless set).",
        json_schema_extra={"pattern": shapes.POSITIVE_AMOUNT},
    )
    items: list[ItemIn] = Field(
        default_factory=list,
        description="The sale's lines (optional, at most 500).",
        json_schema_extra={"maxItems": 500},
    )
    at: Annotated[str, WithJsonSchema(PAST_TIME)] | None = Field(
        None,
        description="When, for history: a past ISO 8601 time with its zone, from 2000 on. Default: now.",
    )
    receipt: bool = Field(False, description="Queue the receipt for the shop's printer with the sale.")

    @field_validator("amount", mode="before")
    @classmethod
    def _amount_is_text(cls, value: Any) -> Any:
        return decimal_string(value, "amount")


class ReturnedItemIn(BaseModel):
    """Items returned: a SKU of the sale and how many."""

    model_config = ConfigDict(extra="forbid", strict=True)

    sku: str = Field(description="A SKU of the sale.", json_schema_extra={"pattern": shapes.SKU})
    quantity: int = Field(
        1,
        strict=True,
        description="How many of it are returned (1 to 10000).",
        json_schema_extra={"minimum": 1, "maximum": 10000},
    )

    _quantity_is_whole = field_validator("quantity", mode="before")(whole_number)


class RefundIn(BaseModel):
    """A part of a sale to refund: items and/or an amount. Send no body (or
    an empty one) to refund all that is left of the sale."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"items": [{"sku": "SANDWICH", "quantity": 1}]},
                {"amount": "4.50"},
            ]
        },
    )

    items: list[ReturnedItemIn] | None = Field(None, description="The items returned.")
    amount: str | None = Field(
        None,
        description='The amount refunded, a decimal string such as "4.50" (with `items`: what they cost); '
        "never more than is left of the sale (409 `refund_over_sale`).",
        json_schema_extra={"pattern": shapes.POSITIVE_AMOUNT},
    )

    @field_validator("amount", mode="before")
    @classmethod
    def _amount_is_text(cls, value: Any) -> Any:
        return decimal_string(value, "amount")


class EnrolIn(BaseModel):
    """A new card. Only ``name`` is required."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [
                {"name": "Ana Martin", "email": "ana@example.org"},
                {"name": "Léo", "phone": "+33 6 12 34 56 78", "birthday": "1990-05-17", "claim": None},
            ]
        },
    )

    name: Annotated[
        str, WithJsonSchema({"type": "string", "format": "person-name", "pattern": shapes.NOT_BLANK})
    ] = Field(description="The customer's name (or first name): printable text, at most 100 characters.")
    email: Annotated[str, WithJsonSchema({"type": "string", "format": "email-address"})] | None = Field(
        None, description="An e-mail address (an empty one is none)."
    )
    phone: Annotated[str, WithJsonSchema({"type": "string", "pattern": shapes.PHONE})] | None = Field(
        None, description="6 to 15 digits, a leading + for the international form (an empty one is none)."
    )
    birthday: Annotated[str, WithJsonSchema({"type": "string", "format": "birthday"})] | None = Field(
        None, description="YYYY-MM-DD, from 1900 to today (an empty one is none)."
    )
    referrer: (
        Annotated[str, WithJsonSchema({**CARD_NUMBER_SCHEMA, "pattern": shapes.CARD_NUMBER_OR_EMPTY})] | None
    ) = Field(None, description="The card number of the friend who referred them (an empty one is none).")
    claim: Annotated[str, WithJsonSchema({"type": "string", "format": "claim-token"})] | None = Field(
        None, description="A walk-in receipt's claim token (or its link): its stamps join the card."
    )
    card: CardNumber | None = Field(None, description="A pre-printed card's number, handed out now.")
    leaderboard: bool = Field(
        False, description="They agree to be shown, by first name, on the customer-of-the-month board."
    )
    marketing: bool = Field(
        False,
        description="They agree to receive the shop's marketing e-mails (asked plainly, never "
        "implied: off unless `true`); needs `email` (else 409 `marketing_needs_email`). Recorded "
        "with its time and its source, `api`.",
    )


class ClaimIn(BaseModel):
    """A walk-in receipt to add to a card the customer already has."""

    # No example in the schema: a token is signed by the shop, so none
    # written here would be accepted (the description shows its look).
    model_config = ConfigDict(extra="forbid", strict=True)

    token: Annotated[str, WithJsonSchema({"type": "string", "format": "claim-token"})] = Field(
        description="The receipt's claim token (`claim_token` of the walk-in sale, such as "
        "`AAAAAAAqB9QmHk3cVbq0d1tZlh8Rx2nL`), or its whole link (`enrol_url`, as a scanner reads the "
        "receipt's QR code)."
    )


class MarketingIn(BaseModel):
    """A card's customer's answer about marketing e-mails."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"examples": [{"marketing": True}, {"marketing": False}]},
    )

    marketing: bool = Field(
        description="`true`: they agree to receive the shop's marketing e-mails (needs their e-mail); "
        "`false`: they withdraw it."
    )


class ProgramIn(BaseModel):
    """The programme file's text, when sent as JSON."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [
                {
                    "source": '[program]\nname = "Café Bleu"\nstamps_per_card = 10\nstarter_stamps = 2\n\n'
                    '[[program.milestones]]\nat = 10\nreward = "Un café offert"\n'
                }
            ]
        },
    )

    source: Annotated[str, WithJsonSchema({"type": "string", "format": "programme-toml"})] = Field(
        description="The programme in TOML, as `stampdesk program load` reads it."
    )


# --------------------------------------------------------------------------
# Responses (documentation: the handlers return the results' to_dict())


class MilestoneOut(BaseModel):
    at: int
    reward: str


class NextMilestoneOut(BaseModel):
    at: int
    reward: str
    remaining: int


class CouponOut(BaseModel):
    code: str
    reward: str
    milestone: int
    issued: str
    expires: str
    status: str = Field(description="valid, redeemed, voided or expired")


class HealthOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok", "version": "0.1.0"}]})

    status: str
    version: str


class OfflineSaleOut(BaseModel):
    """A sale kept by a server that cannot reach the chain's database (202):
    it is replayed, once, when the database answers; its stamps are not
    known yet (``pending`` is true, ``checkout`` null)."""

    key: str
    card: str | None
    amount: str
    at: datetime
    waiting: int
    checkout: int | None
    stamps_added: int | None
    balance: int | None
    milestones: list[Any]
    coupons: list[Any]
    enrol_url: str | None
    print_job: int | None
    replayed: bool
    pending: bool


class CheckoutOut(BaseModel):
    """The checkout result of the contract; identical when a retry replays it
    (then ``replayed`` is true)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "checkout": 42,
                    "card": "2000000000015",
                    "amount": "12.50",
                    "at": "2026-03-02T08:00:00+00:00",
                    "stamps_added": 2,
                    "balance": 4,
                    "stamps_per_card": 10,
                    "milestones": [{"at": 3, "reward": "Croissant offert"}],
                    "coupons": [
                        {
                            "code": "K7QH-2M9P",
                            "reward": "Croissant offert",
                            "milestone": 3,
                            "issued": "2026-03-02T08:00:00+00:00",
                            "expires": "2026-05-31T21:59:59+00:00",
                            "status": "valid",
                        }
                    ],
                    "program_version": 1,
                    "enrol_url": None,
                    "claim_token": None,
                    "next_milestone": {"at": 10, "reward": "Un café offert", "remaining": 6},
                    "replayed": False,
                    "print_job": None,
                    "tier": "Gold",
                    "messages": [
                        "Pour votre 4e visite, un tampon offert !",
                        "Bon « Croissant offert » à utiliser avant le 31/05/2026",
                    ],
                    "outcomes": ["surprise", "milestone", "coupon_expiring"],
                }
            ]
        }
    )

    checkout: int
    card: str | None
    amount: str
    at: str
    stamps_added: int
    balance: int | None
    stamps_per_card: int
    milestones: list[MilestoneOut]
    coupons: list[CouponOut]
    program_version: int
    enrol_url: str | None = Field(description="For a walk-in: the receipt's link to keep its stamps.")
    claim_token: str | None
    next_milestone: NextMilestoneOut | None
    replayed: bool
    print_job: int | None
    tier: str | None = Field(description="The card's status tier with this sale (e.g. Gold); null without.")
    messages: list[str] = Field(
        description="The lines the receipt prints beside the stamps, in the shop's language: a "
        "surprise, a birthday, a tier reached or what keeps it, stamps or coupons about to lapse."
    )
    outcomes: list[str] = Field(
        description="What the sale did, as codes (never sentences), for the till to say in its own "
        "words: walk_in, below_minimum, daily_cap, offpeak, tier_multiplier, category_bonus, "
        "starter_stamps, stamps_lapsed, surprise, referral, milestone, card_completed, birthday, "
        "tier_reached, tier_grace, stamps_expiring, coupon_expiring. Empty for a sale recorded "
        "before stampdesk said them."
    )
    starter_stamps: int = Field(
        0,
        description="A pre-printed card's first sale: the starter stamps the card got with it, "
        "besides stamps_added (outcome starter_stamps); 0 otherwise.",
    )


class SaleRefundOut(BaseModel):
    """One refund of a sale."""

    at: str = Field(description="When (ISO 8601).")
    till: str | None = Field(description="Where it was refunded.")
    amount: str = Field(description="What it gave back.")
    whole: bool = Field(description="It refunded the rest of the sale.")
    stamps: int = Field(description="The stamps it took off the sale's own (≥ 0).")
    items: list[ReturnedItemIn] = Field(description="The items returned by it.")


class SaleOut(CheckoutOut):
    """A recorded sale as it is now: the checkout result, each coupon's
    current ``status``, and when the sale was refunded."""

    refunded_at: str | None = Field(
        description="When the sale was refunded whole (ISO 8601; by a partial refund, when its last "
        "part was); null until then."
    )
    refunded_amount: str = Field(description='What its refunds gave back so far ("0.00": none).')
    refunds: list[SaleRefundOut] = Field(description="Each refund of the sale, a part of it or the rest.")


class CardOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "number": "2000000000015",
                    "name": "Ana Martin",
                    "email": "ana@example.org",
                    "phone": None,
                    "birthday": None,
                    "balance": 4,
                    "cycle": 0,
                    "stamps_per_card": 10,
                    "next_milestone": {"at": 10, "reward": "Un café offert", "remaining": 6},
                    "coupons": [],
                    "status": "active",
                    "created_at": "2026-03-02T08:00:00+00:00",
                    "program": "Café Bleu",
                    "notes": "usual: flat white",
                    "tier": "Gold",
                    "tier_until": "2026-06-29T21:59:59+00:00",
                    "perk": "Café offert le mardi",
                    "expires": "2026-08-29T21:59:59+00:00",
                    "visits": 9,
                    "leaderboard": False,
                    "marketing": False,
                    "messages": ["5 visites et 75,00 € d'achats pour rester Gold d'ici le 29/06/2026"],
                    "progress": "4/10 — Un café offert at 10",
                }
            ]
        }
    )

    number: str
    name: str | None
    email: str | None
    phone: str | None
    birthday: str | None
    balance: int
    cycle: int
    stamps_per_card: int
    next_milestone: NextMilestoneOut
    coupons: list[CouponOut]
    status: str
    created_at: str
    program: str
    notes: str | None = Field(description='The shop\'s note on the customer ("usual: flat white").')
    tier: str | None = Field(description="The status tier the card holds (e.g. Gold); null without.")
    tier_until: str | None = Field(
        description="In a grace period after falling below its tier: the tier holds until then "
        "(ISO 8601); null otherwise."
    )
    perk: str | None = Field(description="The tier's perk, as the programme words it.")
    expires: str | None = Field(
        description="When the card's stamps lapse without a visit (ISO 8601); null when it holds "
        "none or the programme lets stamps last."
    )
    visits: int = Field(description="The card's qualifying visits.")
    leaderboard: bool = Field(
        description="Whether the customer agreed to appear (by first name) on the shop's "
        '"customer of the month" board.'
    )
    marketing: bool = Field(
        description="Whether the customer agreed to receive the shop's marketing e-mails (their "
        "own choice, apart from the card; off until they say yes)."
    )
    messages: list[str] = Field(
        description="What the card has to say, in the shop's language: what keeps its tier, stamps "
        "or coupons about to lapse, stamps that lapsed."
    )
    progress: str


class EnrolOut(CardOut):
    """The new card, plus what enrolment put on it."""

    starter_stamps: int
    claimed_stamps: int
    claimed_checkout: int | None
    new_coupons: list[CouponOut]


class ClaimOut(CardOut):
    """The card after the receipt was added, plus what the receipt put on it."""

    checkout: int = Field(description="The walk-in sale whose receipt was claimed.")
    stamps_added: int = Field(description="The receipt's stamps, now on the card.")
    new_coupons: list[CouponOut] = Field(description="Coupons they unlocked: hand them over.")


class CardMatchOut(BaseModel):
    number: str
    name: str
    email: str | None
    phone: str | None
    balance: int


class SearchOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cards": [
                        {
                            "number": "2000000000015",
                            "name": "Ana Martin",
                            "email": "ana@example.org",
                            "phone": None,
                            "balance": 4,
                        }
                    ]
                }
            ]
        }
    )

    cards: list[CardMatchOut]


class RedeemOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "coupon": "K7QH-2M9P",
                    "reward": "Croissant offert",
                    "card": "2000000000015",
                    "redeemed_at": "2026-03-03T08:10:00+00:00",
                    "replayed": False,
                    "checkout": 42,
                }
            ]
        }
    )

    coupon: str
    reward: str
    card: str
    redeemed_at: str
    replayed: bool
    checkout: int | None = Field(description="The sale in which the reward was handed over, if said.")


class RedeemIn(BaseModel):
    """Where and when a coupon is used (both optional)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"checkout": 42}, {"at": "2026-03-01T09:30:00+01:00"}]},
    )

    checkout: int | None = Field(
        None,
        strict=True,
        description="The sale in which the reward is handed over (its id).",
        json_schema_extra={"minimum": 1, "maximum": 2**62 - 1},
    )
    at: Annotated[str, WithJsonSchema(PAST_TIME)] | None = Field(
        None, description="When it was used, for history (ISO 8601 with its offset, not in the future)."
    )

    _checkout_is_whole = field_validator("checkout", mode="before")(whole_number)


class RefundOut(BaseModel):
    """What the refund took back (``stamps`` is negative)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "card": "2000000000015",
                    "stamps": -2,
                    "balance": 2,
                    "cycle": 0,
                    "voided_coupons": [],
                    "new_coupons": [],
                    "completions_undone": 0,
                    "checkout": 42,
                    "replayed": False,
                    "refunded_amount": "12.50",
                    "kept_amount": "12.50",
                    "whole": False,
                    "items": [{"sku": "SANDWICH", "quantity": 1}],
                }
            ]
        }
    )

    card: str | None
    stamps: int
    balance: int | None
    cycle: int | None
    voided_coupons: list[str]
    new_coupons: list[CouponOut]
    completions_undone: int
    checkout: int | None
    replayed: bool
    refunded_amount: str | None = Field(description="What this refund gave back.")
    kept_amount: str | None = Field(description="What is left of the sale after it (0.00: refunded whole).")
    whole: bool = Field(description="The sale is now refunded whole (no part of it is left).")
    items: list[ReturnedItemIn] = Field(description="The items this refund returned.")


class PrintJobOut(BaseModel):
    """A receipt queued for the printer; the outbox prints it in the background."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    "checkout": 42,
                    "kind": "reprint",
                    "status": "pending",
                    "attempts": 0,
                    "last_error": None,
                    "duplicate": True,
                    "created_at": "2026-03-02T08:01:00+00:00",
                }
            ]
        }
    )

    id: int
    checkout: int | None
    kind: str = Field(description="sale (its first receipt) or reprint (marked DUPLICATA)")
    status: str
    attempts: int
    last_error: str | None
    duplicate: bool
    created_at: str


class ProgramOut(BaseModel):
    """The current programme version and its rules (as `stampdesk program show --json`)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "version": 1,
                    "created_at": "2026-03-01T08:00:00+00:00",
                    "name": "Café Bleu",
                    "stamps_per_card": 10,
                    "starter_stamps": 2,
                    "milestones": [
                        {"at": 3, "reward": "Croissant offert"},
                        {"at": 10, "reward": "Un café offert"},
                    ],
                    "earning": {"per_visit": 1, "min_amount": "2.00", "max_amount": "10000.00"},
                    "coupons": {"valid_days": 90},
                }
            ]
        },
    )

    version: int
    created_at: str
    name: str
    stamps_per_card: int
    starter_stamps: int
    milestones: list[MilestoneOut]
    earning: dict[str, Any]
    coupons: dict[str, Any]
