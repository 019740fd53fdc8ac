"""Consistent online backups while the tills keep selling.

SQLite: the online-backup API in a single step. A stepped backup restarts
whenever another connection writes, so on a busy shop it may never end; one
step reads a WAL snapshot and finishes whatever the till does meanwhile.
PostgreSQL: ``pg_dump`` (custom format, itself a consistent snapshot).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..domain.errors import InvalidInput, Refused
from ..results import Result
from ..store import Store


@dataclass(frozen=True)
class BackupResult(Result):
    path: str
    bytes: int


def backup(store: Store, path: str | Path) -> BackupResult:
    """Write a consistent copy of the database to ``path`` (atomically)."""
    target = Path(path).expanduser()
    if str(path).strip() == "":
        raise InvalidInput("backup needs a file path", "invalid_path")
    if target.is_dir():
        raise InvalidInput(f"{target} is a directory: give a file name", "invalid_path")
    if not target.parent.exists():
        raise InvalidInput(f"folder {target.parent} does not exist", "invalid_path")
    tmp = target.with_name(f".{target.name}.partial")
    try:
        if store.engine.dialect.name == "sqlite":
            source = Path(store.engine.url.database or "").expanduser().resolve()
            if target.resolve() == source:
                raise InvalidInput("the backup must not overwrite the database itself", "invalid_path")
            _sqlite_backup(source, tmp)
        else:
            _pg_dump(store.engine.url, tmp)
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


def _pg_dump(url: Any, tmp: Path) -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise Refused("backing up PostgreSQL needs pg_dump (package postgresql-client)", "pg_dump_missing")
    libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
    done = subprocess.run(
        [pg_dump, "--format=custom", "--no-owner", f"--file={tmp}", f"--dbname={libpq}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise Refused(f"pg_dump failed: {done.stderr.strip().splitlines()[-1:]}", "backup_failed")
