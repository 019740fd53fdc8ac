"""The receipt-printer plugin: latency it adds per receipt, and receipts per second.

    .venv/bin/python bench/proxy.py [-n 300] [--burst 300]

A "till" sends a typical receipt (a French café's, ~450 bytes, a new ticket
number each time so each is a new sale) over TCP; a "printer" on 127.0.0.1
notes when the receipt's last byte (its cut) arrives. Measured in the same
run:

1. The baseline: the till straight to the printer, a connection per receipt
   (as python-escpos's ``Network`` printer does), one receipt at a time.
2. The same through ``stampdesk proxy`` (the real command, in its own
   process, on a SQLite shop with the example programme): each receipt is
   read, its walk-in sale recorded and the QR block added before the cut.
   Target: p99 added ≤ 30 ms.
3. Throughput: ``--burst`` receipts sent back to back on one connection,
   then on 4 connections at once; target ≥ 50 receipts/s through one plugin.

Every receipt must come back with its block (the run fails otherwise), and
the shop must hold one sale per receipt at the end.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import _common
from _common import EXAMPLE_PROGRAM, TABLE_HEAD, Timings, Verdicts, ms

ADDED_P99_TARGET = 0.030
RATE_TARGET = 50.0
CUT = b"\x1dV"
QR_STORE = b"\x1d(k"


def receipt(ticket: int) -> bytes:
    """A café's receipt as python-escpos writes it (CP858, a total TTC, a cut)."""
    from escpos.printer import Dummy

    p = Dummy(profile="TM-T88V")
    p.hw("INIT")
    p.charcode("CP858")
    p.set(align="center", bold=True, double_height=True)
    p.textln("CAFÉ DU PORT")
    p.set_with_default()
    p.textln(f"Ticket {ticket:06d}    08/12/2026 09:14")
    p.textln("2 x Café crème            5,00")
    p.textln("1 x Crème brûlée          7,50")
    p.textln("SOUS-TOTAL               12,50")
    p.textln("TVA 10%                   1,14")
    p.textln("TOTAL TTC              12,50 €")
    p.set(align="center")
    p.textln("Merci de votre visite !")
    p.cut()
    return bytes(p.output)


class Printer:
    """A TCP sink that notes the time each cut arrives, and whether a QR came before it."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = int(self.listener.getsockname()[1])
        self.lock = threading.Condition()
        self.cuts: list[tuple[float, bool]] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._read, args=(sock,), daemon=True).start()

    def _read(self, sock: socket.socket) -> None:
        buffer = b""
        with sock:
            while data := sock.recv(65536):
                now = time.perf_counter()
                buffer += data
                while (at := buffer.find(CUT)) >= 0:
                    with self.lock:
                        self.cuts.append((now, QR_STORE in buffer[:at]))
                        self.lock.notify_all()
                    buffer = buffer[at + 2 :]

    def wait(self, count: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        with self.lock:
            while len(self.cuts) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SystemExit(f"only {len(self.cuts)} of {count} receipts reached the printer")
                self.lock.wait(left)


def one_at_a_time(port: int, printer: Printer, first: int, n: int, name: str) -> Timings:
    """``n`` receipts, a connection each, the next once the last arrived: send → cut at the printer."""
    samples: list[float] = []
    for i in range(n):
        data = receipt(first + i)
        done = len(printer.cuts) + 1
        start = time.perf_counter()
        with socket.create_connection(("127.0.0.1", port)) as till:
            till.sendall(data)
            printer.wait(done)
        samples.append(printer.cuts[done - 1][0] - start)
    return Timings.of(name, samples)


def burst(port: int, printer: Printer, first: int, n: int, connections: int) -> float:
    """``n`` receipts back to back over ``connections`` connections: receipts per second."""
    datas = [receipt(first + i) for i in range(n)]
    done = len(printer.cuts) + n
    start = time.perf_counter()

    def till(part: list[bytes]) -> None:
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"".join(part))
            printer.wait(done, timeout=120)

    threads = [threading.Thread(target=till, args=(datas[c::connections],)) for c in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return n / (printer.cuts[done - 1][0] - start)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=300, help="receipts one at a time (each way)")
    parser.add_argument("--burst", type=int, default=300, help="receipts back to back")
    args = parser.parse_args()

    import stampdesk
    from stampdesk.config import Settings

    folder = Path(tempfile.mkdtemp(prefix="stampdesk-proxy-bench-"))
    url = f"sqlite:///{folder / 'shop.db'}"
    with stampdesk.connect(settings=Settings(database=url, timezone="Europe/Paris")) as desk:
        desk.load_program(EXAMPLE_PROGRAM)
    printer = Printer()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    config = folder / "config.toml"
    config.write_text(
        f'database = "{url}"\npublic_url = "https://cafe.example/"\ntimezone = "Europe/Paris"\n'
        f'[proxy]\nlisten = "127.0.0.1:{port}"\nprinter = "tcp://127.0.0.1:{printer.port}"\n'
        f'journal = "{folder / "journal"}"\n',
        encoding="utf-8",
    )
    plugin = subprocess.Popen(
        [sys.executable, "-m", "stampdesk.cli", "proxy", "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if plugin.poll() is not None or time.monotonic() > deadline:
                    said = plugin.stderr.read() if plugin.stderr else ""
                    raise SystemExit(f"the plugin did not start: {said}") from None
                time.sleep(0.05)

        one_at_a_time(printer.port, printer, 0, 20, "warm-up")  # both ways
        one_at_a_time(port, printer, 1_000_000, 20, "warm-up")
        warm = len(printer.cuts)
        direct = one_at_a_time(printer.port, printer, 100, args.n, "till → printer (baseline)")
        through = one_at_a_time(port, printer, 100_000, args.n, "till → stampdesk proxy → printer")
        with_block = sum(qr for _, qr in printer.cuts[warm + args.n :])
        if with_block != args.n:
            raise SystemExit(f"only {with_block} of {args.n} receipts got their block")
        rate_direct = burst(printer.port, printer, 200_000, args.burst, 1)
        rate_one = burst(port, printer, 300_000, args.burst, 1)
        rate_four = burst(port, printer, 400_000, args.burst, 4)
        blocks = sum(qr for _, qr in printer.cuts[-2 * args.burst :])
        if blocks != 2 * args.burst:
            raise SystemExit(f"only {blocks} of {2 * args.burst} burst receipts got their block")
    finally:
        plugin.terminate()
        plugin.wait(10)

    with stampdesk.connect(settings=Settings(database=url, timezone="Europe/Paris")) as desk:
        from sqlalchemy import text

        with desk.store.engine.connect() as conn:
            sales = conn.execute(text("SELECT count(*) FROM checkouts")).scalar_one()
    shutil.rmtree(folder, ignore_errors=True)
    expected = 20 + args.n + 2 * args.burst
    if sales != expected:
        raise SystemExit(f"{sales} sales recorded, {expected} expected")

    added_p50 = through.median - direct.median
    added_p99 = through.p(0.99) - direct.p(0.99)
    print(_common.environment())
    print(f"\nOne receipt at a time, a connection each ({args.n} receipts each way):\n")
    print(TABLE_HEAD)
    print(direct.row())
    print(through.row())
    print(f"\nadded: median {ms(added_p50)}, p99 {ms(added_p99)}")
    print(f"\nBack to back ({args.burst} receipts):\n")
    print(f"| path | receipts/s |\n|---|---:|\n| till → printer, 1 connection | {rate_direct:,.0f} |")
    print(f"| through the plugin, 1 connection | {rate_one:,.0f} |")
    print(f"| through the plugin, 4 connections | {rate_four:,.0f} |")
    print(f"\nSales recorded: {sales} (one per receipt); every receipt through the plugin got its QR block.")
    verdicts = Verdicts()
    verdicts.add(added_p99 <= ADDED_P99_TARGET, "p99 added ≤ 30 ms", ms(added_p99))
    verdicts.add(rate_one >= RATE_TARGET, "≥ 50 receipts/s through one plugin", f"{rate_one:,.0f}/s")
    print(verdicts.summary())


if __name__ == "__main__":
    main()
