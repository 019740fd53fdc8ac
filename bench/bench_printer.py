"""Receipts: building and rendering a standard receipt, against the targets.

    .venv/bin/python bench/bench_printer.py [-n 500]

Two standard receipts (a card sale that issued a coupon; a walk-in's sale
with its enrolment QR), built with ``build_sale_receipt`` and rendered:

1. To ESC/POS for an Epson TM-T88V (native QR and CODE128): median of the
   build + render after a first, warm-up call, target ≤ 5 ms; python-escpos's
   import is measured apart (in fresh processes, with and without its
   capability cache), as is its first in-process use.
2. The baseline: the same laid-out lines sent through python-escpos's own
   calls (``set()``, ``textln()`` with a forced code page, ``qr()``,
   ``barcode()``), what a straightforward use of the library costs.
3. The size of the bytes: ≤ 1 KB on the TM-T88V with native codes; the same
   receipt with raster codes (``native_codes=False``) and on a 58 mm
   POS-5890 (raster only) for comparison.
4. The PNG preview (576 px wide), target ≤ 50 ms; the text preview.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import _common
from _common import ROOT, TABLE_HEAD, Timings, Verdicts, ms

from stampdesk.printer.receipt import QR, Barcode, Cut, Feed, Line, Receipt, build_sale_receipt, layout
from stampdesk.printer.render_png import render_png
from stampdesk.printer.render_text import render_text
from stampdesk.results import CardState, CheckoutResult, CouponInfo, MilestoneInfo, NextMilestone

ESCPOS_TARGET = 0.005
PNG_TARGET = 0.050
SIZE_TARGET = 1024
PARIS = ZoneInfo("Europe/Paris")
AT = datetime(2026, 11, 23, 13, 5, tzinfo=UTC)
NEXT = NextMilestone(6, "Cookie offert", 3)
COUPON = CouponInfo("7KQ3M9TB", "Croissant offert", 3, AT, datetime(2027, 1, 22, 22, 59, 59, tzinfo=UTC))
CARD = CardState(
    number="2001-0003-4567",
    name="Marie Dupont",
    email=None,
    phone=None,
    birthday=None,
    balance=3,
    cycle=0,
    stamps_per_card=10,
    next_milestone=NEXT,
    coupons=(COUPON,),
    status="active",
    created_at=AT,
    program="Café Bleu",
)
CARD_SALE = CheckoutResult(
    checkout=1234,
    card=CARD.number,
    amount=Decimal("4.50"),
    at=AT,
    stamps_added=1,
    balance=3,
    stamps_per_card=10,
    milestones=(MilestoneInfo(3, "Croissant offert"),),
    coupons=(COUPON,),
    program_version=1,
    next_milestone=NEXT,
)
WALK_IN = CheckoutResult(
    checkout=1235,
    card=None,
    amount=Decimal("12.00"),
    at=AT,
    stamps_added=2,
    balance=None,
    stamps_per_card=10,
    milestones=(),
    coupons=(),
    program_version=1,
    enrol_url="https://cafe.example/join/AAAAAAAE0gBqk2x8Yt3uQw1Z",
    claim_token="AAAAAAAE0gBqk2x8Yt3uQw1Z",
)


def build(result: CheckoutResult, width: int = 42) -> Receipt:
    return build_sale_receipt(
        shop_name="Café Bleu",
        header_lines=("12 rue des Lilas", "75011 Paris"),
        footer_lines=("Merci et à bientôt !",),
        result=result,
        card=CARD if result.card else None,
        locale="fr_FR",
        zone=PARIS,
        now=AT,
        width_chars=width,
    )


def timed(name: str, fn: Callable[[], object], n: int) -> Timings:
    """``n`` calls of ``fn`` after one warm-up call."""
    fn()
    samples = []
    cpu = []
    start = time.perf_counter()
    for _ in range(n):
        t, c = time.perf_counter(), time.thread_time()
        fn()
        cpu.append(time.thread_time() - c)
        samples.append(time.perf_counter() - t)
    return Timings.of(name, samples, time.perf_counter() - start, cpu)


def import_times() -> dict[str, float]:
    """Seconds to import python-escpos in a fresh process, without and with its capability cache."""
    code = "import time; t = time.perf_counter(); import escpos.printer; print(time.perf_counter() - t)"
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "ESCPOS_CAPABILITIES_PICKLE_DIR": cache}
        for label in ("cold (YAML parsed, cache written)", "warm (pickle cache)"):
            runs = []
            for _ in range(3 if label.startswith("warm") else 1):
                done = subprocess.run(
                    [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
                )
                runs.append(float(done.stdout.strip().splitlines()[-1]))
            out[label] = min(runs)
    return out


def baseline(receipt: Receipt, dummy: Any, qr_ec: int) -> bytes:
    """The same lines through python-escpos's own calls (its stdout chatter discarded)."""
    printer = dummy(profile="TM-T88V")
    printer.hw("INIT")
    printer.charcode("CP858")
    with contextlib.redirect_stdout(io.StringIO()):
        for block in layout(receipt):
            match block:
                case Line(text, align, bold, tall):
                    printer.set(align=align, bold=bold, double_height=tall, normal_textsize=not tall)
                    printer.textln(text)
                case Barcode(data, _, _):
                    printer.barcode("{B" + data, "CODE128", pos="OFF", function_type="B")
                case QR(data, _):
                    printer.set(align="center")
                    printer.qr(data, ec=qr_ec, size=6, native=True)
                case Feed(lines):
                    printer.ln(lines)
                case Cut():
                    printer.cut(feed=False)
    return bytes(printer.output)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=500, help="calls per measured operation")
    args = parser.parse_args(argv)
    verdicts = Verdicts()
    print(_common.environment())
    print(f"code: {_common.code_version()}")
    print(f"at start: {_common.load()}")

    print("\n== python-escpos import ==")
    for label, seconds in import_times().items():
        print(f"  fresh process, {label}: {ms(seconds).strip()}")
    from stampdesk.printer import escpos_render

    t = time.perf_counter()
    escpos_render.escpos_modules()
    escpos_render.printer_model("TM-T88V")
    print(
        "  this process, first use (import + TM-T88V profile; PIL, qrcode and python-barcode "
        f"already loaded by the PNG renderer): {ms(time.perf_counter() - t).strip()}"
    )
    modules = escpos_render.escpos_modules()

    def escpos(result: CheckoutResult, profile: str = "TM-T88V", native: bool = True) -> bytes:
        return escpos_render.render_escpos(build(result), profile=profile, native_codes=native)

    timings = [
        timed("build: card sale + coupon", lambda: build(CARD_SALE), args.n),
        timed("build: walk-in + QR", lambda: build(WALK_IN), args.n),
        timed("build + ESC/POS TM-T88V: card", lambda: escpos(CARD_SALE), args.n),
        timed("build + ESC/POS TM-T88V: walk-in", lambda: escpos(WALK_IN), args.n),
        timed(
            "baseline python-escpos calls: card",
            lambda: baseline(build(CARD_SALE), modules.Dummy, modules.constants.QR_ECLEVEL_M),
            args.n,
        ),
        timed(
            "baseline python-escpos calls: walk-in",
            lambda: baseline(build(WALK_IN), modules.Dummy, modules.constants.QR_ECLEVEL_M),
            args.n,
        ),
        timed("build + ESC/POS TM-T88V raster: walk-in", lambda: escpos(WALK_IN, native=False), args.n // 5),
        timed("build + ESC/POS POS-5890: card", lambda: escpos(CARD_SALE, "POS-5890"), args.n // 5),
        timed("build + ESC/POS POS-5890: walk-in", lambda: escpos(WALK_IN, "POS-5890"), args.n // 5),
        timed("build + text: walk-in", lambda: render_text(build(WALK_IN)), args.n),
        timed("build + PNG 576 px: card", lambda: render_png(build(CARD_SALE)), args.n // 5),
        timed("build + PNG 576 px: walk-in", lambda: render_png(build(WALK_IN)), args.n // 5),
    ]
    print("\n" + TABLE_HEAD)
    for timing in timings:
        print(timing.row())
    by_name = {t.name: t for t in timings}

    print("\n== Size of the ESC/POS bytes ==")
    sizes = {
        "TM-T88V, native QR/CODE128: card": len(escpos(CARD_SALE)),
        "TM-T88V, native QR/CODE128: walk-in": len(escpos(WALK_IN)),
        "TM-T88V, raster codes: card": len(escpos(CARD_SALE, native=False)),
        "TM-T88V, raster codes: walk-in": len(escpos(WALK_IN, native=False)),
        "POS-5890 (58 mm, raster only): card": len(escpos(CARD_SALE, "POS-5890")),
        "POS-5890 (58 mm, raster only): walk-in": len(escpos(WALK_IN, "POS-5890")),
        "baseline python-escpos calls: card": len(
            baseline(build(CARD_SALE), modules.Dummy, modules.constants.QR_ECLEVEL_M)
        ),
        "baseline python-escpos calls: walk-in": len(
            baseline(build(WALK_IN), modules.Dummy, modules.constants.QR_ECLEVEL_M)
        ),
    }
    for label, size in sizes.items():
        print(f"  {label:<42} {size:>6,} bytes")

    print()
    for kind in ("card", "walk-in"):
        t = by_name[f"build + ESC/POS TM-T88V: {kind}"]
        base = by_name[f"baseline python-escpos calls: {kind}"]
        verdicts.add(
            t.median <= ESCPOS_TARGET,
            f"build + ESC/POS ({kind}) median <= 5 ms",
            f"{ms(t.median).strip()} (baseline {ms(base.median).strip()})",
        )
    for kind in ("card", "walk-in"):
        size = sizes[f"TM-T88V, native QR/CODE128: {kind}"]
        verdicts.add(size <= SIZE_TARGET, f"ESC/POS size on TM-T88V ({kind}) <= 1 KB", f"{size} bytes")
    for kind in ("card", "walk-in"):
        t = by_name[f"build + PNG 576 px: {kind}"]
        verdicts.add(t.median <= PNG_TARGET, f"PNG preview ({kind}) median <= 50 ms", ms(t.median).strip())
    print(verdicts.summary())
    print(f"\nat end: {_common.load()}")
    print(f"(run from {ROOT})")
    return 0 if all(ok for ok, _, _ in verdicts.lines) else 1


if __name__ == "__main__":
    sys.exit(main())
