"""The demo café: months of plausible history, built through the services."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from helpers import ROOT, BuiltWheel, Clock, counts, make_desk
from stampdesk.demo import DemoSummary, build_demo, program_source
from stampdesk.desk import Desk
from stampdesk.domain.errors import InvalidInput
from stampdesk.domain.program import parse_program_toml
from stampdesk.models import checkouts, coupons, customers, ledger

NOW = datetime(2026, 3, 2, 17, 30, tzinfo=UTC)  # a Monday evening in Paris


class Built:
    def __init__(self, desk: Desk, clock: Clock, summary: DemoSummary, seconds: float) -> None:
        self.desk, self.clock, self.summary, self.seconds = desk, clock, summary, seconds


@pytest.fixture(scope="module")
def cafe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """The default demo on a SQLite file, built once for the module."""
    clock = Clock(NOW)
    desk = make_desk(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'cafe.db'}", clock)
    calls: list[tuple[int, int]] = []
    started = time.perf_counter()
    summary = build_demo(desk.store, progress=lambda done, total: calls.append((done, total)))
    seconds = time.perf_counter() - started
    assert calls[0][0] == 0 and calls[-1][0] == calls[-1][1] and len(calls) > 50
    yield Built(desk, clock, summary, seconds)
    desk.close()


@pytest.mark.slow
def test_the_demo_has_a_few_hundred_customers_and_months_of_history(cafe: Built) -> None:
    desk, summary = cafe.desk, cafe.summary
    assert 200 <= summary.customers <= 300 and summary.cards == summary.customers
    assert cafe.seconds < 60, f"the demo took {cafe.seconds:.1f} s"
    with desk.store.read() as conn:
        oldest, newest, sales = conn.execute(
            select(func.min(checkouts.c.at), func.max(checkouts.c.at), func.count()).select_from(checkouts)
        ).one()
        with_email, with_phone, with_birthday = conn.execute(
            select(
                func.count(customers.c.email), func.count(customers.c.phone), func.count(customers.c.birthday)
            )
        ).one()
    assert oldest <= NOW - timedelta(days=150) and NOW - timedelta(days=1) < newest < NOW
    assert sales == summary.checkouts > 3000
    assert with_email > summary.customers * 0.7 and 0 < with_phone < with_email and with_birthday > 30
    assert desk.store.clock is cafe.clock  # the simulation clock was put back


@pytest.mark.slow
def test_the_demo_exercises_every_rule_and_reconciles(cafe: Built) -> None:
    desk, summary = cafe.desk, cafe.summary
    assert summary.walk_ins > 500 and summary.claimed > 10
    assert summary.redeemed > 100 and summary.refunds > 5
    assert desk.check().ok
    with desk.store.read() as conn:
        kinds = dict(conn.execute(select(ledger.c.kind, func.count()).group_by(ledger.c.kind)).all())
        redeemed = conn.execute(select(func.count()).where(coupons.c.redeemed_at.is_not(None))).scalar()
        late = conn.execute(select(func.count()).where(coupons.c.redeemed_at > coupons.c.expires_at)).scalar()
        refunded = conn.execute(select(func.count()).where(checkouts.c.refunded_at.is_not(None))).scalar()
        claimed = conn.execute(select(func.count()).where(checkouts.c.claimed_card_id.is_not(None))).scalar()
        # Redemptions and refunds happened in the simulated past, after what they undo.
        order = conn.execute(
            select(func.count())
            .select_from(coupons)
            .where(coupons.c.redeemed_at.is_not(None), coupons.c.redeemed_at <= coupons.c.issued_at)
        ).scalar()
        amounts = conn.execute(
            select(func.min(checkouts.c.amount_cents), func.max(checkouts.c.amount_cents))
        ).one()
    assert {"starter", "earn", "claim", "completion", "refund"} <= set(kinds)
    assert (redeemed, refunded, claimed) == (summary.redeemed, summary.refunds, summary.claimed)
    assert late == 0 and order == 0
    assert amounts[0] >= 100 and amounts[1] <= 5000  # café prices, in cents
    assert summary.to_dict()["customers"] == summary.customers


@pytest.mark.slow
def test_the_demos_regulars_make_a_customer_of_the_month_board(cafe: Built) -> None:
    board = cafe.desk.leaderboard("2026-02")
    visits = [e.visits for e in board.entries]
    assert len(visits) == 10 and visits == sorted(visits, reverse=True) and visits[0] >= 10
    assert [e.rank for e in board.entries] == list(range(1, 11))
    assert all(" " not in e.name and e.card.startswith("•" * 9) for e in board.entries)


@pytest.mark.slow
def test_a_demo_is_refused_where_cards_already_exist(cafe: Built) -> None:
    before = counts(cafe.desk)
    with pytest.raises(InvalidInput, match="already has .* cards"):
        build_demo(cafe.desk.store)
    assert counts(cafe.desk) == before


def test_a_smaller_demo_on_each_database(db_url: str, clock: Clock) -> None:
    desk = make_desk(db_url, clock)
    try:
        summary = build_demo(desk.store, customers=40, days=45, seed=7)
        assert summary.customers == 40 and summary.checkouts > 200
        assert desk.check().ok
        assert desk.program().rules["name"] == "Café Bleu"
        assert desk.store.clock is clock
        with pytest.raises(InvalidInput):
            build_demo(desk.store, customers=40, days=45, seed=7)
    finally:
        desk.close()


def test_the_same_seed_gives_the_same_shop(tmp_path: Path, clock: Clock) -> None:
    summaries = []
    for name in ("a", "b"):
        desk = make_desk(f"sqlite:///{tmp_path / name}.db", clock)
        summaries.append(build_demo(desk.store, customers=30, days=30, seed=3))
        desk.close()
    assert summaries[0] == summaries[1]


def test_the_clock_is_restored_when_the_build_fails(sqlite_url: str, clock: Clock) -> None:
    desk = make_desk(sqlite_url, clock)

    def stop(done: int, total: int) -> None:
        if done > total // 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_demo(desk.store, customers=20, days=20, progress=stop)
    assert desk.store.clock is clock
    assert desk.check().ok  # every sale so far went through whole transactions
    desk.close()


@pytest.mark.parametrize(("options", "expected"), [({"customers": 0}, "customers"), ({"days": 3}, "days")])
def test_silly_sizes_are_refused(
    sqlite_url: str, clock: Clock, options: dict[str, int], expected: str
) -> None:
    desk = make_desk(sqlite_url, clock)
    with pytest.raises(InvalidInput, match=expected):
        build_demo(desk.store, **options)
    desk.close()


def test_the_demo_programme_is_the_documented_example() -> None:
    # One programme, two places: the package's (the wheel has no examples/) and
    # the README's example. Change both together.
    example = ROOT / "examples" / "program-loyalty.toml"
    assert program_source() == example.read_text(encoding="utf-8")
    assert parse_program_toml(program_source()).name == "Café Bleu"


def test_the_installed_wheel_builds_the_demo_cafe_away_from_the_repository(
    tmp_path: Path, built_wheel: BuiltWheel
) -> None:
    assert "stampdesk/demo/program.toml" in built_wheel.names
    env = {**os.environ, "PYTHONPATH": str(built_wheel.site)}

    def stampdesk(*args: str) -> dict[str, object]:
        done = subprocess.run(
            [sys.executable, "-m", "stampdesk.cli", "--db", f"sqlite:///{tmp_path / 'cafe.db'}", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done
        result: dict[str, object] = json.loads(done.stdout)
        return result

    where = subprocess.run(
        [sys.executable, "-c", "import stampdesk.demo as d; print(d.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert where.stdout.startswith(str(built_wheel.site))
    built = stampdesk("init", "--demo", "--customers", "3", "--days", "7", "--json")
    assert built["demo"] is not None
    shown = stampdesk("program", "show", "--json")
    assert shown["name"] == "Café Bleu" and shown["tiers"] and shown["quick_picks"]
    assert shown["stamps_per_card"] == 10
