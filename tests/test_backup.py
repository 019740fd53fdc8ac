"""Backups are consistent copies, taken while a till keeps selling."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import stampdesk
from helpers import Clock, counts, make_desk, service_missing
from stampdesk import InvalidInput
from stampdesk.desk import Desk

WRITER = textwrap.dedent(
    """
    import sys, time, stampdesk
    desk = stampdesk.connect(sys.argv[1])
    numbers, deadline, n = sys.argv[2].split(","), time.time() + float(sys.argv[3]), 0
    while time.time() < deadline:
        desk.checkout(card=numbers[n % len(numbers)], amount="2.50")
        n += 1
    print(n)
    """
)


def test_a_sqlite_backup_is_consistent_while_a_till_writes(sqlite_desk: Desk, tmp_path: Path) -> None:
    numbers = [sqlite_desk.enrol(name=f"Customer {i}").number for i in range(50)]
    for number in numbers:
        sqlite_desk.checkout(card=number, amount="12.00")
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, sqlite_desk.settings.database, ",".join(numbers), "4"],
        stdout=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)  # the writer is committing sales now
    copies = [sqlite_desk.backup(tmp_path / f"copy{i}.db") for i in range(3)]
    out, _ = writer.communicate(timeout=60)
    assert writer.returncode == 0 and int(out) > 0
    for copy in copies:
        assert Path(copy.path).stat().st_size == copy.bytes > 0
        with sqlite3.connect(copy.path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        restored = stampdesk.connect(f"sqlite:///{copy.path}")
        assert restored.check().ok
        assert counts(restored)["cards"] == 50
        restored.close()


def test_a_backup_refuses_to_overwrite_the_database_or_write_into_nowhere(
    sqlite_desk: Desk, tmp_path: Path
) -> None:
    database = Path(sqlite_desk.store.engine.url.database or "")
    with pytest.raises(InvalidInput):
        sqlite_desk.backup(database)
    with pytest.raises(InvalidInput):
        sqlite_desk.backup(tmp_path / "missing-folder" / "copy.db")
    with pytest.raises(InvalidInput):
        sqlite_desk.backup(tmp_path)
    assert sqlite_desk.check().ok


@pytest.mark.postgres
def test_a_postgresql_backup_restores(pg_url: str, clock: Clock, tmp_path: Path) -> None:
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        service_missing("pg_dump and pg_restore")
    desk = make_desk(pg_url, clock)
    desk.load_program(Path(__file__).resolve().parents[1] / "examples" / "program.toml")
    number = desk.enrol(name="Ana").number
    desk.checkout(card=number, amount="12.00")
    result = desk.backup(tmp_path / "shop.dump")
    desk.close()
    listing = subprocess.run(
        ["pg_restore", "--list", result.path], capture_output=True, text=True, check=True
    )
    assert "TABLE DATA" in listing.stdout and "ledger" in listing.stdout
