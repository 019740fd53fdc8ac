"""What the proposed engine changes would buy, measured before they are made.

    .venv/bin/python bench/whatif.py [--cards 1000000] [--only card,checkpoint,sync,backup]

Each experiment runs the engine as it is and a prototype of one proposed
change side by side (alternating blocks, same database, same run), and
prints both. The prototypes live here, not in src/: they are evidence for the
proposals in bench/RESULTS.md, not the engine.

- card: ``desk.card`` as is, against the same lookup with statements built
  once (module-level ``select`` with ``bindparam``, run by ``conn.execute``)
  and the programme version read in the card's query.
- checkpoint: ``desk.checkout`` as is (SQLite's automatic WAL checkpoint runs
  inside the COMMIT that takes the WAL past 1000 pages), against checkouts
  whose connections set ``wal_autocheckpoint=0`` while a background thread
  runs ``PRAGMA wal_checkpoint(PASSIVE)`` every 50 ms, and against
  ``wal_autocheckpoint=10000`` (ten times rarer, ten times bigger).
- sync: ``desk.checkout`` with ``synchronous=NORMAL`` (no fsync per commit in
  WAL mode; a power cut can lose the last commits). Information for the
  throughput target only: it trades away the durability db.py promises.
- backup: ``desk.backup`` as is, against the same online-backup call with the
  destination's ``synchronous=OFF`` and ``journal_mode=OFF`` (it is a
  temporary file, renamed only when complete) and a single ``fsync`` before
  the rename; and that plus ``PRAGMA mmap_size`` on the source connection
  (pages read from the mapping instead of one ``pread`` each); each with
  and without a writing till.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import _common
import build_db
from _common import BENCH, DATA, TABLE_HEAD, Timings, sqlite_url
from _measure import checkout_op, interleaved
from sqlalchemy import Engine, bindparam, event, func, select

import stampdesk
from stampdesk.desk import Desk
from stampdesk.domain.card_numbers import normalise_card_number
from stampdesk.domain.errors import NotFound
from stampdesk.models import cards, coupons, customers, program_versions
from stampdesk.results import CardState, CouponInfo
from stampdesk.services.stamps import next_for
from stampdesk.store import Store

# --- card: statements built once -------------------------------------------------

CARD_STATE = (
    select(
        cards.c.id,
        cards.c.number,
        cards.c.balance,
        cards.c.cycle,
        cards.c.status,
        cards.c.created_at,
        customers.c.name,
        customers.c.email,
        customers.c.phone,
        customers.c.birthday,
        select(func.max(program_versions.c.id)).scalar_subquery().label("version"),
    )
    .select_from(cards.outerjoin(customers, customers.c.id == cards.c.customer_id))
    .where(cards.c.number == bindparam("number"))
)
LIVE_COUPONS = (
    select(
        coupons.c.code, coupons.c.reward, coupons.c.milestone_at, coupons.c.issued_at, coupons.c.expires_at
    )
    .where(
        coupons.c.card_id == bindparam("card_id"),
        coupons.c.redeemed_at.is_(None),
        coupons.c.voided_at.is_(None),
    )
    .order_by(coupons.c.id)
)


def card_prototype(store: Store, number: str) -> CardState:
    """``services.cards.card`` with the two statements above: same result."""
    number = normalise_card_number(number)
    with store.read() as conn:
        row = conn.execute(CARD_STATE, {"number": number}).first()
        if row is None:
            raise NotFound(f"no card {number} in this shop", "unknown_card")
        program = store.program_or_refuse(conn, row.version)
        now = store.now()
        live = tuple(
            CouponInfo(
                c.code,
                c.reward,
                c.milestone_at,
                c.issued_at,
                c.expires_at,
                "valid" if c.expires_at >= now else "expired",
            )
            for c in conn.execute(LIVE_COUPONS, {"card_id": row.id})
        )
    return CardState(
        number=row.number,
        name=row.name,
        email=row.email,
        phone=row.phone,
        birthday=row.birthday,
        balance=row.balance,
        cycle=row.cycle,
        stamps_per_card=program.stamps_per_card,
        next_milestone=next_for(row.balance, program),
        coupons=live,
        status=row.status,
        created_at=row.created_at,
        program=program.name,
    )


def experiment_card(desk: Desk, numbers: list[str], rng: random.Random, n: int) -> list[Timings]:
    sample = [rng.choice(numbers) for _ in range(20)]
    for number in sample:  # the prototype must give the very same answer
        assert card_prototype(desk.store, number) == desk.card(number), number
    picks = {k: [rng.choice(numbers) for _ in range(n)] for k in ("as is", "prototype")}
    out = interleaved(
        {"as is": desk.card, "prototype": lambda number: card_prototype(desk.store, number)}, picks, 10
    )
    return [
        Timings.of("desk.card as is", out["as is"].samples, out["as is"].wall),
        Timings.of("card, statements built once", out["prototype"].samples, out["prototype"].wall),
    ]


# --- checkpoint: off the commit path ----------------------------------------------


def with_pragma(engine: Engine, pragma: str) -> None:
    """Run ``pragma`` on every new connection of ``engine`` (after stampdesk's own)."""

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA {pragma}")

    event.listen(engine, "connect", on_connect)
    engine.dispose()  # connections made before the listener are dropped


class Checkpointer:
    """``PRAGMA wal_checkpoint(PASSIVE)`` every ``period`` seconds in a thread
    (the sqlite3 module releases the GIL while SQLite works)."""

    def __init__(self, path: Path, period: float = 0.05) -> None:
        self.path = path
        self.period = period
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None
        self.runs = 0

    def __enter__(self) -> Checkpointer:
        self.stop.clear()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def _run(self) -> None:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        try:
            while not self.stop.wait(self.period):
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                self.runs += 1
        finally:
            conn.close()

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        assert self.thread is not None
        self.thread.join()


def experiment_checkpoint(path: Path, numbers: list[str], rng: random.Random, n: int) -> list[Timings]:
    """Three ways to checkpoint, one after the other (not interleaved: the WAL
    is shared, so one variant's frames would be checkpointed by another's
    connection). Each starts from an emptied WAL and runs long enough to meet
    its own checkpoints several times."""
    variants: list[tuple[str, str | None, bool]] = [
        ("checkout as is (autocheckpoint 1000)", None, False),
        ("checkout, checkpoint in a thread", "wal_autocheckpoint=0", True),
        ("checkout, wal_autocheckpoint=10000", "wal_autocheckpoint=10000", False),
    ]
    out = []
    for name, pragma, thread in variants:
        desk = stampdesk.connect(sqlite_url(path))
        if pragma:
            with_pragma(desk.store.engine, pragma)
        op = checkout_op(desk)
        for number in numbers[:100]:
            op(number)
        with sqlite3.connect(path, timeout=30) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        block = [rng.choice(numbers) for _ in range(n)]
        if thread:
            with Checkpointer(path):
                t = _measure_block(op, block)
        else:
            t = _measure_block(op, block)
        desk.close()
        out.append(Timings.of(name, t.samples, t.wall))
    return out


def _measure_block(op: Callable[[str], object], block: list[str]) -> Timings:
    clock = time.perf_counter
    samples = []
    begun = clock()
    for arg in block:
        t = clock()
        op(arg)
        samples.append(clock() - t)
    return Timings.of("block", samples, clock() - begun)


def experiment_sync(path: Path, numbers: list[str], rng: random.Random, n: int) -> list[Timings]:
    full = stampdesk.connect(sqlite_url(path))
    normal = stampdesk.connect(sqlite_url(path))
    with_pragma(normal.store.engine, "synchronous=NORMAL")
    picks = {k: [rng.choice(numbers) for _ in range(n)] for k in ("full", "normal")}
    out = interleaved({"full": checkout_op(full), "normal": checkout_op(normal)}, picks, 10)
    full.close()
    normal.close()
    return [
        Timings.of("checkout, synchronous=FULL (as is)", out["full"].samples, out["full"].wall),
        Timings.of("checkout, synchronous=NORMAL", out["normal"].samples, out["normal"].wall),
    ]


# --- backup: one fsync instead of a synchronous rollback journal ---------------------


def backup_prototype(source: Path, target: Path, mmap: bool = False) -> None:
    """``services.backup`` with the destination set up as a scratch file
    (and, with ``mmap``, the source read through memory-mapped I/O)."""
    tmp = target.with_name(f".{target.name}.partial")
    src = sqlite3.connect(source, timeout=30)
    if mmap:
        src.execute(f"PRAGMA mmap_size={4 * 2**30}")
    dst = sqlite3.connect(tmp)
    try:
        # The partial file is renamed only once complete and synced, so it
        # needs neither a journal nor a sync per step.
        dst.execute("PRAGMA journal_mode=OFF")
        dst.execute("PRAGMA synchronous=OFF")
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a power cut
    finally:
        os.close(directory)


def experiment_backup(path: Path, desk: Desk, cards_expected: int, writer_seconds: float) -> list[str]:
    target = DATA / "whatif-backup.db"
    lines = []
    for under_load in (False, True):
        for label, run in (
            ("desk.backup as is", lambda: desk.backup(target)),
            ("backup prototype", lambda: backup_prototype(path, target)),
            ("prototype + src mmap", lambda: backup_prototype(path, target, mmap=True)),
        ):
            writer = None
            stop = DATA / "whatif-writer.stop"
            stats = DATA / "whatif-writer.json"
            if under_load:
                stop.unlink(missing_ok=True)
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
                        str(stats),
                    ],
                    stdout=subprocess.PIPE,
                    text=True,
                )
                assert writer.stdout is not None
                assert writer.stdout.readline().strip() == "ready"
                time.sleep(1.0)
            try:
                t = time.perf_counter()
                run()
                seconds = time.perf_counter() - t
            finally:
                if writer is not None:
                    stop.touch()
                    writer.wait(timeout=writer_seconds + 30)
                    stop.unlink(missing_ok=True)
                    stats.unlink(missing_ok=True)
            conn = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
            count = conn.execute("SELECT count(*) FROM cards").fetchone()[0]
            ok = conn.execute("PRAGMA quick_check").fetchone()[0]
            conn.close()
            target.unlink()
            line = (
                f"{label:<22} {'with a writing till' if under_load else 'alone':<20} {seconds:6.3f} s   "
                f"({count:,} cards, quick_check {ok})"
            )
            print("  " + line, flush=True)
            lines.append(line)
            assert count == cards_expected and ok == "ok"
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=1_000_000)
    parser.add_argument("-n", type=int, default=3000)
    parser.add_argument("--only", default="card,checkpoint,sync,backup")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--writer-seconds", type=float, default=60.0)
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    rng = random.Random(args.seed)
    print(_common.environment())
    print(f"code: {_common.code_version()}")
    print(f"at start: {_common.load()}")
    path, _ = build_db.ensure(args.cards)
    reader = sqlite3.connect(path)
    numbers = [r[0] for r in reader.execute("SELECT number FROM cards")]
    reader.close()
    desk = stampdesk.connect(sqlite_url(path))
    rows: list[Timings] = []
    if "card" in only:
        print("\n== card lookup: as is / statements built once ==", flush=True)
        rows += experiment_card(desk, numbers, rng, args.n)
    if "checkpoint" in only:
        print("\n== checkout: automatic checkpoint / checkpoint in a background thread ==", flush=True)
        rows += experiment_checkpoint(path, numbers, rng, args.n)
    if "sync" in only:
        print("\n== checkout: synchronous=FULL / NORMAL ==", flush=True)
        rows += experiment_sync(path, numbers, rng, args.n)
    if rows:
        print("\n" + TABLE_HEAD)
        for t in rows:
            print(t.row())
        print(f"  ({_common.load()})")
    if "backup" in only:
        print("\n== backup: as is / scratch destination + one fsync ==", flush=True)
        experiment_backup(path, desk, len(numbers), args.writer_seconds)
    desk.close()
    print(f"\nat end: {_common.load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
