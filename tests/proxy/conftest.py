"""Fixtures of the receipt-printer plugin's tests: the printer emulator as
the printer, a shop, and the plugin between a till and the emulator, run
in-process on threads over real loopback sockets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from proxy_helpers import MakeProxy

from helpers import EXAMPLE_PROGRAM, Clock, make_desk
from stampdesk.desk import Desk
from stampdesk.printer.emulator import PrinterEmulator
from stampdesk.proxy.journal import Journal
from stampdesk.proxy.server import ReceiptProxy
from stampdesk.proxy.work import Faults, ReceiptWork


@pytest.fixture
def printer(tmp_path: Path) -> Iterator[PrinterEmulator]:
    """The printer: the emulator, keeping the raw bytes it receives."""
    emulator = PrinterEmulator("127.0.0.1", 0, out_dir=tmp_path / "printed", keep_raw=True)
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def shop(sqlite_url: str, clock: Clock) -> Iterator[Desk]:
    desk = make_desk(sqlite_url, clock)
    desk.load_program(EXAMPLE_PROGRAM)
    yield desk
    desk.close()


@pytest.fixture
def make_proxy(printer: PrinterEmulator, tmp_path: Path) -> Iterator[MakeProxy]:
    """Start the plugin for a shop's ``Desk`` in front of the emulator
    (``budget_ms`` generous unless told: this machine is shared)."""
    started: list[ReceiptProxy] = []

    def make(
        desk: Desk | None,
        *,
        settings: object = None,
        budget_ms: int = 3000,
        faults: Faults | None = None,
        idle_ms: int = 1000,
    ) -> ReceiptProxy:
        from stampdesk.config import Settings

        chosen = settings if isinstance(settings, Settings) else desk.settings  # type: ignore[union-attr]
        work = ReceiptWork(chosen, desk=desk, faults=faults or Faults())
        work.warm_up()
        journal = Journal(tmp_path / "journal", chosen.zone)
        proxy = ReceiptProxy(
            ("127.0.0.1", 0), ("127.0.0.1", printer.port), work, journal, budget_ms=budget_ms, idle_ms=idle_ms
        )
        proxy.start()
        started.append(proxy)
        return proxy

    yield make
    for proxy in started:
        proxy.stop()
        proxy.work.close()
