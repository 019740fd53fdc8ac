"""Build (or reuse) the SQLite database the benchmarks run on.

    .venv/bin/python bench/build_db.py [--cards 1000000] [--rebuild]

The schema comes from ``stampdesk.connect(url)`` (the Alembic migrations) and
the programme from examples/program.toml via ``desk.load_program``; then
customers, cards, checkouts and ledger rows (see ``_dataset``) are bulk-loaded
with stdlib sqlite3 ``executemany`` in big transactions. During the build only,
the journal is off, ``synchronous=OFF`` and the secondary indexes are dropped
and re-created afterwards from their own ``CREATE INDEX`` text, so the schema
ends exactly as the migrations made it. The file is built under a temporary
name and renamed when complete, so an interrupted build is never reused.
Finally ``desk.check()`` must report no mismatch.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import _common
import _dataset
from _common import DATA, EXAMPLE_PROGRAM, db_path, sqlite_url

import stampdesk

LOADED_TABLES = ("customers", "name_words", "cards", "checkouts", "ledger")


# Indexes a shop appends to at their right edge (keyed by time): built after
# the load. The others fill in random order in a shop, and so during the load.
APPEND_ORDER_INDEXES = {"ix_checkouts_at"}


def schema_of(conn: sqlite3.Connection) -> list[list[str]]:
    """The schema as SQLite keeps it: what the migrations made. Each
    statement's lines are sorted: a table the migrations copied lists its
    constraints in an order that changes from one run to the next."""
    return [
        [kind, name, "\n".join(sorted(line.strip().rstrip(",") for line in sql.split("\n")))]
        for kind, name, sql in conn.execute(
            "SELECT type, name, coalesce(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_stat%' "
            "ORDER BY type, name"
        )
    ]


def current_schema() -> list[list[str]]:
    """The schema the migrations of this checkout make, on a throw-away file."""
    with tempfile.TemporaryDirectory() as tmp:
        desk = stampdesk.connect(sqlite_url(Path(tmp) / "schema.db"))
        desk.close()
        conn = sqlite3.connect(Path(tmp) / "schema.db")
        try:
            return schema_of(conn)
        finally:
            conn.close()


def in_time_order(chunk: _dataset.Chunk) -> None:
    """Renumber a chunk's sales and ledger rows in the order of their times,
    as a shop writes them (ids rising with time, cards interleaved), keeping
    the chunk's block of ids and each card's own order."""
    if not chunk.checkouts:
        return
    sales = sorted(chunk.checkouts, key=lambda row: row[5])  # by `at`, stable
    first = min(row[0] for row in chunk.checkouts)
    renumber = {row[0]: first + i for i, row in enumerate(sales)}
    chunk.checkouts[:] = [(renumber[row[0]], *row[1:]) for row in sales]
    rows = sorted(chunk.ledger, key=lambda row: row[2])  # by `at`, stable: earn before completion
    start = min(row[0] for row in chunk.ledger)
    chunk.ledger[:] = [
        (start + i, row[1], row[2], row[3], row[4], row[5], None if row[6] is None else renumber[row[6]])
        for i, row in enumerate(rows)
    ]


def build(path: Path, shape: _dataset.Shape) -> dict[str, object]:
    started = time.perf_counter()
    partial = path.with_name(path.name + ".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)

    desk = stampdesk.connect(sqlite_url(partial))
    info = desk.load_program_file(EXAMPLE_PROGRAM)
    assert info.version == _dataset.PROGRAM_VERSION, info
    desk.close()

    conn = sqlite3.connect(partial, isolation_level=None)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    words = "name_words" in tables
    conn.execute("PRAGMA journal_mode=OFF")  # build only; WAL is set back at the end
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-1000000")  # 1 GB, for the index builds
    conn.execute("PRAGMA temp_store=MEMORY")
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({','.join('?' * len(LOADED_TABLES))})",
        LOADED_TABLES,
    ).fetchall()
    # A live shop's indexes keyed by card, number or name fill in random
    # order, so their pages are about 70 % full; an index built in one go
    # after the load would be 100 % packed, and every first write into one of
    # its pages would split it, making the writes measured afterwards look
    # slower than a shop's. So only the time-ordered index (appended at its
    # right edge in a shop too) is dropped and rebuilt; the others are filled
    # as the rows arrive, in time order (see in_time_order).
    indexes = [(name, sql) for name, sql in indexes if name in APPEND_ORDER_INDEXES]
    for name, _ in indexes:
        conn.execute(f"DROP INDEX {name}")

    def insert(table: str, columns: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
        conn.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows
        )

    counts = dict.fromkeys(LOADED_TABLES, 0)
    for chunk in _dataset.generate(shape, words=words):
        in_time_order(chunk)
        conn.execute("BEGIN")
        insert("customers", _dataset.CUSTOMER_COLUMNS, chunk.customers)
        if words:
            insert("name_words", _dataset.NAME_WORD_COLUMNS, chunk.name_words)
        insert("cards", _dataset.CARD_COLUMNS, chunk.cards)
        insert("checkouts", _dataset.CHECKOUT_COLUMNS, chunk.checkouts)
        insert("ledger", _dataset.LEDGER_COLUMNS, chunk.ledger)
        conn.execute("COMMIT")
        counts["customers"] += len(chunk.customers)
        counts["cards"] += len(chunk.cards)
        counts["checkouts"] += len(chunk.checkouts)
        counts["ledger"] += len(chunk.ledger)
        counts["name_words"] += len(chunk.name_words)
        print(
            f"  {counts['cards']:>9,} cards  {counts['ledger']:>10,} ledger rows  "
            f"{time.perf_counter() - started:6.1f} s",
            flush=True,
        )
    # The months each card came in, as the migration fills them for a shop
    # upgrading with its history.
    conn.execute(
        "INSERT INTO card_months (month, cohort, card_id) SELECT DISTINCT substr(day, 1, 7), cohort, card_id "
        "FROM checkouts WHERE card_id IS NOT NULL AND cohort IS NOT NULL AND refunded_at IS NULL"
    )
    # Each completion's final reward, handed over since: a coupon of its
    # own per card cycle (as a shop's sales issue them), so that
    # ``desk.check()`` finds every completed card rewarded.
    conn.execute(
        "INSERT INTO coupons (code, card_id, cycle, milestone_at, reward, origin, checkout_id, issued_at, "
        "expires_at, redeemed_at, redeemed_till, final_reward) "
        "SELECT printf('F%08d', id), card_id, cycle, ?, 'Un café offert', 'checkout', checkout_id, "
        "at, at, at, 'till-1', 1 FROM (SELECT id, card_id, checkout_id, at, "
        "sum(cycles) OVER (PARTITION BY card_id ORDER BY id) - cycles AS cycle "
        "FROM ledger WHERE kind = 'completion')",
        (_dataset.SPC,),
    )
    loaded = time.perf_counter()
    for name, sql in indexes:
        conn.execute(sql)
        print(f"  index {name}: {time.perf_counter() - loaded:5.1f} s", flush=True)
    conn.execute("PRAGMA journal_mode=WAL")
    schema = schema_of(conn)
    conn.close()

    desk = stampdesk.connect(sqlite_url(partial))
    checked = time.perf_counter()
    report = desk.check()
    check_seconds = time.perf_counter() - checked
    desk.close()
    if (
        report.mismatches
        or report.missing_rewards
        or report.cards != shape.cards
        or report.ledger_rows != counts["ledger"]
    ):
        raise SystemExit(f"the built database does not check out: {report}")
    partial.rename(path)
    meta = {
        "cards": shape.cards,
        "seed": shape.seed,
        "rows": counts,
        "bytes": path.stat().st_size,
        "build_seconds": round(time.perf_counter() - started, 1),
        "index_seconds": round(checked - loaded, 1),
        "check_seconds": round(check_seconds, 2),
        "schema": schema,
        "dataset": _dataset.VERSION,
    }
    path.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def ensure(
    cards: int, rebuild: bool = False, *, shape: _dataset.Shape | None = None, path: Path | None = None
) -> tuple[Path, dict[str, object]]:
    """The cached database of ``cards`` cards (or of ``shape``, at ``path``),
    built first if missing."""
    shape = shape or _dataset.Shape(cards=cards)
    path = path or db_path(cards)
    meta_file = path.with_suffix(".json")
    if not rebuild and path.exists() and meta_file.exists():
        meta = json.loads(meta_file.read_text())
        if meta.get("schema") == current_schema() and meta.get("dataset") == _dataset.VERSION:
            return path, meta
        print(
            f"{path} was built with another schema or generator than this checkout's: rebuilding", flush=True
        )
    DATA.mkdir(parents=True, exist_ok=True)
    for old in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), meta_file):
        old.unlink(missing_ok=True)
    print(
        f"building {path} ({shape.cards:,} cards, {shape.min_sales}–{shape.max_sales} sales each)", flush=True
    )
    return path, build(path, shape)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=1_000_000)
    parser.add_argument("--rebuild", action="store_true", help="build again even if cached")
    args = parser.parse_args(argv)
    print(_common.environment())
    path, meta = ensure(args.cards, args.rebuild)
    rows = meta["rows"]
    assert isinstance(rows, dict)
    size = path.stat().st_size
    print(
        f"{path}: {size / 2**20:,.0f} MiB, {rows['cards']:,} cards, {rows['customers']:,} customers, "
        f"{rows.get('name_words', 0):,} name words, "
        f"{rows['checkouts']:,} checkouts, {rows['ledger']:,} ledger rows (as built); "
        f"built in {meta['build_seconds']} s (indexes {meta['index_seconds']} s), "
        f"desk.check() after build {meta['check_seconds']} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
