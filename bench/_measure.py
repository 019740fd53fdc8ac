"""Timing loops shared by the SQLite and PostgreSQL benchmarks."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from _common import Timings
from sqlalchemy import Engine, event

from stampdesk.desk import Desk
from stampdesk.domain.validate import name_key

CHECKOUT_AMOUNT = "12.50"  # 1 visit stamp + 1 per full 10.00: 2 stamps


def timed(name: str, op: Callable[[Any], object], args: Sequence[Any]) -> Timings:
    """Call ``op(arg)`` for each of ``args``, timing each call (wall and CPU)."""
    samples = []
    cpu = []
    clock = time.perf_counter
    cpu_clock = time.thread_time
    begun = clock()
    for arg in args:
        c = cpu_clock()
        t = clock()
        op(arg)
        samples.append(clock() - t)
        cpu.append(cpu_clock() - c)
    return Timings.of(name, samples, clock() - begun, cpu)


def interleaved(
    ops: Mapping[str, Callable[[Any], object]], args: Mapping[str, Sequence[Any]], rounds: int
) -> dict[str, Timings]:
    """Run the ops in alternating blocks (A B A B …) so that both see the same
    disk, cache and WAL-checkpoint conditions; one ``Timings`` per op."""
    samples: dict[str, list[float]] = {name: [] for name in ops}
    cpu: dict[str, list[float]] = {name: [] for name in ops}
    walls = dict.fromkeys(ops, 0.0)
    for r in range(rounds):
        for name, op in ops.items():
            block = args[name][r::rounds]
            t = timed(name, op, block)
            samples[name].extend(t.samples)
            cpu[name].extend(t.cpu)
            walls[name] += t.wall
    return {name: Timings.of(name, samples[name], walls[name], cpu[name]) for name in ops}


def checkout_op(desk: Desk) -> Callable[[str], object]:
    def op(number: str) -> object:
        return desk.checkout(card=number, amount=CHECKOUT_AMOUNT)

    return op


def search_queries(names: Sequence[str], rng: random.Random, n: int) -> dict[str, list[str]]:
    """Queries as a cashier types them: the first 3 letters of a name, and a
    whole name; drawn from the customers' own names."""
    picked = [rng.choice(names) for _ in range(n)]
    return {
        "search, 3-letter prefix": [name[:3] for name in picked],
        "search, full-name prefix": list(picked),
    }


def matches(desk: Desk, query: str) -> int:
    return len(desk.search(query))


class StatementLog:
    """The SQL an engine sends, for ``EXPLAIN QUERY PLAN`` of the real thing."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements: list[tuple[str, Any]] = []
        self.on = False
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(
        self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        if self.on:
            self.statements.append((statement, parameters))

    def capture(self, call: Callable[[], object]) -> list[tuple[str, Any]]:
        self.statements = []
        self.on = True
        try:
            call()
        finally:
            self.on = False
        return list(self.statements)

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)


def one_line(sql: str) -> str:
    return " ".join(sql.split())


def key_of(name: str) -> str:
    return name_key(name)
