"""A sale and its refund as pure plans, without a database: what each sale
says it did (its outcome codes), and the rules' invariants over random
cards, programmes and sales (hypothesis).

Invariants: the plan's ledger entries add up to the card's new balance and
cycle; no balance, day count or sale is ever negative; a sale never earns
more than the day's cap leaves; every completion issues exactly one final
reward (none when the card already holds its cycle's); the milestones a
sale announces are the coupons it issues, none the card already holds; a
refund at once takes back exactly what its sale gave and leaves the card
as it was. The database-backed versions (test_properties,
test_loyalty_properties, test_programme_changes) keep what the database is
the point of: what is written, read back and reconciled.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from helpers import EXAMPLE_PROGRAM, LOYALTY_PROGRAM
from stampdesk.domain.days import end_of_day_after
from stampdesk.domain.errors import InvalidInput, Refused
from stampdesk.domain.loyalty import Sale, TierTimeline, offpeak_multiplier, sale_stamps
from stampdesk.domain.outcomes import Outcome
from stampdesk.domain.program import (
    Birthday,
    CategoryBonus,
    Earning,
    Expiry,
    Milestone,
    Offpeak,
    Program,
    Referral,
    Surprise,
    parse_program_toml,
)
from stampdesk.domain.refund import RefundCard, SoldSale, plan_refund
from stampdesk.domain.rules import CouponKey
from stampdesk.domain.sale import CardSnapshot, NewSale, SaleHistory, SalePlan, plan_sale, sale_needs
from stampdesk.domain.stamps import (
    BLANK,
    THIS_SALE,
    HeldCoupon,
    plan_gift,
    starter_stamps,
    undoable_completions,
)

PARIS = ZoneInfo("Europe/Paris")
EXAMPLE = parse_program_toml(EXAMPLE_PROGRAM.read_text(encoding="utf-8"))
LOYALTY = parse_program_toml(LOYALTY_PROGRAM.read_text(encoding="utf-8"))
MONDAY = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # 09:00 in Paris
_codes = itertools.count()


def new_code() -> str:
    return f"C{next(_codes):07d}"


def card(**changed: object) -> CardSnapshot:
    values: dict[str, object] = {
        "number": "2900000000015",
        "balance": 2,
        "cycle": 0,
        "status": "active",
        "stamp_day": None,
        "day_stamps": 0,
        "visits": 0,
        "last_visit_at": MONDAY - timedelta(days=1),
        "created_at": MONDAY - timedelta(days=1),
        "enrolled": True,
    }
    values.update(changed)
    return CardSnapshot(**values)  # type: ignore[arg-type]


def sale(amount: str, at: datetime = MONDAY, categories: tuple[str, ...] = ()) -> NewSale:
    return NewSale(Decimal(amount), categories, at, PARIS)


def plan(snapshot: CardSnapshot | None, program: Program, new: NewSale, **history: object) -> SalePlan:
    return plan_sale(snapshot, program, new, SaleHistory(**history), new_code=new_code)  # type: ignore[arg-type]


# ----------------------------------------------------------------------
# What a sale says it did


def test_a_sale_says_why_it_earned_nothing() -> None:
    assert plan(card(), EXAMPLE, sale("1.50")).outcomes == (Outcome.BELOW_MINIMUM,)
    capped = plan(card(stamp_day="2026-03-02", day_stamps=3), EXAMPLE, sale("25.00"))
    assert (capped.stamps, capped.outcomes) == (0, (Outcome.DAILY_CAP,))
    # Nothing stopped it: the programme gives no stamp for this amount.
    none = replace(EXAMPLE, earning=Earning(per_visit=0, per_amount=Decimal("10.00")))
    assert plan(card(), none, sale("4.50")).outcomes == ()


def test_a_sale_says_what_it_handed_over() -> None:
    croissant = plan(card(balance=2), EXAMPLE, sale("4.50"))
    assert croissant.outcomes == (Outcome.MILESTONE,)
    assert [
        (r.milestone.at, c.reward) for r, c in zip(croissant.rewarded, croissant.coupons, strict=True)
    ] == [(3, "Croissant offert")]
    completed = plan(
        card(balance=9, held=frozenset({CouponKey(0, 3), CouponKey(0, 6)})), EXAMPLE, sale("4.50")
    )
    assert completed.outcomes == (Outcome.CARD_COMPLETED,)
    assert [(c.final_reward, c.reward) for c in completed.coupons] == [(True, "Un café offert")]
    assert completed.card is not None and (completed.card.balance, completed.card.cycle) == (0, 1)
    walk_in = plan(None, EXAMPLE, sale("4.50"))
    assert (walk_in.stamps, walk_in.outcomes, walk_in.card) == (1, (Outcome.WALK_IN,), None)
    walk_in_below = plan(None, EXAMPLE, sale("1.50"))
    assert walk_in_below.outcomes == (Outcome.WALK_IN, Outcome.BELOW_MINIMUM)


def test_a_pre_printed_cards_first_sale_gives_its_starter_stamps() -> None:
    first = plan(card(status=BLANK, balance=0, last_visit_at=None), EXAMPLE, sale("4.50"))
    assert first.outcomes == (Outcome.STARTER_STAMPS, Outcome.MILESTONE)
    assert [(e.kind, e.stamps, e.checkout_id) for e in first.entries] == [
        ("starter", 2, None),
        ("earn", 1, THIS_SALE),
    ]
    assert first.card is not None and (first.card.status, first.card.balance) == ("active", 3)
    # One rule for enrolment and sales: a new card or a pre-printed one, not one in use.
    assert (starter_stamps(EXAMPLE, None), starter_stamps(EXAMPLE, BLANK)) == (2, 2)
    assert starter_stamps(EXAMPLE, "active") == 0


def loyalty_history(snapshot: CardSnapshot, new: NewSale, **history: object) -> SaleHistory:
    """What ``sale_needs`` asks, given: the loyalty programme's tiers."""
    needs = sale_needs(snapshot, LOYALTY, new)
    values: dict[str, object] = {
        "tiers": TierTimeline(((date(2026, 1, 1), LOYALTY.tiers, LOYALTY.tier_grace_days),)),
    }
    if needs.day_stamps:
        values["day_stamps"] = 0
    values.update(history)
    return SaleHistory(**values)  # type: ignore[arg-type]


def test_the_loyalty_rules_say_what_they_did() -> None:
    monday_afternoon = MONDAY + timedelta(hours=6)  # 15:00: quiet hours, ×2
    regular = card(visits=3, balance=4)
    new = sale("4.50", monday_afternoon, ("pastry",))
    done = plan_sale(regular, LOYALTY, new, loyalty_history(regular, new), new_code=new_code)
    assert Outcome.OFFPEAK in done.outcomes and Outcome.CATEGORY_BONUS in done.outcomes
    assert Outcome.SURPRISE in done.outcomes  # the 4th visit
    assert [n.code for n in done.notices][:1] == [Outcome.SURPRISE]
    # A birthday in the window, once a year.
    born = date(1990, 3, 1)
    birthday = plan_sale(regular, LOYALTY, sale("4.50"), loyalty_history(regular, sale("4.50"), born=born))
    assert Outcome.BIRTHDAY in birthday.outcomes
    assert [c.origin for c in birthday.coupons] == [
        "checkout",
        "birthday",
    ]  # the cookie (6), then the birthday
    held = card(visits=3, balance=4, held=frozenset({CouponKey(2026, 0)}))
    again = plan_sale(held, LOYALTY, sale("4.50"), loyalty_history(held, sale("4.50"), born=born))
    assert Outcome.BIRTHDAY not in again.outcomes
    # Stamps that lapsed before this visit go first.
    dormant = card(balance=5, last_visit_at=MONDAY - timedelta(days=400), visits=9)
    lapsed = plan_sale(dormant, LOYALTY, sale("4.50"), loyalty_history(dormant, sale("4.50")))
    assert lapsed.outcomes[0] == Outcome.STAMPS_LAPSED
    assert [(e.kind, e.stamps, e.cycles) for e in lapsed.entries][0] == ("expiry", -5, 1)
    # The 8th visit in 90 days with 120.00 spent reaches Gold.
    visits = tuple(Sale(date(2026, 2, 20 + i), Decimal("20.00"), True) for i in range(7))
    gold = plan_sale(regular, LOYALTY, sale("4.50"), loyalty_history(regular, sale("4.50"), sales=visits))
    assert Outcome.TIER_REACHED in gold.outcomes and gold.tier == "Gold"


def test_a_referred_cards_first_visit_rewards_both_cards_once() -> None:
    referred = card(referred=True, visits=0)
    new = sale("4.50")
    assert sale_needs(referred, LOYALTY, new).referrer
    both = plan_sale(referred, LOYALTY, new, loyalty_history(referred, new, referrer_active=True))
    assert Outcome.REFERRAL in both.outcomes and both.referrer_stamps == 2
    assert ("referral", 1) in [(e.kind, e.stamps) for e in both.entries]
    alone = plan_sale(referred, LOYALTY, new, loyalty_history(referred, new, referrer_active=False))
    assert Outcome.REFERRAL not in alone.outcomes and alone.referrer_stamps == 0


def test_a_plan_asks_only_for_what_it_needs_and_refuses_what_it_cannot_be() -> None:
    assert sale_needs(card(), EXAMPLE, sale("4.50")) == sale_needs(None, EXAMPLE, sale("4.50"))
    past = card(stamp_day="2026-03-05", day_stamps=1)
    assert sale_needs(past, EXAMPLE, sale("4.50")).day_stamps
    with pytest.raises(ValueError):
        plan(past, EXAMPLE, sale("4.50"))  # that day's stamps were not read
    assert plan(past, EXAMPLE, sale("4.50"), day_stamps=3).outcomes == (Outcome.DAILY_CAP,)
    with pytest.raises(InvalidInput) as big:
        plan(card(), EXAMPLE, sale("20000.00"))
    assert big.value.code == "invalid_amount"
    early = NewSale(Decimal("4.50"), (), MONDAY - timedelta(days=3), PARIS, backdated=True)
    with pytest.raises(InvalidInput) as before:
        plan(card(), EXAMPLE, early)
    assert before.value.code == "invalid_time"


# ----------------------------------------------------------------------
# The rules' invariants over random cards, programmes and sales


@st.composite
def programmes(draw: st.DrawFn) -> Program:
    per_card = draw(st.integers(min_value=2, max_value=12))
    places = sorted(draw(st.sets(st.integers(min_value=1, max_value=per_card - 1), max_size=3)))
    rewards = st.sampled_from(("Croissant offert", "Cookie offert", "Un café offert"))
    milestones = tuple(Milestone(at, draw(rewards)) for at in [*places, per_card])
    return Program(
        name="Café Bleu",
        stamps_per_card=per_card,
        starter_stamps=draw(st.integers(min_value=0, max_value=per_card - 1)),
        milestones=milestones,
        earning=Earning(
            per_visit=draw(st.integers(min_value=0, max_value=3)),
            min_amount=draw(st.sampled_from((Decimal("0.00"), Decimal("2.00")))),
            per_amount=draw(st.sampled_from((None, Decimal("5.00"), Decimal("10.00")))),
            max_per_day=draw(st.sampled_from((None, 1, 3, 5))),
        ),
        coupon_valid_days=draw(st.sampled_from((7, 30, 90))),
        expiry=Expiry(stamps_after_days=draw(st.sampled_from((None, 30, 180))), warn_days=14),
        surprises=draw(st.sampled_from(((), (Surprise(2, 1, "Surprise !"),)))),
        referral=draw(st.sampled_from((None, Referral(2, 1)))),
        birthday=draw(st.sampled_from((None, Birthday("Dessert offert")))),
        category_bonus=draw(st.sampled_from(((), (CategoryBonus("pastry", 1),)))),
        offpeak=draw(st.sampled_from(((), (Offpeak(("mon", "tue"), "14:00", "17:00", 2),)))),
    )


@st.composite
def cases(draw: st.DrawFn, refundable: bool = False) -> tuple[CardSnapshot, Program, NewSale, SaleHistory]:
    """A card in a state its ledger could have left it in, a programme
    (perhaps not the one it filled under), a sale and what it needs.
    ``refundable``: a card in use that its programme filled, visited
    lately: a sale on it that a refund undoes whole."""
    program = draw(programmes())
    cycle = draw(st.integers(min_value=0, max_value=3))
    most = program.stamps_per_card - 1 if refundable else program.stamps_per_card + 4  # a lowered card's
    balance = draw(st.integers(min_value=0, max_value=most))
    moment = MONDAY + timedelta(hours=draw(st.integers(min_value=0, max_value=24 * 10)))
    day = moment.astimezone(PARIS).date()
    stamp_day = draw(st.sampled_from((None, day - timedelta(days=1), day, day + timedelta(days=1))))
    cap = program.earning.max_per_day
    day_stamps = draw(st.integers(min_value=0, max_value=cap if cap is not None else 6))
    # Coupons it holds: its current cycle's up to its balance, any of an
    # earlier cycle; birthday coupons of some years.
    held = {CouponKey(cycle, m.at) for m in program.milestones if m.at <= balance and draw(st.booleans())}
    held |= {CouponKey(c, None) for c in range(cycle) if draw(st.booleans())}
    held |= {CouponKey(year, 0) for year in (2025, 2026) if draw(st.booleans())}
    last_visit = moment - timedelta(
        days=draw(st.sampled_from((0, 1, 20) if refundable else (0, 1, 20, 100, 400)))
    )
    snapshot = CardSnapshot(
        number="2900000000015",
        balance=balance,
        cycle=cycle,
        status=draw(st.sampled_from(("active",) if refundable else ("active", "active", BLANK))),
        stamp_day=stamp_day.isoformat() if stamp_day is not None else None,
        day_stamps=day_stamps if stamp_day is not None else 0,
        visits=draw(st.integers(min_value=0, max_value=4)),
        last_visit_at=last_visit,
        created_at=last_visit - timedelta(days=1),
        referred=draw(st.booleans()),
        enrolled=draw(st.booleans()),
        coupon_end=draw(st.sampled_from((None, moment + timedelta(days=3), moment + timedelta(days=60)))),
        held=frozenset(held),
    )
    amount = draw(st.decimals(min_value=Decimal("0.00"), max_value=Decimal("60.00"), places=2))
    new = NewSale(amount, tuple(draw(st.sets(st.sampled_from(("pastry", "coffee"))))), moment, PARIS)
    needs = sale_needs(snapshot, program, new)
    history = SaleHistory(
        day_stamps=draw(st.integers(min_value=0, max_value=cap or 6)) if needs.day_stamps else None,
        born=draw(st.sampled_from((None, date(1990, 3, 1), date(1988, 2, 29)))),
        coupons=(("Croissant offert", moment + timedelta(days=3)),) if needs.coupons else (),
        referrer_active=draw(st.booleans()),
    )
    return snapshot, program, new, history


def earned_that_day(snapshot: CardSnapshot, new: NewSale, history: SaleHistory) -> int:
    day = new.at.astimezone(PARIS).date().isoformat()
    if day == snapshot.stamp_day:
        return snapshot.day_stamps
    if snapshot.stamp_day is None or day > snapshot.stamp_day:
        return 0
    assert history.day_stamps is not None
    return history.day_stamps


@settings(max_examples=200, deadline=None)
@given(case=cases())
def test_every_sale_keeps_the_rules_invariants(
    case: tuple[CardSnapshot, Program, NewSale, SaleHistory],
) -> None:
    snapshot, program, new, history = case
    done = plan_sale(snapshot, program, new, history, new_code=new_code)
    after = done.card
    assert after is not None
    # The ledger adds up to the card: its balance and its cycle.
    assert snapshot.balance + sum(e.stamps for e in done.entries) == after.balance
    assert snapshot.cycle + sum(e.cycles for e in done.entries) == after.cycle
    # Nothing is ever negative.
    assert done.stamps >= 0 and done.stamps_added >= done.stamps
    assert after.balance >= 0 and after.day_stamps >= 0 and after.visits >= snapshot.visits
    assert all(e.stamps > 0 for e in done.entries if e.kind in ("earn", "starter", "surprise", "referral"))
    # A sale never earns more than the day's cap leaves (no tiers here: the
    # quiet hours' multiplier alone).
    times = offpeak_multiplier(program.offpeak, new.at.astimezone(PARIS))
    uncapped = sale_stamps(program, new.amount, new.categories, times)
    cap = program.earning.max_per_day
    assert done.stamps <= uncapped
    if cap is not None:
        assert done.stamps <= max(0, cap - earned_that_day(snapshot, new, history))
    assert (Outcome.DAILY_CAP in done.outcomes) == (done.stamps < uncapped)
    # Every completion issues exactly one final reward, unless the card
    # already holds its cycle's; each completion names its own.
    completions = [e for e in done.entries if e.kind == "completion"]
    finals = [c for c in done.coupons if c.final_reward]
    assert [e.coupon for e in completions if e.coupon is not None] == [c.code for c in finals]
    for entry, cycle in zip(completions, itertools.count(after.cycle - len(completions)), strict=False):
        assert (entry.coupon is None) == (CouponKey(cycle, None) in snapshot.held)
    assert (Outcome.CARD_COMPLETED in done.outcomes) == bool(completions)
    # What it announces is what it issues, and never a coupon the card holds.
    issued = [c for c in done.coupons if c.origin == "checkout"]
    assert Counter((r.milestone.at, r.milestone.reward) for r in done.rewarded) == Counter(
        (c.milestone_at, c.reward) for c in issued
    )
    keys = [CouponKey(c.cycle, None if c.final_reward else c.milestone_at) for c in done.coupons]
    assert len(set(keys)) == len(keys) and not set(keys) & snapshot.held
    assert (Outcome.MILESTONE in done.outcomes) == any(not c.final_reward for c in issued)
    # Outcomes are codes, each said once.
    assert len(set(done.outcomes)) == len(done.outcomes)
    assert all(isinstance(o, Outcome) for o in done.outcomes)


def refund_card(snapshot: CardSnapshot, program: Program, done: SalePlan, checkout: int) -> RefundCard:
    """The card as its ledger holds it once ``done`` is written, as a
    refund of that sale reads it (each earlier cycle completed by a card of
    this programme)."""
    after = done.card
    assert after is not None
    given = sum(
        e.stamps
        for e in done.entries
        if e.checkout_id == THIS_SALE and e.kind in ("earn", "surprise", "referral")
    )
    ledger = [("completion", -program.stamps_per_card)] * snapshot.cycle + [
        (e.kind, e.stamps) for e in done.entries
    ]
    spc = program.stamps_per_card
    held = [
        HeldCoupon(
            f"H{key.cycle}-{key.at}", key.cycle, spc if key.at is None else key.at, key.at is None, "x", 1
        )
        for key in sorted(snapshot.held, key=lambda k: (k.cycle, k.at or 0))
    ]
    held += [
        HeldCoupon(c.code, c.cycle, c.milestone_at, c.final_reward, c.origin, checkout) for c in done.coupons
    ]
    return RefundCard(
        number=snapshot.number,
        balance=after.balance,
        cycle=after.cycle,
        given=given,
        completions=undoable_completions(ledger),
        coupons=tuple(held),
        stamp_day=after.stamp_day,
        day_stamps=after.day_stamps,
        visits=after.visits,
        last_visit_at=after.last_visit_at,
        visit_before=snapshot.last_visit_at,
    )


@settings(max_examples=200, deadline=None)
@given(case=cases(refundable=True))
def test_a_refund_at_once_leaves_the_card_as_it_was(
    case: tuple[CardSnapshot, Program, NewSale, SaleHistory],
) -> None:
    snapshot, program, new, history = case
    # A card its own programme filled (a lowered card's extra stamps stay
    # after a refund), no lapse and no card handed out: nothing a refund undoes.
    done = plan_sale(snapshot, program, new, history, new_code=new_code)
    assume(Outcome.STAMPS_LAPSED not in done.outcomes)
    done_card = refund_card(snapshot, program, done, checkout=42)
    sold = SoldSale(42, new.at, done.day, done.stamps, done.visit, on_card=True)
    back = plan_refund(sold, done_card, program, new.at, PARIS)
    assert back.card is not None
    taken = back.card.taken
    # It takes back exactly what the sale gave, to the card it had.
    assert -back.stamps == taken.stamps == done_card.given
    assert (taken.balance, taken.cycle) == (snapshot.balance, snapshot.cycle)
    assert taken.completions_undone == sum(1 for e in done.entries if e.kind == "completion")
    # Every coupon the sale issued is voided, and nothing the card held before.
    assert sorted(back.card.voided) == sorted(c.code for c in done.coupons)
    marks = back.card.marks
    assert marks is not None
    assert (marks.visits, marks.last_visit_at) == (snapshot.visits, snapshot.last_visit_at)
    # The sale's day counts again what it counted before the sale.
    day = done.day
    before_that_day = earned_that_day(snapshot, new, history)
    if marks.stamp_day == day:
        assert marks.day_stamps == before_that_day
    else:
        assert (marks.stamp_day, marks.day_stamps) == (snapshot.stamp_day, snapshot.day_stamps)
    # A second refund is refused.
    with pytest.raises(Refused):
        plan_refund(replace(sold, refunded_at=new.at), done_card, program, new.at, PARIS)


@settings(max_examples=200, deadline=None)
@given(
    program=programmes(),
    balance=st.integers(min_value=0, max_value=15),
    cycle=st.integers(min_value=0, max_value=3),
    stamps=st.integers(min_value=0, max_value=30),
)
def test_a_gift_adds_up_and_rewards_each_milestone_once(
    program: Program, balance: int, cycle: int, stamps: int
) -> None:
    gift = plan_gift(balance, cycle, stamps, program, kind="adjust", at=MONDAY, origin="adjust", zone=PARIS)
    assert balance + sum(e.stamps for e in gift.entries) == gift.balance >= 0
    assert cycle + sum(e.cycles for e in gift.entries) == gift.cycle
    assert gift.completions == sum(1 for e in gift.entries if e.kind == "completion")
    assert len(gift.coupons) == len(gift.rewarded)
    assert sum(1 for c in gift.coupons if c.final_reward) == gift.completions  # nothing held
    assert all(
        c.expires_at == end_of_day_after(MONDAY, program.coupon_valid_days, PARIS) for c in gift.coupons
    )
