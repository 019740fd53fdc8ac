"""The schema: models and Alembic migrations agree, the wheel carries the
migrations, and upgrades are safe to repeat."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from helpers import EXAMPLE_PROGRAM, ROOT, BuiltWheel, Clock, make_desk
from stampdesk import Refused, db
from stampdesk.models import metadata


def test_models_and_migrations_agree(empty_db_url: str) -> None:
    engine = db.make_engine(empty_db_url)
    db.upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    engine.dispose()
    assert diff == []


def test_the_code_knows_the_newest_revision() -> None:
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    assert ScriptDirectory.from_config(config).get_current_head() == db.SCHEMA_REVISION


def test_upgrading_twice_changes_nothing(empty_db_url: str) -> None:
    engine = db.make_engine(empty_db_url)
    db.upgrade(engine)
    db.upgrade(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").all() == [
            (db.SCHEMA_REVISION,)
        ]
        assert conn.exec_driver_sql("SELECT count(*) FROM shops").scalar() == 1
    engine.dispose()


def test_sqlite_runs_with_wal_full_sync_and_foreign_keys(sqlite_url: str) -> None:
    engine = db.make_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_an_installed_wheel_upgrades_a_database(tmp_path: Path, built_wheel: BuiltWheel) -> None:
    names, unpacked = built_wheel.names, built_wheel.site
    assert "stampdesk/migrations/env.py" in names
    assert any(n.startswith("stampdesk/migrations/versions/0001") for n in names)
    code = (
        "import stampdesk, stampdesk.db as db, sys\n"
        f"assert stampdesk.__file__.startswith({str(unpacked)!r}), stampdesk.__file__\n"
        f"assert str(db.migrations_dir()).startswith({str(unpacked)!r})\n"
        f"desk = stampdesk.connect('sqlite:///{tmp_path / 'w.db'}')\n"
        "print(desk.check().ok)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(unpacked)},
        check=True,
    )
    assert out.stdout.strip() == "True"


def hashed_as_in_0008(asked: dict[str, Any]) -> str:
    """A request's fingerprint as stampdesk wrote it before keys had a scope."""
    return hashlib.sha256(json.dumps(asked, sort_keys=True, default=str).encode()).hexdigest()


def to_revision(url: str, revision: str) -> None:
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as conn:
        config = Config()
        config.set_main_option("script_location", str(db.migrations_dir()))
        config.attributes["connection"] = conn
        command.downgrade(config, revision)
    engine.dispose()


def test_an_upgrade_gives_each_keyed_sale_the_till_it_was_sold_at(db_url: str, clock: Clock) -> None:
    with make_desk(db_url, clock) as desk:
        desk.load_program_file(EXAMPLE_PROGRAM)
        number = desk.enrol(name="Ana Martin").number
        at_a = desk.checkout(card=number, amount="5.00", idempotency_key="R42", till="A")
        walk_in = desk.checkout(amount="5.00", idempotency_key="R43")  # no till
        refund = desk.refund_once(walk_in.checkout, idempotency_key="U1")
    # The database as stampdesk 0008 left it: one sale per key whatever
    # its till, its fingerprint without a scope, and keys never forgotten.
    to_revision(db_url, "0008")
    engine = sqlalchemy.create_engine(db_url)
    with engine.begin() as conn:
        columns = {c["name"] for c in sqlalchemy.inspect(conn).get_columns("checkouts")}
        assert "idempotency_scope" not in columns
        for key, card in (("R42", number), ("R43", None)):
            asked = {"card": card, "amount": "5.00", "items": [], "at": None}
            conn.execute(
                text("UPDATE checkouts SET fingerprint = :f WHERE idempotency_key = :k"),
                {"f": hashed_as_in_0008(asked), "k": key},
            )
        conn.execute(
            text("UPDATE idempotent_requests SET fingerprint = :f"),
            {"f": hashed_as_in_0008({"checkout": walk_in.checkout})},
        )
    engine.dispose()

    with make_desk(db_url, clock) as desk:  # upgrades it
        with desk.store.engine.connect() as conn:
            scopes = conn.execute(
                text(
                    "SELECT idempotency_key, idempotency_scope, idempotency_at, at FROM checkouts ORDER BY id"
                )
            ).all()
        assert [(k, s) for k, s, _, _ in scopes] == [("R42", "A"), ("R43", "")]
        assert all(first_use == at for _, _, first_use, at in scopes)  # first used when sold
        # The till that sold it still gets its sale back; another till's key is another sale.
        again = desk.checkout(card=number, amount="5.00", idempotency_key="R42", till="A")
        assert (again.replayed, again.checkout) == (True, at_a.checkout)
        assert desk.checkout(amount="5.00", idempotency_key="R43").checkout == walk_in.checkout
        assert desk.refund_once(walk_in.checkout, idempotency_key="U1").to_dict() == {
            **refund.to_dict(),
            "replayed": True,
        }
        other = desk.checkout(card=number, amount="5.00", idempotency_key="R42", till="B")
        assert not other.replayed and other.checkout != at_a.checkout
        with pytest.raises(Refused) as conflict:
            desk.checkout(card=number, amount="6.00", idempotency_key="R42", till="A")
        assert conflict.value.code == "idempotency_conflict"
        # Past the window, the old keys are forgotten like any.
        clock.advance(days=30)
        assert not desk.checkout(card=number, amount="5.00", idempotency_key="R42", till="A").replayed
        assert desk.check().ok
