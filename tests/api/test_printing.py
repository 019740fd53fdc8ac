"""Receipts through the API: the answer never waits on the printer; the
server's print outbox prints in the background (a real TCP printer
emulator on 127.0.0.1)."""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import content
from stampdesk.desk import Desk
from stampdesk.print_outbox import ReceiptPrinter
from stampdesk.printer.emulator import PrinterEmulator
from stampdesk.services import printing
from stampdesk.web.app import create_app

from .test_api import is_error

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[PrinterEmulator]:
    with PrinterEmulator(port=0, out_dir=tmp_path / "paper", mode="silent") as printer:
        yield printer


@pytest.fixture
def shop(sqlite_desk: Desk, emulator: PrinterEmulator) -> Iterator[tuple[TestClient, dict[str, str]]]:
    key = sqlite_desk.create_api_key("till-1").key
    printer = ReceiptPrinter(f"tcp://127.0.0.1:{emulator.port}")
    app = create_app(sqlite_desk, printer=printer, print_poll_seconds=0.2, print_retry_seconds=0.2)
    with TestClient(app) as client:
        till = {"Authorization": f"Bearer {key}"}
        assert client.get("/api/v1/program", headers=till).status_code == 200  # records the key's first use
        yield client, till


def wait_for(check: Any, seconds: float = 10.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_print_answers_at_once_while_the_printer_is_silent_and_prints_when_it_is_back(
    sqlite_desk: Desk, emulator: PrinterEmulator, shop: tuple[TestClient, dict[str, str]]
) -> None:
    client, till = shop
    sale = client.post("/api/v1/checkouts", json={"amount": "4.20"}, headers=till).json()
    assert sale["print_job"] is None
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        answer = client.post(f"/api/v1/checkouts/{sale['checkout']}/print", headers=till)
        timings.append(time.perf_counter() - started)
        assert answer.status_code == 202
    # The silent printer holds the outbox for seconds (its answer timeout);
    # the till's requests never wait on it.
    assert max(timings) < 1.0, timings  # the printer would hold it 2 s or more
    job = answer.json()
    assert job["checkout"] == sale["checkout"] and job["kind"] == "sale" and job["duplicate"] is False
    # Asking three times queued one receipt, for the printer of the till that asked.
    assert job["till"] == "till-1"
    assert [j.id for j in sqlite_desk.pending_receipts(tills=["till-1"])] == [job["id"]]
    started = time.perf_counter()
    assert client.post("/api/v1/checkouts", json={"amount": "3.00"}, headers=till).status_code == 201
    assert time.perf_counter() - started < 1.0
    # Meanwhile the outbox tried, and gave up on the silent printer.
    tried = wait_for(lambda: printing.job(sqlite_desk.store, job["id"]).last_error)
    assert "answer" in tried or "no_answer" in tried
    assert emulator.receipts == []

    emulator.mode = "ok"
    wait_for(lambda: printing.job(sqlite_desk.store, job["id"]).status == "printed")
    wait_for(lambda: len(emulator.receipts) == 1)
    assert "Café Bleu" in emulator.receipts[0].txt.read_text(encoding="utf-8")


def test_a_sale_with_receipt_prints_in_the_background_and_a_second_print_is_a_duplicate(
    sqlite_desk: Desk, emulator: PrinterEmulator, shop: tuple[TestClient, dict[str, str]]
) -> None:
    client, till = shop
    emulator.mode = "ok"
    started = time.perf_counter()
    sale = client.post("/api/v1/checkouts", json={"amount": "4.20", "receipt": True}, headers=till).json()
    assert time.perf_counter() - started < 1.0
    assert sale["print_job"] is not None
    wait_for(lambda: len(emulator.receipts) == 1)
    again = client.post(f"/api/v1/checkouts/{sale['checkout']}/print", headers=till)
    assert again.status_code == 202
    assert again.json()["kind"] == "reprint" and again.json()["duplicate"] is True
    wait_for(lambda: len(emulator.receipts) == 2)
    assert "DUPLICATA" in text(emulator, 1) and "DUPLICATA" not in text(emulator, 0)


def test_printing_an_unknown_sale_is_refused_and_queues_nothing(
    sqlite_desk: Desk, shop: tuple[TestClient, dict[str, str]]
) -> None:
    client, till = shop
    before = content(sqlite_desk)
    is_error(client.post("/api/v1/checkouts/999/print", headers=till), 404, "unknown_checkout")
    is_error(client.post("/api/v1/checkouts/x/print", headers=till), 422, "invalid_checkout_id")
    assert content(sqlite_desk) == before


def text(emulator: PrinterEmulator, index: int) -> str:
    return emulator.receipts[index].txt.read_text(encoding="utf-8")
