"""A till that never stops: checkouts on random cards, in a loop, through the
Python API, until a stop file appears or ``--seconds`` pass.

    .venv/bin/python bench/_writer.py DB --seconds 60 --stop FILE --out stats.json

Prints "ready" once it has committed its first checkouts; writes the
``time.monotonic()`` of every commit (comparable across processes on Linux),
each checkout's latency and the errors to ``--out``. Used by bench_sqlite.py
to show that a backup does not stop the till.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import time
from pathlib import Path

from _common import sqlite_url
from _measure import CHECKOUT_AMOUNT

import stampdesk


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--stop", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    reader = sqlite3.connect(args.db)
    numbers = [r[0] for r in reader.execute("SELECT number FROM cards")]
    reader.close()

    desk = stampdesk.connect(sqlite_url(args.db))
    commits: list[float] = []
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + args.seconds
    announced = False
    while time.monotonic() < deadline and not args.stop.exists():
        t = time.monotonic()
        try:
            desk.checkout(card=rng.choice(numbers), amount=CHECKOUT_AMOUNT)
        except Exception as exc:  # a backup must not make the till fail: count it
            errors.append(f"{type(exc).__name__}: {exc}")
            continue
        done = time.monotonic()
        commits.append(done)
        latencies.append(done - t)
        if not announced and len(commits) >= 50:
            print("ready", flush=True)
            announced = True
    desk.close()
    if not announced:
        print("ready" if commits else "failed", flush=True)
    args.out.write_text(json.dumps({"commits": commits, "latencies": latencies, "errors": errors[:20]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
