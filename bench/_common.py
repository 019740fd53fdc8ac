"""Helpers shared by the benchmarks: timing summaries, verdicts, paths.

The benchmarks are plain scripts (``.venv/bin/python bench/NAME.py``); Python
puts ``bench/`` on ``sys.path``, so they import this module as ``_common``.
"""

from __future__ import annotations

import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / "data"
EXAMPLE_PROGRAM = ROOT / "examples" / "program.toml"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

# Importable without installing: the benchmarks run from a checkout.
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))


def db_path(cards: int) -> Path:
    """Where the cached SQLite database of ``cards`` cards lives."""
    return DATA / f"shop-{cards}.db"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0..1) by nearest rank of already sorted values."""
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, int(round(q * len(sorted_values) + 0.5)) - 1))
    return sorted_values[rank]


@dataclass(frozen=True)
class Timings:
    """Latencies in seconds of one measured operation."""

    name: str
    samples: tuple[float, ...]
    wall: float  # seconds for the whole loop, for throughput
    # CPU time of this thread during each sample: a sample whose wall time is
    # far above its CPU time waited (for the disk, a lock or another process).
    cpu: tuple[float, ...] = ()

    @classmethod
    def of(
        cls, name: str, samples: Sequence[float], wall: float | None = None, cpu: Sequence[float] = ()
    ) -> Timings:
        return cls(name, tuple(samples), sum(samples) if wall is None else wall, tuple(cpu))

    def cpu_note(self) -> str:
        """CPU-time percentiles and how many calls waited more than 1 ms."""
        if not self.cpu:
            return ""
        c = sorted(self.cpu)
        waited = sum(1 for w, t in zip(self.samples, self.cpu, strict=True) if w - t > 0.001)
        return (
            f"  ({self.name}: CPU time median {ms(statistics.median(c)).strip()}, "
            f"p99 {ms(percentile(c, 0.99)).strip()}; {waited} of {len(c)} calls waited > 1 ms "
            f"off-CPU)"
        )

    @property
    def sorted(self) -> list[float]:
        return sorted(self.samples)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def p(self, q: float) -> float:
        return percentile(self.sorted, q)

    @property
    def rate(self) -> float:
        return len(self.samples) / self.wall

    def row(self) -> str:
        s = self.sorted
        return (
            f"| {self.name:<40} | {len(s):>6} | {ms(statistics.median(s))} | {ms(percentile(s, 0.90))} "
            f"| {ms(percentile(s, 0.99))} | {ms(s[-1])} | {self.rate:>9,.0f} |"
        )


TABLE_HEAD = (
    f"| {'operation':<40} | {'n':>6} | {'median':>9} | {'p90':>9} | {'p99':>9} | {'max':>9} "
    f"| {'ops/s':>9} |\n"
    f"|{'-' * 42}|{'-' * 8}|{'-' * 11}|{'-' * 11}|{'-' * 11}|{'-' * 11}|{'-' * 11}|"
)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:>6.3f} ms"


@dataclass
class Verdicts:
    """PASS/FAIL lines against the targets, printed together at the end."""

    lines: list[tuple[bool, str, str]] = field(default_factory=list)

    def add(self, ok: bool, target: str, measured: str) -> None:
        self.lines.append((ok, target, measured))
        print(f"{'PASS' if ok else 'FAIL'}  {target}: {measured}", flush=True)

    def summary(self) -> str:
        out = ["", "Targets:"]
        for ok, target, measured in self.lines:
            out.append(f"  {'PASS' if ok else 'FAIL'}  {target:<52} {measured}")
        passed = sum(ok for ok, _, _ in self.lines)
        out.append(f"  {passed}/{len(self.lines)} targets met")
        return "\n".join(out)


def code_version() -> str:
    """The commit measured, and whether src/ or migrations/ had local changes
    (read-only git commands)."""
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "src", "migrations"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"
    return head + (" + uncommitted changes in src/ or migrations/" if dirty else "")


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def fsync_probe(directory: Path, n: int = 200, size: int = 16384) -> Timings:
    """Latency of appending ``size`` bytes and ``fdatasync``: the floor under
    every durable commit on this disk (SQLite WAL with synchronous=FULL)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "fsync-probe.tmp"
    block = b"\0" * size
    samples = []
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for _ in range(n):
            t = time.perf_counter()
            os.write(fd, block)
            os.fdatasync(fd)
            samples.append(time.perf_counter() - t)
    finally:
        os.close(fd)
        path.unlink()
    return Timings.of(f"disk: write {size // 1024} KiB + fdatasync", samples)


def environment() -> str:
    """One line about the machine, so figures can be compared across runs."""
    return (
        f"python {platform.python_version()}, sqlite {sqlite3.sqlite_version}, "
        f"{os.cpu_count()} cores, {platform.machine()}, {platform.system()} {platform.release()}"
    )
