"""A chain of shops: many tills selling at once into one database.

    .venv/bin/python bench/chain.py [--engine sqlite|postgresql|both] [--seconds 10]
                                    [--tills N] [--cards 50000] [--pg URL] [--offline]
    .venv/bin/python bench/chain.py --profile --engine postgresql   # one till, profiled

Each till is its own process, as in a chain where every counter runs its own
till software: ``stampdesk.connect(url)``, then ``desk.checkout(card=…,
amount=…, items=…, idempotency_key=…, till="tillN")`` in a loop, as fast as
the database lets it. The sales are a café's: baskets of 1–4 lines from a
menu (the amount is their sum; one till in five types the total without the
lines), 15 % walk-ins without a card, the cards drawn at random from the
whole shop, every sale with its own idempotency key.

Per engine, in one run:

1. the shop: ``--cards`` cards with their history (``_dataset``), the
   schema by ``stampdesk.connect`` (the Alembic migrations), the programme of
   examples/program.toml. PostgreSQL: a fresh database on the server of
   ``--pg`` (127.0.0.1 only), created here and dropped at the end; SQLite: a
   file in a temporary directory, removed at the end.
2. baseline: the driver alone (psycopg / stdlib sqlite3), a trivial
   transaction (begin, insert one row, commit) in a loop, in as many
   processes as the chain has tills: the floor of a durable commit with that
   many writers on this machine. On SQLite the processes take turns as
   stampdesk's do (``db.WriterQueue``) and use its pragmas.
3. baseline: one till alone, the same sales.
4. the chain: ``--tills`` tills at once (8 on PostgreSQL, 4 on SQLite).

All the tills of a run are started, connected and warmed up (200 sales each)
before the measured window opens, and each measures the sales it starts in
that window. Figures: sales/s in aggregate, latency percentiles over every
till's sales, errors, and the CPU each sale costs: the tills' own process
time (client) and, on PostgreSQL, the CPU of their server backends read
from ``/proc/<pid>/stat`` (server). On 2 cores, 2,000 sales/s leaves 1 ms
of CPU per sale for client and server together, so the CPU per sale says
whether a target can hold on a quiet machine when the machine is shared.
The share of the machine's CPU the rest of the system took during each
window is printed too (``/proc/stat``).

Afterwards ``desk.check()`` must find every card's balance equal to its
ledger, and the database must hold exactly the sales the tills were told
were recorded: nothing lost, nothing doubled.

Targets: >= 2,000 checkouts/s in aggregate and p99 <= 20 ms, with 8 tills
on PostgreSQL and with 4 tills on SQLite. Exit status 1 when one is missed.

``--offline`` adds the third part of a chain's day, the replay of sales a
till queued while it was offline (see ``offline_replay``).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import _common
from _common import EXAMPLE_PROGRAM, Verdicts, percentile

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
TILLS = {"postgresql": 8, "sqlite": 4}
TARGET_RATE = 2000.0
TARGET_P99 = 0.020
WARMUP_SALES = 200
WALK_IN_SHARE = 0.15
# (sku, category, unit price): a café's menu.
MENU = (
    ("ESPRESSO", "coffee", "2.40"),
    ("FLAT-WHITE", "coffee", "4.20"),
    ("TEA", "tea", "2.80"),
    ("CROISSANT", "pastry", "1.40"),
    ("CAKE", "pastry", "3.80"),
    ("SANDWICH", "lunch", "6.90"),
    ("SALAD", "lunch", "9.50"),
)
OFFLINE_QUEUED = 10_000
OFFLINE_TARGET_SECONDS = 10.0


# --------------------------------------------------------------------------
# The sales


@dataclass(frozen=True)
class Sale:
    card: str | None
    amount: str
    items: tuple[dict[str, object], ...] | None


def sales(numbers: list[str], rng: random.Random, n: int) -> list[Sale]:
    """``n`` café sales: baskets from the menu, some walk-ins, random cards."""
    out = []
    for _ in range(n):
        lines: dict[str, dict[str, object]] = {}
        for _ in range(rng.choice((1, 1, 2, 2, 2, 3, 3, 4))):
            sku, category, price = rng.choice(MENU)
            line = lines.setdefault(
                sku, {"sku": sku, "category": category, "quantity": 0, "unit_price": price}
            )
            line["quantity"] = int(str(line["quantity"])) + 1
        cents = sum(
            int(str(i["quantity"])) * int(str(i["unit_price"]).replace(".", "")) for i in lines.values()
        )
        card = None if rng.random() < WALK_IN_SHARE else rng.choice(numbers)
        # One till in five types the total instead of ringing up the lines.
        items = tuple(lines.values()) if rng.random() >= 0.2 else None
        out.append(Sale(card, f"{cents // 100}.{cents % 100:02d}", items))
    return out


# --------------------------------------------------------------------------
# One till (runs in its own process: `chain.py --till SPEC`)


def till_main(spec_file: str) -> int:
    """Connect, warm up, say "ready", sell from the start time given on stdin
    to the end time, print the figures as JSON, wait for "exit"."""
    spec = json.loads(Path(spec_file).read_text())
    name = f"till{spec['till']}"
    rng = random.Random(spec["seed"])
    numbers = Path(spec["numbers"]).read_text().split()
    # Enough sales for the fastest till not to sell the same ones again (a
    # card sold again the same day soon earns nothing: max_per_day).
    todo = sales(numbers, rng, WARMUP_SALES + min(200_000, int(3000 * spec["seconds"])))
    run = spec["run"]
    close: Callable[[], None]
    if spec["mode"] == "checkout":
        import stampdesk

        desk = stampdesk.connect(spec["url"])
        close = desk.close

        def sell(sale: Sale, i: int) -> None:
            desk.checkout(
                card=sale.card,
                amount=sale.amount,
                items=sale.items,
                idempotency_key=f"{run}-{name}-{i}",
                till=name,
            )

    else:
        sell, close = raw_seller(spec["engine"], spec["url"], name)

    done = 0  # sales recorded, warm-up included: the database must hold as many
    for i in range(WARMUP_SALES):
        sell(todo[i % len(todo)], i)
        done += 1
    print("ready", flush=True)
    go = sys.stdin.readline().split()
    start_at, end_at = float(go[1]), float(go[2])
    time.sleep(max(0.0, start_at - time.monotonic()))
    latencies: list[float] = []
    errors: dict[str, int] = {}
    first_error = ""
    clock = time.perf_counter
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = time.process_time()
    began = time.monotonic()
    i = WARMUP_SALES
    while time.monotonic() < end_at:
        sale = todo[i % len(todo)]
        t = clock()
        try:
            sell(sale, i)
        except Exception as error:  # counted and reported: a till keeps selling
            errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1
            first_error = first_error or f"{type(error).__name__}: {error}"[:300]
        else:
            latencies.append(clock() - t)
            done += 1
        i += 1
    ended = time.monotonic()
    cpu = time.process_time() - cpu
    after = resource.getrusage(resource.RUSAGE_SELF)
    result = {
        "sales": len(latencies),
        "recorded": done,
        "errors": errors,
        "first_error": first_error,
        "latencies": [round(x, 7) for x in latencies],
        "cpu": cpu,
        "began": began,
        "ended": ended,
        "switches": (after.ru_nvcsw - usage.ru_nvcsw) + (after.ru_nivcsw - usage.ru_nivcsw),
    }
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    sys.stdin.readline()  # the server's CPU is read while this till's backend lives
    close()
    return 0


def raw_seller(engine: str, url: str, name: str) -> tuple[Callable[[Sale, int], None], Callable[[], None]]:
    """The baseline: the driver alone, begin + insert one row + commit."""
    if engine == "postgresql":
        import psycopg

        pg = psycopg.connect(libpq(url))

        def sell_pg(sale: Sale, i: int) -> None:
            pg.execute("INSERT INTO chain_raw (till, n, at) VALUES (%s, %s, now())", (name, i))
            pg.commit()

        return sell_pg, pg.close
    from bench_sqlite import raw_connection

    from stampdesk.db import WriterQueue

    path = url.removeprefix("sqlite:///")
    lite = raw_connection(Path(path))
    # Writers queue between processes as stampdesk's do (see WriterQueue).
    queue = WriterQueue(path)

    def sell_sqlite(sale: Sale, i: int) -> None:
        with queue.turn():
            lite.execute("BEGIN IMMEDIATE")
            lite.execute("INSERT INTO chain_raw (till, n, at) VALUES (?, ?, datetime('now'))", (name, i))
            lite.execute("COMMIT")

    def close() -> None:
        lite.close()
        queue.close()

    return sell_sqlite, close


# --------------------------------------------------------------------------
# CPU accounting (Linux /proc)


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def children_of(ppid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if parent_of(int(entry.name)) == ppid:
                    out.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return out


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    total = sum(fields[:8])
    tick = os.sysconf("SC_CLK_TCK")
    return (total - idle) / tick, total / tick


# --------------------------------------------------------------------------
# A run of N tills


@dataclass
class RunResult:
    title: str
    tills: int
    sales: int
    recorded: int
    seconds: float
    latencies: list[float]
    errors: dict[str, int]
    first_error: str
    client_cpu: float
    server_cpu: float | None  # the tills' backends (PostgreSQL)
    server_all_cpu: float | None  # every server process, the tills' backends included
    machine_busy: float  # CPU seconds the whole machine was busy during the window
    switches: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.sales / self.seconds if self.seconds else 0.0

    def p(self, q: float) -> float:
        return percentile(self.latencies, q)

    def per_sale(self, seconds: float | None) -> float | None:
        return None if seconds is None or not self.sales else seconds / self.sales


class Shop:
    """A database for one engine: made, filled, and removed."""

    def __init__(
        self, engine: str, url: str, numbers_file: Path, admin: Any = None, dbname: str = ""
    ) -> None:
        self.engine = engine
        self.url = url
        self.numbers_file = numbers_file
        self.admin = admin  # psycopg connection to the server's maintenance database
        self.dbname = dbname

    def backends(self) -> list[int]:
        if self.admin is None:
            return []
        rows = self.admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (self.dbname,)
        ).fetchall()
        return [int(r[0]) for r in rows]


def run_tills(
    shop: Shop, work: Path, title: str, mode: str, tills: int, seconds: float, seed: int
) -> RunResult:
    """Start ``tills`` till processes, open the window when all are ready,
    gather their figures and the CPU the server spent for them."""
    run = uuid.uuid4().hex[:8]
    procs: list[subprocess.Popen[str]] = []
    logs = []
    deadline = time.monotonic() + seconds + 180  # start-up, warm-up, window, end: a bound on the run
    watchdog = threading.Timer(seconds + 180, lambda: [p.kill() for p in procs if p.poll() is None])
    watchdog.daemon = True
    watchdog.start()
    try:
        for n in range(1, tills + 1):
            spec = {
                "till": n,
                "mode": mode,
                "engine": shop.engine,
                "url": shop.url,
                "numbers": str(shop.numbers_file),
                "seed": seed * 1000 + n,
                "run": run,
                "seconds": seconds,
            }
            spec_file = work / f"till-{run}-{n}.json"
            spec_file.write_text(json.dumps(spec))
            log = (work / f"till-{run}-{n}.log").open("w")
            logs.append(log)
            procs.append(
                subprocess.Popen(
                    [sys.executable, __file__, "--till", str(spec_file)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    text=True,
                    env={
                        **os.environ,
                        "PYTHONPATH": os.pathsep.join([str(_common.ROOT / "src"), str(_common.BENCH)]),
                    },
                )
            )
        for n, p in enumerate(procs, 1):
            assert p.stdout is not None
            if p.stdout.readline().strip() != "ready":
                p.wait(5)
                raise SystemExit(
                    f"till{n} did not start:\n{(work / f'till-{run}-{n}.log').read_text()[-3000:]}"
                )
        backends = shop.backends()
        postmaster = parent_of(backends[0]) if backends else None
        server_pids = children_of(postmaster) if postmaster else []
        start_at = time.monotonic() + 0.2
        end_at = start_at + seconds
        for p in procs:
            assert p.stdin is not None
            p.stdin.write(f"go {start_at} {end_at}\n")
            p.stdin.flush()
        time.sleep(max(0.0, start_at - time.monotonic()))
        machine0 = machine_cpu()[0]
        server0 = {pid: process_cpu(pid) for pid in server_pids}
        results = []
        for n, p in enumerate(procs, 1):
            assert p.stdout is not None
            line = p.stdout.readline()
            if not line:
                raise SystemExit(f"till{n} stopped:\n{(work / f'till-{run}-{n}.log').read_text()[-3000:]}")
            results.append(json.loads(line))
        machine1 = machine_cpu()[0]
        server1 = {pid: process_cpu(pid) for pid in server_pids}
        for p in procs:
            assert p.stdin is not None
            p.stdin.write("exit\n")
            p.stdin.flush()
        for p in procs:
            p.wait(max(1.0, deadline - time.monotonic()))
    finally:
        watchdog.cancel()
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        for log in logs:
            log.close()
    mine = set(backends)
    server_cpu = sum(server1[pid] - server0[pid] for pid in server_pids if pid in mine) if mine else None
    server_all = sum(server1[pid] - server0[pid] for pid in server_pids) if server_pids else None
    errors: dict[str, int] = {}
    for r in results:
        for k, v in r["errors"].items():
            errors[k] = errors.get(k, 0) + v
    return RunResult(
        title=title,
        tills=tills,
        sales=sum(r["sales"] for r in results),
        recorded=sum(r["recorded"] for r in results),
        seconds=max(r["ended"] for r in results) - min(r["began"] for r in results),
        latencies=sorted(x for r in results for x in r["latencies"]),
        errors=errors,
        first_error=next((r["first_error"] for r in results if r["first_error"]), ""),
        client_cpu=sum(r["cpu"] for r in results),
        server_cpu=server_cpu,
        server_all_cpu=server_all,
        machine_busy=machine1 - machine0,
        switches=sum(r["switches"] for r in results),
    )


def ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:.3f} ms"


TABLE = (
    "| run | tills | sales | sales/s | p50 | p95 | p99 | max | client CPU/sale | server CPU/sale "
    "| total CPU/sale | errors |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def row(r: RunResult) -> str:
    client = r.per_sale(r.client_cpu)
    server = r.per_sale(r.server_cpu)
    total = None if client is None else client + (server or 0.0)
    errors = sum(r.errors.values())
    return (
        f"| {r.title} | {r.tills} | {r.sales:,} | {r.rate:,.0f} | {ms(r.p(0.50))} | {ms(r.p(0.95))} "
        f"| {ms(r.p(0.99))} | {ms(r.latencies[-1] if r.latencies else None)} | {ms(client)} | {ms(server)} "
        f"| {ms(total)} | {errors} |"
    )


def notes(r: RunResult) -> str:
    cores = os.cpu_count() or 1
    ours = r.client_cpu + (r.server_all_cpu or 0.0)
    lines = [
        f"  {r.title}: {r.seconds:.2f} s window; machine busy {r.machine_busy / r.seconds / cores:.0%} of "
        f"{cores} cores, of which these tills{' and the server' if r.server_all_cpu is not None else ''} "
        f"{ours / r.seconds / cores:.0%}, the rest of the system "
        f"{(r.machine_busy - ours) / r.seconds / cores:.0%}"
    ]
    if r.server_all_cpu is not None and r.sales:
        lines.append(
            f"  {'':{len(r.title)}}  every server process (walwriter, checkpointer, other clients): "
            f"{ms(r.server_all_cpu / r.sales)} per sale"
        )
    if r.sales:
        lines.append(
            f"  {'':{len(r.title)}}  a till takes {ms(r.tills * r.seconds / r.sales)} per sale, "
            f"{ms(r.client_cpu / r.sales)} of it on CPU; {r.switches / r.sales:.1f} context switches per sale"
        )
    if r.errors:
        lines.append(f"  {'':{len(r.title)}}  errors: {r.errors}; first: {r.first_error}")
    return "\n".join(lines)


# --------------------------------------------------------------------------
# The shops

COUPON_COLUMNS = (
    "code",
    "card_id",
    "cycle",
    "milestone_at",
    "reward",
    "origin",
    "issued_at",
    "expires_at",
    "redeemed_at",
    "cost_cents",
)
REWARDS = {3: ("Croissant offert", 35), 6: ("Cookie offert", 45), 10: ("Un café offert", 30)}


def coupon_rows(cards: list[tuple[int, int, int]], seed: int) -> list[tuple[object, ...]]:
    """The coupons a shop's cards hold (``_dataset`` makes none): for each
    completed cycle, its three milestones' coupons, used or expired; for the
    current cycle, the milestones its balance reached, still to use. A
    sale's reads of a card's coupons then meet a shop's table, not an
    empty one. ``cards`` are ``(id, cycle, balance)``."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    rows: list[tuple[object, ...]] = []
    for card_id, cycle, balance in cards:
        for c in range(cycle + 1):
            for at, (reward, cost) in REWARDS.items():
                if c == cycle and at > balance:
                    break
                issued = now - timedelta(
                    days=20 * (cycle - c) + rng.randrange(1, 20), seconds=rng.randrange(86400)
                )
                used = (
                    issued + timedelta(days=rng.randrange(1, 30))
                    if c < cycle and rng.random() < 0.7
                    else None
                )
                rows.append(
                    (
                        f"H{len(rows):09d}",
                        card_id,
                        c,
                        at,
                        reward,
                        "checkout",
                        issued,
                        issued + timedelta(days=60),
                        used,
                        cost,
                    )
                )
    return rows


def sqlite_time(value: object) -> object:
    """A time as SQLAlchemy stores it in SQLite (UTC text)."""
    return value.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(value, datetime) else value


def libpq(url: str) -> str:
    from sqlalchemy import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def postgres_shop(server: str, work: Path, cards: int) -> Iterator[Shop]:
    """A fresh database on ``server``, filled with a shop; dropped afterwards."""
    import psycopg
    from sqlalchemy import make_url

    parsed = make_url(server)
    if parsed.host not in ("127.0.0.1", "localhost"):
        raise SystemExit("this benchmark only runs against a local server (127.0.0.1)")
    dbname = f"stampdesk_chain_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(libpq(str(parsed.set(database=parsed.database or "postgres"))), autocommit=True)
    admin.execute(f"CREATE DATABASE {dbname}")
    url = parsed.set(database=dbname).render_as_string(hide_password=False)
    try:
        numbers = fill_postgres(url, cards)
        numbers_file = work / "numbers-postgresql.txt"
        numbers_file.write_text("\n".join(numbers))
        with psycopg.connect(libpq(url), autocommit=True) as conn:
            conn.execute(
                "CREATE TABLE chain_raw (id bigserial PRIMARY KEY, till text NOT NULL, n integer NOT NULL, "
                "at timestamptz NOT NULL)"
            )
            settings = {
                name: conn.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
                for name in (
                    "server_version",
                    "fsync",
                    "synchronous_commit",
                    "shared_buffers",
                    "max_connections",
                )
            }
        print(f"server: {settings}")
        yield Shop("postgresql", url, numbers_file, admin, dbname)
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")
        admin.close()


def fill_postgres(url: str, cards: int) -> list[str]:
    """The schema (migrations), the programme, and the rows of ``_dataset`` by COPY."""
    import _dataset
    import psycopg
    from bench_postgres import LOADED

    import stampdesk

    started = time.perf_counter()
    desk = stampdesk.connect(url)
    desk.load_program_file(EXAMPLE_PROGRAM)
    desk.close()
    counts = dict.fromkeys((table for table, _ in LOADED), 0)
    with psycopg.connect(libpq(url)) as conn:
        conn.execute("SET TIME ZONE 'UTC'")
        with conn.cursor() as cur:
            for chunk in _dataset.generate(_dataset.Shape(cards=cards)):
                for table, columns in LOADED:
                    rows = getattr(chunk, table)
                    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                        for r in rows:
                            copy.write_row(r)
                    counts[table] += len(rows)
            for table, columns in LOADED:
                if "id" in columns:
                    cur.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
            cur.execute(
                "INSERT INTO card_months (month, cohort, card_id) SELECT DISTINCT substr(day, 1, 7), cohort, "
                "card_id FROM checkouts WHERE card_id IS NOT NULL AND cohort IS NOT NULL"
            )
            held = cur.execute("SELECT id, cycle, balance FROM cards ORDER BY id").fetchall()
            coupons = coupon_rows(held, cards)
            with cur.copy(f"COPY coupons ({', '.join(COUPON_COLUMNS)}) FROM STDIN") as copy:
                for r in coupons:
                    copy.write_row(r)
            counts["coupons"] = len(coupons)
            numbers = [r[0] for r in cur.execute("SELECT number FROM cards ORDER BY id")]
        conn.commit()
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    print(f"shop: {counts} in {time.perf_counter() - started:.1f} s", flush=True)
    return numbers


@contextmanager
def sqlite_shop(work: Path, cards: int) -> Iterator[Shop]:
    """A SQLite file with a shop, in the run's temporary directory."""
    import sqlite3

    import _dataset
    import build_db

    path = work / "shop.db"
    started = time.perf_counter()
    build_db.build(path, _dataset.Shape(cards=cards))
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE chain_raw (id INTEGER PRIMARY KEY, till TEXT NOT NULL, n INTEGER NOT NULL, "
        "at TEXT NOT NULL)"
    )
    coupons = coupon_rows(conn.execute("SELECT id, cycle, balance FROM cards ORDER BY id").fetchall(), cards)
    conn.executemany(
        f"INSERT INTO coupons ({', '.join(COUPON_COLUMNS)}) VALUES ({', '.join('?' * len(COUPON_COLUMNS))})",
        [tuple(sqlite_time(v) for v in r) for r in coupons],
    )
    conn.commit()
    numbers = [r[0] for r in conn.execute("SELECT number FROM cards ORDER BY id")]
    conn.close()
    numbers_file = work / "numbers-sqlite.txt"
    numbers_file.write_text("\n".join(numbers))
    print(
        f"shop: {len(numbers):,} cards, {len(coupons):,} coupons in {path} "
        f"({time.perf_counter() - started:.1f} s)",
        flush=True,
    )
    try:
        yield Shop("sqlite", _common.sqlite_url(path), numbers_file)
    finally:
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-lock")):
            leftover.unlink(missing_ok=True)


# --------------------------------------------------------------------------
# The parts of a run


def online(shop: Shop, work: Path, args: argparse.Namespace, verdicts: Verdicts) -> list[RunResult]:
    """Baselines, then the chain; verdicts against the targets."""
    engine = shop.engine
    tills = args.tills or TILLS[engine]
    label = "PostgreSQL" if engine == "postgresql" else "SQLite"
    driver = "psycopg" if engine == "postgresql" else "sqlite3"
    print(
        f"\n== {label}: {tills} tills for {args.seconds:g} s, baselines first ({_common.load()}) ==",
        flush=True,
    )
    disk = _common.fsync_probe(work)
    print(f"{disk.name} (this run's disk): median {ms(disk.median)}, p99 {ms(disk.p(0.99))}", flush=True)
    runs = [
        run_tills(
            shop, work, f"baseline: raw {driver} begin/insert/commit", "raw", tills, args.seconds, args.seed
        ),
        run_tills(shop, work, "baseline: one till", "checkout", 1, args.seconds, args.seed),
        run_tills(shop, work, f"**{tills} tills**", "checkout", tills, args.seconds, args.seed),
    ]
    print(f"\n{label}, {args.cards:,} cards:\n")
    print(TABLE)
    for r in runs:
        print(row(r))
    print()
    for r in runs:
        print(notes(r))
    chain = runs[-1]
    client = chain.per_sale(chain.client_cpu) or 0.0
    server = chain.per_sale(chain.server_cpu) or 0.0
    cores = os.cpu_count() or 1
    if client + server:
        print(
            f"  CPU per sale {ms(client + server)} (client {ms(client)} + server {ms(server)}): "
            f"{cores} cores give at most {cores / (client + server):,.0f} sales/s with nothing else running"
        )
    note = "" if tills == TILLS[engine] else f" (target set for {TILLS[engine]} tills)"
    verdicts.add(
        chain.rate >= TARGET_RATE and not chain.errors,
        f"{label}: >= {TARGET_RATE:,.0f} checkouts/s, {tills} tills{note}",
        f"{chain.rate:,.0f}/s, {sum(chain.errors.values())} errors",
    )
    verdicts.add(
        chain.p(0.99) <= TARGET_P99,
        f"{label}: p99 <= {TARGET_P99 * 1000:.0f} ms, {tills} tills",
        ms(chain.p(0.99)),
    )
    verdicts.add(
        client + server <= cores / TARGET_RATE,
        f"{label}: CPU per sale <= {cores / TARGET_RATE * 1000:.1f} ms "
        f"(what {TARGET_RATE:,.0f}/s leaves on {cores} cores)",
        f"{ms(client + server)}",
    )
    check(shop, runs, verdicts, label)
    return runs


def check(shop: Shop, runs: list[RunResult], verdicts: Verdicts, label: str) -> None:
    """Every sale a till was told was recorded is in the database, once, and
    every card's balance is its ledger's sum."""
    from sqlalchemy import text

    import stampdesk

    desk = stampdesk.connect(shop.url)
    with desk.store.read() as conn:
        written = conn.execute(
            text("SELECT count(*) FROM checkouts WHERE idempotency_key IS NOT NULL")
        ).scalar_one()
    report = desk.check()
    desk.close()
    told = sum(r.recorded for r in runs if not r.title.startswith("baseline: raw"))
    verdicts.add(
        written == told and not report.mismatches,
        f"{label}: every sale recorded once, balances = ledger",
        f"{written:,} sales in the database for {told:,} recorded; "
        f"desk.check(): {len(report.mismatches)} mismatches",
    )


def offline_replay(shop: Shop, work: Path, args: argparse.Namespace, verdicts: Verdicts) -> None:
    """A till that lost its database kept ``OFFLINE_QUEUED`` sales in its
    outbox; back online, ``desk.sync()`` replays them in order, each with its
    key and its own moment. Baseline, in the same run: as many sales sold
    online by one till (``desk.checkout``)."""
    import sqlite3
    from decimal import Decimal

    import stampdesk
    from stampdesk.config import Settings

    numbers = shop.numbers_file.read_text().split()
    rng = random.Random(args.seed + 1000)
    outbox = work / f"outbox-{shop.engine}.db"
    settings = Settings(
        database=shop.url, offline=True, outbox=outbox, till="offline-1", timezone="Europe/Paris"
    )
    desk = stampdesk.connect(settings=settings)
    start = desk.now() - timedelta(hours=6)
    amounts = [Decimal(rng.randint(150, 2500)) / 100 for _ in range(OFFLINE_QUEUED)]
    cards = [rng.choice(numbers) if rng.random() < 0.8 else None for _ in range(OFFLINE_QUEUED)]
    # The sales the till kept during the outage, written into its outbox as
    # the till writes them (one row per sale; here in one transaction, since
    # only the replay is measured).
    with sqlite3.connect(outbox) as conn:
        conn.executemany(
            "INSERT INTO sales (key, card, amount, items, at, given_at, till, queued_at) "
            "VALUES (?, ?, ?, '[]', ?, 0, 'offline-1', ?)",
            [
                (
                    f"offline-1-{i}",
                    cards[i],
                    str(amounts[i]),
                    (start + timedelta(seconds=2 * i)).isoformat(),
                    "",
                )
                for i in range(OFFLINE_QUEUED)
            ],
        )
    assert desk.waiting_sales() == OFFLINE_QUEUED
    began = time.perf_counter()
    report = desk.sync()
    replay = time.perf_counter() - began
    # Baseline: the same number of sales, sold online by one till.
    online = stampdesk.connect(settings=Settings(database=shop.url, till="online-1", timezone="Europe/Paris"))
    began = time.perf_counter()
    for i in range(OFFLINE_QUEUED):
        online.checkout(card=cards[i], amount=amounts[i], idempotency_key=f"online-1-{i}", till="online-1")
    baseline = time.perf_counter() - began
    online.close()
    from sqlalchemy import text

    with desk.store.read() as conn:
        recorded = conn.execute(
            text("SELECT count(*) FROM checkouts WHERE idempotency_key LIKE 'offline-1-%'")
        ).scalar_one()
    checked = desk.check()
    desk.close()
    print(
        f"\noffline replay of {OFFLINE_QUEUED:,} queued sales on {shop.engine}: {replay:.2f} s "
        f"({OFFLINE_QUEUED / replay:,.0f} sales/s; sent {report.sent:,}, refused {report.refused}, "
        f"waiting {report.waiting}); baseline, one till selling as many online: {baseline:.2f} s "
        f"({OFFLINE_QUEUED / baseline:,.0f} sales/s)"
    )
    verdicts.add(
        replay <= OFFLINE_TARGET_SECONDS
        and report.sent == recorded == OFFLINE_QUEUED
        and not checked.mismatches,
        f"{shop.engine}: offline replay of {OFFLINE_QUEUED:,} sales "
        f"<= {OFFLINE_TARGET_SECONDS:g} s, each once",
        f"{replay:.2f} s; {recorded:,} recorded; desk.check(): {len(checked.mismatches)} mismatches",
    )


def profile_till(shop: Shop, args: argparse.Namespace) -> None:
    """One till in this process, sequentially: its CPU per sale and the
    server's, the server's wake-ups per sale (about its round trips), the
    statements a sale sends, then a cProfile of the same sales. With
    pg_stat_statements loaded by the server, its figures too."""
    import cProfile
    import io
    import pstats

    import stampdesk

    count = 2000
    numbers = shop.numbers_file.read_text().split()
    todo = sales(numbers, random.Random(args.seed), WARMUP_SALES + 2 * count + 500)
    desk = stampdesk.connect(shop.url)
    n = 0

    def sell(sale: Sale) -> None:
        nonlocal n
        n += 1
        desk.checkout(
            card=sale.card, amount=sale.amount, items=sale.items, idempotency_key=f"profile-{n}", till="till1"
        )

    for sale in todo[:WARMUP_SALES]:
        sell(sale)
    statements = (
        pg_statements(shop) if shop.engine == "postgresql" else contextlib.nullcontext(collections.Counter())
    )
    backends = shop.backends()
    batch = todo[WARMUP_SALES : WARMUP_SALES + count]
    server0 = {pid: (process_cpu(pid), wakeups(pid)) for pid in backends}
    cpu = time.process_time()
    wall = time.perf_counter()
    for sale in batch:
        sell(sale)
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    server = sum(process_cpu(pid) - c for pid, (c, _) in server0.items())
    woken = sum(wakeups(pid) - w for pid, (_, w) in server0.items())
    print(
        f"\n{count} sales, one till in this process: {ms(wall / count)} each, client CPU {ms(cpu / count)}"
        + (f", server CPU {ms(server / count)}, server wake-ups {woken / count:.1f}" if backends else "")
        + " per sale"
    )
    with statements as sent:
        for sale in todo[WARMUP_SALES + count : WARMUP_SALES + count + 500]:
            sell(sale)
    if sent:
        print("\nstatements per sale (500 sales):")
        for sql, k in sent.most_common():
            print(f"  {k / 500:5.2f}  {' '.join(sql.split())[:100]}")
    profiler = cProfile.Profile()
    profiler.enable()
    for sale in todo[WARMUP_SALES + count + 500 :]:
        sell(sale)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
    print(f"\ncProfile of {count} sales (wall time: the driver's `wait` includes the server's):")
    print(out.getvalue())
    desk.close()


def wakeups(pid: int) -> int:
    """Voluntary context switches of a process: a server backend sleeps once
    per round trip it waits for."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("voluntary_ctxt_switches:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@contextmanager
def pg_statements(shop: Shop) -> Iterator[collections.Counter[str]]:
    """The statements psycopg sends meanwhile, counted (and, when the server
    loads pg_stat_statements, its own timings of them, printed)."""

    import psycopg

    sent: collections.Counter[str] = collections.Counter()
    execute, executemany = psycopg.Cursor.execute, psycopg.Cursor.executemany

    def counted(self: Any, query: Any, params: Any = None, **kw: Any) -> Any:
        sent[str(query)] += 1
        return execute(self, query, params, **kw)

    def counted_many(self: Any, query: Any, params_seq: Any, **kw: Any) -> Any:
        params_seq = list(params_seq)
        sent[str(query)] += len(params_seq)
        return executemany(self, query, params_seq, **kw)

    stats = False
    with psycopg.connect(libpq(shop.url), autocommit=True) as conn:
        loaded = conn.execute("SELECT current_setting('shared_preload_libraries')").fetchone()
        if loaded and "pg_stat_statements" in str(loaded[0]):
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            conn.execute("SELECT pg_stat_statements_reset()")
            stats = True
    psycopg.Cursor.execute, psycopg.Cursor.executemany = counted, counted_many  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        psycopg.Cursor.execute, psycopg.Cursor.executemany = execute, executemany  # type: ignore[method-assign]
    if not stats:
        print("\n(pg_stat_statements is not loaded by this server: no server-side timings per statement)")
        return
    with psycopg.connect(libpq(shop.url), autocommit=True) as conn:
        print("\npg_stat_statements (500 sales): calls, mean ms, total ms (planning and execution)")
        for calls, mean, total, query in conn.execute(
            "SELECT calls, mean_exec_time + mean_plan_time, total_exec_time + total_plan_time, query "
            "FROM pg_stat_statements "
            "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "ORDER BY total_exec_time DESC LIMIT 15"
        ):
            print(f"  {calls:6} {mean:7.3f} {total:8.1f}  {' '.join(query.split())[:90]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured window of each run")
    parser.add_argument("--tills", type=int, help="tills in the chain run (default: 8 PostgreSQL, 4 SQLite)")
    parser.add_argument("--cards", type=int, default=50_000, help="cards in the shop")
    parser.add_argument("--pg", default=PG_SERVER, help="PostgreSQL server (a fresh database is made there)")
    parser.add_argument(
        "--offline",
        action="store_true",
        help="also the offline replay of OFFLINE_QUEUED sales kept by a till",
    )
    parser.add_argument("--profile", action="store_true", help="profile one till instead of the runs")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--till", metavar="SPEC", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.till:
        return till_main(args.till)
    if args.seconds <= 0 or args.seconds > 300 or (args.tills is not None and not 1 <= args.tills <= 32):
        parser.error("--seconds must be in (0, 300] and --tills in 1..32")
    verdicts = Verdicts()
    print(_common.environment())
    print(f"code: {_common.code_version()}")
    print(f"at start: {_common.load()}")
    engines = ("sqlite", "postgresql") if args.engine == "both" else (args.engine,)
    work = Path(tempfile.mkdtemp(prefix="stampdesk-chain-"))
    try:
        for engine in engines:
            shop_of = (
                postgres_shop(args.pg, work, args.cards)
                if engine == "postgresql"
                else sqlite_shop(work, args.cards)
            )
            with shop_of as shop:
                if args.profile:
                    profile_till(shop, args)
                    continue
                online(shop, work, args, verdicts)
                if args.offline:
                    offline_replay(shop, work, args, verdicts)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nat end: {_common.load()}")
    print(verdicts.summary())
    return 0 if all(ok for ok, _, _ in verdicts.lines) else 1


if __name__ == "__main__":
    sys.exit(main())
