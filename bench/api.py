"""HTTP API benchmark: checkouts per second through a real ``stampdesk serve``.

    .venv/bin/python bench/api.py                 # SQLite (temporary file)
    .venv/bin/python bench/api.py --pg            # PostgreSQL (a fresh schema in `test`)
    .venv/bin/python bench/api.py --seconds 20 --clients 8

The server runs as its own process (``python -m stampdesk.cli serve``, as a
shop runs it, access log on). The load comes from another process: N
keep-alive HTTP/1.1 connections on one asyncio loop, each sending a
checkout (a card, "12.50", its own ``Idempotency-Key``) and waiting for the
answer before the next one, as a till does. Requests are pre-formatted
bytes and answers are read by Content-Length: the generator costs as little
CPU as possible, since it shares the machine's cores with the server.

Printed: checkouts/s, latency p50/p95/p99/max, and two baselines measured in
the same run: ``GET /api/v1/health`` with the same generator (the HTTP
stack's own ceiling) and ``desk.checkout`` in-process (the engine's). Then
the customer's enrolment page, ``GET /join/<token>`` (the receipt QR's
link, rotating through 200 walk-in receipts), from the same server (the
pages' rate limit off in its config, as a load from one address would
otherwise be refused). Exit status 1 when the SQLite targets (>= 800
checkouts/s, p99 <= 25 ms; >= 500 enrolment pages/s) are missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

PG_BASE = os.environ.get("STAMPDESK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TARGET_RATE = 800.0
TARGET_P99_MS = 25.0
TARGET_PAGES = 500.0
WALK_INS = 200


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, int(round(q * len(ordered) + 0.5)) - 1))
    return ordered[rank]


# --------------------------------------------------------------------------
# The load generator (runs in its own process: `api.py --generate SPEC`)


async def _client(
    host: str, port: int, requests: list[bytes], until: float, warm_until: float, out: list[float]
) -> tuple[int, int]:
    """One keep-alive connection: send, read the whole answer, repeat."""
    reader, writer = await asyncio.open_connection(host, port)
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    done = errors = 0
    i = 0
    while True:
        start = time.perf_counter()
        if start >= until:
            break
        writer.write(requests[i % len(requests)])
        i += 1
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
                break
        if length:
            await reader.readexactly(length)
        end = time.perf_counter()
        if start >= warm_until:
            out.append(end - start)
            if status >= 300:
                errors += 1
            done += 1
    writer.close()
    return done, errors


async def _generate(spec: dict[str, Any]) -> dict[str, Any]:
    clients: int = spec["clients"]
    per_client: list[list[bytes]] = [[r.encode("latin-1") for r in rs] for rs in spec["requests"]]
    now = time.perf_counter()
    warm_until = now + spec["warmup"]
    until = warm_until + spec["seconds"]
    samples: list[list[float]] = [[] for _ in range(clients)]
    results = await asyncio.gather(
        *(
            _client(spec["host"], spec["port"], per_client[c], until, warm_until, samples[c])
            for c in range(clients)
        )
    )
    latencies = [x for s in samples for x in s]
    return {
        "requests": sum(r[0] for r in results),
        "errors": sum(r[1] for r in results),
        "seconds": spec["seconds"],
        "latencies": latencies,
    }


def generate_main(spec_file: str) -> None:
    spec = json.loads(Path(spec_file).read_text())
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    result = asyncio.run(_generate(spec))
    sys.stdout.write(json.dumps(result))


def run_load(spec: dict[str, Any], work: Path) -> dict[str, Any]:
    """Run the generator in its own process and read its figures."""
    spec_file = work / f"spec-{uuid.uuid4().hex[:8]}.json"
    spec_file.write_text(json.dumps(spec))
    command = [sys.executable, __file__, "--generate", str(spec_file)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the load generator failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


# --------------------------------------------------------------------------
# The server and the shop


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare_shop(url: str, cards: int) -> tuple[list[str], str, list[str]]:
    """A shop with the example programme, ``cards`` enrolled cards, a till
    key, and the receipt tokens of ``WALK_INS`` walk-in sales."""
    import stampdesk

    desk = stampdesk.connect(url)
    desk.load_program_file(ROOT / "examples" / "program.toml")
    numbers = [desk.enrol(name=f"Client {i}").number for i in range(cards)]
    key = desk.create_api_key("bench-till").key
    tokens = [desk.checkout(amount="6.80").claim_token for _ in range(WALK_INS)]
    desk.close()
    return numbers, key, [t for t in tokens if t]


def in_process_rate(url: str, numbers: list[str], seconds: float) -> tuple[float, float]:
    """``desk.checkout`` sequentially, in this process: (per second, p99 ms)."""
    import stampdesk

    desk = stampdesk.connect(url)
    times = []
    i = 0
    end = time.perf_counter() + seconds
    run = uuid.uuid4().hex[:6]
    while time.perf_counter() < end:
        start = time.perf_counter()
        desk.checkout(card=numbers[i % len(numbers)], amount="12.50", idempotency_key=f"inproc-{run}-{i}")
        times.append(time.perf_counter() - start)
        i += 1
    desk.close()
    return len(times) / sum(times), percentile(times, 0.99) * 1000


def start_server(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    out = log.open("wb")
    config = log.parent / "config.toml"
    config.write_text("[pages]\nrate_limit = 0\n", encoding="utf-8")
    server = subprocess.Popen(
        [sys.executable, "-m", "stampdesk.cli", "--db", url, "--config", str(config)]
        + ["serve", "--port", str(port)],
        stdout=out,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"the server stopped: see {log}") from None
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start in 30 s")


def checkout_request(port: int, key: str, card: str, idem: str) -> str:
    body = f'{{"card": "{card}", "amount": "12.50"}}'
    return (
        f"POST /api/v1/checkouts HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {key}\r\nIdempotency-Key: {idem}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n{body}"
    )


def join_request(port: int, token: str) -> str:
    return f"GET /join/{token} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept-Language: fr-FR\r\n\r\n"


def health_request(port: int) -> str:
    return f"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def summary(name: str, result: dict[str, Any], server_cpu: float | None = None) -> dict[str, float]:
    lat = result["latencies"]
    rate = result["requests"] / result["seconds"]
    figures = {
        "rate": rate,
        "p50": percentile(lat, 0.50) * 1000,
        "p95": percentile(lat, 0.95) * 1000,
        "p99": percentile(lat, 0.99) * 1000,
        "max": max(lat) * 1000 if lat else float("nan"),
        "errors": result["errors"],
    }
    print(
        f"{name:<34} {result['requests']:>7} req  {rate:>7.0f}/s  p50 {figures['p50']:.2f} ms  "
        f"p95 {figures['p95']:.2f} ms  p99 {figures['p99']:.2f} ms  max {figures['max']:.1f} ms  "
        f"errors {result['errors']}"
    )
    if server_cpu is not None and result["requests"]:
        # Includes the warm-up's requests too: an upper bound per request.
        per_request = server_cpu * 1000 / result["requests"]
        print(f"{'':<34} server CPU {per_request:.3f} ms per request (upper bound)")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", action="store_true", help="PostgreSQL instead of a SQLite file")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--cards", type=int, default=5000)
    parser.add_argument("--generate", metavar="SPEC", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        generate_main(args.generate)
        return 0

    import sqlalchemy

    work = Path(tempfile.mkdtemp(prefix="stampdesk-bench-api-"))
    schema = None
    if args.pg:
        schema = f"bench_api_{uuid.uuid4().hex[:8]}"
        admin = sqlalchemy.create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        url = f"{PG_BASE}?options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{work / 'shop.db'}"
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    database = "PostgreSQL" if args.pg else "SQLite"
    print(f"stampdesk HTTP API benchmark, commit {commit.stdout.strip()}, {database}")
    python = sys.version.split()[0]
    print(f"{os.cpu_count()} CPUs, Python {python}, {args.clients} clients, {args.seconds:g} s")
    # The machine may be shared: its load says how much the figures can be trusted.
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    server = None
    try:
        started = time.perf_counter()
        numbers, key, tokens = prepare_shop(url, args.cards)
        print(f"shop: {len(numbers)} cards enrolled in {time.perf_counter() - started:.1f} s")
        rate, p99 = in_process_rate(url, numbers, 3.0)
        print(f"{'baseline: desk.checkout in-process':<34} {rate:>15.0f}/s  p99 {p99:.2f} ms (1 thread)")

        port = free_port()
        server = start_server(url, port, work / "server.log")
        base = {"host": "127.0.0.1", "port": port, "clients": args.clients, "warmup": args.warmup}
        cpu = cpu_seconds(server.pid)
        health = run_load(
            {**base, "seconds": min(args.seconds, 5.0), "requests": [[health_request(port)]] * args.clients},
            work,
        )
        summary("baseline: GET /api/v1/health", health, cpu_seconds(server.pid) - cpu)

        run = uuid.uuid4().hex[:6]
        per_client = max(1, len(numbers) // args.clients)
        budget = int(3000 * (args.seconds + args.warmup) / args.clients) + 1  # more than can be sent
        requests = [
            [
                checkout_request(
                    port, key, numbers[(c * per_client + i) % len(numbers)], f"bench-{run}-{c}-{i}"
                )
                for i in range(budget)
            ]
            for c in range(args.clients)
        ]
        cpu = cpu_seconds(server.pid)
        checkouts = run_load({**base, "seconds": args.seconds, "requests": requests}, work)
        figures = summary("POST /api/v1/checkouts", checkouts, cpu_seconds(server.pid) - cpu)

        pages = [
            [join_request(port, tokens[(c + i) % len(tokens)]) for i in range(len(tokens))]
            for c in range(args.clients)
        ]
        cpu = cpu_seconds(server.pid)
        joins = run_load({**base, "seconds": min(args.seconds, 5.0), "requests": pages}, work)
        page_figures = summary("GET /join/<token> (enrolment page)", joins, cpu_seconds(server.pid) - cpu)
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        if schema is not None:
            with admin.connect() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
            admin.dispose()
    print("load average at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    if args.pg:
        return 0
    ok = figures["rate"] >= TARGET_RATE and figures["p99"] <= TARGET_P99_MS and figures["errors"] == 0
    print(
        f"target (SQLite): >= {TARGET_RATE:.0f} checkouts/s and p99 <= {TARGET_P99_MS:.0f} ms: "
        f"{'PASS' if ok else 'FAIL'}"
    )
    pages_ok = page_figures["rate"] >= TARGET_PAGES and page_figures["errors"] == 0
    print(f"target (SQLite): >= {TARGET_PAGES:.0f} enrolment pages/s: {'PASS' if pages_ok else 'FAIL'}")
    return 0 if ok and pages_ok else 1


if __name__ == "__main__":
    sys.exit(main())
