"""Tills as separate processes, the way a shop runs them: each opens the
database itself and sells on one card. The concurrency and crash tests start
them as ``python tests/tills.py MODE URL CARD …``.

- ``checkout TILL COUNT START``: COUNT sales through ``Desk.checkout`` from
  the moment START (a Unix time, so that all tills begin together); prints
  ``{"done": n, "errors": {error: count}}`` and exits 1 if any sale failed.
- ``naive TILL COUNT START``: the same with a read-modify-write that takes
  no lock: the balance is read in one statement, then written back plus one
  (with its ledger row). Two tills that read the same balance lose a stamp:
  the tests show their harness sees it.
- ``stream RUN``: sales with the keys ``RUN-0``, ``RUN-1``… until killed;
  prints ``ready``, then ``<checkout id> <key>`` as each sale commits.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Callable

import stampdesk
from stampdesk.desk import Desk

AMOUNT = "3.10"
# What the tests' shop sells under: one stamp a sale, a coupon at 4 and at 10.
BAKERY = """
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


def main(argv: list[str]) -> int:
    mode, url, number, *rest = argv
    desk = stampdesk.connect(url)
    desk.card(number)  # connected and warm before the clock starts
    try:
        if mode == "stream":
            return stream(desk, number, rest[0])
        till, count, start = rest[0], int(rest[1]), float(rest[2])
        sell = checkout_sale if mode == "checkout" else naive_sale(desk, number)
        time.sleep(max(0.0, start - time.time()))
        return sell_many(desk, number, till, count, sell)
    finally:
        desk.close()


Sell = Callable[[Desk, str, str], object]


def sell_many(desk: Desk, number: str, till: str, count: int, sell: Sell) -> int:
    done, errors = 0, Counter[str]()
    for i in range(count):
        try:
            sell(desk, number, f"{till}-{i}")
            done += 1
        except Exception as error:  # counted and shown: the test fails on any
            errors[f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"] += 1
    print(json.dumps({"done": done, "errors": dict(errors)}), flush=True)
    return 1 if errors else 0


def checkout_sale(desk: Desk, number: str, key: str) -> object:
    return desk.checkout(card=number, amount=AMOUNT, idempotency_key=key)


def naive_sale(desk: Desk, number: str) -> Sell:
    from sqlalchemy import insert, select, update

    from stampdesk.models import cards, ledger

    store = desk.store
    with store.read() as conn:
        card_id = conn.execute(select(cards.c.id).where(cards.c.number == number)).scalar_one()

    def sell(_desk: Desk, _number: str, key: str) -> object:
        with store.read() as conn:
            balance = conn.execute(select(cards.c.balance).where(cards.c.id == card_id)).scalar_one()
        with store.write() as conn:
            conn.execute(update(cards).where(cards.c.id == card_id).values(balance=balance + 1))
            conn.execute(
                insert(ledger).values(card_id=card_id, at=store.now(), kind="adjust", stamps=1, reason=key)
            )
        return balance + 1

    return sell


def stream(desk: Desk, number: str, run: str) -> int:
    print("ready", flush=True)
    i = 0
    while True:
        key = f"{run}-{i}"
        sale = desk.checkout(card=number, amount=AMOUNT, idempotency_key=key)
        # One line per committed sale, out of the process before the next one begins.
        print(f"{sale.checkout} {key}", flush=True)
        i += 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
