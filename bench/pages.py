"""Customer pages: how many enrolment pages (GET /join/<token>) one server
process serves per second, against a static file from the same server.

    .venv/bin/python bench/pages.py [--seconds 5] [--clients 8]

1. Builds a demo café in a temporary SQLite file (``stampdesk init --demo``)
   and records 200 walk-in sales, whose receipt tokens the load rotates
   through (each page reads its sale and renders the form).
2. Starts the real server in a subprocess: ``python -m uvicorn --factory``
   on ``app_factory`` below (the pages' router, rate limit off, no access
   log), one process on 127.0.0.1.
3. A separate load process holds ``--clients`` keep-alive connections and
   sends pre-built requests (asyncio streams), for ``--seconds`` after a 1 s
   warm-up: first the baseline (``GET /pages/style.css``, the same server's
   cheapest answer), then the enrolment page, then the card page.

Target: ≥ 500 enrolment pages/s. Every answer must be a 200; the script exits
with 1 if the target is missed. Figures go in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _common
from _common import ROOT

TARGET = 500.0
TOKENS = 200


def app_factory() -> Any:
    """The web app for uvicorn: the shop of ``STAMPDESK_DB`` and ``STAMPDESK_CONFIG``."""
    from fastapi import FastAPI

    import stampdesk
    from stampdesk.web import pages

    app = FastAPI()
    app.state.desk = stampdesk.connect()
    app.include_router(pages.router)
    pages.install(app)
    return app


# --------------------------------------------------------------------------- load


async def _client(host: str, port: int, requests: list[bytes], stop_at: float, out: list[Any]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    size = 0
    i = 0
    while time.perf_counter() < stop_at:
        start = time.perf_counter()
        writer.write(requests[i % len(requests)])
        i += 1
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = int(re.search(rb"(?i)\r\ncontent-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - start)
        statuses[status] = statuses.get(status, 0) + 1
        size = length
    writer.close()
    out.append((latencies, statuses, size))


async def _load(host: str, port: int, paths: list[str], clients: int, seconds: float) -> dict[str, Any]:
    requests = [
        f"GET {p} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept-Language: fr-FR,fr;q=0.9\r\n"
        f"User-Agent: stampdesk-bench\r\n\r\n".encode()
        for p in paths
    ]
    # Warm-up: connections, caches, the first template render.
    await asyncio.gather(
        *(_client(host, port, requests, time.perf_counter() + 1.0, []) for _ in range(clients))
    )
    out: list[Any] = []
    start = time.perf_counter()
    await asyncio.gather(
        *(_client(host, port, requests[k:] + requests[:k], start + seconds, out) for k in range(clients))
    )
    wall = time.perf_counter() - start
    latencies = sorted(x for lat, _, _ in out for x in lat)
    statuses: dict[int, int] = {}
    for _, s, _ in out:
        for code, n in s.items():
            statuses[code] = statuses.get(code, 0) + n
    return {
        "requests": len(latencies),
        "per_second": len(latencies) / wall,
        "p50_ms": _common.percentile(latencies, 0.5) * 1000,
        "p99_ms": _common.percentile(latencies, 0.99) * 1000,
        "statuses": statuses,
        "bytes": out[0][2] if out else 0,
    }


def load_main(argv: list[str]) -> None:
    """The load process: ``--load HOST PORT CLIENTS SECONDS PATHS_JSON``, one JSON line out."""
    host, port, clients, seconds, paths = argv[0], int(argv[1]), int(argv[2]), float(argv[3]), argv[4]
    print(json.dumps(asyncio.run(_load(host, port, json.loads(paths), clients, seconds))))


def run_load(port: int, paths: list[str], clients: int, seconds: float) -> dict[str, Any]:
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--load",
            "127.0.0.1",
            str(port),
            str(clients),
            str(seconds),
            json.dumps(paths),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --------------------------------------------------------------------------- the run


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(port: int, server: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(
                "the server stopped: " + (server.stderr.read().decode() if server.stderr else "")
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()

    import stampdesk
    from stampdesk.web import page_symbols  # noqa: F401  (importable: the server will need it)

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="stampdesk-pages-") as tmp:
        db = Path(tmp) / "cafe.db"
        config = Path(tmp) / "config.toml"
        config.write_text(
            f'public_url = "http://127.0.0.1:{port}/"\ntimezone = "Europe/Paris"\n[pages]\nrate_limit = 0\n',
            encoding="utf-8",
        )
        env = {
            **os.environ,
            "STAMPDESK_DB": f"sqlite:///{db}",
            "STAMPDESK_CONFIG": str(config),
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "bench")]),
        }
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "stampdesk.cli", "init", "--demo"],
            env=env,
            check=True,
            capture_output=True,
        )
        desk = stampdesk.connect(f"sqlite:///{db}", config=config)
        tokens = [desk.checkout(amount="12.50").claim_token for _ in range(TOKENS)]
        sale = desk.checkout(amount="12.50")
        card = desk.enrol(name="Ana", email="ana.bench@example.org", claim=sale.claim_token)
        card_path = f"/card/{desk.card_token(card.number)}"
        desk.close()
        print(f"demo shop built in {time.perf_counter() - started:.1f} s ({db.stat().st_size // 1024} KiB)")

        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "pages:app_factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT / "bench",
            stderr=subprocess.PIPE,
        )
        try:
            wait_until_up(port, server)
            baseline = run_load(port, ["/pages/style.css"], args.clients, args.seconds)
            join = run_load(port, [f"/join/{t}" for t in tokens], args.clients, args.seconds)
            card_page = run_load(port, [card_path], args.clients, args.seconds)
        finally:
            server.terminate()
            server.wait(timeout=10)

    print(_common.environment())
    print(f"code: {_common.code_version()}")
    print(f"{args.clients} keep-alive clients, {args.seconds:.0f} s per path, one uvicorn process (h11)\n")
    print(f"{'path':<28} {'pages/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'bytes':>6}  statuses")
    rows = (
        ("baseline GET /pages/style.css", baseline),
        ("GET /join/<token>", join),
        ("GET /card/<token>", card_page),
    )
    for name, r in rows:
        print(
            f"{name:<28} {r['per_second']:>8.0f} {r['p50_ms']:>7.2f} {r['p99_ms']:>7.2f} {r['bytes']:>6}  "
            f"{r['statuses']}"
        )
    ok = join["per_second"] >= TARGET and all(set(r["statuses"]) == {"200"} for _, r in rows)
    print(
        f"\nenrolment page: {join['per_second']:.0f} pages/s, "
        f"{join['per_second'] / baseline['per_second']:.0%} of the baseline; "
        f"target ≥ {TARGET:.0f}: {'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--load":
        load_main(sys.argv[2:])
    else:
        sys.exit(main())
