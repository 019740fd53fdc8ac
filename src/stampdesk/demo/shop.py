"""The demo café as a SQLite file of its own (``stampdesk till --demo``)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ..config import Settings
from .simulation import DemoSummary, build_demo

# Three months of history: the tiers' rolling window, and a build short
# enough for the quick start's first minute (``init --demo`` builds six).
DEMO_DAYS = 90

# A memory file system: the demo's thousands of sales are written there
# without a disk flush each (what a real sale must have), then copied once.
_MEMORY = Path("/dev/shm")


def build_demo_file(
    settings: Settings, target: Path, *, progress: Callable[[int, int], None] | None = None
) -> DemoSummary:
    """Build the demo café (``DEMO_DAYS`` of history) into the SQLite file
    ``target``, which must not exist yet. It is built in a scratch file,
    on a memory file system when there is one, and then copied to
    ``target`` in one step: a build cut short leaves no half-built shop."""
    from ..desk import connect

    target.parent.mkdir(parents=True, exist_ok=True)
    scratch_dir = _MEMORY if _MEMORY.is_dir() and os.access(_MEMORY, os.W_OK) else target.parent
    with tempfile.TemporaryDirectory(prefix="stampdesk-demo-", dir=scratch_dir) as scratch:
        database = f"sqlite:///{Path(scratch) / target.name}"
        with connect(settings=replace(settings, database=database, offline=False)) as desk:
            summary = build_demo(desk.store, days=DEMO_DAYS, progress=progress)
            desk.backup(target)  # a consistent copy, renamed into place
    return summary
