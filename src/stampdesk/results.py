"""What services return: plain frozen values, never ORM rows.

``to_dict()`` gives the JSON shape of the contract (amounts as strings, times
as ISO 8601); the CLI ``--json``, the HTTP API and the Python API all use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


@dataclass(frozen=True)
class MilestoneInfo:
    at: int
    reward: str

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at, "reward": self.reward}


@dataclass(frozen=True)
class NextMilestone:
    at: int
    reward: str
    remaining: int

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at, "reward": self.reward, "remaining": self.remaining}


@dataclass(frozen=True)
class CouponInfo:
    code: str
    reward: str
    milestone: int
    issued: datetime
    expires: datetime
    status: str = "valid"  # valid, redeemed, voided, expired

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "reward": self.reward,
            "milestone": self.milestone,
            "issued": _iso(self.issued),
            "expires": _iso(self.expires),
            "status": self.status,
        }


@dataclass(frozen=True)
class CheckoutResult:
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

    def to_dict(self) -> dict[str, Any]:
        return {
            "checkout": self.checkout,
            "card": self.card,
            "amount": str(self.amount),
            "at": _iso(self.at),
            "stamps_added": self.stamps_added,
            "balance": self.balance,
            "stamps_per_card": self.stamps_per_card,
            "milestones": [m.to_dict() for m in self.milestones],
            "coupons": [c.to_dict() for c in self.coupons],
            "next_milestone": self.next_milestone.to_dict() if self.next_milestone else None,
            "program_version": self.program_version,
            "enrol_url": self.enrol_url,
            "claim_token": self.claim_token,
            "replayed": self.replayed,
        }


@dataclass(frozen=True)
class CardState:
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

    @property
    def progress(self) -> str:
        """ "7/10 — Un café offert at 10": what the till and receipt show."""
        nxt = self.next_milestone
        return f"{self.balance}/{self.stamps_per_card} — {nxt.reward} at {nxt.at}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "name": self.name,
            "email": self.email,
            "phone": self.phone,
            "birthday": self.birthday.isoformat() if self.birthday else None,
            "balance": self.balance,
            "cycle": self.cycle,
            "stamps_per_card": self.stamps_per_card,
            "next_milestone": self.next_milestone.to_dict(),
            "progress": self.progress,
            "coupons": [c.to_dict() for c in self.coupons],
            "status": self.status,
            "created_at": _iso(self.created_at),
            "program": self.program,
        }


@dataclass(frozen=True)
class EnrolResult:
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
        data = self.card.to_dict()
        data.update(
            starter_stamps=self.starter_stamps,
            claimed_stamps=self.claimed_stamps,
            claimed_checkout=self.claimed_checkout,
            new_coupons=[c.to_dict() for c in self.new_coupons],
        )
        return data


@dataclass(frozen=True)
class RedeemResult:
    code: str
    reward: str
    card: str
    redeemed_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "coupon": self.code,
            "reward": self.reward,
            "card": self.card,
            "redeemed_at": _iso(self.redeemed_at),
        }


@dataclass(frozen=True)
class StampChange:
    """A refund or a manual adjustment: what it took or gave."""

    card: str | None
    stamps: int  # signed: negative when stamps were taken back
    balance: int | None
    cycle: int | None
    voided_coupons: tuple[str, ...] = ()
    new_coupons: tuple[CouponInfo, ...] = ()
    completions_undone: int = 0
    checkout: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "checkout": self.checkout,
            "card": self.card,
            "stamps": self.stamps,
            "balance": self.balance,
            "cycle": self.cycle,
            "voided_coupons": list(self.voided_coupons),
            "new_coupons": [c.to_dict() for c in self.new_coupons],
            "completions_undone": self.completions_undone,
        }


@dataclass(frozen=True)
class ProgramInfo:
    version: int
    created_at: datetime
    rules: dict[str, Any]
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "created_at": _iso(self.created_at), **self.rules}


@dataclass(frozen=True)
class Mismatch:
    card: str
    balance: int
    ledger_balance: int
    cycle: int
    ledger_cycle: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "card": self.card,
            "balance": self.balance,
            "ledger_balance": self.ledger_balance,
            "cycle": self.cycle,
            "ledger_cycle": self.ledger_cycle,
        }


@dataclass(frozen=True)
class CheckReport:
    cards: int
    ledger_rows: int
    mismatches: tuple[Mismatch, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "cards": self.cards,
            "ledger_rows": self.ledger_rows,
            "mismatches": [m.to_dict() for m in self.mismatches],
        }


@dataclass(frozen=True)
class CustomerMatch:
    number: str
    name: str
    email: str | None
    phone: str | None
    balance: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "name": self.name,
            "email": self.email,
            "phone": self.phone,
            "balance": self.balance,
        }
