"""Backups are consistent copies, taken while a till keeps selling; a restore
brings a shop back whole, or refuses and changes nothing."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import stampdesk
from helpers import ERROR_LINE, EXAMPLE_PROGRAM, PG_BASE, Clock, content, counts, make_desk, service_missing
from stampdesk import InvalidInput, Refused, db
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
    desk.load_program_file(Path(__file__).resolve().parents[1] / "examples" / "program.toml")
    number = desk.enrol(name="Ana").number
    desk.checkout(card=number, amount="12.00")
    result = desk.backup(tmp_path / "shop.dump")
    desk.close()
    listing = subprocess.run(
        ["pg_restore", "--list", result.path], capture_output=True, text=True, check=True
    )
    assert "TABLE DATA" in listing.stdout and "ledger" in listing.stdout


# --------------------------------------------------------------------------
# Restore

STAMPDESK = Path(sys.executable).parent / "stampdesk"


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """The console script in a real process (the test's hermetic environment)."""
    return subprocess.run(
        [str(STAMPDESK), *args], capture_output=True, text=True, input=stdin, timeout=120, check=False
    )


def refused_by_cli(*args: str, stdin: str | None = None) -> dict[str, str]:
    """Run with --json, insisting on a clean refusal; the error object."""
    run = cli(*args, "--json", stdin=stdin)
    assert run.returncode == 1, run
    assert run.stderr.splitlines()[-1].startswith(ERROR_LINE), run
    error: dict[str, str] = json.loads(run.stdout)["error"]
    assert set(error) == {"code", "message"} and error["message"], run
    return error


def open_shop(desk: Desk, clock: Clock) -> list[str]:
    """A few days of a shop: three cards, sales, a refunded sale (its coupon
    voided), a coupon used, a walk-in. The cards' numbers."""
    ana = desk.enrol(name="Ana Martin", email="ana@example.org").number
    ben = desk.enrol(name="Ben Durand", phone="+33 6 12 34 56 78").number
    chloe = desk.enrol(name="Chloé Petit").number
    first = desk.checkout(card=ana, amount="12.00")  # 2 + 2 stamps: the croissant
    clock.advance(days=1)
    desk.checkout(card=ben, amount="4.50")
    refunded = desk.checkout(card=chloe, amount="25.00")  # a croissant, voided by the refund
    desk.refund(refunded.checkout)
    clock.advance(days=1)
    desk.redeem(first.coupons[0].code)
    desk.checkout(card=ana, amount="31.00")  # 3 stamps, the most a day gives: 7
    desk.checkout(amount="6.00")
    clock.advance(days=1)
    desk.checkout(card=ana, amount="35.00")  # 10: her card completes, a new one starts
    assert (desk.card(ana).cycle, desk.card(ana).balance) == (1, 0)
    return [ana, ben, chloe]


def cards_seen(desk: Desk) -> dict[str, tuple[object, ...]]:
    """What the shop sees of each card: balance, completed cards, every
    coupon with its use or cancellation, and how many ledger rows."""
    with desk.store.engine.connect() as conn:
        numbers = conn.execute(text("SELECT number FROM cards ORDER BY number")).scalars().all()
    seen: dict[str, tuple[object, ...]] = {}
    for number in numbers:
        data = desk.export(number)
        coupons = tuple((c["code"], c["redeemed_at"], c["voided_at"]) for c in data["coupons"])
        seen[number] = (
            data["card"]["balance"],
            data["card"]["completed_cards"],
            coupons,
            len(data["ledger"]),
        )
    return seen


def sqlite_file(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def kept_aside(database: Path) -> list[Path]:
    return sorted(database.parent.glob(f"{database.name}.before-restore-*"))


def require_pg_tools() -> None:
    if not all(shutil.which(tool) for tool in ("pg_dump", "pg_restore", "psql")):
        service_missing("pg_dump, pg_restore and psql")


@contextmanager
def other_schema() -> Iterator[tuple[str, str]]:
    """A second shop's schema in the same database (URL, name), dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {name}")
    try:
        yield f"{PG_BASE}?options=-csearch_path%3D{name}", name
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {name} CASCADE")
        admin.dispose()


def current_schema(desk: Desk) -> str:
    with desk.store.engine.connect() as conn:
        return str(conn.execute(text("SELECT current_schema()")).scalar_one())


def test_a_sqlite_shop_deleted_by_mistake_comes_back_whole(
    sqlite_url: str, clock: Clock, tmp_path: Path
) -> None:
    desk = make_desk(sqlite_url, clock)
    desk.load_program_file(EXAMPLE_PROGRAM)
    numbers = open_shop(desk, clock)
    before, everything = cards_seen(desk), content(desk)
    backup = desk.backup(tmp_path / "shop-2026-03-04.db")
    desk.close()
    database = sqlite_file(sqlite_url)
    database.unlink()
    assert not database.with_name(database.name + "-wal").exists()

    run = cli("restore", backup.path, "--yes", "--db", sqlite_url, "--json")
    assert run.returncode == 0, run
    assert json.loads(run.stdout) == {
        "path": backup.path,
        "cards": 3,
        "backup_revision": db.SCHEMA_REVISION,
        "schema_revision": db.SCHEMA_REVISION,
        "previous": None,  # there was nothing to keep
    }
    check = cli("check", "--db", sqlite_url, "--json")
    assert check.returncode == 0 and json.loads(check.stdout)["ok"] is True, check

    restored = make_desk(sqlite_url, clock)
    assert sorted(cards_seen(restored)) == sorted(numbers)
    assert cards_seen(restored) == before
    assert content(restored) == everything
    assert restored.checkout(card=numbers[1], amount="3.00").balance == 4  # and the till goes on
    restored.close()


@pytest.mark.postgres
def test_a_postgresql_shop_whose_tables_were_dropped_comes_back_whole(
    pg_url: str, clock: Clock, tmp_path: Path
) -> None:
    require_pg_tools()
    desk = make_desk(pg_url, clock)
    desk.load_program_file(EXAMPLE_PROGRAM)
    numbers = open_shop(desk, clock)
    before, everything = cards_seen(desk), content(desk)
    backup = desk.backup(tmp_path / "shop.dump")
    schema = current_schema(desk)
    with desk.store.engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    desk.close()

    # The shop starts again empty, with another programme, before anyone
    # thinks of the backup.
    desk = make_desk(pg_url, clock)
    desk.load_program_text(
        '[program]\nname = "Autre"\nstamps_per_card = 5\n[[program.milestones]]\nat = 5\nreward = "Thé"\n'
    )
    assert cards_seen(desk) == {}
    result = desk.restore(backup.path)
    assert (result.cards, result.backup_revision) == (3, db.SCHEMA_REVISION)
    assert result.previous is not None and Path(result.previous).parent == tmp_path  # the empty shop

    check = cli("check", "--db", pg_url, "--json")
    report = json.loads(check.stdout)
    # No public_url in this shop's settings: a warning, not a failure.
    assert [w["code"] for w in report.pop("warnings")] == ["public_url_unreachable"]
    assert check.returncode == 0 and report == {
        "ok": True,
        "cards": 3,
        "ledger_rows": len(everything["ledger"]),
        "mismatches": [],
        "missing_rewards": [],
    }, check
    assert cards_seen(desk) == before
    assert content(desk) == everything
    # The restored programme is the one the till applies, not the one loaded meanwhile.
    sale = desk.checkout(card=numbers[1], amount="3.00")
    assert (sale.balance, sale.stamps_per_card) == (4, 10)
    desk.close()


def test_a_backup_taken_while_a_till_sold_restores_consistent(
    db_url: str, clock: Clock, tmp_path: Path
) -> None:
    if db_url.startswith("postgresql"):
        require_pg_tools()
    desk = make_desk(db_url, clock)
    desk.load_program_file(EXAMPLE_PROGRAM)
    numbers = [desk.enrol(name=f"Customer {i}").number for i in range(30)]
    for number in numbers:
        desk.checkout(card=number, amount="12.00")
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, db_url, ",".join(numbers), "3"], stdout=subprocess.PIPE, text=True
    )
    time.sleep(1.0)  # the till is committing sales now
    backup = desk.backup(tmp_path / "busy.backup")
    out, _ = writer.communicate(timeout=60)
    assert writer.returncode == 0 and int(out) > 0
    sold = counts(desk)["checkouts"]

    result = desk.restore(backup.path)
    assert result.cards == 30
    assert desk.check().ok
    assert 30 <= counts(desk)["checkouts"] < sold  # a moment of the selling, whole
    desk.close()


def test_a_till_that_has_the_sqlite_file_open_sells_on_into_the_restored_database(
    sqlite_desk: Desk, tmp_path: Path
) -> None:
    # The backup goes into the live file: a process that opened the database
    # before the restore reads the restored cards at its next sale, and what
    # it writes lands in the shop's file, not in a replaced one.
    ana = sqlite_desk.enrol(name="Ana").number
    backup = sqlite_desk.backup(tmp_path / "morning.db")
    ben = sqlite_desk.enrol(name="Ben").number
    sqlite_desk.checkout(card=ana, amount="12.00")
    till = subprocess.Popen(
        [sys.executable, "-c", TILL, sqlite_desk.settings.database, ana, ben],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert till.stdout is not None and till.stdin is not None
    assert till.stdout.readline().strip() == "balance 4"  # Ana's, before the restore

    sqlite_desk.restore(backup.path)
    till.stdin.write("go\n")
    till.stdin.flush()
    out, _ = till.communicate(timeout=60)
    assert till.returncode == 0
    assert out.split() == ["balance", "3", "ben", "unknown_card"]  # 2 starter stamps + 1

    assert sqlite_desk.card(ana).balance == 3
    assert counts(sqlite_desk)["cards"] == 1
    assert sqlite_desk.check().ok
    with sqlite3.connect(sqlite_file(sqlite_desk.settings.database)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


TILL = textwrap.dedent(
    """
    import sys, stampdesk
    desk = stampdesk.connect(sys.argv[1])
    ana, ben = sys.argv[2], sys.argv[3]
    print("balance", desk.card(ana).balance, flush=True)
    sys.stdin.readline()  # the restore happens now
    print("balance", desk.checkout(card=ana, amount="2.50").balance)
    try:
        desk.card(ben)
    except stampdesk.NotFound as error:
        print("ben", error.code)
    """
)


def test_the_database_a_restore_replaced_is_kept_and_restores_back(
    sqlite_desk: Desk, clock: Clock, tmp_path: Path
) -> None:
    open_shop(sqlite_desk, clock)
    backup = sqlite_desk.backup(tmp_path / "monday.db")
    clock.advance(days=1)
    late = sqlite_desk.enrol(name="Dora").number
    sqlite_desk.checkout(card=late, amount="20.00")
    before, everything = cards_seen(sqlite_desk), content(sqlite_desk)
    database = sqlite_file(sqlite_desk.settings.database)

    # The owner restored Monday's backup, answering yes, then saw it was a mistake.
    run = cli("restore", backup.path, "--db", sqlite_desk.settings.database, "--json", stdin="y\n")
    assert run.returncode == 0, run
    previous = Path(json.loads(run.stdout)["previous"])
    assert kept_aside(database) == [previous]
    assert previous.name.startswith("shop.db.before-restore-20")
    assert late not in cards_seen(sqlite_desk)

    undo = sqlite_desk.restore(previous)
    assert undo.cards == 4
    assert cards_seen(sqlite_desk) == before
    assert content(sqlite_desk) == everything
    assert len(kept_aside(database)) == 2  # the undo kept Monday's state aside too


def monday_on_postgresql(pg_url: str, clock: Clock, tmp_path: Path) -> tuple[Desk, str]:
    """A PostgreSQL shop with a few days of sales, and its backup's path."""
    require_pg_tools()
    desk = make_desk(pg_url, clock)
    desk.load_program_file(EXAMPLE_PROGRAM)
    open_shop(desk, clock)
    return desk, desk.backup(tmp_path / "monday.dump").path


@pytest.mark.postgres
def test_the_postgresql_content_a_restore_replaced_is_kept_and_restores_back(
    pg_url: str, clock: Clock, tmp_path: Path
) -> None:
    desk, backup = monday_on_postgresql(pg_url, clock, tmp_path)
    clock.advance(days=1)
    late = desk.enrol(name="Dora").number
    desk.checkout(card=late, amount="20.00")
    before, everything = cards_seen(desk), content(desk)
    schema = current_schema(desk)
    desk.close()

    # The owner restored Monday's backup, then saw it was a mistake.
    run = cli("restore", backup, "--db", pg_url, "--json", "--yes")
    assert run.returncode == 0, run
    previous = Path(json.loads(run.stdout)["previous"])
    assert previous.parent == tmp_path
    assert previous.name.startswith(f"{make_url(pg_url).database}-{schema}.dump.before-restore-20")
    assert not list(tmp_path.glob(".*partial"))
    desk = make_desk(pg_url, clock)
    assert late not in cards_seen(desk)

    undo = desk.restore(previous)
    assert undo.cards == 4
    assert cards_seen(desk) == before
    assert content(desk) == everything
    assert undo.previous is not None and Path(undo.previous) != previous  # Monday's state, kept too
    sale = desk.checkout(card=late, amount="3.00")  # and the till goes on
    assert sale.balance == before[late][0] + sale.stamps_added and desk.check().ok
    desk.close()


@pytest.mark.postgres
def test_a_postgresql_restore_that_cannot_keep_the_current_content_changes_nothing(
    pg_url: str, clock: Clock, tmp_path: Path
) -> None:
    desk, backup = monday_on_postgresql(pg_url, clock, tmp_path)
    late = desk.enrol(name="Dora").number
    everything = content(desk)
    # The copy cannot be written where it goes (as on a full disk or a
    # read-only medium): pg_dump fails.
    stamp = clock.now.strftime("%Y%m%dT%H%M%SZ")
    name = f"{make_url(pg_url).database}-{current_schema(desk)}.dump.before-restore-{stamp}"
    (tmp_path / f".{name}.partial").mkdir()
    with pytest.raises(Refused) as refused:
        desk.restore(backup)
    assert refused.value.code == "restore_failed"
    assert "could not be kept aside" in str(refused.value) and "pg_dump" in str(refused.value), refused.value
    assert content(desk) == everything
    assert late in cards_seen(desk)
    assert not (tmp_path / name).exists()
    desk.close()


def test_a_database_that_is_no_longer_a_database_is_replaced_and_kept_as_found(
    sqlite_url: str, clock: Clock, tmp_path: Path
) -> None:
    desk = make_desk(sqlite_url, clock)
    desk.load_program_file(EXAMPLE_PROGRAM)
    open_shop(desk, clock)
    before = cards_seen(desk)
    backup = desk.backup(tmp_path / "last-night.db")
    desk.close()
    database = sqlite_file(sqlite_url)
    garbage = b"overwritten by a careless copy\n" * 100
    database.write_bytes(garbage)

    run = cli("restore", backup.path, "--yes", "--db", sqlite_url, "--json")
    assert run.returncode == 0, run
    assert Path(json.loads(run.stdout)["previous"]).read_bytes() == garbage
    with make_desk(sqlite_url, clock) as restored:
        assert restored.check().ok
        assert cards_seen(restored) == before


def test_an_older_backup_comes_back_upgraded(sqlite_desk: Desk, clock: Clock, tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    open_shop(sqlite_desk, clock)
    before = cards_seen(sqlite_desk)
    old = Path(sqlite_desk.backup(tmp_path / "old.db").path)
    # The backup as an older stampdesk (schema 0005) wrote it.
    engine = create_engine(f"sqlite:///{old}")
    with engine.begin() as conn:
        config = Config()
        config.set_main_option("script_location", str(db.migrations_dir()))
        config.attributes["connection"] = conn
        command.downgrade(config, "0005")
    engine.dispose()
    sqlite_desk.enrol(name="Dora")

    result = sqlite_desk.restore(old)
    assert (result.backup_revision, result.schema_revision, result.cards) == ("0005", db.SCHEMA_REVISION, 3)
    assert sqlite_desk.check().ok
    assert cards_seen(sqlite_desk) == before
    with sqlite_desk.store.engine.connect() as conn:
        assert db.schema_revision(conn) == db.SCHEMA_REVISION
    assert not list(tmp_path.glob(".*restoring*")) and not list(tmp_path.glob("*.partial"))


def test_bad_backups_are_refused_and_change_nothing(sqlite_desk: Desk, clock: Clock, tmp_path: Path) -> None:
    open_shop(sqlite_desk, clock)
    url = sqlite_desk.settings.database
    database = sqlite_file(url)
    good = Path(sqlite_desk.backup(tmp_path / "good.db").path)
    sqlite_desk.checkout(card=sqlite_desk.enrol(name="Dora").number, amount="9.00")  # after the backup

    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a database\n")
    other = tmp_path / "other-app.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE cards (id INTEGER)")
    newer = tmp_path / "newer.db"
    shutil.copy(good, newer)
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    damaged = tmp_path / "damaged.db"
    data = bytearray(good.read_bytes())
    page = 4096
    data[5 * page : 9 * page] = bytes(range(256)) * (4 * page // 256)  # pages 6–9 overwritten
    damaged.write_bytes(bytes(data))
    pg_archive = tmp_path / "shop.dump"
    pg_archive.write_bytes(b"PGDMP\x01\x0e\x00" + bytes(200))  # how every pg_dump archive begins

    cases = [
        ((str(tmp_path / "missing.db"), "--yes"), None, "invalid_path"),
        ((str(tmp_path), "--yes"), None, "invalid_path"),
        ((str(database), "--yes"), None, "invalid_path"),
        ((str(text_file), "--yes"), None, "not_a_backup"),
        ((str(other), "--yes"), None, "not_a_backup"),
        ((str(newer), "--yes"), None, "backup_too_new"),
        ((str(damaged), "--yes"), None, "damaged_backup"),
        ((str(pg_archive), "--yes"), None, "wrong_engine"),
        ((str(good),), "n\n", "cancelled"),
        ((str(good),), "", "cancelled"),  # no one to answer
    ]
    before, everything = cards_seen(sqlite_desk), content(sqlite_desk)
    for args, answer, code in cases:
        error = refused_by_cli("restore", *args, "--db", url, stdin=answer)
        assert error["code"] == code, (args, error)
        assert content(sqlite_desk) == everything, args
    assert cards_seen(sqlite_desk) == before
    assert kept_aside(database) == []
    with pytest.raises(InvalidInput) as newer_error:
        sqlite_desk.restore(newer)
    assert "newer stampdesk" in newer_error.value.message and "0099" in newer_error.value.message


@pytest.mark.postgres
def test_bad_backups_are_refused_by_a_postgresql_shop_and_change_nothing(
    pg_url: str, clock: Clock, tmp_path: Path
) -> None:
    require_pg_tools()
    desk = make_desk(pg_url, clock)
    desk.load_program_file(EXAMPLE_PROGRAM)
    open_shop(desk, clock)
    schema = current_schema(desk)
    with desk.store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    newer = desk.backup(tmp_path / "newer.dump").path
    with desk.store.engine.begin() as conn:
        conn.execute(text(f"UPDATE alembic_version SET version_num = '{db.SCHEMA_REVISION}'"))
    good = Path(desk.backup(tmp_path / "good.dump").path)
    truncated = tmp_path / "truncated.dump"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size * 2 // 3])
    sqlite_backup = tmp_path / "shop.db"
    with make_desk(f"sqlite:///{sqlite_backup}", clock) as sqlite_shop:
        sqlite_shop.load_program_file(EXAMPLE_PROGRAM)
    with other_schema() as (other_url, other_name):
        with make_desk(other_url, clock) as other_shop:
            other_shop.load_program_file(EXAMPLE_PROGRAM)
            other_backup = other_shop.backup(tmp_path / "other-shop.dump").path
        # Another application's tables, dumped by pg_dump: not a shop.
        with make_desk(other_url, clock) as other_shop, other_shop.store.engine.begin() as conn:
            conn.exec_driver_sql(f"DROP TABLE {other_name}.ledger CASCADE")
        libpq = PG_BASE.replace("+psycopg", "")
        half = tmp_path / "half.dump"
        subprocess.run(
            ["pg_dump", "--format=custom", f"--schema={other_name}", f"--file={half}", libpq],
            capture_output=True,
            check=True,
            timeout=60,
        )
    desk.checkout(card=desk.enrol(name="Dora").number, amount="9.00")  # after the backups

    cases = [
        (str(tmp_path / "missing.dump"), "invalid_path"),
        (str(sqlite_backup), "wrong_engine"),
        (str(half), "not_a_backup"),
        (other_backup, "wrong_schema"),
        (newer, "backup_too_new"),
        (str(truncated), "damaged_backup"),
    ]
    before, everything = cards_seen(desk), content(desk)
    messages = {}
    for path, code in cases:
        error = refused_by_cli("restore", path, "--yes", "--db", pg_url)
        assert error["code"] == code, (path, error)
        assert content(desk) == everything, path
        messages[code] = error["message"]
    assert cards_seen(desk) == before
    assert f"schema {other_name}" in messages["wrong_schema"] and schema in messages["wrong_schema"]
    desk.close()


@pytest.mark.postgres
def test_a_postgresql_restore_that_fails_halfway_changes_nothing(
    pg_url: str, clock: Clock, tmp_path: Path
) -> None:
    require_pg_tools()
    desk = make_desk(pg_url, clock)
    desk.load_program_file(EXAMPLE_PROGRAM)
    open_shop(desk, clock)
    backup = desk.backup(tmp_path / "shop.dump")
    desk.checkout(card=desk.enrol(name="Dora").number, amount="9.00")
    # Something of the owner's has the name of one of the shop's indexes: the
    # restore fails after the shop's tables were dropped.
    with desk.store.engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_ledger_rare_at")
        conn.exec_driver_sql("CREATE TABLE ix_ledger_rare_at (note text)")
    before, everything = cards_seen(desk), content(desk)

    with pytest.raises(Refused) as failed:
        desk.restore(backup.path)
    assert failed.value.code == "restore_failed" and "nothing changed" in failed.value.message
    assert cards_seen(desk) == before
    assert content(desk) == everything
    assert desk.check().ok
    desk.close()
