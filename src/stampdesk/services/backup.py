"""Consistent online backups while the tills keep selling, and their restore.

SQLite: the online-backup API in a single step. A stepped backup restarts
whenever another connection writes, so on a busy shop it may never end; one
step reads a WAL snapshot and finishes whatever the till does meanwhile.
PostgreSQL: ``pg_dump`` of the shop's schema (custom format, itself a
consistent snapshot).

A restore checks the whole backup before it touches the database, keeps the
current SQLite database aside, replaces everything in one transaction and
then upgrades the schema, so an older backup comes back at today's revision.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text

from .. import db, models
from ..domain.errors import InvalidInput, Refused
from ..results import Result
from ..store import Store

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
# A file holding these tables (and a known Alembic revision) is a shop's.
STAMPDESK_TABLES = frozenset({"alembic_version", "cards", "ledger"})
# How long a PostgreSQL restore waits for a till's transaction to end
# before giving up (and changing nothing).
PG_LOCK_TIMEOUT = "30s"


@dataclass(frozen=True)
class BackupResult(Result):
    path: str
    bytes: int


def backup(store: Store, path: str | Path) -> BackupResult:
    """Write a consistent copy of the database to ``path`` (atomically)."""
    target = Path(path).expanduser()
    if str(path).strip() == "":
        raise InvalidInput(code="invalid_path", phrase="backup_no_path")
    if target.is_dir():
        raise InvalidInput(code="invalid_path", phrase="path_is_folder", path=str(target))
    if not target.parent.exists():
        raise InvalidInput(code="invalid_path", phrase="no_such_folder", folder=str(target.parent))
    tmp = target.with_name(f".{target.name}.partial")
    try:
        if store.engine.dialect.name == "sqlite":
            source = Path(store.engine.url.database or "").expanduser().resolve()
            if target.resolve() == source:
                raise InvalidInput(code="invalid_path", phrase="backup_over_database")
            _sqlite_backup(source, tmp)
        else:
            _pg_dump(store.engine.url, _pg_schema(store), tmp)
        os.replace(tmp, target)
        _fsync_dir(target.parent)  # the rename itself survives a power cut
    finally:
        if tmp.exists():
            tmp.unlink()
    return BackupResult(str(target), target.stat().st_size)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sqlite_backup(source: Path, tmp: Path) -> None:
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(tmp)
    fd = os.open(tmp, os.O_RDONLY)
    done = threading.Event()

    def flush_as_we_go() -> None:
        # The copy reaches the disk while it is made, so the final fsync is
        # short (the backup call releases the GIL: this runs beside it).
        while not done.wait(0.1):
            os.fdatasync(fd)

    flusher = threading.Thread(target=flush_as_we_go, name="backup-flush", daemon=True)
    try:
        # The copy is a scratch file until it is complete and renamed: no
        # journal and no syncs while filling it, one fsync at the end.
        dst.execute("PRAGMA journal_mode=OFF")
        dst.execute("PRAGMA synchronous=OFF")
        # Read the source through a memory map: one syscall per page less.
        src.execute(f"PRAGMA mmap_size={source.stat().st_size + (64 << 20)}")
        flusher.start()
        src.backup(dst, pages=-1)  # one step: see the module docstring
        dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
    finally:
        done.set()
        if flusher.is_alive():
            flusher.join()
        dst.close()
        src.close()
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _pg_dump(url: Any, schema: str, tmp: Path) -> None:
    pg_dump = _pg_tool("pg_dump", "backup_needs_tool")
    dsn, env = _libpq(url)
    # The shop's schema only: other schemas of the database are not the
    # shop's to copy (nor to replace on restore).
    done = _run(
        [
            pg_dump,
            "--format=custom",
            "--no-owner",
            f"--schema={_pattern(schema)}",
            f"--file={tmp}",
            f"--dbname={dsn}",
        ],
        env,
    )
    if done.returncode != 0:
        raise Refused(code="backup_failed", detail=_last_line(done.stderr))


# --------------------------------------------------------------------------
# Restore


@dataclass(frozen=True)
class BackupInfo(Result):
    """What a backup file holds, read before anything is restored."""

    path: str
    engine: str  # "sqlite" or "postgresql"
    schema_revision: str  # stampdesk's schema when the backup was taken
    cards: int | None  # None for a pg_dump archive: counted once restored


@dataclass(frozen=True)
class RestoreResult(Result):
    path: str  # the backup restored
    cards: int
    backup_revision: str  # the backup's schema, upgraded to schema_revision
    schema_revision: str
    previous: str | None  # where the content it replaced was kept (None: there was none)


def restore(
    store: Store, path: str | Path, *, confirm: Callable[[BackupInfo], bool] | None = None
) -> RestoreResult:
    """Replace the whole database with the backup at ``path``, then upgrade it
    to the current schema.

    The backup is checked first (the same engine, a schema no newer than
    this stampdesk's, undamaged); a refused file changes nothing.
    ``confirm`` then sees what the backup holds and may still say no.
    SQLite: the current database is copied aside (``<db>.before-restore-<UTC
    time>``) and the backup is written into the live file through SQLite's
    backup API, in one transaction, so a process that has the file open reads
    the restored data at its next transaction instead of a deleted file.
    PostgreSQL: in a single transaction (``psql --single-transaction``),
    the shop's tables are locked against writes, their content is dumped
    beside the backup (``<database>-<schema>.dump.before-restore-<UTC
    time>``, by ``pg_dump``, which sees every committed sale), then they are
    dropped and the archive restored from ``pg_restore``'s script; a failed
    restore, or a copy that could not be kept, changes nothing.
    Tills and servers using the database keep cached programme versions:
    restart them afterwards.
    """
    info, schema = _verified(store, path)
    if confirm is not None and not confirm(info):
        raise Refused(code="cancelled", phrase="restore_cancelled")
    source = Path(info.path)
    previous: str | None = None
    store.close()  # this process's connections: none may hold a lock or a stale cache
    stamp = store.now().strftime("%Y%m%dT%H%M%SZ")  # in the name of the copy of what is replaced
    if schema is None:
        previous = _restore_sqlite(store, source, info.schema_revision, stamp)
    else:
        previous = _restore_postgresql(store, source, schema, stamp)
    try:
        db.upgrade(store.engine)
    except Exception as error:
        # PostgreSQL only: a SQLite backup was upgraded before it went in.
        raise Refused(
            code="upgrade_failed",
            phrase="restored_not_upgraded",
            revision=info.schema_revision,
            detail=_last_line(str(error)),
        ) from error
    with store.read() as conn:
        cards = int(conn.execute(text("SELECT count(*) FROM cards")).scalar_one())
    return RestoreResult(str(source), cards, info.schema_revision, db.SCHEMA_REVISION, previous)


def _verified(store: Store, path: str | Path) -> tuple[BackupInfo, str | None]:
    """The backup's description and, on PostgreSQL, the shop's schema."""
    if str(path).strip() == "":
        raise InvalidInput(code="invalid_path", phrase="restore_no_path")
    source = Path(path).expanduser()
    if not source.exists():
        raise InvalidInput(code="invalid_path", phrase="no_backup_at", path=str(source))
    if not source.is_file():
        raise InvalidInput(code="invalid_path", phrase="backup_not_a_file", path=str(source))
    with source.open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    postgres = store.engine.dialect.name == "postgresql"
    if head.startswith(PG_DUMP_MAGIC) and not postgres:
        raise InvalidInput(code="wrong_engine", phrase="backup_is_postgresql", path=str(source))
    if head == SQLITE_MAGIC and postgres:
        raise InvalidInput(code="wrong_engine", phrase="backup_is_sqlite", path=str(source))
    if head != SQLITE_MAGIC and not head.startswith(PG_DUMP_MAGIC):
        raise InvalidInput(code="not_a_backup", path=str(source))
    if postgres:
        schema = _pg_schema(store)
        revision = _pg_backup_revision(source, schema)
        _check_revision(source, revision)
        return BackupInfo(str(source.resolve()), "postgresql", revision, None), schema
    return _sqlite_backup_info(store, source), None


def _check_revision(source: Path, revision: str) -> None:
    from alembic.script import ScriptDirectory

    known = {script.revision for script in ScriptDirectory(str(db.migrations_dir())).walk_revisions()}
    if revision in known:
        return
    if revision.isdigit() and int(revision) > int(db.SCHEMA_REVISION):
        raise InvalidInput(
            code="backup_too_new", path=str(source), revision=revision, known=db.SCHEMA_REVISION
        )
    raise InvalidInput(
        code="not_a_backup", phrase="backup_unknown_schema", path=str(source), revision=revision
    )


def _not_a_shop(source: Path) -> InvalidInput:
    return InvalidInput(code="not_a_backup", phrase="backup_holds_no_shop", path=str(source))


# SQLite


def _sqlite_database(store: Store) -> Path:
    return Path(store.engine.url.database or "").expanduser().resolve()


def _read_only(path: Path) -> sqlite3.Connection:
    # mode=ro: checking a backup never writes to it (nor creates a journal).
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _sqlite_backup_info(store: Store, source: Path) -> BackupInfo:
    live = _sqlite_database(store)
    if source.resolve() == live:
        raise InvalidInput(code="invalid_path", phrase="restore_the_database_itself")
    try:
        conn = _read_only(source)
        try:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check(5)")]
            if problems != ["ok"]:
                raise InvalidInput(code="damaged_backup", path=str(source), detail=str(problems[0]))
            tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not tables >= STAMPDESK_TABLES:
                raise _not_a_shop(source)
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            if revision is None:
                raise _not_a_shop(source)
            _check_revision(source, str(revision[0]))
            cards = int(conn.execute("SELECT count(*) FROM cards").fetchone()[0])
            page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error as error:
        if error.sqlite_errorname == "SQLITE_CORRUPT":
            raise InvalidInput(code="damaged_backup", path=str(source), detail=str(error)) from None
        raise InvalidInput(
            code="not_a_backup", phrase="backup_unreadable", path=str(source), detail=str(error)
        ) from None
    _check_page_size(live, page_size)
    return BackupInfo(str(source.resolve()), "sqlite", str(revision[0]), cards)


def _check_page_size(live: Path, page_size: int) -> None:
    # SQLite's backup API cannot change the page size of a WAL database:
    # refuse now rather than fail once the current database is copied aside.
    if not live.exists() or live.stat().st_size == 0:
        return
    try:
        conn = _read_only(live)
        try:
            live_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return  # an unreadable database is moved aside whole (_keep_aside)
    if live_size != page_size:
        raise Refused(code="page_size_mismatch", backup=page_size, live=live_size)


def _restore_sqlite(store: Store, source: Path, revision: str, stamp: str) -> str | None:
    live = _sqlite_database(store)
    scratch = live.with_name(f".{live.name}.restoring")
    try:
        if revision != db.SCHEMA_REVISION:
            # An older backup is upgraded on a copy first: a migration that
            # fails leaves the shop's database as it was.
            _sqlite_backup(source, scratch)
            engine = db.make_engine(f"sqlite:///{scratch}")
            try:
                db.upgrade(engine)
            except Exception as error:
                raise Refused(
                    code="upgrade_failed",
                    phrase="backup_not_upgraded",
                    revision=revision,
                    detail=_last_line(str(error)),
                ) from error
            finally:
                engine.dispose()
            source = scratch
        previous = _keep_aside(live, stamp)
        # Into the live file, not a renamed new one: a till that has the file
        # open would go on writing into the replaced inode (and its WAL), and
        # its sales would silently vanish, or corrupt the new file.
        src = _read_only(source)
        dst = sqlite3.connect(live, timeout=db.BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            dst.execute("PRAGMA synchronous=FULL")
            src.backup(dst, pages=-1)  # one transaction: all of the backup or nothing
            dst.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            dst.close()
            src.close()
    finally:
        for suffix in ("", "-wal", "-shm"):
            live.with_name(scratch.name + suffix).unlink(missing_ok=True)
    return previous


def _keep_aside(live: Path, stamp: str) -> str | None:
    """Copy the database about to be replaced next to it; its new name."""
    if not live.exists() or live.stat().st_size == 0:
        # A WAL left by a deleted database would be replayed into the new one.
        _move_aside(live, stamp, suffixes=("-wal", "-shm"))
        return None
    aside = _free_name(live, stamp)
    tmp = aside.with_name(f".{aside.name}.partial")
    try:
        _sqlite_backup(live, tmp)
        os.replace(tmp, aside)
        _fsync_dir(live.parent)
    except sqlite3.DatabaseError as error:
        if error.sqlite_errorname != "SQLITE_NOTADB":
            raise
        # Not a database any more: nothing to copy, keep the file as it is.
        return str(_move_aside(live, stamp, suffixes=("", "-wal", "-shm")))
    finally:
        if tmp.exists():
            tmp.unlink()
    return str(aside)


def _free_name(live: Path, stamp: str) -> Path:
    aside = live.with_name(f"{live.name}.before-restore-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = live.with_name(f"{live.name}.before-restore-{stamp}-{n}")
    return aside


def _move_aside(live: Path, stamp: str, suffixes: tuple[str, ...]) -> Path:
    aside = _free_name(live, stamp)
    for suffix in suffixes:
        current = live.with_name(live.name + suffix)
        if current.exists():
            os.replace(current, aside.with_name(aside.name + suffix))
    _fsync_dir(live.parent)
    return aside


# PostgreSQL


def _pg_schema(store: Store) -> str:
    """The schema the shop's tables live in: the first of its search_path."""
    with store.read() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar()
    if schema is None:
        raise Refused(code="no_schema")
    return str(schema)


def _pg_backup_revision(source: Path, schema: str) -> str:
    pg_restore = _pg_tool("pg_restore", "restore_needs_tool")
    listing = _run([pg_restore, "--list", str(source)])
    if listing.returncode != 0:
        raise InvalidInput(
            code="damaged_backup",
            phrase="damaged_pg_backup",
            path=str(source),
            detail=_last_line(listing.stderr),
        )
    tables: dict[str, set[str]] = {}
    for match in re.finditer(r"^\d+; \d+ \d+ TABLE (\S+) (\S+)(?: \S*)?$", listing.stdout, re.MULTILINE):
        tables.setdefault(match[1], set()).add(match[2])
    if not tables.get(schema, set()) >= STAMPDESK_TABLES:
        shops = sorted(name for name, held in tables.items() if held >= STAMPDESK_TABLES)
        if shops:
            raise InvalidInput(code="wrong_schema", path=str(source), found=shops[0], schema=schema)
        raise _not_a_shop(source)
    data = _run(
        [pg_restore, "--data-only", f"--schema={schema}", "--table=alembic_version", "--file=-", str(source)]
    )
    copied = re.search(r"^COPY \S+ \(version_num\) FROM stdin;\n([^\n]*)\n", data.stdout, re.MULTILINE)
    inserted = re.search(r"^INSERT INTO \S+ VALUES \('([^']*)'\);", data.stdout, re.MULTILINE)
    found = copied or inserted
    if data.returncode != 0 or found is None or found[1] == "\\.":
        raise _not_a_shop(source)
    return found[1]


def _restore_postgresql(store: Store, source: Path, schema: str, stamp: str) -> str | None:
    pg_restore = _pg_tool("pg_restore", "restore_needs_tool")
    psql = _pg_tool("psql", "restore_needs_tool")
    pg_dump = _pg_tool("pg_dump", "restore_needs_tool")
    quote = store.engine.dialect.identifier_preparer.quote
    names = sorted({table.name for table in models.metadata.sorted_tables} | {"alembic_version"})
    with store.read() as conn:
        present = conn.execute(
            text(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = :schema AND table_name = ANY(:names) ORDER BY table_name"
            ),
            {"schema": schema, "names": names},
        ).scalars()
        tables = [f"{quote(schema)}.{quote(name)}" for name in present]
    store.close()
    dsn, env = _libpq(store.engine.url)
    with tempfile.TemporaryDirectory(prefix="stampdesk-restore-") as scratch:  # mode 0700: customer data
        script = Path(scratch) / "restore.sql"
        # The whole script is written before anything runs: a pipe would let
        # psql commit the part of a restore that an aborted pg_restore sent.
        made = _run(
            [
                pg_restore,
                f"--schema={schema}",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                f"--file={script}",
                str(source),
            ]
        )
        if made.returncode != 0:
            raise Refused(code="restore_failed", phrase="pg_restore_failed", detail=_last_line(made.stderr))
        prelude = Path(scratch) / "prelude.sql"
        lines = [f"SET LOCAL lock_timeout = '{PG_LOCK_TIMEOUT}';"]
        keep: list[str] = []
        aside = partial = None
        if tables:
            # What is replaced is kept: the tables are locked against writes
            # (a sale in progress is waited for), so the copy pg_dump makes
            # from its own connection holds every sale committed before the
            # restore, and none can commit after it.
            # A name made of the database's and the schema's, safe in a path.
            name = re.sub(r"[^\w.-]", "_", f"{store.engine.url.database or 'postgres'}-{schema}")
            aside = _free_name(source.parent / f"{name}.dump", stamp)
            partial = aside.with_name(f".{aside.name}.partial")
            dump = [pg_dump, "--format=custom", "--no-owner", f"--schema={_pattern(schema)}"]
            dump += ["--lock-wait-timeout=30000", f"--file={partial}", f"--dbname={dsn}"]
            keep = [f"--set=keep={shlex.join(dump)} >&2 && echo yes || echo no"]
            lines += [
                f"LOCK TABLE {', '.join(tables)} IN SHARE MODE;",
                "\\set kept `:keep`",
                "\\if :kept",
                "\\else",
                "DO $$ BEGIN RAISE EXCEPTION 'the current content could not be kept aside'; END $$;",
                "\\endif",
                # The shop's tables go first, in one statement (their foreign
                # keys between them allow it), including any the backup does
                # not have; no CASCADE: something else built on them stops
                # the restore instead.
                f"DROP TABLE IF EXISTS {', '.join(tables)};",
            ]
        prelude.write_text("\n".join(lines) + "\n", encoding="utf-8")
        try:
            done = _run(
                [
                    psql,
                    "--no-psqlrc",
                    "--quiet",
                    "--set=ON_ERROR_STOP=1",
                    *keep,
                    "--single-transaction",
                    f"--file={prelude}",
                    f"--file={script}",
                    f"--dbname={dsn}",
                ],
                env,
            )
            if done.returncode != 0:
                why = _psql_error(done.stderr)
                raise Refused(code="restore_failed", detail=why)
            if aside is None or partial is None:
                return None
            os.replace(partial, aside)
            _fsync_dir(aside.parent)
            return str(aside)
        finally:
            if partial is not None and partial.is_file():
                partial.unlink()


def _run(command: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """A PostgreSQL tool, its output kept: the caller reads its exit status."""
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False)


def _pg_tool(name: str, phrase: str) -> str:
    """The path of PostgreSQL's tool ``name``; ``phrase`` says why it is
    needed (``backup_needs_tool`` or ``restore_needs_tool``)."""
    found = shutil.which(name)
    if found is None:
        raise Refused(code=f"{name}_missing", phrase=phrase, tool=name)
    return found


def _libpq(url: Any) -> tuple[str, dict[str, str]]:
    """A libpq address for the PostgreSQL tools, and their environment: the
    password goes in the environment, where other users cannot read it."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return str(dsn), env


def _pattern(schema: str) -> str:
    # pg_dump takes a pattern; quoted, the name is taken literally.
    return '"' + schema.replace('"', '""') + '"'


def _psql_error(stderr: str) -> str:
    """What stopped a psql script: its ERROR line (without psql's place in
    the script), with what pg_dump said when it was the copy that failed."""
    lines = _lines(stderr)
    errors = [line.split("ERROR:", 1)[1].strip() for line in lines if "ERROR:" in line]
    dumps = [line for line in lines if line.startswith("pg_dump: error:")]
    if errors and dumps:
        return f"{errors[0]} ({dumps[0]})"
    return errors[0] if errors else _last_line(stderr)


def _last_line(stderr: str) -> str:
    lines = _lines(stderr)
    return lines[-1] if lines else "no message"


def _lines(stderr: str) -> list[str]:
    return [line.strip() for line in stderr.splitlines() if line.strip()]
