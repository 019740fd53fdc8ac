"""The hot paths on a 1,000,000-card SQLite shop, against the targets.

    .venv/bin/python bench/bench_sqlite.py [--cards 1000000] [-n 5000] [--skip-backup]

In one run, on the cached database of bench/build_db.py (built first if
missing):

1. ``EXPLAIN QUERY PLAN`` of the SQL that ``desk.card`` and ``desk.search``
   really send (captured from the engine), and of one checkout's statements.
2. The baseline: the minimal raw transaction with stdlib sqlite3 and
   stampdesk's pragmas (WAL, synchronous=FULL, foreign_keys=ON):
   ``BEGIN IMMEDIATE``; select the card by number; insert a ledger row;
   update the balance; ``COMMIT``. It alternates in blocks with
   ``desk.checkout(card=…, amount="12.50")`` on random existing cards, so both
   see the same disk and checkpoint conditions.
3. ``desk.card(number)`` and ``desk.search(…)`` (3-letter and full-name
   prefixes) on random customers.
4. ``desk.check()`` over the whole database (twice; the slower one counts).
5. ``desk.backup(path)`` while a writer process (bench/_writer.py) commits
   checkouts in a loop; the backup is then opened and its cards counted.

The run adds its checkouts to the cached database; they follow the engine's
rules, so ``desk.check()`` stays clean (and is asserted to be).
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import _common
import build_db
from _common import BENCH, DATA, TABLE_HEAD, Timings, Verdicts, ms, sqlite_url
from _measure import StatementLog, checkout_op, interleaved, one_line, search_queries, timed

import stampdesk
from stampdesk.desk import Desk
from stampdesk.results import CheckReport

BUSY_TIMEOUT_MS = 30_000


def raw_connection(path: Path) -> sqlite3.Connection:
    """stdlib sqlite3 with the pragmas of ``stampdesk.db._sqlite_on_connect``."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA wal_autocheckpoint=16000")
    conn.execute(f"PRAGMA journal_size_limit={128 * 1024 * 1024}")
    return conn


def raw_op(conn: sqlite3.Connection, commits: list[float]) -> Callable[[str], None]:
    """The minimal stamping transaction. It gives a stamp (takes one back at 9,
    so balances stay in 0..9) as an 'adjust' row: the ledger stays in step.
    The time of each ``COMMIT`` is appended to ``commits``."""
    clock = time.perf_counter

    def op(number: str) -> None:
        at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        conn.execute("BEGIN IMMEDIATE")
        card_id, balance = conn.execute(
            "SELECT id, balance FROM cards WHERE number = ?", (number,)
        ).fetchone()
        stamps = 1 if balance < 9 else -1
        conn.execute(
            "INSERT INTO ledger (card_id, at, kind, stamps, cycles, staff, reason) "
            "VALUES (?, ?, 'adjust', ?, 0, 'bench', 'raw baseline')",
            (card_id, at, stamps),
        )
        conn.execute("UPDATE cards SET balance = ? WHERE id = ?", (balance + stamps, card_id))
        t = clock()
        conn.execute("COMMIT")
        commits.append(clock() - t)

    return op


def time_commits(desk: Desk, commits: list[float]) -> None:
    """Append the duration of every COMMIT the engine's driver does to
    ``commits`` (instrumentation only: wraps the dialect's ``do_commit``)."""
    dialect = desk.store.engine.dialect
    original = dialect.do_commit
    clock = time.perf_counter

    def do_commit(dbapi_connection: Any) -> None:
        t = clock()
        original(dbapi_connection)
        commits.append(clock() - t)

    dialect.do_commit = do_commit  # type: ignore[method-assign]


def outside_commit(name: str, total: Timings, commits: list[float]) -> tuple[Timings, Timings]:
    """Split each sample into its COMMIT and the rest (SQL + Python)."""
    assert len(commits) == len(total.samples), (len(commits), len(total.samples))
    return (
        Timings.of(f"  of which COMMIT ({name})", commits),
        Timings.of(
            f"  of which the rest ({name})", [t - c for t, c in zip(total.samples, commits, strict=True)]
        ),
    )


def explain(path: Path, log: StatementLog, desk: Desk, numbers: list[str], verdicts: Verdicts) -> None:
    conn = sqlite3.connect(path)
    seen: set[str] = set()

    def plans(title: str, statements: list[tuple[str, Any]]) -> list[str]:
        print(f"\n{title}")
        details = []
        for sql, params in statements:
            if not sql.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE")):
                print(f"  {one_line(sql)}")
                continue
            print(f"  {one_line(sql)}")
            if isinstance(params, list):  # executemany: the first row's parameters
                params = params[0]
            for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params or ()):
                print(f"      -> {row[3]}")
                details.append(f"{one_line(sql)} :: {row[3]}")
            seen.add(sql)
        return details

    print("\n== EXPLAIN QUERY PLAN of the statements the engine sends ==")
    lookup = plans("desk.card(number):", log.capture(lambda: desk.card(numbers[0])))
    by_number = [d for d in lookup if "cards.number =" in d.split("::")[0] and "FROM cards" in d]
    ok = bool(by_number) and all(
        "USING INDEX sqlite_autoindex_cards_1 (number=?)" in d
        for d in by_number
        if "SCAN cards" in d or "SEARCH cards" in d
    )
    ok = ok and any("SEARCH cards USING INDEX sqlite_autoindex_cards_1 (number=?)" in d for d in by_number)
    verdicts.add(
        ok,
        "lookup by number uses the unique index",
        "SEARCH cards USING INDEX (number=?)" if ok else "see plan above",
    )
    for query in ("mar", "Marie Dupont"):
        found = plans(f"desk.search({query!r}):", log.capture(partial(desk.search, query)))
        steps = [d.split(" :: ")[1] for d in found]
        ranged = any(("INDEX" in s or "PRIMARY KEY" in s) and ">? AND" in s and "<?)" in s for s in steps)
        full_scans = [s for s in steps if s.startswith("SCAN") and "ORDER BY" not in s]
        verdicts.add(
            ranged and not full_scans,
            f"search {query!r} is an index range, no full scan",
            "; ".join(steps) if ranged and not full_scans else "see plan above",
        )
    plans(
        "desk.checkout(card=…, amount='12.50'):",
        # A card not stamped today yet, so that max_per_day leaves it its stamps.
        log.capture(lambda: desk.checkout(card=random.choice(numbers), amount="12.50")),
    )
    conn.close()


def p99_text(t: Timings) -> str:
    cpu = _common.percentile(sorted(t.cpu), 0.99) if t.cpu else float("nan")
    return f"{t.p(0.99) * 1000:.3f} ms (its CPU time p99 {cpu * 1000:.3f} ms)"


def check_clean(desk: Desk) -> tuple[float, CheckReport]:
    t = time.perf_counter()
    report = desk.check()
    return time.perf_counter() - t, report


def backup_under_load(
    path: Path, desk: Desk, cards: int, verdicts: Verdicts, writer_seconds: float
) -> dict[str, object]:
    """``desk.backup`` while bench/_writer.py commits checkouts continuously."""
    target = DATA / f"backup-{cards}.db"
    stop = DATA / "writer.stop"
    stats_file = DATA / "writer.json"
    for f in (target, stop, stats_file):
        f.unlink(missing_ok=True)
    writer = subprocess.Popen(
        [
            sys.executable,
            str(BENCH / "_writer.py"),
            str(path),
            "--seconds",
            str(writer_seconds),
            "--stop",
            str(stop),
            "--out",
            str(stats_file),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None
        line = writer.stdout.readline()  # "ready" once it has committed a few checkouts
        if line.strip() != "ready":
            raise SystemExit(f"writer did not start: {line!r}")
        time.sleep(1.0)  # let it run at full speed before the backup starts
        began = time.monotonic()
        result = desk.backup(target)
        ended = time.monotonic()
        time.sleep(0.5)
        stop.touch()
        writer.wait(timeout=writer_seconds + 30)
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
        stop.unlink(missing_ok=True)
    stats = json.loads(stats_file.read_text())
    stats_file.unlink()
    commits = stats["commits"]  # monotonic times (system-wide on Linux) of each commit
    during = [t for t in commits if began <= t <= ended]
    window = [began] + during + [ended]
    longest_gap = max(b - a for a, b in zip(window, window[1:], strict=False))
    latencies = sorted(stats["latencies"])
    check = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
    backup_cards = check.execute("SELECT count(*) FROM cards").fetchone()[0]
    mode = check.execute("PRAGMA journal_mode").fetchone()[0]
    quick = check.execute("PRAGMA quick_check").fetchone()[0]
    check.close()
    size = result.bytes
    target.unlink()
    duration = ended - began
    out = {
        "seconds": duration,
        "bytes": size,
        "writer_commits_total": len(commits),
        "writer_commits_during_backup": len(during),
        "writer_longest_pause_during_backup": longest_gap,
        "writer_rate_overall": len(commits) / (commits[-1] - commits[0]) if len(commits) > 1 else 0.0,
        "writer_p99": _common.percentile(latencies, 0.99),
        "writer_max": latencies[-1],
        "writer_errors": stats["errors"],
        "backup_cards": backup_cards,
        "backup_journal_mode": mode,
        "backup_quick_check": quick,
    }
    print(
        f"\nbackup: {duration:.3f} s for {size / 2**20:,.0f} MiB; writer committed {len(during)} checkouts "
        f"during it (longest pause {longest_gap * 1000:.1f} ms), {len(commits)} in all, "
        f"{out['writer_rate_overall']:.0f}/s overall, p99 {ms(out['writer_p99'])}, "
        f"max {ms(out['writer_max'])}, errors {stats['errors']}; "
        f"backup has {backup_cards:,} cards, journal_mode={mode}, quick_check={quick}"
    )
    verdicts.add(duration <= 2.0, "desk.backup at 1M cards <= 2 s under writes", f"{duration:.3f} s")
    verdicts.add(
        len(during) > 0 and not stats["errors"],
        "writer kept committing during the backup",
        f"{len(during)} commits, longest pause {longest_gap * 1000:.0f} ms, errors {stats['errors']}",
    )
    verdicts.add(
        backup_cards == cards and quick == "ok",
        "backup opens and has all cards",
        f"{backup_cards:,} cards, quick_check {quick}",
    )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=1_000_000)
    parser.add_argument("-n", type=int, default=5000, help="checkouts (and raw transactions) to time")
    parser.add_argument("--lookups", type=int, default=5000)
    parser.add_argument("--searches", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=10, help="alternating blocks of raw/checkout")
    parser.add_argument(
        "--sustained", type=int, default=20_000, help="sales in the one-block throughput runs"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-backup", action="store_true")
    parser.add_argument("--writer-seconds", type=float, default=60.0, help="upper bound for the writer")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    verdicts = Verdicts()
    print(_common.environment())
    print(f"code: {_common.code_version()}")
    print(f"at start: {_common.load()}")

    path, meta = build_db.ensure(args.cards)
    reader = sqlite3.connect(path)
    numbers = [r[0] for r in reader.execute("SELECT number FROM cards")]
    names = [r[0] for r in reader.execute("SELECT name FROM customers WHERE erased_at IS NULL")]
    ledger_rows = reader.execute("SELECT count(*) FROM ledger").fetchone()[0]
    checkouts = reader.execute("SELECT count(*) FROM checkouts").fetchone()[0]
    reader.close()
    size = path.stat().st_size
    print(
        f"database {path}: {size / 2**20:,.0f} MiB, {len(numbers):,} cards, {ledger_rows:,} ledger rows, "
        f"{checkouts:,} checkouts"
    )
    if len(numbers) < 1_000_000 or ledger_rows < 5_000_000:
        print(
            "NOTE: smaller than the target database (1M cards, 5M ledger rows): verdicts are indicative only"
        )

    desk = stampdesk.connect(sqlite_url(path))
    log = StatementLog(desk.store.engine)
    explain(path, log, desk, numbers, verdicts)
    log.close()

    # Warm up both paths (connections, statement caches, programme cache).
    raw_commits: list[float] = []
    co_commits: list[float] = []
    raw = raw_connection(path)
    time_commits(desk, co_commits)
    warm = [rng.choice(numbers) for _ in range(300)]
    timed("warm raw", raw_op(raw, raw_commits), warm)
    timed("warm checkout", checkout_op(desk), warm)
    raw_commits.clear()
    co_commits.clear()

    disk_before = _common.fsync_probe(DATA)
    picks = {name: [rng.choice(numbers) for _ in range(args.n)] for name in ("raw", "checkout")}
    print(f"\n== {args.n} raw transactions and {args.n} checkouts, alternating in {args.rounds} rounds ==")
    result = interleaved({"raw": raw_op(raw, raw_commits), "checkout": checkout_op(desk)}, picks, args.rounds)
    raw_t = Timings.of(
        "raw sqlite3 transaction (baseline)", result["raw"].samples, result["raw"].wall, result["raw"].cpu
    )
    sales = result["checkout"]
    co_t = Timings.of("desk.checkout(amount='12.50')", sales.samples, sales.wall, sales.cpu)
    raw_split = outside_commit("raw", raw_t, raw_commits)
    co_split = outside_commit("checkout", co_t, co_commits)
    # Throughput: one long block each, so that each side pays for its own
    # WAL checkpoints (in the alternating blocks above, whichever side
    # crosses the threshold pays for both).
    print(f"\n== sustained: {args.sustained} raw transactions, then as many checkouts, one block each ==")
    raw_sustained = timed(
        "raw sqlite3, sustained", raw_op(raw, []), [rng.choice(numbers) for _ in range(args.sustained)]
    )
    co_sustained = timed(
        "desk.checkout, sustained", checkout_op(desk), [rng.choice(numbers) for _ in range(args.sustained)]
    )
    raw.close()
    disk_after = _common.fsync_probe(DATA)

    lookup_t = timed("desk.card(number)", desk.card, [rng.choice(numbers) for _ in range(args.lookups)])
    queries = search_queries(names, rng, args.searches)
    search_t = {label: timed(f"desk.{label}", desk.search, qs) for label, qs in queries.items()}
    hits = {label: sum(len(desk.search(q)) for q in qs[:200]) / 200 for label, qs in queries.items()}

    print("\n" + TABLE_HEAD)
    rows = (raw_t, *raw_split, co_t, *co_split, raw_sustained, co_sustained, lookup_t, *search_t.values())
    for t in (*rows, disk_before, disk_after):
        print(t.row())
    print(f"  (disk probe before and after the checkout loop; {_common.load()})")
    for t in (raw_t, co_t, lookup_t, *search_t.values()):
        print(t.cpu_note())
    for label, mean in hits.items():
        print(f"  ({label}: {mean:.1f} results on average, limit 20)")

    ratio = co_t.median / raw_t.median
    print(
        f"\ncheckout median / raw median = {ratio:.2f}x; outside COMMIT: "
        f"{co_split[1].median * 1000:.3f} ms vs {raw_split[1].median * 1000:.3f} ms "
        f"({co_split[1].median / raw_split[1].median:.1f}x)"
    )
    verdicts.add(
        ratio <= 5.0,
        "checkout median within 5x of raw transaction",
        f"{ratio:.2f}x ({co_t.median * 1000:.3f} / {raw_t.median * 1000:.3f} ms)",
    )
    verdicts.add(co_t.p(0.99) <= 0.002, "checkout p99 <= 2 ms", p99_text(co_t))
    verdicts.add(
        co_sustained.rate >= 3000,
        "checkouts/s >= 3000 (sequential, 1 process, sustained)",
        f"{co_sustained.rate:,.0f}/s over {args.sustained:,} sales "
        f"(raw baseline {raw_sustained.rate:,.0f}/s; alternating blocks: {co_t.rate:,.0f}/s)",
    )
    verdicts.add(lookup_t.p(0.99) <= 0.0005, "desk.card(number) p99 <= 0.5 ms", p99_text(lookup_t))
    for label, t in search_t.items():
        verdicts.add(t.p(0.99) <= 0.002, f"{label} p99 <= 2 ms", p99_text(t))

    print("\n== desk.check() ==")
    runs = []
    for _ in range(2):
        seconds, report = check_clean(desk)
        runs.append(seconds)
        print(
            f"  {seconds:.3f} s: {report.cards:,} cards, {report.ledger_rows:,} ledger rows, "
            f"{len(report.mismatches)} mismatches, "
            f"{len(report.missing_rewards)} completions without their reward"
        )
        if report.mismatches or report.missing_rewards:
            raise SystemExit(f"the database does not check out: {report}")
    verdicts.add(
        max(runs) <= 5.0,
        "desk.check() over 1M cards <= 5 s",
        f"{max(runs):.3f} s (runs: {', '.join(f'{r:.3f}' for r in runs)})",
    )

    backup = None
    if not args.skip_backup:
        print("\n== desk.backup() while another process checks out ==")
        backup = backup_under_load(path, desk, len(numbers), verdicts, args.writer_seconds)
    desk.close()

    print(f"\nat end: {_common.load()}")
    print(verdicts.summary())
    if args.json:
        figures = {
            "database": {
                "path": str(path),
                "bytes": size,
                "cards": len(numbers),
                "ledger_rows": ledger_rows,
                "checkouts": checkouts,
                "build": meta,
            },
            "timings": {
                t.name: {
                    "n": len(t.samples),
                    "median": t.median,
                    "p90": t.p(0.9),
                    "p99": t.p(0.99),
                    "max": max(t.samples),
                    "rate": t.rate,
                }
                for t in (
                    raw_t,
                    *raw_split,
                    co_t,
                    *co_split,
                    lookup_t,
                    *search_t.values(),
                    disk_before,
                    disk_after,
                )
            },
            "code": _common.code_version(),
            "check_seconds": runs,
            "backup": backup,
            "verdicts": [{"ok": ok, "target": target, "measured": m} for ok, target, m in verdicts.lines],
        }
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if all(ok for ok, _, _ in verdicts.lines) else 1


if __name__ == "__main__":
    sys.exit(main())
