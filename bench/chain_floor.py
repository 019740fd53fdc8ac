"""The floor under a chain's PostgreSQL sale: its statements alone.

    .venv/bin/python bench/chain_floor.py [--tills 8] [--seconds 5] [--cards 50000] [--pg URL]

``bench/chain.py`` measures stampdesk's tills. This one measures what no
till can go below on this machine: each till process sends, with psycopg
and nothing else (no programme, no Python of stampdesk's), the statements
that record one café sale on a card of a shop of ``--cards`` cards (the
schema of the migrations, the rows of ``_dataset``), in three shapes:

- ``locked, one statement per row``: BEGIN and the card read FOR UPDATE;
  the sale's insert (its id back); its lines, its month, its ledger row,
  the card's update and COMMIT: the shape of stampdesk's sale before its
  write became one statement (three round trips, about nine statements);
- ``locked, one write statement``: BEGIN with the card read FOR UPDATE,
  then one statement that writes everything, with COMMIT (two round trips);
- ``unlocked, one write statement``: the card read, then one statement that
  writes everything only if the card is still as read, in its own
  transaction (two round trips, two statements): stampdesk's sale now.

Each prints sales/s and the CPU each sale costs, on the tills' side
(client) and in their server backends (server). On 2 cores, 2,000 sales/s
leave 1 ms for both: whatever a shape costs here, a real sale costs that
plus the programme's work in Python.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import _common
from chain import PG_SERVER, libpq, postgres_shop, process_cpu

CARD = (
    "SELECT id, balance, cycle, status, stamp_day, day_stamps, visits, last_visit_at "
    "FROM cards WHERE number = %s"
)
INSERT_SALE = (
    "INSERT INTO checkouts (shop_id, till, card_id, amount_cents, at, day, program_version_id, stamps, "
    "balance_after, milestones, idempotency_key, fingerprint, visit, cohort) "
    "VALUES (1, %s, %s, 700, %s, '2026-11-30', 1, 1, %s, '', %s, %s, 1, '2026-01') RETURNING id"
)
INSERT_LINE = (
    "INSERT INTO checkout_items (checkout_id, sku, category, quantity, unit_price_cents) "
    "VALUES (%s, 'ESPRESSO', 'coffee', 1, 240)"
)
INSERT_MONTH = (
    "INSERT INTO card_months (month, cohort, card_id) VALUES ('2026-11', '2026-01', %s) "
    "ON CONFLICT DO NOTHING"
)
INSERT_LEDGER = (
    "INSERT INTO ledger (card_id, at, kind, stamps, cycles, checkout_id) VALUES (%s, %s, 'earn', 1, 0, %s)"
)
UPDATE_CARD = "UPDATE cards SET balance = %s, visits = %s, last_visit_at = %s WHERE id = %s"
WRITE_ALL = """WITH u AS (
  UPDATE cards SET balance = %(balance)s, visits = %(visits)s, last_visit_at = %(at)s
  WHERE id = %(card)s AND balance = %(was)s RETURNING id
), c AS (
  INSERT INTO checkouts (shop_id, till, card_id, amount_cents, at, day, program_version_id, stamps,
    balance_after, milestones, idempotency_key, fingerprint, visit, cohort)
  SELECT 1, %(till)s, u.id, 700, %(at)s, '2026-11-30', 1, 1, %(balance)s, '', %(key)s, %(fp)s, 1, '2026-01'
  FROM u RETURNING id
), i AS (
  INSERT INTO checkout_items (checkout_id, sku, category, quantity, unit_price_cents)
  SELECT c.id, x, 'coffee', 1, 240 FROM c, unnest(CAST(%(skus)s AS text[])) AS x
), m AS (
  INSERT INTO card_months (month, cohort, card_id) SELECT '2026-11', '2026-01', u.id FROM u
  ON CONFLICT DO NOTHING
), l AS (
  INSERT INTO ledger (card_id, at, kind, stamps, cycles, checkout_id)
  SELECT %(card)s, %(at)s, 'earn', 1, 0, c.id FROM c
)
SELECT id FROM c"""
SHAPES = ("locked, one statement per row", "locked, one write statement", "unlocked, one write statement")


def till(url: str, shape: str, numbers: list[str], seconds: float, name: str, out: Any) -> None:
    import psycopg

    rng = random.Random(name)
    conn = psycopg.connect(libpq(url), autocommit=True)
    cur = conn.cursor()
    run = uuid.uuid4().hex[:8]
    n = 0

    def sale() -> None:
        nonlocal n
        n += 1
        number, now, key, lines = (
            rng.choice(numbers),
            datetime.now(UTC),
            f"{name}-{run}-{n}",
            rng.randint(1, 2),
        )
        if shape == SHAPES[0]:
            with conn.pipeline():
                cur.execute("BEGIN", prepare=False)
                cur.execute(CARD + " FOR UPDATE", (number,))
            card = cur.fetchone()
            assert card is not None
            cur.execute(INSERT_SALE, (name, card[0], now, card[1] + 1, key, "f" * 64))
            sale_id = cur.fetchone()[0]  # type: ignore[index]
            with conn.pipeline():
                for _ in range(lines):
                    cur.execute(INSERT_LINE, (sale_id,))
                cur.execute(INSERT_MONTH, (card[0],))
                cur.execute(INSERT_LEDGER, (card[0], now, sale_id))
                cur.execute(UPDATE_CARD, (card[1] + 1, card[6] + 1, now, card[0]))
                cur.execute("COMMIT", prepare=False)
            return
        args: dict[str, Any] = {
            "till": name,
            "at": now,
            "key": key,
            "fp": "f" * 64,
            "skus": ["ESPRESSO"] * lines,
        }
        if shape == SHAPES[1]:
            with conn.pipeline():
                cur.execute("BEGIN", prepare=False)
                cur.execute(CARD + " FOR UPDATE", (number,))
            card = cur.fetchone()
            assert card is not None
            args.update(card=card[0], balance=card[1] + 1, visits=card[6] + 1, was=card[1])
            with conn.pipeline():
                cur.execute(WRITE_ALL, args)
                cur.execute("COMMIT", prepare=False)
            return
        while True:
            card = cur.execute(CARD, (number,)).fetchone()
            assert card is not None
            args.update(card=card[0], balance=card[1] + 1, visits=card[6] + 1, was=card[1])
            if cur.execute(WRITE_ALL, args).fetchone() is not None:
                return  # else another till changed the card: read it again

    for _ in range(200):
        sale()
    out.put(("ready", conn.info.backend_pid))
    started, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    count = 0
    while time.perf_counter() - started < seconds:
        sale()
        count += 1
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    out.put(("done", count, time.perf_counter() - started, cpu))
    time.sleep(2)  # the parent reads this backend's CPU before it ends
    conn.close()


def run(url: str, shape: str, numbers: list[str], tills: int, seconds: float) -> str:
    out: Any = multiprocessing.Queue()
    procs = [
        multiprocessing.Process(target=till, args=(url, shape, numbers, seconds, f"till{i}", out))
        for i in range(tills)
    ]
    for p in procs:
        p.start()
    backends = [out.get(timeout=120)[1] for _ in procs]
    server_before = sum(process_cpu(pid) for pid in backends)
    done = [out.get(timeout=seconds + 120) for _ in procs]
    server = sum(process_cpu(pid) for pid in backends) - server_before
    for p in procs:
        p.join(30)
    sales = sum(d[1] for d in done)
    window = max(d[2] for d in done)
    client = sum(d[3] for d in done)
    return (
        f"| {shape} | {tills} | {sales:,} | {sales / window:,.0f} | {client / sales * 1000:.3f} ms "
        f"| {server / sales * 1000:.3f} ms | {(client + server) / sales * 1000:.3f} ms |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tills", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--cards", type=int, default=50_000)
    parser.add_argument("--pg", default=PG_SERVER)
    args = parser.parse_args()
    print(_common.environment())
    print(f"code: {_common.code_version()}")
    print(f"at start: {_common.load()}")
    with tempfile.TemporaryDirectory() as tmp, postgres_shop(args.pg, Path(tmp), args.cards) as shop:
        numbers = shop.numbers_file.read_text().split()
        print(f"\n{args.tills} tills for {args.seconds:g} s each, psycopg only:\n")
        print("| shape | tills | sales | sales/s | client CPU/sale | server CPU/sale | total CPU/sale |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for shape in SHAPES:
            print(run(shop.url, shape, numbers, args.tills, args.seconds), flush=True)
    print(f"\nat end: {_common.load()}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
