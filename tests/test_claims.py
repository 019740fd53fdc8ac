"""A customer who already has a card adds a walk-in receipt to it
(``Desk.claim``), on a real SQLite file and on PostgreSQL: once per receipt,
within ``claim_days``, and exactly as a claim at enrolment adds the stamps."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import text

from helpers import LOYALTY_PROGRAM, Clock, content
from stampdesk import InvalidInput, NotFound, Refused
from stampdesk.desk import Desk
from stampdesk.domain import claims


def ledger_of(desk: Desk, number: str) -> list[tuple[Any, ...]]:
    """The card's ledger: (kind, stamps, checkout) in order."""
    with desk.store.engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT l.kind, l.stamps, l.checkout_id FROM ledger l JOIN cards c ON c.id = l.card_id "
                    "WHERE c.number = :n ORDER BY l.id"
                ),
                {"n": number},
            )
        ]


def test_a_receipt_joins_the_card_once_with_its_stamps_and_coupons(desk: Desk) -> None:
    lea = desk.enrol(name="Léa", email="lea@example.org")  # 2 starter stamps
    sale = desk.checkout(amount="12.50")  # a walk-in: 2 stamps waiting
    added = desk.claim(lea.number, sale.claim_token or "")
    assert (added.number, added.checkout, added.stamps_added) == (lea.number, sale.checkout, 2)
    assert added.card.balance == 4 and added.card.progress == "4/10 — Cookie offert at 6"
    assert [c.reward for c in added.new_coupons] == ["Croissant offert"]  # the milestone at 3
    assert [c.reward for c in desk.card(lea.number).coupons] == ["Croissant offert"]
    # The same ledger entry as a claim at enrolment: kind claim, naming the sale.
    assert ledger_of(desk, lea.number) == [("starter", 2, None), ("claim", 2, sale.checkout)]
    data = added.to_dict()
    assert (data["number"], data["balance"], data["stamps_added"], data["checkout"]) == (
        lea.number,
        4,
        2,
        sale.checkout,
    )
    assert [c["reward"] for c in data["new_coupons"]] == ["Croissant offert"]
    assert desk.check().ok

    # Once only: the second claim, on this card or another, changes nothing.
    other = desk.enrol(name="Bruno")
    before = content(desk)
    for number in (lea.number, other.number):
        with pytest.raises(Refused) as again:
            desk.claim(number, sale.claim_token or "")
        assert again.value.code == "already_claimed"
    assert content(desk) == before


def test_the_receipt_s_whole_link_is_accepted_as_scanned(desk: Desk) -> None:
    lea = desk.enrol(name="Léa")
    sale = desk.checkout(amount="4.20")
    assert sale.enrol_url == f"https://cafe.example/join/{sale.claim_token}"
    assert desk.claim(lea.number, f"  {sale.enrol_url}?lang=fr \n").stamps_added == 1
    assert desk.card(lea.number).balance == 3


def test_a_receipt_can_be_claimed_until_the_last_day_of_claim_days(desk: Desk, clock: Clock) -> None:
    lea = desk.enrol(name="Léa")
    sale, late = desk.checkout(amount="4.20"), desk.checkout(amount="4.20")
    clock.advance(days=30)
    assert desk.claim(lea.number, sale.claim_token or "").stamps_added == 1
    clock.advance(days=1)
    before = content(desk)
    with pytest.raises(Refused) as expired:
        desk.claim(lea.number, late.claim_token or "")
    assert expired.value.code == "claim_expired"
    assert "until" in expired.value.message
    assert content(desk) == before


def test_what_cannot_be_claimed_is_refused_with_its_code_and_nothing_is_written(desk: Desk) -> None:
    lea = desk.enrol(name="Léa", email="lea@example.org")
    refunded = desk.checkout(amount="12.00")
    desk.refund(refunded.checkout)
    enrolled = desk.checkout(amount="5.00")
    desk.enrol(name="Zoé", claim=enrolled.claim_token)  # claimed at enrolment already
    carded = desk.checkout(card=lea.number, amount="5.00")  # sold on a card: nothing to claim
    good = desk.checkout(amount="5.00").claim_token or ""
    forged = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    erased = desk.enrol(name="Eve")
    desk.erase(erased.number)
    [blank] = desk.issue_cards(1)
    with desk.store.read() as conn:  # a token for a sale made on a card (the shop never prints one)
        secret = desk.store.claim_secret(conn)
    last_day = claims.last_claim_day(desk.now().date())
    of_carded = claims.make_token(secret, carded.checkout, last_day)
    before = content(desk)
    refusals: list[tuple[str, str, type[Exception], str]] = [
        (lea.number, refunded.claim_token or "", Refused, "refunded"),
        (lea.number, enrolled.claim_token or "", Refused, "already_claimed"),
        (lea.number, of_carded, Refused, "already_claimed"),
        (lea.number, forged, InvalidInput, "invalid_claim_token"),
        (lea.number, "not a receipt", InvalidInput, "invalid_claim_token"),
        ("2000000000015", good, NotFound, "unknown_card"),
        (erased.number, good, NotFound, "card_erased"),
        (blank, good, Refused, "card_not_enrolled"),
        ("12345", good, InvalidInput, "invalid_card_number"),
    ]
    for number, token, kind, code in refusals:
        with pytest.raises(kind) as refused:
            desk.claim(number, token)
        assert refused.value.code == code, (number, token)
    assert content(desk) == before
    # The good receipt is still there to claim.
    assert desk.claim(lea.number, good).stamps_added == 1


def test_a_claim_is_a_visit_and_comes_after_the_card_s_lapse(desk: Desk, clock: Clock) -> None:
    desk.load_program_file(LOYALTY_PROGRAM)  # stamps lapse 180 days after the last visit
    lea = desk.enrol(name="Léa", email="lea@example.org")  # 2 starter stamps
    clock.advance(days=181)  # lapsed
    sale = desk.checkout(amount="12.50")  # 2 stamps
    added = desk.claim(lea.number, sale.claim_token or "")
    # The lapse is written first, as at a sale or a claim at enrolment: the
    # receipt's stamps start the card's next round.
    assert (added.card.balance, added.card.cycle) == (2, 1)
    assert [kind for kind, *_ in ledger_of(desk, lea.number)] == ["starter", "expiry", "claim"]
    clock.advance(days=170)  # 170 days after the claim: it restarted the clock
    assert desk.card(lea.number).balance == 2
    assert desk.check().ok


def test_a_claim_is_not_cut_by_the_daily_cap_as_at_enrolment(desk: Desk) -> None:
    lea = desk.enrol(name="Léa")  # 2
    assert desk.checkout(card=lea.number, amount="25.00").stamps_added == 3  # the day's cap of 3
    assert desk.checkout(card=lea.number, amount="25.00").stamps_added == 0
    walk_in = desk.checkout(amount="25.00")  # a walk-in earns its 3 without a card
    assert desk.claim(lea.number, walk_in.claim_token or "").stamps_added == 3
    assert desk.card(lea.number).balance == 8


def test_a_claim_that_completes_the_card_gives_the_final_reward(desk: Desk) -> None:
    lea = desk.enrol(name="Léa")  # 2
    for _ in range(3):
        desk.checkout(card=lea.number, amount="2.50")  # 1 a sale: 5
    for _ in range(3):
        desk.claim(lea.number, desk.checkout(amount="25.00").claim_token or "")  # 3 each: 14
    card = desk.card(lea.number)
    assert (card.balance, card.cycle) == (4, 1)
    rewards = sorted(c.reward for c in card.coupons)
    assert rewards == ["Cookie offert", "Croissant offert", "Croissant offert", "Un café offert"]
    assert desk.check().ok


def test_refunding_a_claimed_sale_takes_its_stamps_back_from_the_card(desk: Desk) -> None:
    lea = desk.enrol(name="Léa")
    sale = desk.checkout(amount="12.50")
    desk.claim(lea.number, sale.claim_token or "")
    shown = desk.refund_preview(sale.checkout)  # the till shows the card that claimed it
    assert (shown.walk_in, shown.card, shown.name) == (True, lea.number, "Léa")
    change = desk.refund(sale.checkout)
    assert (change.card, change.stamps, change.balance) == (lea.number, -2, 2)
    assert desk.check().ok


def test_two_tills_claiming_one_receipt_at_once_add_it_once(desk: Desk) -> None:
    cards = [desk.enrol(name="Léa").number, desk.enrol(name="Bruno").number]
    token = desk.checkout(amount="12.50").claim_token or ""

    def claim(number: str) -> str:
        try:
            desk.claim(number, token)
        except Refused as refused:
            return refused.code
        return "ok"

    with ThreadPoolExecutor(2) as pool:
        answers = sorted(pool.map(claim, cards))
    assert answers == ["already_claimed", "ok"]
    assert sorted(desk.card(n).balance for n in cards) == [2, 4]
    assert desk.check().ok


# --- The rules themselves (domain.claims): pure, no database ----------------


def test_which_cards_may_take_a_receipt_s_stamps() -> None:
    claims.receiving_card("active", "2000000000015")  # named or not, a card in use takes them
    for status, kind, code in (
        (None, NotFound, "unknown_card"),
        ("erased", NotFound, "card_erased"),
        ("blank", Refused, "card_not_enrolled"),
    ):
        with pytest.raises(kind) as refused:
            claims.receiving_card(status, "2000000000015")
        assert refused.value.code == code


def test_which_receipts_can_be_claimed_and_until_when() -> None:
    from datetime import date
    from types import SimpleNamespace

    secret = b"s" * 32
    token = claims.make_token(secret, 42, claims.last_claim_day(date(2026, 3, 2), 30))
    assert claims.read_token(secret, token, date(2026, 4, 1)) == 42
    assert claims.read_token(secret, f"https://cafe.example/join/{token}", date(2026, 4, 1)) == 42
    # What the receipt prints as its last day is the day the token holds.
    assert claims.token_last_day(token) == date(2026, 4, 1)
    assert [claims.token_last_day(t) for t in (None, "", "AAAA", token[:-1], "!" * 32)] == [None] * 5
    with pytest.raises(Refused) as late:
        claims.read_token(secret, token, date(2026, 4, 2))
    assert late.value.code == "claim_expired"
    with pytest.raises(InvalidInput):
        claims.read_token(b"t" * 32, token, date(2026, 3, 2))  # another shop's receipt
    walk_in = SimpleNamespace(card_id=None, claimed_card_id=None, refunded_at=None)
    assert claims.claimable(walk_in) is walk_in
    for sale, code in (
        (SimpleNamespace(card_id=None, claimed_card_id=7, refunded_at=None), "already_claimed"),
        (SimpleNamespace(card_id=7, claimed_card_id=None, refunded_at=None), "already_claimed"),
        (SimpleNamespace(card_id=None, claimed_card_id=None, refunded_at=date(2026, 3, 3)), "refunded"),
    ):
        with pytest.raises(Refused) as refused:
            claims.claimable(sale)
        assert refused.value.code == code
