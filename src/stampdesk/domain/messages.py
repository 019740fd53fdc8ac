"""Who gets which customer e-mail, for which occasion: pure rules.

Each ``[[program.messages]]`` kind is a campaign. A card is due an e-mail
of a kind on an *occasion*, a key that names what the e-mail is about, so
that the same occasion is never e-mailed twice (the outbox holds one row
per kind, card and occasion):

- ``lapse_warning:<last visit day>``: its stamps lapse within ``days``;
- ``coupon_expiry:<coupon id>``: a valid coupon ends within ``days``;
- ``near_reward:<cycle>:<milestone>``: ``1..stamps`` stamps from the next
  milestone, and ``days`` without a visit: once per card cycle and milestone;
- ``win_back:<last visit day>``: ``days`` without a visit (a visit makes a
  new occasion);
- ``birthday:<year>``: from ``days`` before the birthday to the end of the
  birthday reward's window, while that year's birthday coupon is not issued.

Every occasion has a moment past which an e-mail not yet sent is pointless
(``Due.until``): the stamps lapsed, the coupon ended, the window closed.

Those five kinds are *marketing*: sent only with the customer's consent,
under the weekly cap, with a held-out share. ``card_link`` is not: the
customer asked for their card's link on the shop's page (``card_link:<UTC
hour>``, so a burst of requests makes one e-mail an hour). It needs no
consent, counts in no cap and no campaign, and carries no unsubscribe
link; an erased card never gets it (``is_marketing``, ``may_receive``).

Also here: the fixed random share each campaign holds out (``held_out``),
the frequency cap (``cap_frees_at``), the retry backoff (``retry_at``) and
the uplift with its 95 % interval (``uplift``, Newcombe's hybrid score).
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal

from .days import end_of_day, local_day
from .loyalty import lapse_at
from .program import MESSAGE_KINDS, Birthday, MessageRule, Program
from .rules import next_milestone

KINDS = MESSAGE_KINDS
# What a customer asks for, not what the shop offers: no consent needed.
CARD_LINK = "card_link"
TRANSACTIONAL_KINDS = (CARD_LINK,)
# A card's link not sent within this long (the mail server away) is no
# longer what the customer waits for: they ask again.
CARD_LINK_FRESH_FOR = timedelta(hours=24)
# A win-back or near-reward e-mail that could not go out within this long
# (the frequency cap, the mail server down) is no longer news.
FRESH_FOR = timedelta(days=7)
WEEK = timedelta(days=7)
# Retries after a temporary failure: 5 min, 10, 20… at most 6 h apart.
FIRST_RETRY = timedelta(minutes=5)
LONGEST_RETRY = timedelta(hours=6)
Z_95 = 1.959963984540054


@dataclass(frozen=True)
class Coupon:
    """A card's coupon neither used nor voided, as the rules see it."""

    id: int
    reward: str
    expires_at: datetime
    cycle: int
    milestone_at: int  # 0: a birthday's (its cycle is the birthday's year)


@dataclass(frozen=True)
class CardFacts:
    """What the rules need of a card (read set-based by the service)."""

    balance: int
    cycle: int
    last_visit_at: datetime | None
    birthday: date | None = None
    coupons: tuple[Coupon, ...] = ()


@dataclass(frozen=True)
class Due:
    """An e-mail a card is due: its kind, occasion, until when it is worth
    sending, and what it is about (the coupon, the milestone, the year)."""

    kind: str
    occasion: str
    until: datetime
    coupon_id: int | None = None


def lapse_warning(
    rule: MessageRule, program: Program, card: CardFacts, now: datetime, zone: tzinfo
) -> Due | None:
    """Due when the card's stamps lapse within ``rule.days`` (not yet lapsed)."""
    lapse = lapse_at(program, card.last_visit_at, zone)
    if lapse is None or card.balance <= 0 or card.last_visit_at is None:
        return None
    if not now < lapse <= now + timedelta(days=rule.days):
        return None
    return Due("lapse_warning", f"lapse_warning:{local_day(card.last_visit_at, zone).isoformat()}", lapse)


def coupon_expiry(rule: MessageRule, card: CardFacts, now: datetime) -> list[Due]:
    """One e-mail per valid coupon that ends within ``rule.days``."""
    horizon = now + timedelta(days=rule.days)
    return [
        Due("coupon_expiry", f"coupon_expiry:{c.id}", c.expires_at, c.id)
        for c in sorted(card.coupons, key=lambda c: (c.expires_at, c.id))
        if now <= c.expires_at <= horizon
    ]


def days_without_visit(card: CardFacts, now: datetime, zone: tzinfo) -> int | None:
    """Whole shop-local days since the card's last visit (None: never)."""
    if card.last_visit_at is None:
        return None
    return (local_day(now, zone) - local_day(card.last_visit_at, zone)).days


def near_reward(
    rule: MessageRule, program: Program, card: CardFacts, now: datetime, zone: tzinfo
) -> Due | None:
    """Due when the card is 1..``rule.stamps`` stamps from its next
    milestone and went ``rule.days`` without a visit: once per cycle and milestone."""
    away = days_without_visit(card, now, zone)
    if away is None or away < rule.days:
        return None
    milestone = next_milestone(card.balance, program)
    if not 1 <= milestone.at - card.balance <= rule.stamps:
        return None
    return Due("near_reward", f"near_reward:{card.cycle}:{milestone.at}", now + FRESH_FOR)


def win_back(rule: MessageRule, card: CardFacts, now: datetime, zone: tzinfo) -> Due | None:
    """Due after ``rule.days`` without a visit; the next visit starts a new occasion."""
    away = days_without_visit(card, now, zone)
    if away is None or away < rule.days:
        return None
    assert card.last_visit_at is not None
    return Due("win_back", f"win_back:{local_day(card.last_visit_at, zone).isoformat()}", now + FRESH_FOR)


def _birthday_in(year: int, born: date) -> date:
    try:
        return born.replace(year=year)
    except ValueError:  # 29 February, in a year without one
        return date(year, 2, 28)


def birthday(rule: MessageRule, reward: Birthday, card: CardFacts, now: datetime, zone: tzinfo) -> Due | None:
    """Due from ``rule.days`` before the birthday to the end of the reward's
    window, while that year's birthday coupon is not issued (a visit in the
    window issues it)."""
    if card.birthday is None:
        return None
    today = local_day(now, zone)
    issued = {c.cycle for c in card.coupons if c.milestone_at == 0}
    for year in (today.year - 1, today.year, today.year + 1):
        day = _birthday_in(year, card.birthday)
        last = day + timedelta(days=reward.window_days - 1)
        if day - timedelta(days=rule.days) <= today <= last and year not in issued:
            return Due("birthday", f"birthday:{year}", end_of_day(last, zone))
    return None


def due(
    program: Program, card: CardFacts, now: datetime, zone: tzinfo, kinds: Iterable[str] = KINDS
) -> list[Due]:
    """Every e-mail of ``kinds`` the programme sends that the card is due at ``now``."""
    found: list[Due] = []
    for kind in kinds:
        rule = program.message(kind)
        if rule is None:
            continue
        if kind == "lapse_warning":
            one = lapse_warning(rule, program, card, now, zone)
        elif kind == "coupon_expiry":
            found.extend(coupon_expiry(rule, card, now))
            continue
        elif kind == "near_reward":
            one = near_reward(rule, program, card, now, zone)
        elif kind == "win_back":
            one = win_back(rule, card, now, zone)
        else:
            one = birthday(rule, program.birthday, card, now, zone) if program.birthday else None
        if one is not None:
            found.append(one)
    return found


# ----------------------------------------------------------------------
# Marketing or not: consent, the cap and the campaigns are the marketing kinds'


def is_marketing(kind: str) -> bool:
    """Whether e-mails of ``kind`` are marketing (consent, weekly cap,
    holdout, a campaign in the report, an unsubscribe link). Every kind
    is, unless the customer asked for it: an unknown kind is treated as
    marketing, never sent without consent."""
    return kind not in TRANSACTIONAL_KINDS


def may_receive(kind: str, *, consent: bool, erased: bool, email: str | None, active: bool) -> bool:
    """Whether a card may be sent an e-mail of ``kind`` now: an address,
    an active card, not erased; and consent, for marketing only (a
    withdrawn consent does not stop a link the customer asked for)."""
    if erased or not email or not active:
        return False
    return consent or not is_marketing(kind)


def card_link_occasion(now: datetime) -> str:
    """The occasion of a card's link asked for at ``now``: its UTC hour, so
    that every request of that hour makes the same one e-mail."""
    return f"{CARD_LINK}:{now.astimezone(UTC):%Y-%m-%dT%H}"


# ----------------------------------------------------------------------
# Holdout, frequency cap, retries


def holdout_draw(secret: bytes, kind: str, customer_id: int) -> float:
    """A number in [0, 1) fixed for a customer and a campaign, drawn from an
    HMAC under the shop's secret: unpredictable, unrelated to the order of
    card numbers or customer ids, and the same at every run."""
    tag = hmac.new(secret, f"holdout:{kind}:{customer_id}".encode(), hashlib.sha256).digest()
    return int.from_bytes(tag[:8], "big") / 2**64


def held_out(secret: bytes, kind: str, customer_id: int, share: float) -> bool:
    """Whether the campaign ``kind`` holds this customer out (gets nothing)."""
    return share > 0 and holdout_draw(secret, kind, customer_id) < share


def cap_frees_at(sent: Sequence[datetime], now: datetime, max_per_week: int) -> datetime | None:
    """None when one more marketing e-mail fits in the 7 days up to ``now``
    (``sent``: when the customer's e-mails went); else the moment it does."""
    recent = sorted((s for s in sent if now - WEEK < s <= now), reverse=True)
    if len(recent) < max_per_week:
        return None
    return recent[max_per_week - 1] + WEEK


def retry_at(attempts: int, now: datetime) -> datetime:
    """When to try again after the ``attempts``-th temporary failure."""
    wait: timedelta = FIRST_RETRY * 2 ** max(0, min(attempts - 1, 10))
    return now + min(wait, LONGEST_RETRY)


# ----------------------------------------------------------------------
# Proof it pays: the uplift of a campaign against its held-out customers


@dataclass(frozen=True)
class Uplift:
    """The share that came back after an e-mail and without one, their
    difference and its 95 % interval (None without both groups)."""

    sent: float
    held_out: float
    difference: float | None
    low: float | None
    high: float | None


def wilson(successes: int, total: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson's score interval of a proportion."""
    if total <= 0:
        return 0.0, 1.0
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    return max(0.0, centre - half), min(1.0, centre + half)


def uplift(sent: int, sent_back: int, held: int, held_back: int) -> Uplift:
    """The difference of two shares (came back after an e-mail, and held
    out) with Newcombe's hybrid score interval (his method 10): sound with
    small groups and shares near 0 or 1, where Wald's is not."""
    share_sent = sent_back / sent if sent else 0.0
    share_held = held_back / held if held else 0.0
    if not sent or not held:
        return Uplift(share_sent, share_held, None, None, None)
    l1, u1 = wilson(sent_back, sent)
    l2, u2 = wilson(held_back, held)
    d = share_sent - share_held
    low = d - math.sqrt((share_sent - l1) ** 2 + (u2 - share_held) ** 2)
    high = d + math.sqrt((u1 - share_sent) ** 2 + (share_held - l2) ** 2)
    return Uplift(share_sent, share_held, d, low, high)


def pays(u: Uplift, extra_revenue: Decimal, extra_cost: Decimal) -> str:
    """The verdict's code: ``too_early`` (no held-out group or no e-mail
    yet), ``pays`` (more customers came back, surely, and the extra sales
    exceed the extra rewards), ``does_not_pay`` (surely no more came back,
    or what they bought does not cover the rewards), ``unclear`` (the
    interval still holds zero)."""
    if u.difference is None or u.low is None or u.high is None:
        return "too_early"
    if u.high < 0:
        return "does_not_pay"
    if u.low > 0:
        return "pays" if extra_revenue > extra_cost else "does_not_pay"
    return "unclear"
