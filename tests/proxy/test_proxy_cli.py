"""`stampdesk proxy` as a shop runs it: the real process between a till and
the printer emulator; `proxy test FILE` on a captured receipt; `proxy status`."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from proxy_helpers import as_bytes, english_bakery, french_cafe, print_on, refund, with_card

from helpers import STAMPDESK
from stampdesk.desk import Desk
from stampdesk.printer.emulator import PrinterEmulator


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_listening(port: int, process: subprocess.Popen[str], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("the plugin did not start listening")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(STAMPDESK), *args], capture_output=True, text=True, timeout=60, env=env)


@pytest.mark.slow
def test_the_real_process_between_a_till_and_the_printer(
    shop: Desk, printer: PrinterEmulator, tmp_path: Path
) -> None:
    port = free_port()
    config = tmp_path / "config.toml"
    config.write_text(
        f'database = "{shop.settings.database}"\npublic_url = "https://cafe.example/"\n'
        f'[proxy]\nlisten = "127.0.0.1:{port}"\nprinter = "tcp://127.0.0.1:{printer.port}"\n'
        f'journal = "{tmp_path / "journal"}"\n',
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "stampdesk.cli", "proxy", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_listening(port, process)
        print_on(port, french_cafe, refund)
        pages = printer.wait_for_pages(2, timeout=10)
        assert len(pages[0].qr_codes) == 1 and not pages[1].qr_codes
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            status = run("proxy", "status", "--config", str(config), "--json")
            assert status.returncode == 0, status.stderr
            data = json.loads(status.stdout)
            if data["seen"] == 2:
                break
            time.sleep(0.1)
        assert (data["seen"], data["recorded"], data["reasons"]) == (2, 1, {"refund": 1})
    finally:
        process.send_signal(signal.SIGTERM)  # as a service manager stops it
        out, err = process.communicate(timeout=20)
    assert f"127.0.0.1:{port}" in err  # it said where it listens
    assert "12,50 €" in out and "un remboursement" in out
    join_url = pages[0].qr_codes[0].data
    enrolled = shop.enrol(name="Chloé", claim=join_url)
    assert enrolled.claimed_stamps > 0


def test_proxy_status_counts_the_days_receipts(tmp_path: Path) -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from stampdesk.proxy.journal import Journal

    folder = tmp_path / "journal"
    config = tmp_path / "config.toml"
    config.write_text(
        f'database = "sqlite:///{tmp_path / "none.db"}"\nlocale = "en_GB"\ntimezone = "Europe/Paris"\n'
        f'[proxy]\nprinter = "tcp://127.0.0.1:9"\njournal = "{folder}"\n',
        encoding="utf-8",
    )
    log = Journal(folder, ZoneInfo("Europe/Paris"))
    now = datetime.now(UTC)
    log.write(now, "receipt", printed=True, checkout=1)
    log.write(now, "receipt", printed=False, reason="no_total")
    log.write(now, "receipt", printed=False, reason="late")
    log.write(now, "late_sale", checkout=2)
    done = run("proxy", "status", "--config", str(config), "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["seen"], data["recorded"], data["late"], data["unchanged"]) == (3, 2, 1, 2)
    assert data["reasons"] == {"no_total": 1, "late": 1}
    text = run("proxy", "status", "--config", str(config)).stdout
    assert "Receipts seen: 3" in text and "no total found: 1" in text
    assert "too late for the receipt: 1" in text
    assert not (tmp_path / "none.db").exists()  # no database opened


def test_proxy_test_shows_what_it_reads(tmp_path: Path) -> None:
    capture = tmp_path / "till.bin"
    capture.write_bytes(as_bytes(english_bakery) + as_bytes(with_card("2900000012349")) + as_bytes(refund))
    config = tmp_path / "config.toml"
    config.write_text(
        "locale = \"en_GB\"\n[proxy]\ntotal_patterns = ['(?i)^\\s*Amount due\\s+(?P<total>\\S+)']\n",
        encoding="utf-8",
    )
    done = run("proxy", "test", str(capture), "--config", str(config), "--db", f"sqlite:///{tmp_path}/x.db")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Receipts (cuts) in the file: 3" in out
    assert "Total: €7.25 (pattern custom:1, line 6)" in out  # the shop's currency
    assert "Would record: a sale of" in out and "on card 2900000012349" in out
    assert "Refund: yes (line 2)" in out and "Would record nothing: a refund" in out
    as_json = json.loads(run("proxy", "test", str(capture), "--config", str(config), "--json").stdout)
    first, card, back = as_json["receipts"]
    assert first["codepages"] == ["CP437"] and first["pattern"] == "custom:1" and first["total"] == "7.25"
    assert card["card"] == "2900000012349" and card["would_record"]["walk_in"] is False
    assert back["outcome"] == "refund" and back["would_record"] is None


def test_a_bad_total_pattern_is_said_before_anything_starts(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('locale = "fr_FR"\n[proxy]\ntotal_patterns = ["TOTAL (\\\\d+"]\n', encoding="utf-8")
    done = run("proxy", "status", "--config", str(config))
    assert done.returncode == 1
    # Said before the shop's language is known (it is in the file that is wrong): in English.
    assert "[proxy] total pattern 1 is not a regular expression" in done.stderr
