"""The loyalty programme: what the owner sets, loaded from a TOML file.

A programme is immutable; changing it stores a new version. Every checkout
records the version it was computed with, and nothing already earned is taken
away by a later version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .errors import InvalidInput
from .money import DEFAULT_MAX_AMOUNT, parse_amount

MAX_STAMPS_PER_CARD = 100
MAX_QUICK_PICKS = 12
MAX_TIERS = 5
MAX_MULTIPLIER = 10
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Milestone:
    """A reward unlocked when a card reaches ``at`` stamps in a cycle."""

    at: int
    reward: str
    cost: Decimal | None = None  # what the reward costs the shop (for the report)


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
class Expiry:
    """``[program.expiry]``: a card's stamps lapse ``stamps_after_days``
    after its last visit; receipts, the till and the card page warn
    ``warn_days`` ahead (of lapsing stamps and of coupons' end)."""

    stamps_after_days: int | None = None
    warn_days: int = 14


@dataclass(frozen=True)
class Tier:
    """A status tier (``[[program.tiers]]``, highest first): reached when the
    card has ``min_visits`` qualifying visits AND ``min_spend`` spent over
    the last ``window_days`` days."""

    name: str
    min_visits: int = 0
    min_spend: Decimal = Decimal("0.00")
    window_days: int = 90
    stamp_multiplier: int = 1
    perk: str | None = None


@dataclass(frozen=True)
class Surprise:
    """Extra stamps at the card's ``at_visit``-th qualifying visit, never
    announced before it happens."""

    at_visit: int
    stamps: int
    message: str


@dataclass(frozen=True)
class Referral:
    """Stamps for both cards at the referred customer's first qualifying sale."""

    referrer_stamps: int = 0
    referred_stamps: int = 0


@dataclass(frozen=True)
class Birthday:
    """A coupon for ``reward`` at the first visit in [birthday, birthday +
    window_days), once a year."""

    reward: str
    window_days: int = 7
    cost: Decimal | None = None


@dataclass(frozen=True)
class CategoryBonus:
    """Extra stamps for a sale holding an item of ``category``."""

    category: str
    stamps: int


@dataclass(frozen=True)
class Offpeak:
    """Quiet hours: visit and amount stamps are multiplied on ``days``
    from ``start`` to ``end`` (shop-local, "HH:MM", end excluded)."""

    days: tuple[str, ...]
    start: str
    end: str
    multiplier: int


# The customer e-mails a programme can send (``[[program.messages]]``), each a
# campaign of its own: its share held out, its uplift in the report.
MESSAGE_KINDS = ("lapse_warning", "coupon_expiry", "near_reward", "win_back", "birthday")
MAX_HOLDOUT = 0.5


@dataclass(frozen=True)
class Messaging:
    """``[program.messaging]``: the share of eligible customers each
    campaign holds out (they get nothing, to measure what the e-mails
    change), and the most marketing e-mails a customer gets in any 7 days."""

    holdout: float = 0.10
    max_per_week: int = 1


@dataclass(frozen=True)
class MessageRule:
    """One ``[[program.messages]]``: when its e-mail is due (``domain.messages``).

    ``days``: lapse_warning and coupon_expiry, N days before the stamps lapse
    or the coupon ends; win_back and near_reward, after N days without a
    visit; birthday, N days before the birthday. ``stamps``: near_reward,
    within this many stamps of the next milestone. ``coupon``: win_back, a
    coupon for this reward comes with the e-mail, valid ``coupon_days``."""

    kind: str
    days: int
    stamps: int = 1
    coupon: str | None = None
    coupon_days: int = 14
    coupon_cost: Decimal | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "days": self.days}
        if self.kind == "near_reward":
            data["stamps"] = self.stamps
        if self.coupon is not None:
            data["coupon"] = self.coupon
            data["coupon_days"] = self.coupon_days
            if self.coupon_cost is not None:
                data["coupon_cost"] = str(self.coupon_cost)
        return data


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
    expiry: Expiry = field(default_factory=Expiry)
    tiers: tuple[Tier, ...] = ()  # highest first
    tier_grace_days: int = 30
    surprises: tuple[Surprise, ...] = ()
    referral: Referral | None = None
    birthday: Birthday | None = None
    category_bonus: tuple[CategoryBonus, ...] = ()
    offpeak: tuple[Offpeak, ...] = ()
    messaging: Messaging = field(default_factory=Messaging)
    messages: tuple[MessageRule, ...] = ()

    def message(self, kind: str) -> MessageRule | None:
        """The programme's e-mail of ``kind``, if it sends one."""
        for rule in self.messages:
            if rule.kind == kind:
                return rule
        return None

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
            "milestones": [_milestone_dict(m) for m in self.milestones],
            "earning": earning,
            "coupons": {"valid_days": self.coupon_valid_days},
        }
        if self.quick_picks:
            data["quick_picks"] = [q.to_dict() for q in self.quick_picks]
        if self.expiry != Expiry():
            expiry: dict[str, Any] = {"warn_days": self.expiry.warn_days}
            if self.expiry.stamps_after_days is not None:
                expiry["stamps_after_days"] = self.expiry.stamps_after_days
            data["expiry"] = expiry
        if self.tiers:
            data["tiers"] = [_tier_dict(t) for t in self.tiers]
            data["tier_policy"] = {"grace_days": self.tier_grace_days}
        if self.surprises:
            data["surprises"] = [
                {"at_visit": x.at_visit, "stamps": x.stamps, "message": x.message} for x in self.surprises
            ]
        if self.referral is not None:
            data["referral"] = {
                "referrer_stamps": self.referral.referrer_stamps,
                "referred_stamps": self.referral.referred_stamps,
            }
        if self.birthday is not None:
            data["birthday"] = {"reward": self.birthday.reward, "window_days": self.birthday.window_days}
            if self.birthday.cost is not None:
                data["birthday"]["cost"] = str(self.birthday.cost)
        if self.category_bonus:
            data["category_bonus"] = [
                {"category": b.category, "stamps": b.stamps} for b in self.category_bonus
            ]
        if self.offpeak:
            data["offpeak"] = [
                {"days": list(o.days), "start": o.start, "end": o.end, "multiplier": o.multiplier}
                for o in self.offpeak
            ]
        if self.messaging != Messaging():
            data["messaging"] = {
                "holdout": self.messaging.holdout,
                "max_per_week": self.messaging.max_per_week,
            }
        if self.messages:
            data["messages"] = [m.to_dict() for m in self.messages]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Program:
        return _parse_program(data)


def _milestone_dict(milestone: Milestone) -> dict[str, Any]:
    data: dict[str, Any] = {"at": milestone.at, "reward": milestone.reward}
    if milestone.cost is not None:
        data["cost"] = str(milestone.cost)
    return data


def _tier_dict(tier: Tier) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": tier.name,
        "min_visits": tier.min_visits,
        "min_spend": str(tier.min_spend),
        "window_days": tier.window_days,
        "stamp_multiplier": tier.stamp_multiplier,
    }
    if tier.perk:
        data["perk"] = tier.perk
    return data


class ProgramError(InvalidInput):
    """A mistake in a programme: ``rule`` (the words book says it as
    ``error.program_<rule>``, and the owner's editor as
    ``error.program_<rule>.form``) and ``params`` (``key`` names the
    offending key, e.g. ``program.earning.per_visit``)."""

    def __init__(self, rule: str, **params: Any) -> None:
        super().__init__(code="invalid_program", phrase=f"program_{rule}", **params)
        self.rule = rule


def parse_program_toml(text: str) -> Program:
    """Parse and validate a programme file; errors name the offending key."""
    import tomllib  # the till reads programmes from the database, not from files

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
        raise ProgramError("whole_number", key=f"{where}{key}", value=value)
    if not lo <= value <= hi:
        raise ProgramError("range", key=f"{where}{key}", lo=lo, hi=hi, value=value)
    return value


def _money(table: Mapping[str, Any], key: str, where: str) -> Decimal | None:
    if key not in table:
        return None
    value = table[key]
    if isinstance(value, float):
        raise ProgramError("amount_as_text", key=f"{where}{key}", example=Decimal(f"{value:.2f}"))
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise ProgramError("amount", key=f"{where}{key}")
    try:
        return parse_amount(value, field=f"{where}{key}", allow_zero=True, maximum=None)
    except InvalidInput as exc:
        raise ProgramError("bad_amount", key=f"{where}{key}", detail=exc) from None


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
        {
            "name",
            "stamps_per_card",
            "starter_stamps",
            "milestones",
            "earning",
            "coupons",
            "quick_picks",
            "expiry",
            "tiers",
            "tier_policy",
            "surprises",
            "referral",
            "birthday",
            "category_bonus",
            "offpeak",
            "messaging",
            "messages",
        },
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
        try:
            _only_keys(raw, {"at", "reward", "cost"}, where)
            at = _int(raw, "at", where, 1, spc)
            milestones.append(
                Milestone(at, _text(raw.get("reward"), f"{where}reward", 80), _money(raw, "cost", where))
            )
        except ProgramError as mistake:
            # The owner knows a milestone by its stamps ("the one at 10"),
            # not by its place in the file.
            if isinstance(raw.get("at"), int) and not isinstance(raw.get("at"), bool):
                mistake.params.setdefault("milestone_at", raw["at"])
            raise
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

    expiry_raw = _table(section, "expiry")
    w = "program.expiry."
    _only_keys(expiry_raw, {"stamps_after_days", "coupon_valid_days", "warn_days"}, w)
    if "coupon_valid_days" in expiry_raw:
        coupon_days = _int(expiry_raw, "coupon_valid_days", w, 1, 3660)
        if "valid_days" in coupons_raw and coupon_days != valid_days:
            raise ProgramError("coupon_days_twice")
        valid_days = coupon_days
    expiry = Expiry(
        stamps_after_days=(
            _int(expiry_raw, "stamps_after_days", w, 1, 3660) if "stamps_after_days" in expiry_raw else None
        ),
        warn_days=_int(expiry_raw, "warn_days", w, 0, 365, default=14),
    )

    tiers = _parse_tiers(section.get("tiers", []))
    policy = _table(section, "tier_policy")
    _only_keys(policy, {"grace_days"}, "program.tier_policy.")
    if policy and not tiers:
        raise ProgramError("tier_policy")
    grace = _int(policy, "grace_days", "program.tier_policy.", 0, 365, default=30)

    surprises = []
    for where, raw in _tables(section, "surprises", 20):
        _only_keys(raw, {"at_visit", "stamps", "message"}, where)
        surprises.append(
            Surprise(
                at_visit=_int(raw, "at_visit", where, 1, 100_000),
                stamps=_int(raw, "stamps", where, 1, spc),
                message=_text(raw.get("message"), f"{where}message", 120),
            )
        )
    _unique([x.at_visit for x in surprises], "program.surprises", "at_visit")

    referral = None
    if "referral" in section:
        raw = _table(section, "referral")
        w = "program.referral."
        _only_keys(raw, {"referrer_stamps", "referred_stamps"}, w)
        referral = Referral(
            referrer_stamps=_int(raw, "referrer_stamps", w, 0, spc, default=0),
            referred_stamps=_int(raw, "referred_stamps", w, 0, spc, default=0),
        )
        if not referral.referrer_stamps and not referral.referred_stamps:
            raise ProgramError("referral_empty")

    birthday = None
    if "birthday" in section:
        raw = _table(section, "birthday")
        w = "program.birthday."
        _only_keys(raw, {"reward", "window_days", "cost"}, w)
        birthday = Birthday(
            reward=_text(raw.get("reward"), f"{w}reward", 80),
            window_days=_int(raw, "window_days", w, 1, 31, default=7),
            cost=_money(raw, "cost", w),
        )

    bonuses = []
    for where, raw in _tables(section, "category_bonus", 20):
        _only_keys(raw, {"category", "stamps"}, where)
        bonuses.append(
            CategoryBonus(
                category=_text(raw.get("category"), f"{where}category", 64).lower(),
                stamps=_int(raw, "stamps", where, 1, spc),
            )
        )
    _unique([b.category for b in bonuses], "program.category_bonus", "category")

    offpeak: list[Offpeak] = []
    for where, raw in _tables(section, "offpeak", 10):
        _only_keys(raw, {"days", "start", "end", "multiplier"}, where)
        days = raw.get("days")
        if (
            not isinstance(days, list)
            or not days
            or any(not isinstance(d, str) or d.lower() not in WEEKDAYS for d in days)
            or len({d.lower() for d in days}) != len(days)
        ):
            raise ProgramError("weekdays", key=f"{where}days", days=", ".join(WEEKDAYS))
        start, end = _clock(raw, "start", where), _clock(raw, "end", where)
        if start >= end:
            raise ProgramError("clock_order", key=where[:-1])
        offpeak.append(
            Offpeak(
                days=tuple(sorted((d.lower() for d in days), key=WEEKDAYS.index)),
                start=start,
                end=end,
                multiplier=_int(raw, "multiplier", where, 1, MAX_MULTIPLIER),
            )
        )

    messaging = _parse_messaging(_table(section, "messaging"))
    messages = _parse_messages(section, spc, expiry, birthday)

    return Program(
        name=name,
        stamps_per_card=spc,
        starter_stamps=starter,
        milestones=tuple(milestones),
        earning=earning,
        coupon_valid_days=valid_days,
        quick_picks=_parse_quick_picks(section.get("quick_picks", [])),
        expiry=expiry,
        tiers=tiers,
        tier_grace_days=grace,
        surprises=tuple(sorted(surprises, key=lambda x: x.at_visit)),
        referral=referral,
        birthday=birthday,
        category_bonus=tuple(bonuses),
        offpeak=tuple(offpeak),
        messaging=messaging,
        messages=messages,
    )


def _table(section: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    raw = section.get(key, {})
    if not isinstance(raw, dict):
        raise ProgramError("table", key=f"program.{key}")
    return raw


def _tables(section: Mapping[str, Any], key: str, most: int) -> list[tuple[str, Mapping[str, Any]]]:
    """The ``[[program.KEY]]`` tables, each with the prefix its errors name."""
    raw = section.get(key, [])
    if not isinstance(raw, list) or any(not isinstance(t, dict) for t in raw):
        raise ProgramError("list_of_tables", key=f"program.{key}")
    if len(raw) > most:
        raise ProgramError("too_many", count=most, key=f"program.{key}")
    return [(f"program.{key}[{i}].", t) for i, t in enumerate(raw, 1)]


def _unique(values: list[Any], key: str, what: str) -> None:
    if len(set(values)) != len(values):
        raise ProgramError("same_value", key=key, field=what)


def _clock(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or len(value) != 5 or value[2] != ":":
        raise ProgramError("clock", key=f"{where}{key}")
    hours, minutes = value[:2], value[3:]
    if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
        raise ProgramError("clock", key=f"{where}{key}")
    return value


def _parse_tiers(raw: Any) -> tuple[Tier, ...]:
    tiers = []
    for where, table in _tables({"tiers": raw}, "tiers", MAX_TIERS):
        _only_keys(
            table, {"name", "min_visits", "min_spend", "window_days", "stamp_multiplier", "perk"}, where
        )
        spend = _money(table, "min_spend", where) or Decimal("0.00")
        tier = Tier(
            name=_text(table.get("name"), f"{where}name", 40),
            min_visits=_int(table, "min_visits", where, 0, 10_000, default=0),
            min_spend=spend,
            window_days=_int(table, "window_days", where, 1, 3660, default=90),
            stamp_multiplier=_int(table, "stamp_multiplier", where, 1, MAX_MULTIPLIER, default=1),
            perk=_text(table["perk"], f"{where}perk", 80) if "perk" in table else None,
        )
        if not tier.min_visits and not tier.min_spend:
            raise ProgramError("tier_criteria", key=where[:-1])
        tiers.append(tier)
    _unique([t.name.casefold() for t in tiers], "program.tiers", "name")
    for higher, lower in zip(tiers, tiers[1:], strict=False):
        if (
            lower.min_visits > higher.min_visits
            or lower.min_spend > higher.min_spend
            or (lower.min_visits, lower.min_spend) == (higher.min_visits, higher.min_spend)
        ) and lower.window_days == higher.window_days:
            raise ProgramError("tier_order", lower=lower.name, higher=higher.name)
    return tuple(tiers)


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


def _parse_messaging(raw: Mapping[str, Any]) -> Messaging:
    where = "program.messaging."
    _only_keys(raw, {"holdout", "max_per_week"}, where)
    holdout = raw.get("holdout", Messaging.holdout)
    if isinstance(holdout, bool) or not isinstance(holdout, (int, float)) or not 0 <= holdout <= MAX_HOLDOUT:
        raise ProgramError("share", key=f"{where}holdout", most=MAX_HOLDOUT, value=holdout)
    return Messaging(
        holdout=round(float(holdout), 4),
        max_per_week=_int(raw, "max_per_week", where, 1, 7, default=Messaging.max_per_week),
    )


# The keys each kind of ``[[program.messages]]`` takes, beside ``kind``.
_MESSAGE_KEYS = {
    "lapse_warning": {"days"},
    "coupon_expiry": {"days"},
    "near_reward": {"days", "stamps"},
    "win_back": {"days", "coupon", "coupon_days", "coupon_cost"},
    "birthday": {"days"},
}


def _parse_messages(
    section: Mapping[str, Any], spc: int, expiry: Expiry, birthday: Birthday | None
) -> tuple[MessageRule, ...]:
    rules = []
    for where, raw in _tables(section, "messages", len(MESSAGE_KINDS)):
        kind = raw.get("kind")
        if kind not in MESSAGE_KINDS:
            raise ProgramError("message_kind", key=f"{where}kind", known=", ".join(MESSAGE_KINDS))
        _only_keys(raw, {"kind"} | _MESSAGE_KEYS[kind], where)
        if kind == "lapse_warning" and expiry.stamps_after_days is None:
            raise ProgramError("message_needs_expiry", key=f"{where}kind")
        if kind == "birthday" and birthday is None:
            raise ProgramError("message_needs_birthday", key=f"{where}kind")
        if kind == "lapse_warning":
            days = _int(raw, "days", where, 1, 365, default=expiry.warn_days or 7)
        elif kind == "coupon_expiry":
            days = _int(raw, "days", where, 1, 365, default=7)
        elif kind == "near_reward":
            days = _int(raw, "days", where, 0, 365, default=7)
        elif kind == "win_back":
            days = _int(raw, "days", where, 1, 3660, default=30)
        else:
            days = _int(raw, "days", where, 0, 31, default=0)
        coupon = _text(raw["coupon"], f"{where}coupon", 80) if "coupon" in raw else None
        if coupon is None and ("coupon_days" in raw or "coupon_cost" in raw):
            raise ProgramError("required", key=f"{where}coupon")
        rules.append(
            MessageRule(
                kind=kind,
                days=days,
                stamps=_int(raw, "stamps", where, 1, spc, default=1),
                coupon=coupon,
                coupon_days=_int(raw, "coupon_days", where, 1, 365, default=14),
                coupon_cost=_money(raw, "coupon_cost", where),
            )
        )
    _unique([r.kind for r in rules], "program.messages", "kind")
    return tuple(rules)
