"""The schema: models and Alembic migrations agree, the wheel carries the
migrations, and upgrades are safe to repeat."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from helpers import ROOT, BuiltWheel
from stampdesk import db
from stampdesk.models import metadata


def test_models_and_migrations_agree(db_url: str) -> None:
    engine = db.make_engine(db_url)
    db.upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    engine.dispose()
    assert diff == []


def test_the_code_knows_the_newest_revision() -> None:
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    assert ScriptDirectory.from_config(config).get_current_head() == db.SCHEMA_REVISION


def test_upgrading_twice_changes_nothing(db_url: str) -> None:
    engine = db.make_engine(db_url)
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
