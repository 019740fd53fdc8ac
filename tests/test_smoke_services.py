from helpers import Clock
from stampdesk.desk import Desk


def test_a_card_fills_up_and_a_walk_in_claims_its_stamps(desk: Desk, clock: Clock) -> None:
    ana = desk.enrol(name="Ana Martin", email="ana@example.org")
    assert ana.card.balance == 2
    sale = desk.checkout(card=ana.number, amount="12.50")
    assert (sale.stamps_added, sale.balance) == (2, 4)
    assert [c.reward for c in sale.coupons] == ["Croissant offert"]
    walk_in = desk.checkout(amount="4.20")
    assert (
        walk_in.card is None
        and walk_in.enrol_url
        and walk_in.enrol_url.startswith("https://cafe.example/join/")
    )
    bob = desk.enrol(name="Bob", claim=walk_in.claim_token)
    assert bob.card.balance == 3 and bob.claimed_stamps == 1
    assert desk.check().ok
