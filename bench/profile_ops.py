"""Where the time of one engine operation goes, on the benchmark database.

    .venv/bin/python bench/profile_ops.py checkout [--cards 1000000] [-n 3000]
    .venv/bin/python bench/profile_ops.py card | search | check | backup

Uses pyinstrument when installed (``.venv/bin/pip install pyinstrument``),
else cProfile. For checkout, card and search it also prints, from the
engine's own events, the time spent inside the database driver per statement
and in COMMIT, so the rest is SQLAlchemy and stampdesk's Python.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import io
import pstats
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import _common
import build_db
from _common import DATA, sqlite_url
from _measure import CHECKOUT_AMOUNT, one_line
from sqlalchemy import event

import stampdesk
from stampdesk.desk import Desk


class DriverClock:
    """Time inside ``cursor.execute`` per statement, and inside COMMIT."""

    def __init__(self, desk: Desk) -> None:
        self.per: dict[str, list[float]] = collections.defaultdict(list)
        self._t = 0.0
        engine = desk.store.engine
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        dialect = engine.dialect
        original = dialect.do_commit

        def do_commit(dbapi_connection: Any) -> None:
            t = time.perf_counter()
            original(dbapi_connection)
            self.per["COMMIT"].append(time.perf_counter() - t)

        dialect.do_commit = do_commit  # type: ignore[method-assign]

    def _before(self, *args: Any) -> None:
        self._t = time.perf_counter()

    def _after(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.per[one_line(statement)[:70]].append(time.perf_counter() - self._t)

    def report(self, calls: int, total: float) -> str:
        lines = [f"per call: {total / calls * 1000:.3f} ms in all"]
        inside = 0.0
        for sql, times in sorted(self.per.items(), key=lambda kv: -sum(kv[1])):
            inside += sum(times)
            lines.append(
                f"  {sum(times) / calls * 1000:7.3f} ms  ({len(times) / calls:4.2f}x per call, "
                f"median {statistics.median(times) * 1000:.3f} ms)  {sql}"
            )
        lines.append(
            f"  {inside / calls * 1000:7.3f} ms in the driver (SQL and COMMIT); "
            f"{(total - inside) / calls * 1000:.3f} ms in SQLAlchemy and stampdesk's Python"
        )
        return "\n".join(lines)


def profile(call: Callable[[], object], title: str) -> str:
    try:
        from pyinstrument import Profiler
    except ImportError:
        profiler = cProfile.Profile()
        profiler.enable()
        call()
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
        return f"{title} (cProfile)\n{out.getvalue()}"
    p = Profiler(interval=0.0002)
    p.start()
    call()
    p.stop()
    return f"{title} (pyinstrument)\n" + p.output_text(unicode=False, color=False, show_all=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("op", choices=("checkout", "card", "search", "check", "backup"))
    parser.add_argument("--cards", type=int, default=1_000_000)
    parser.add_argument("-n", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    print(_common.environment())
    print(f"code: {_common.code_version()}")
    print(f"at start: {_common.load()}")
    path, _ = build_db.ensure(args.cards)
    reader = sqlite3.connect(path)
    numbers = [r[0] for r in reader.execute("SELECT number FROM cards")]
    names = [r[0] for r in reader.execute("SELECT name FROM customers")]
    reader.close()
    desk = stampdesk.connect(sqlite_url(path))

    ops: dict[str, Callable[[Any], object]] = {
        "checkout": lambda number: desk.checkout(card=number, amount=CHECKOUT_AMOUNT),
        "card": desk.card,
        "search": desk.search,
    }
    if args.op in ops:
        op = ops[args.op]
        pool = names if args.op == "search" else numbers
        arg: Callable[[], Any] = (
            (lambda: rng.choice(pool)[:3]) if args.op == "search" else (lambda: rng.choice(pool))
        )
        for _ in range(300):
            op(arg())
        clock = DriverClock(desk)
        picks = [arg() for _ in range(args.n)]
        t = time.perf_counter()
        for p in picks:
            op(p)
        total = time.perf_counter() - t
        print(f"\n== {args.op}: driver time per statement ({args.n} calls, no profiler) ==")
        print(clock.report(args.n, total))
        picks = [arg() for _ in range(args.n)]

        def run() -> None:
            for p in picks:
                op(p)

        text = profile(run, f"\n== {args.op}: {args.n} calls ==")
    elif args.op == "check":
        text = profile(desk.check, "\n== desk.check() ==")
    else:
        target = DATA / "profile-backup.db"
        text = profile(lambda: desk.backup(target), "\n== desk.backup() ==")
        target.unlink(missing_ok=True)
    desk.close()
    print(text)
    print(f"at end: {_common.load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
