"""The hot paths on PostgreSQL, for information (the targets are SQLite's).

    .venv/bin/python bench/bench_postgres.py [--cards 100000] [-n 3000] [--url URL] [--keep]

The shop is built fresh in a schema of its own (``bench_stampdesk``, dropped
first; ``--keep`` leaves it afterwards) in the ``test`` database on
127.0.0.1: the schema by ``stampdesk.connect(url)`` (the Alembic
migrations), the programme by ``desk.load_program``, the rows of ``_dataset``
by ``COPY``, then sequences are moved past the loaded ids and the tables
analysed (as autovacuum would). Fewer cards than the SQLite benchmark by
default (100,000).

The baseline is the minimal raw transaction with psycopg: select the card by
number ``FOR UPDATE``, insert a ledger row, update the balance, commit. It
alternates in blocks with ``desk.checkout``. Then ``desk.card`` and
``desk.search``, and the plans PostgreSQL chooses for the lookups.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import _common
import _dataset
import psycopg
from _common import EXAMPLE_PROGRAM, PG_DEFAULT, TABLE_HEAD, Timings, Verdicts
from _measure import StatementLog, checkout_op, interleaved, one_line, search_queries, timed
from sqlalchemy import make_url

import stampdesk
from stampdesk.desk import Desk

SCHEMA = "bench_stampdesk"
LOADED = (
    ("customers", _dataset.CUSTOMER_COLUMNS),
    ("name_words", _dataset.NAME_WORD_COLUMNS),
    ("cards", _dataset.CARD_COLUMNS),
    ("checkouts", _dataset.CHECKOUT_COLUMNS),
    ("ledger", _dataset.LEDGER_COLUMNS),
)


def libpq(url: str) -> str:
    """The libpq connection string of a SQLAlchemy URL (no search_path)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def build(url: str, shape: _dataset.Shape) -> dict[str, int]:
    started = time.perf_counter()
    with psycopg.connect(libpq(url), autocommit=True) as admin:
        admin.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        admin.execute(f"CREATE SCHEMA {SCHEMA}")
    shop_url = schema_url(url)
    desk = stampdesk.connect(shop_url)
    desk.load_program_file(EXAMPLE_PROGRAM)
    desk.close()
    counts = {table: 0 for table, _ in LOADED}
    with psycopg.connect(libpq(url), options=f"-csearch_path={SCHEMA}") as conn:
        conn.execute("SET TIME ZONE 'UTC'")
        tables = {
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (SCHEMA,)
            )
        }
        words = "name_words" in tables
        with conn.cursor() as cur:
            for chunk in _dataset.generate(shape, words=words):
                for table, columns in LOADED:
                    rows = getattr(chunk, table)
                    if table == "name_words" and not words:
                        continue
                    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                    counts[table] += len(rows)
            for table, columns in LOADED:
                if table in tables and "id" in columns:
                    seq = cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", (table,)).fetchone()
                    if seq and seq[0]:
                        cur.execute(f"SELECT setval('{seq[0]}', (SELECT max(id) FROM {table}))")
        conn.commit()
    with psycopg.connect(libpq(url), autocommit=True, options=f"-csearch_path={SCHEMA}") as conn:
        conn.execute("ANALYZE")
    print(f"built {SCHEMA}: {counts} in {time.perf_counter() - started:.1f} s", flush=True)
    return counts


def schema_url(url: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{SCHEMA}"


def raw_op(conn: psycopg.Connection[Any]) -> Callable[[str], None]:
    """The minimal stamping transaction on PostgreSQL (see bench_sqlite.raw_op)."""

    def op(number: str) -> None:
        at = datetime.now(UTC)
        with conn.transaction():
            card_id, balance = conn.execute(
                "SELECT id, balance FROM cards WHERE number = %s FOR UPDATE", (number,)
            ).fetchone()  # type: ignore[misc]
            stamps = 1 if balance < 9 else -1
            conn.execute(
                "INSERT INTO ledger (card_id, at, kind, stamps, cycles, staff, reason) "
                "VALUES (%s, %s, 'adjust', %s, 0, 'bench', 'raw baseline')",
                (card_id, at, stamps),
            )
            conn.execute("UPDATE cards SET balance = %s WHERE id = %s", (balance + stamps, card_id))

    return op


def explain(desk: Desk, log: StatementLog, number: str, url: str) -> None:
    print("\n== EXPLAIN of the statements the engine sends (PostgreSQL) ==")
    with psycopg.connect(libpq(url), options=f"-csearch_path={SCHEMA}") as conn:
        for title, call in (
            ("desk.card(number)", lambda: desk.card(number)),
            ("desk.search('mar')", lambda: desk.search("mar")),
            ("desk.search('Marie Dupont')", lambda: desk.search("Marie Dupont")),
        ):
            print(f"\n{title}:")
            for sql, params in log.capture(call):
                if not sql.lstrip().upper().startswith("SELECT") or "pg_" in sql or sql.strip() == "select 1":
                    continue
                print(f"  {one_line(sql)}")
                # psycopg's named %(x)s parameters work under EXPLAIN as they are.
                for (line,) in conn.execute(f"EXPLAIN {sql}", params):
                    print(f"      {line}")
        conn.rollback()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=PG_DEFAULT)
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("-n", type=int, default=3000)
    parser.add_argument("--lookups", type=int, default=3000)
    parser.add_argument("--searches", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the schema afterwards")
    args = parser.parse_args(argv)
    if make_url(args.url).host not in ("127.0.0.1", "localhost"):
        raise SystemExit("this benchmark only runs against a local server (127.0.0.1)")
    rng = random.Random(args.seed)
    verdicts = Verdicts()
    print(_common.environment())
    print(f"code: {_common.code_version()}")
    print(f"at start: {_common.load()}")

    counts = build(args.url, _dataset.Shape(cards=args.cards))
    with psycopg.connect(libpq(args.url), options=f"-csearch_path={SCHEMA}") as conn:
        settings = {
            name: conn.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
            for name in ("server_version", "fsync", "synchronous_commit", "shared_buffers")
        }
        numbers = [r[0] for r in conn.execute("SELECT number FROM cards")]
        names = [r[0] for r in conn.execute("SELECT name FROM customers")]
    print(f"server: {settings}")
    print(f"NOTE: {len(numbers):,} cards and {counts['ledger']:,} ledger rows (fewer than the SQLite run)")

    desk = stampdesk.connect(schema_url(args.url))
    log = StatementLog(desk.store.engine)
    explain(desk, log, numbers[0], args.url)
    log.close()

    raw = psycopg.connect(libpq(args.url), options=f"-csearch_path={SCHEMA}")
    warm = [rng.choice(numbers) for _ in range(300)]
    timed("warm raw", raw_op(raw), warm)
    timed("warm checkout", checkout_op(desk), warm)
    picks = {name: [rng.choice(numbers) for _ in range(args.n)] for name in ("raw", "checkout")}
    print(f"\n== {args.n} raw transactions and {args.n} checkouts, alternating in {args.rounds} rounds ==")
    result = interleaved({"raw": raw_op(raw), "checkout": checkout_op(desk)}, picks, args.rounds)
    raw.close()
    raw_t = Timings.of("raw psycopg transaction (baseline)", result["raw"].samples, result["raw"].wall)
    co_t = Timings.of("desk.checkout(amount='12.50')", result["checkout"].samples, result["checkout"].wall)
    lookup_t = timed("desk.card(number)", desk.card, [rng.choice(numbers) for _ in range(args.lookups)])
    queries = search_queries(names, rng, args.searches)
    search_t = {label: timed(f"desk.{label}", desk.search, qs) for label, qs in queries.items()}

    print("\n" + TABLE_HEAD)
    for t in (raw_t, co_t, lookup_t, *search_t.values()):
        print(t.row())
    print(f"  ({_common.load()})")
    ratio = co_t.median / raw_t.median
    info = " (PostgreSQL, information only)"
    verdicts.add(ratio <= 5.0, "checkout median within 5x of raw" + info, f"{ratio:.2f}x")
    verdicts.add(co_t.p(0.99) <= 0.002, "checkout p99 <= 2 ms" + info, f"{co_t.p(0.99) * 1000:.3f} ms")
    verdicts.add(
        co_t.rate >= 3000, "checkouts/s >= 3000" + info, f"{co_t.rate:,.0f}/s (raw {raw_t.rate:,.0f}/s)"
    )
    verdicts.add(
        lookup_t.p(0.99) <= 0.0005, "desk.card p99 <= 0.5 ms" + info, f"{lookup_t.p(0.99) * 1000:.3f} ms"
    )
    for label, t in search_t.items():
        verdicts.add(t.p(0.99) <= 0.002, f"{label} p99 <= 2 ms" + info, f"{t.p(0.99) * 1000:.3f} ms")
    desk.close()
    if not args.keep:
        with psycopg.connect(libpq(args.url), autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    print(f"\nat end: {_common.load()}")
    print(verdicts.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
