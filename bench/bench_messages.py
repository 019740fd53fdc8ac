"""Deciding and queueing the customer e-mails of 100,000 cards.

    .venv/bin/python bench/bench_messages.py [--cards 100000] [--runs 3]

Builds a SQLite shop of its own (in a temporary directory) through
``stampdesk.connect`` and the migrations, with every kind of e-mail in its
programme, then bulk-loads ``--cards`` consenting customers and their cards
(last visits over 90 days, balances, birthdays, coupons ending soon). It
times what a ``messages run`` does before it sends: ``services.messages.decide``
(per kind, one query narrows the cards, the rules decide) and ``queue``
(inserts, 5,000 a transaction). The outbox is emptied between runs.

Baseline, same run, same file: the floor under it in raw sqlite3, the same
narrowing queries of every kind read to the end, and as many rows inserted
into a copy of the outbox with one ``executemany`` (no rules, no holdout).
Target: decide + queue ≤ 10 s for 100,000 cards.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import _common  # noqa: F401  (puts src/ on sys.path)
from _common import EXAMPLE_PROGRAM, code_version, environment, load

import stampdesk
from stampdesk.config import MailSettings, Settings
from stampdesk.services import messages

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
MESSAGES = """
[program.expiry]
stamps_after_days = 60
warn_days = 7

[program.birthday]
reward = "Gâteau offert"

[program.messaging]
holdout = 0.10
max_per_week = 1

[[program.messages]]
kind = "lapse_warning"
[[program.messages]]
kind = "coupon_expiry"
days = 7
[[program.messages]]
kind = "near_reward"
stamps = 1
days = 7
[[program.messages]]
kind = "win_back"
days = 30
coupon = "Café offert"
[[program.messages]]
kind = "birthday"
days = 3
"""


def sql_time(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


def build(path: Path, count: int) -> None:
    settings = Settings(database=f"sqlite:///{path}", timezone="Europe/Paris")
    with stampdesk.connect(settings=settings) as desk:
        desk.load_program_text(EXAMPLE_PROGRAM.read_text(encoding="utf-8") + MESSAGES)
    rnd = random.Random(42)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    created = sql_time(NOW - timedelta(days=200))
    people, cards_rows, coupon_rows = [], [], []
    for i in range(1, count + 1):
        born = f"19{rnd.randint(50, 99)}-{NOW.month:02d}-{rnd.randint(1, 28):02d}" if i % 5 == 0 else None
        people.append(
            (i, f"Client {i}", f"client {i}", f"c{i}@example.org", born, created, created, 1, created, "till")
        )
        last = sql_time(NOW - timedelta(days=rnd.uniform(0, 90)))
        cards_rows.append((i, f"29{i:011d}", i, rnd.randint(0, 9), 0, created, last))
        if i % 10 == 0:
            expires = sql_time(NOW + timedelta(days=rnd.uniform(0, 30)))
            coupon_rows.append((f"B{i:07d}", i, 0, 3, "Croissant offert", "checkout", created, expires))
    conn.executemany(
        "INSERT INTO customers (id, name, name_key, email, birthday, consent_at, created_at, marketing,"
        " marketing_at, marketing_source) VALUES (?,?,?,?,?,?,?,?,?,?)",
        people,
    )
    conn.executemany(
        "INSERT INTO cards (id, number, customer_id, balance, cycle, created_at, last_visit_at)"
        " VALUES (?,?,?,?,?,?,?)",
        cards_rows,
    )
    conn.executemany(
        "INSERT INTO coupons (code, card_id, cycle, milestone_at, reward, origin, issued_at, expires_at)"
        " VALUES (?,?,?,?,?,?,?,?)",
        coupon_rows,
    )
    conn.commit()
    conn.close()


def empty_outbox(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM mail_outbox")
    conn.commit()
    conn.close()


def engine_run(path: Path) -> tuple[float, float, int]:
    settings = Settings(
        database=f"sqlite:///{path}",
        timezone="Europe/Paris",
        mail=MailSettings(host="127.0.0.1", sender="bench@example.org"),
    )
    with stampdesk.connect(settings=settings) as desk:
        start = time.perf_counter()
        new = messages.decide(desk.store, NOW)
        decided = time.perf_counter()
        messages.queue(desk.store, new, NOW)
        queued = time.perf_counter()
    return decided - start, queued - decided, len(new)


def baseline(path: Path, rows: int) -> float:
    """The same narrowing reads in raw sqlite3, and ``rows`` rows inserted at once."""
    now = sql_time(NOW)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TEMP TABLE scratch AS SELECT * FROM mail_outbox WHERE 0")
    conn.execute("CREATE UNIQUE INDEX temp.uq_scratch ON scratch (kind, card_id, occasion)")
    base = (
        "SELECT cards.id, cards.customer_id, cards.balance, cards.cycle, cards.last_visit_at,"
        " customers.birthday"
        " FROM cards JOIN customers ON customers.id = cards.customer_id"
        " WHERE cards.shop_id = 1 AND cards.status = 'active' AND customers.marketing = 1"
        " AND customers.erased_at IS NULL AND customers.email IS NOT NULL"
    )
    start = time.perf_counter()
    total = 0
    day = 86400
    for extra, args in (
        (
            " AND cards.balance > 0 AND cards.last_visit_at BETWEEN datetime(?, ?) AND datetime(?, ?)",
            (now, f"-{62 * day} seconds", now, f"-{51 * day} seconds"),
        ),
        (" AND cards.last_visit_at <= datetime(?, ?)", (now, f"-{6 * day} seconds")),
        (" AND cards.last_visit_at <= datetime(?, ?)", (now, f"-{29 * day} seconds")),
        (" AND customers.birthday IS NOT NULL", ()),
    ):
        total += len(conn.execute(base + extra, args).fetchall())
    total += len(
        conn.execute(
            "SELECT coupons.id, cards.id FROM coupons JOIN cards ON cards.id = coupons.card_id"
            " WHERE coupons.redeemed_at IS NULL AND coupons.voided_at IS NULL"
            " AND coupons.expires_at BETWEEN ? AND datetime(?, '+7 days')",
            (now, now),
        ).fetchall()
    )
    conn.executemany(
        "INSERT OR IGNORE INTO scratch (kind, card_id, customer_id, occasion, state, decided_at, stale_at,"
        " next_attempt_at) VALUES ('win_back', ?, ?, ?, 'queued', ?, ?, ?)",
        [(i, i, f"win_back:{i}", now, now, now) for i in range(1, rows + 1)],
    )
    conn.commit()
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"bench_messages: {args.cards:,} cards; {environment()}; {load()}; code {code_version()}")
    with tempfile.TemporaryDirectory(prefix="stampdesk-messages-") as scratch:
        path = Path(scratch) / "shop.db"
        t = time.perf_counter()
        build(path, args.cards)
        print(f"  shop built in {time.perf_counter() - t:.1f} s")
        totals, floors = [], []
        for run in range(1, args.runs + 1):
            empty_outbox(path)
            decided, queued, count = engine_run(path)
            floor = baseline(path, count)
            totals.append(decided + queued)
            floors.append(floor)
            print(
                f"  run {run}: decide {decided:.2f} s + queue {queued:.2f} s = {decided + queued:.2f} s "
                f"for {count:,} e-mails; raw-query baseline {floor:.2f} s"
            )
    best, median = min(totals), statistics.median(totals)
    verdict = "PASS" if median <= 10 else "FAIL"
    print(
        f"decide + queue: median {median:.2f} s, best {best:.2f} s (target ≤ 10 s: {verdict}); "
        f"raw-query baseline median {statistics.median(floors):.2f} s"
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
