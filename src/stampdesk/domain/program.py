"""The loyalty programme: what the owner sets, loaded from a TOML file.

A programme is immutable; changing it stores a new version. Every checkout
records the version it was computed with, and nothing already earned is taken
away by a later version.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .errors import InvalidInput
from .money import DEFAULT_MAX_AMOUNT, parse_amount

MAX_STAMPS_PER_CARD = 100
MAX_QUICK_PICKS = 12


@dataclass(frozen=True)
class Milestone:
    """A reward unlocked when a card reaches ``at`` stamps in a cycle."""

    at: int
    reward: str


@dataclass(frozen=True)
class Earning:
    """How a sale turns into stamps."""

    per_visit: int = 1
    min_amount: Decimal = Decimal("0.00")
    per_amount: Decimal | None = None
    max_per_day: int | None = None
    max_amount: Decimal = DEFAULT_MAX_AMOUNT


@dataclass(frozen=True)
class QuickPick:
    """A button at the till adding one item of the owner's categories to a
    sale (``[[program.quick_picks]]``): a flat white, a croissant."""

    label: str
    category: str
    price: Decimal
    sku: str

    def to_dict(self) -> dict[str, str]:
        return {"label": self.label, "category": self.category, "price": str(self.price), "sku": self.sku}


@dataclass(frozen=True)
class Program:
    """One version of a shop's stamp-card programme."""

    name: str
    stamps_per_card: int
    starter_stamps: int
    milestones: tuple[Milestone, ...]
    earning: Earning = field(default_factory=Earning)
    coupon_valid_days: int = 90
    quick_picks: tuple[QuickPick, ...] = ()

    @property
    def final_reward(self) -> Milestone:
        return self.milestones[-1]

    def milestone_at(self, at: int) -> Milestone | None:
        for m in self.milestones:
            if m.at == at:
                return m
        return None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (amounts as strings); ``from_dict`` reads it back."""
        e = self.earning
        earning: dict[str, Any] = {
            "per_visit": e.per_visit,
            "min_amount": str(e.min_amount),
            "max_amount": str(e.max_amount),
        }
        if e.per_amount is not None:
            earning["per_amount"] = str(e.per_amount)
        if e.max_per_day is not None:
            earning["max_per_day"] = e.max_per_day
        data: dict[str, Any] = {
            "name": self.name,
            "stamps_per_card": self.stamps_per_card,
            "starter_stamps": self.starter_stamps,
            "milestones": [{"at": m.at, "reward": m.reward} for m in self.milestones],
            "earning": earning,
            "coupons": {"valid_days": self.coupon_valid_days},
        }
        if self.quick_picks:
            data["quick_picks"] = [q.to_dict() for q in self.quick_picks]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Program:
        return _parse_program(data)


# What each programme mistake says: ``ProgramError.rule`` picks the line,
# ``ProgramError.params`` fill it in, and a screen in another language can
# say the same with its own lines (the till's programme editor does).
PROGRAM_ERRORS: dict[str, str] = {
    "not_toml": "programme file is not valid TOML: {detail}",
    "no_section": "programme file needs a [program] section",
    "unknown_key": "programme: unknown key {key} (known: {known})",
    "required": "programme: {key} is required",
    "whole_number": "programme: {key} must be a whole number, got {value}",
    "range": "programme: {key} must be from {lo} to {hi}, got {value}",
    "amount_as_text": 'programme: {key} must be written as a string such as "{example}"',
    "amount": 'programme: {key} must be an amount such as "2.00"',
    "bad_amount": "programme: {detail}",
    "more_than_zero": "programme: {key} must be more than zero",
    "text": "programme: {key} must be a non-empty text",
    "too_long": "programme: {key} is longer than {limit} characters",
    "control": "programme: {key} must not hold control characters",
    "table": "programme: {key} must be a table",
    "milestones": "programme: at least one [[program.milestones]] is required (the final reward)",
    "milestone_table": "programme: {key} must be a table with 'at' and 'reward'",
    "same_at": "programme: two milestones share the same 'at'",
    "final_reward": "programme: the final reward is missing: add a milestone at = {at} (stamps_per_card)",
    "quick_picks": "programme: program.quick_picks must be a list of [[program.quick_picks]] tables",
    "too_many_picks": "programme: at most {count} [[program.quick_picks]] fit on the till",
    "pick_table": "programme: {key} must be a table with 'label', 'category' and 'price'",
    "same_label": "programme: two quick picks share the same label",
}


class ProgramError(InvalidInput):
    """A mistake in a programme: ``rule`` (a key of ``PROGRAM_ERRORS``) and
    ``params`` (``key`` names the offending key, e.g. ``program.earning.per_visit``)."""

    def __init__(self, rule: str, **params: object) -> None:
        super().__init__(PROGRAM_ERRORS[rule].format(**params), "invalid_program")
        self.rule = rule
        self.params = params


def parse_program_toml(text: str) -> Program:
    """Parse and validate a programme file; errors name the offending key."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProgramError("not_toml", detail=str(exc)) from None
    _only_keys(doc, {"program"}, "")
    section = doc.get("program")
    if not isinstance(section, dict):
        raise ProgramError("no_section")
    return _parse_program(section)


def _only_keys(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ProgramError("unknown_key", key=f"{where}{unknown[0]}", known=", ".join(sorted(allowed)))


def _int(table: Mapping[str, Any], key: str, where: str, lo: int, hi: int, default: int | None = None) -> int:
    if key not in table:
        if default is None:
            raise ProgramError("required", key=f"{where}{key}")
        return default
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProgramError("whole_number", key=f"{where}{key}", value=repr(value))
    if not lo <= value <= hi:
        raise ProgramError("range", key=f"{where}{key}", lo=lo, hi=hi, value=value)
    return value


def _money(table: Mapping[str, Any], key: str, where: str) -> Decimal | None:
    if key not in table:
        return None
    value = table[key]
    if isinstance(value, float):
        raise ProgramError("amount_as_text", key=f"{where}{key}", example=f"{value:.2f}")
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise ProgramError("amount", key=f"{where}{key}")
    try:
        return parse_amount(value, field=f"{where}{key}", allow_zero=True, maximum=None)
    except InvalidInput as exc:
        raise ProgramError("bad_amount", key=f"{where}{key}", detail=exc.message) from None


def _text(value: Any, what: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ProgramError("text", key=what)
    text = value.strip()
    if len(text) > limit:
        raise ProgramError("too_long", key=what, limit=limit)
    if any(ord(c) < 32 for c in text):
        raise ProgramError("control", key=what)
    return text


def _parse_program(section: Mapping[str, Any]) -> Program:
    _only_keys(
        section,
        {"name", "stamps_per_card", "starter_stamps", "milestones", "earning", "coupons", "quick_picks"},
        "program.",
    )
    name = _text(section.get("name"), "program.name", 60)
    spc = _int(section, "stamps_per_card", "program.", 2, MAX_STAMPS_PER_CARD)
    starter = _int(section, "starter_stamps", "program.", 0, spc - 1, default=0)

    raw_milestones = section.get("milestones")
    if not isinstance(raw_milestones, list) or not raw_milestones:
        raise ProgramError("milestones")
    milestones: list[Milestone] = []
    for i, raw in enumerate(raw_milestones, 1):
        where = f"program.milestones[{i}]."
        if not isinstance(raw, dict):
            raise ProgramError("milestone_table", key=where[:-1])
        _only_keys(raw, {"at", "reward"}, where)
        at = _int(raw, "at", where, 1, spc)
        milestones.append(Milestone(at, _text(raw.get("reward"), f"{where}reward", 80)))
    milestones.sort(key=lambda m: m.at)
    ats = [m.at for m in milestones]
    if len(set(ats)) != len(ats):
        raise ProgramError("same_at")
    if ats[-1] != spc:
        raise ProgramError("final_reward", at=spc)

    earning_raw = section.get("earning", {})
    if not isinstance(earning_raw, dict):
        raise ProgramError("table", key="program.earning")
    _only_keys(
        earning_raw,
        {"per_visit", "min_amount", "per_amount", "max_per_day", "max_amount"},
        "program.earning.",
    )
    w = "program.earning."
    per_amount = _money(earning_raw, "per_amount", w)
    if per_amount is not None and per_amount <= 0:
        raise ProgramError("more_than_zero", key=f"{w}per_amount")
    max_amount = _money(earning_raw, "max_amount", w)
    if max_amount is not None and max_amount <= 0:
        raise ProgramError("more_than_zero", key=f"{w}max_amount")
    earning = Earning(
        per_visit=_int(earning_raw, "per_visit", w, 0, spc, default=1),
        min_amount=_money(earning_raw, "min_amount", w) or Decimal("0.00"),
        per_amount=per_amount,
        max_per_day=(
            _int(earning_raw, "max_per_day", w, 1, 10 * spc) if "max_per_day" in earning_raw else None
        ),
        max_amount=max_amount or DEFAULT_MAX_AMOUNT,
    )

    coupons_raw = section.get("coupons", {})
    if not isinstance(coupons_raw, dict):
        raise ProgramError("table", key="program.coupons")
    _only_keys(coupons_raw, {"valid_days"}, "program.coupons.")
    valid_days = _int(coupons_raw, "valid_days", "program.coupons.", 1, 3660, default=90)

    return Program(
        name=name,
        stamps_per_card=spc,
        starter_stamps=starter,
        milestones=tuple(milestones),
        earning=earning,
        coupon_valid_days=valid_days,
        quick_picks=_parse_quick_picks(section.get("quick_picks", [])),
    )


def _parse_quick_picks(raw_picks: Any) -> tuple[QuickPick, ...]:
    if not isinstance(raw_picks, list):
        raise ProgramError("quick_picks")
    if len(raw_picks) > MAX_QUICK_PICKS:
        raise ProgramError("too_many_picks", count=MAX_QUICK_PICKS)
    picks: list[QuickPick] = []
    for i, raw in enumerate(raw_picks, 1):
        where = f"program.quick_picks[{i}]."
        if not isinstance(raw, dict):
            raise ProgramError("pick_table", key=where[:-1])
        _only_keys(raw, {"label", "category", "price", "sku"}, where)
        label = _text(raw.get("label"), f"{where}label", 20)
        category = _text(raw.get("category"), f"{where}category", 64).lower()
        price = _money(raw, "price", where)
        if price is None or price <= 0:
            raise ProgramError("more_than_zero", key=f"{where}price")
        sku = _text(raw["sku"], f"{where}sku", 64) if "sku" in raw else label.lower()
        picks.append(QuickPick(label, category, price, sku))
    if len({p.label.casefold() for p in picks}) != len(picks):
        raise ProgramError("same_label")
    return tuple(picks)
