"""What a sale did, as codes: the till, the receipt and the API put them
in words (or act on them); the rules never write a sentence.

``Outcome`` says why a sale earned what it earned and what it handed over.
A ``Notice`` is a line the receipt prints beside the stamps, as a code and
its values (the tier, the day, the reward), for the caller to put in the
shop's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    """What a sale did, beyond its stamps and coupons."""

    WALK_IN = "walk_in"  # sold without a card: its stamps wait to be claimed
    STAMPS_LAPSED = "stamps_lapsed"  # the card's stamps lapsed before this visit
    STARTER_STAMPS = "starter_stamps"  # a pre-printed card's first sale: its starter stamps
    BELOW_MINIMUM = "below_minimum"  # under min_amount: not a qualifying visit
    DAILY_CAP = "daily_cap"  # max_per_day took some (or all) of what the sale earned
    OFFPEAK = "offpeak"  # the quiet hours' multiplier applied
    TIER_MULTIPLIER = "tier_multiplier"  # the status tier's multiplier applied
    CATEGORY_BONUS = "category_bonus"  # an item of a bonus category
    SURPRISE = "surprise"  # the card's N-th visit's surprise stamps
    REFERRAL = "referral"  # the referred card's first visit: both cards' referral stamps
    MILESTONE = "milestone"  # an intermediate milestone reached, its coupon issued
    CARD_COMPLETED = "card_completed"  # the card completed: a new cycle starts
    BIRTHDAY = "birthday"  # the birthday coupon of the year
    TIER_REACHED = "tier_reached"  # a status tier reached with this sale
    TIER_GRACE = "tier_grace"  # the tier holds in its grace period: what keeps it
    STAMPS_EXPIRING = "stamps_expiring"  # the card's stamps lapse within warn_days
    COUPON_EXPIRING = "coupon_expiring"  # a coupon of the card ends within warn_days


# A line of the receipt with no outcome of its own: the perk of a tier reached.
TIER_PERK = "tier_perk"


@dataclass(frozen=True)
class Notice:
    """A line the receipt prints beside the stamps: its code (an
    ``Outcome`` value, or ``TIER_PERK``) and the values it is said with."""

    code: str
    values: Mapping[str, Any] = field(default_factory=dict)
