"""Two tills (two processes) stamping the same card at once lose nothing."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

from helpers import Clock, make_desk

PROGRAM = """
[program]
name = "Busy bakery"
stamps_per_card = 10
starter_stamps = 1
[[program.milestones]]
at = 4
reward = "Pain au chocolat"
[[program.milestones]]
at = 10
reward = "Baguette"
[program.earning]
per_visit = 1
"""

TILL = textwrap.dedent(
    """
    import sys, time, stampdesk
    url, number, till = sys.argv[1:4]
    count, start = int(sys.argv[4]), float(sys.argv[5])
    desk = stampdesk.connect(url)
    desk.card(number)  # warm up, then start together so the two tills overlap
    time.sleep(max(0.0, start - time.time()))
    for i in range(count):
        desk.checkout(card=number, amount="3.10", idempotency_key=f"{till}-{i}", till=till)
    desk.close()
    """
)


def test_two_tills_stamping_one_card_lose_nothing(db_url: str, clock: Clock) -> None:
    desk = make_desk(db_url, clock)
    desk.load_program(PROGRAM)
    number = desk.enrol(name="Regular").number
    per_till = 300
    start = time.time() + 3
    tills = [
        subprocess.Popen([sys.executable, "-c", TILL, db_url, number, f"till{n}", str(per_till), str(start)])
        for n in (1, 2)
    ]
    assert [t.wait(timeout=180) for t in tills] == [0, 0]
    card = desk.card(number)
    # 1 starter stamp + one stamp per sale, wherever the cycles fell.
    assert card.cycle * 10 + card.balance == 1 + 2 * per_till
    assert desk.check().ok
    with desk.store.engine.connect() as conn:
        coupons = conn.exec_driver_sql("SELECT cycle, milestone_at FROM coupons").all()
    # Exactly one coupon per milestone and cycle, none lost, none doubled.
    assert sorted(coupons) == sorted(
        {(c, m) for c in range(card.cycle) for m in (4, 10)}
        | ({(card.cycle, 4)} if card.balance >= 4 else set())
    )
    desk.close()


SAME_KEYS = textwrap.dedent(
    """
    import sys, time, stampdesk
    url, number = sys.argv[1:3]
    count, start = int(sys.argv[3]), float(sys.argv[4])
    desk = stampdesk.connect(url)
    desk.card(number)
    time.sleep(max(0.0, start - time.time()))
    sales = [desk.checkout(card=number, amount="3.10", idempotency_key=f"receipt-{i}") for i in range(count)]
    ids = [sale.checkout for sale in sales]
    print(",".join(map(str, ids)))
    """
)


def test_two_tills_retrying_the_same_sales_record_each_once(db_url: str, clock: Clock) -> None:
    """Both tills send the same idempotency keys at the same moment (a retry
    racing the original): each sale is recorded once, both get its result."""
    desk = make_desk(db_url, clock)
    desk.load_program(PROGRAM)
    number = desk.enrol(name="Regular").number
    count, start = 200, time.time() + 3
    tills = [
        subprocess.Popen(
            [sys.executable, "-c", SAME_KEYS, db_url, number, str(count), str(start)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in (1, 2)
    ]
    outputs = [t.communicate(timeout=180)[0] for t in tills]
    assert [t.returncode for t in tills] == [0, 0]
    assert outputs[0] == outputs[1]  # the same checkout for the same key, whichever till wrote it
    card = desk.card(number)
    assert card.cycle * 10 + card.balance == 1 + count
    assert desk.check().ok
    desk.close()


def test_threads_of_one_till_share_the_desk_safely(db_url: str, clock: Clock) -> None:
    """The till and the API call one Desk from several threads at once."""
    from concurrent.futures import ThreadPoolExecutor

    desk = make_desk(db_url, clock)
    desk.load_program(PROGRAM)
    number = desk.enrol(name="Regular").number
    others = [desk.enrol(name=f"Other {i}").number for i in range(4)]

    def sell(card: str) -> int:
        for _ in range(40):
            desk.checkout(card=card, amount="3.10")
            desk.card(number)
        return 40

    with ThreadPoolExecutor(max_workers=5) as pool:
        done = sum(pool.map(sell, [number, *others]))
    assert done == 200
    for card in [number, *others]:
        state = desk.card(card)
        assert state.cycle * 10 + state.balance == 1 + 40
    assert desk.check().ok
    desk.close()
