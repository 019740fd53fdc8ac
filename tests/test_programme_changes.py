"""Programme changes between sales and the rewards they owe, on a real SQLite
file and on PostgreSQL: every completion gives its final reward exactly
once, whatever the programme did meanwhile (positions reused, rewards
renamed, milestones moved, stamps_per_card lowered or raised); coupons
already held stay; a sale announces exactly the rewards it hands over; and
``stampdesk check`` finds a completed card without its final reward.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select, update

from helpers import EXAMPLE_PROGRAM, Clock, make_desk
from stampdesk import Refused
from stampdesk.desk import Desk
from stampdesk.models import cards, coupons, ledger
from stampdesk.results import CheckoutResult, MilestoneInfo, MissingReward

# The card of ten, then a card of six whose final reward stands where the
# cookie was.
LOWERED = """
[program]
name = "Café Bleu"
stamps_per_card = 6
starter_stamps = 2

[[program.milestones]]
at = 3
reward = "Croissant offert"

[[program.milestones]]
at = 6
reward = "Un café offert"

[program.earning]
per_visit = 1
min_amount = "2.00"
per_amount = "10.00"
max_per_day = 3
"""


def seven_stamps_with_croissant_and_cookie(desk: Desk, clock: Clock) -> str:
    number = desk.enrol(name="Ana Martin").number  # 2
    assert [c.reward for c in desk.checkout(card=number, amount="25.00").coupons] == ["Croissant offert"]  # 5
    clock.advance(days=1)
    assert [c.reward for c in desk.checkout(card=number, amount="15.00").coupons] == ["Cookie offert"]  # 7
    return number


def test_a_lowered_card_completes_with_its_final_reward(desk: Desk, clock: Clock) -> None:
    number = seven_stamps_with_croissant_and_cookie(desk, clock)
    desk.load_program_text(LOWERED)
    clock.advance(days=1)
    sale = desk.checkout(card=number, amount="5.00", idempotency_key="lowered-1")  # 8 ≥ 6: completes
    assert sale.milestones == (MilestoneInfo(6, "Un café offert"),)
    assert [(c.milestone, c.reward) for c in sale.coupons] == [(6, "Un café offert")]
    assert (sale.balance, desk.card(number).cycle) == (2, 1)
    # The croissant and the cookie of the first card are still there, beside the coffee.
    held = desk.card(number).coupons
    assert sorted((c.reward, c.status) for c in held) == [
        ("Cookie offert", "valid"),
        ("Croissant offert", "valid"),
        ("Un café offert", "valid"),
    ]
    # The retry answers the same, and the receipt's sale reads the same.
    again = desk.checkout(card=number, amount="5.00", idempotency_key="lowered-1")
    assert again.replayed and (again.milestones, again.coupons) == (sale.milestones, sale.coupons)
    assert (desk.sale(sale.checkout).milestones, desk.sale(sale.checkout).coupons) == (
        sale.milestones,
        sale.coupons,
    )
    assert desk.check().ok


def test_a_final_reward_taken_back_with_its_completion_is_given_at_the_next_one(
    desk: Desk, clock: Clock
) -> None:
    number = seven_stamps_with_croissant_and_cookie(desk, clock)
    desk.load_program_text(LOWERED)
    clock.advance(days=1)
    sale = desk.checkout(card=number, amount="5.00")  # 8: completes, the coffee; 2 left
    change = desk.adjust(number, -3, reason="wrong card scanned", staff="Léa")  # back to 5 of the first card
    assert (change.balance, change.cycle) == (5, 0)
    assert sale.coupons[0].code in change.voided_coupons
    again = desk.checkout(card=number, amount="5.00")  # 6: completes again
    assert again.milestones == (MilestoneInfo(6, "Un café offert"),)
    assert [(c.milestone, c.reward) for c in again.coupons] == [(6, "Un café offert")]
    assert desk.check().ok


def test_a_used_final_reward_is_neither_given_nor_announced_again(desk: Desk, clock: Clock) -> None:
    number = seven_stamps_with_croissant_and_cookie(desk, clock)
    desk.load_program_text(LOWERED)
    clock.advance(days=1)
    sale = desk.checkout(card=number, amount="5.00")  # 8: completes, the coffee; 2 left
    desk.redeem(sale.coupons[0].code)
    # Back to 5 of the first card: the cookie goes (unused), the coffee was
    # drunk and stays used.
    change = desk.adjust(number, -3, reason="wrong card scanned", staff="Léa")
    assert sale.coupons[0].code not in change.voided_coupons and len(change.voided_coupons) == 1
    # The owner goes back to the card of ten: the cookie's place is a
    # milestone again, and this card's final reward is the coffee already drunk.
    desk.load_program_file(EXAMPLE_PROGRAM)
    clock.advance(days=1)
    eight = desk.checkout(card=number, amount="25.00")  # 8: the cookie again
    assert [(m.at, m.reward) for m in eight.milestones] == [(6, "Cookie offert")]
    assert [(c.milestone, c.reward) for c in eight.coupons] == [(6, "Cookie offert")]
    clock.advance(days=1)
    eleven = desk.checkout(card=number, amount="25.00")  # 11: completes, no second coffee
    assert (eleven.milestones, eleven.coupons) == ((), ())
    assert (eleven.balance, desk.card(number).cycle) == (1, 1)
    assert desk.check().ok


def test_a_raised_card_rewards_the_old_final_place_as_a_milestone_and_completes_later(
    desk: Desk, clock: Clock
) -> None:
    desk.load_program_text(LOWERED)
    number = desk.enrol(name="Ana Martin").number  # 2
    desk.checkout(card=number, amount="15.00")  # 4: croissant
    raised = EXAMPLE_PROGRAM.read_text().replace('reward = "Cookie offert"', 'reward = "Muffin offert"')
    desk.load_program_text(raised)
    clock.advance(days=1)
    six = desk.checkout(card=number, amount="15.00")  # 6: a milestone now
    assert [(c.milestone, c.reward) for c in six.coupons] == [(6, "Muffin offert")]
    assert desk.card(number).cycle == 0
    clock.advance(days=1)
    desk.checkout(card=number, amount="25.00")  # 9
    clock.advance(days=1)
    ten = desk.checkout(card=number, amount="5.00")  # 10: completes
    assert ten.milestones == (MilestoneInfo(10, "Un café offert"),)
    assert [c.reward for c in ten.coupons] == ["Un café offert"]
    assert desk.check().ok


# ----------------------------------------------------------------------
# stampdesk check


def complete_by_hand(desk: Desk, number: str, *, with_reward: bool) -> None:
    """A card's cycle completed in the ledger and the card, as a faulty
    engine (or a hand in the database) would leave it."""
    now = desk.store.now()
    with desk.store.engine.begin() as conn:
        card = conn.execute(select(cards).where(cards.c.number == number)).one()
        coupon_id = None
        if with_reward:
            coupon_id = conn.execute(
                insert(coupons)
                .values(
                    code=f"HAND{card.id:04d}",
                    card_id=card.id,
                    cycle=card.cycle,
                    milestone_at=10,
                    final_reward=1,
                    reward="Un café offert",
                    origin="adjust",
                    issued_at=now,
                    expires_at=now,
                )
                .returning(coupons.c.id)
            ).scalar_one()
        gift = 10 - card.balance
        conn.execute(
            insert(ledger),
            [
                {"card_id": card.id, "at": now, "kind": "adjust", "stamps": gift, "cycles": 0},
                {
                    "card_id": card.id,
                    "at": now,
                    "kind": "completion",
                    "stamps": -10,
                    "cycles": 1,
                    "coupon_id": coupon_id,
                },
            ],
        )
        conn.execute(update(cards).where(cards.c.id == card.id).values(balance=0, cycle=card.cycle + 1))


def test_check_finds_a_completed_card_without_its_final_reward(desk: Desk, clock: Clock) -> None:
    fine = desk.enrol(name="Ana Martin").number
    broken = desk.enrol(name="Ben Durand").number
    complete_by_hand(desk, fine, with_reward=True)
    complete_by_hand(desk, broken, with_reward=True)
    complete_by_hand(desk, broken, with_reward=False)  # its second card: no coffee
    report = desk.check()
    assert not report.ok
    assert report.mismatches == ()  # the balances agree with the ledger
    assert report.missing_rewards == (MissingReward(broken, 1),)
    assert report.to_dict()["missing_rewards"] == [{"card": broken, "cycle": 1}]


def test_check_accepts_every_way_a_final_reward_legitimately_ends(desk: Desk, clock: Clock) -> None:
    """Used, taken back with its completion, voided by an erasure, or by a
    refund after the card's stamps lapsed: none is a missing reward."""
    desk.load_program_text(
        EXAMPLE_PROGRAM.read_text().replace(
            "[program.coupons]", "[program.expiry]\nstamps_after_days = 30\n\n[program.coupons]"
        )
    )
    used = seven_stamps_with_croissant_and_cookie(desk, clock)
    clock.advance(days=1)
    desk.checkout(card=used, amount="25.00")  # 10: completes
    desk.redeem(next(c.code for c in desk.card(used).coupons if c.milestone == 10))
    undone = seven_stamps_with_croissant_and_cookie(desk, clock)
    clock.advance(days=1)
    desk.refund(desk.checkout(card=undone, amount="25.00").checkout)
    erased = seven_stamps_with_croissant_and_cookie(desk, clock)
    clock.advance(days=1)
    desk.checkout(card=erased, amount="25.00")
    desk.erase(erased)
    lapsed = seven_stamps_with_croissant_and_cookie(desk, clock)
    clock.advance(days=1)
    completing = desk.checkout(card=lapsed, amount="25.00")
    clock.advance(days=40)
    desk.expire()
    refund = desk.refund(completing.checkout)
    assert {c.code for c in completing.coupons} <= set(refund.voided_coupons)
    assert desk.check().ok


# ----------------------------------------------------------------------
# Random programme changes between sales

REWARDS = ("Croissant offert", "Cookie offert", "Muffin offert", "Un café offert", "Brioche offerte")


# Few places, so that versions reuse each other's: a milestone already
# rewarded becomes the final reward's place, the final reward's a milestone.
PLACES = (2, 3, 4, 6, 8, 10)


@st.composite
def programmes(draw: st.DrawFn, balance: int) -> str:
    """A programme of 3 to 10 stamps a card, up to 3 milestones below,
    rewards drawn from a few names (so places and names are reused,
    renamed and moved from one version to the next). Half of them lower
    the card to a place at or below ``balance``, the card's stamps: where a
    milestone it holds the coupon of may stand."""
    lowered = [at for at in PLACES[1:] if at <= balance]
    per_card = draw(
        st.sampled_from(lowered) if lowered and draw(st.booleans()) else st.sampled_from(PLACES[1:])
    )
    below = [at for at in PLACES if at < per_card]
    places = sorted(draw(st.sets(st.sampled_from(below), max_size=3)))
    milestones = [(at, draw(st.sampled_from(REWARDS))) for at in [*places, per_card]]
    lines = [
        "[program]",
        'name = "Café Bleu"',
        f"stamps_per_card = {per_card}",
        "starter_stamps = 0",
    ]
    for at, reward in milestones:
        lines += ["[[program.milestones]]", f"at = {at}", f'reward = "{reward}"']
    lines += ["[program.earning]", "per_visit = 1", 'min_amount = "2.00"', 'per_amount = "5.00"']
    return "\n".join(lines) + "\n"


amounts = st.decimals(min_value=Decimal("2.00"), max_value=Decimal("24.99"), places=2)  # 1 to 5 stamps
# Sales most often: cards fill, complete, and meet the programme's changes.
KINDS = ("sale", "sale", "sale", "program", "program", "refund", "redeem", "adjust")
FIRST = "\n".join(
    [
        "[program]",
        'name = "Café Bleu"',
        "stamps_per_card = 10",
        "[[program.milestones]]",
        "at = 3",
        'reward = "Croissant offert"',
        "[[program.milestones]]",
        "at = 6",
        'reward = "Cookie offert"',
        "[[program.milestones]]",
        "at = 10",
        'reward = "Un café offert"',
        "[program.earning]",
        'min_amount = "2.00"',
        'per_amount = "5.00"',
    ]
)
_names = itertools.count()


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Desk, Clock]]:
    clock = Clock(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
    desk = make_desk(f"sqlite:///{tmp_path_factory.mktemp('changes') / 'shop.db'}", clock)
    yield desk, clock
    desk.close()


def completed_cycles(desk: Desk, number: str) -> set[int]:
    """The cycles of the card its ledger holds completed (completions not
    reversed), read row by row."""
    done: set[int] = set()
    cycle = 0
    with desk.store.read() as conn:
        card_id = conn.execute(select(cards.c.id).where(cards.c.number == number)).scalar_one()
        rows = conn.execute(
            select(ledger.c.kind, ledger.c.cycles).where(ledger.c.card_id == card_id).order_by(ledger.c.id)
        )
        for kind, cycles in rows:
            if kind == "completion":
                done.add(cycle)
            elif kind == "completion_reversed":
                done.discard(cycle - 1)
            cycle += cycles
    return done


def final_rewards(desk: Desk, number: str) -> Counter[int]:
    """The card's final rewards not voided, by cycle."""
    with desk.store.read() as conn:
        return Counter(
            conn.execute(
                select(coupons.c.cycle)
                .join(cards, cards.c.id == coupons.c.card_id)
                .where(cards.c.number == number, coupons.c.final_reward == 1, coupons.c.voided_at.is_(None))
            ).scalars()
        )


def live_codes(desk: Desk, number: str) -> set[str]:
    return {c.code for c in desk.card(number).coupons if c.status != "voided"}


def announced_as_issued(sale: CheckoutResult) -> bool:
    return Counter((m.at, m.reward) for m in sale.milestones) == Counter(
        (c.milestone, c.reward) for c in sale.coupons
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_completion_gives_its_final_reward_once_whatever_the_programme_did(
    shop: tuple[Desk, Clock], data: st.DataObject
) -> None:
    desk, clock = shop
    desk.load_program_text(FIRST)
    number = desk.enrol(name=f"Property Tester {next(_names)}").number
    sales: list[int] = []
    issued: list[str] = []
    for _ in range(data.draw(st.integers(min_value=4, max_value=16), label="steps")):
        kind = data.draw(st.sampled_from(KINDS), label="kind")
        clock.advance(minutes=10)
        before = live_codes(desk, number)
        card = desk.card(number)
        held = final_rewards(desk, number)
        if kind == "sale":
            sale = desk.checkout(card=number, amount=str(data.draw(amounts, label="amount")))
            sales.append(sale.checkout)
            issued += [c.code for c in sale.coupons]
            assert announced_as_issued(sale), sale
            assert before <= live_codes(desk, number)  # nothing held is lost
        elif kind == "program":
            desk.load_program_text(data.draw(programmes(card.balance), label="programme"))
            assert live_codes(desk, number) == before
        elif kind == "refund" and sales:
            try:
                desk.refund(data.draw(st.sampled_from(sales), label="refunded"))
            except Refused as refused:
                assert refused.code == "already_refunded"
        elif kind == "redeem" and issued:
            try:
                desk.redeem(data.draw(st.sampled_from(issued), label="redeemed"))
            except Refused as refused:
                assert refused.code in ("coupon_used", "coupon_voided")
        elif kind == "adjust":
            stamps = data.draw(st.sampled_from((-6, -3, -1, 1, 2, 4)), label="adjusted")
            issued += [
                c.code for c in desk.adjust(number, stamps, reason="test", staff="hypothesis").new_coupons
            ]
        # Each card the step completed got its final reward, unless the card
        # already held that cycle's (used, its completion then taken back).
        completed = range(card.cycle, desk.card(number).cycle)
        assert final_rewards(desk, number) - held == Counter(c for c in completed if not held[c])
        # Exactly one final reward for each card the ledger holds completed.
        rewards = final_rewards(desk, number)
        assert set(rewards) >= completed_cycles(desk, number)
        assert all(n == 1 for n in rewards.values())
        report = desk.check()
        assert report.ok, report
