"""The receipt-printer plugin's journal: one JSON line per receipt, a file per day.

The database may be out of reach when a receipt passes, so what the plugin
did is kept beside it, in a folder it can always write (``[proxy] journal``,
else ``proxy`` in the user data directory): ``2026-12-08.jsonl`` holds that
shop-local day's receipts. :func:`summary` counts a day for ``stampdesk
proxy status`` and the owner's screens (which import this module only, never
the server). Files older than :data:`KEEP_DAYS` are removed.

An entry is ``{"at", "event", …}``: ``event`` is ``receipt`` (with
``printed``: the loyalty block was added; ``reason``: why not, a code;
``checkout``: the sale recorded) or ``late_sale`` (a sale that was recorded
after its receipt had gone to the printer unchanged).
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

KEEP_DAYS = 60


def default_folder() -> Path:
    """Where the journal is kept unless ``[proxy] journal`` says otherwise."""
    from ..config import user_data_dir

    return user_data_dir() / "proxy"


@dataclass(frozen=True)
class DaySummary:
    """One day of the plugin: receipts seen, sales recorded (``late``: of
    them, after the receipt was printed unchanged), receipts printed
    unchanged and why (a code and a count), the last receipt's time."""

    day: date
    seen: int = 0
    recorded: int = 0
    late: int = 0
    unchanged: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    last_at: datetime | None = None


class Journal:
    """Appends entries to the day's file; never raises (a journal that cannot
    be written must not stop a receipt)."""

    def __init__(self, folder: Path, zone: tzinfo) -> None:
        self.folder = folder
        self.zone = zone
        self._lock = threading.Lock()
        self.failures = 0  # entries that could not be written

    def path_for(self, day: date) -> Path:
        return self.folder / f"{day.isoformat()}.jsonl"

    def write(self, at: datetime, event: str, **values: Any) -> None:
        """Add one entry (``at`` timezone-aware)."""
        entry = {"at": at.isoformat(), "event": event, **values}
        line = json.dumps(entry, ensure_ascii=False, default=str) + "\n"
        path = self.path_for(at.astimezone(self.zone).date())
        with self._lock:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                with path.open("a", encoding="utf-8") as out:
                    out.write(line)
            except OSError:
                self.failures += 1

    def prune(self, today: date) -> None:
        """Remove the files of days older than ``KEEP_DAYS``."""
        oldest = today - timedelta(days=KEEP_DAYS)
        with contextlib.suppress(OSError):
            for path in self.folder.glob("*.jsonl"):
                with contextlib.suppress(ValueError, OSError):
                    if date.fromisoformat(path.stem) < oldest:
                        path.unlink()


def summary(folder: Path, day: date) -> DaySummary:
    """Count the day's entries (an unreadable or missing file counts nothing)."""
    seen = recorded = late = unchanged = 0
    reasons: Counter[str] = Counter()
    last: datetime | None = None
    try:
        text = (folder / f"{day.isoformat()}.jsonl").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    for line in text.splitlines():
        try:
            entry = json.loads(line)
            at = datetime.fromisoformat(entry["at"])
        except (ValueError, KeyError, TypeError):
            continue  # a line cut short by a crash
        if entry.get("event") == "late_sale":
            recorded += 1
            late += 1
            continue
        if entry.get("event") != "receipt":
            continue
        seen += 1
        last = at if last is None or at > last else last
        if entry.get("checkout") is not None and not entry.get("replayed"):
            recorded += 1
        if not entry.get("printed"):
            unchanged += 1
            reasons[str(entry.get("reason") or "error")] += 1
    return DaySummary(day, seen, recorded, late, unchanged, dict(reasons.most_common()), last)
