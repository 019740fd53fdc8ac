"""The customer e-mails' pure rules (who is due what, for which occasion; the
held-out share; the weekly cap; the uplift's interval), the programme's
[[program.messages]], and the report's figures on a history built with
known answers."""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, update

from helpers import EXAMPLE_PROGRAM, Clock, make_desk
from stampdesk.desk import Desk
from stampdesk.domain import messages as rules
from stampdesk.domain.program import ProgramError, parse_program_toml
from stampdesk.models import cards, checkouts, coupons, mail_outbox
from stampdesk.report_formats import report_html, report_text

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
BASE = EXAMPLE_PROGRAM.read_text(encoding="utf-8")


def program(extra: str) -> object:
    return parse_program_toml(BASE + extra)


# ----------------------------------------------------------------------
# The uplift's interval: Newcombe (1998), method 10, his worked examples


@pytest.mark.parametrize(
    ("counts", "low", "high"),
    [
        ((70, 56, 80, 48), 0.0524, 0.3339),
        ((10, 9, 10, 3), 0.1705, 0.8090),
        ((56, 5, 29, 0), -0.0381, 0.1926),
    ],
)
def test_the_uplift_interval_is_newcombes(counts: tuple[int, int, int, int], low: float, high: float) -> None:
    u = rules.uplift(*counts)
    assert u.difference == pytest.approx(counts[1] / counts[0] - counts[3] / counts[2])
    assert (round(u.low or 0, 4), round(u.high or 0, 4)) == (low, high)


def test_the_verdict_needs_both_groups_a_sure_uplift_and_more_sales_than_rewards() -> None:
    assert rules.pays(rules.uplift(10, 5, 0, 0), Decimal(100), Decimal(1)) == "too_early"
    sure = rules.uplift(20, 12, 20, 4)
    assert rules.pays(sure, Decimal("80.00"), Decimal("3.60")) == "pays"
    assert rules.pays(sure, Decimal("2.00"), Decimal("3.60")) == "does_not_pay"
    assert rules.pays(rules.uplift(10, 6, 10, 2), Decimal(80), Decimal(1)) == "unclear"
    assert rules.pays(rules.uplift(20, 2, 20, 14), Decimal(0), Decimal(0)) == "does_not_pay"


# ----------------------------------------------------------------------
# Held out, the cap, the retries


def test_the_held_out_share_is_fixed_per_customer_and_campaign_and_not_the_ids_order() -> None:
    secret = bytes(range(32))
    held = [c for c in range(10_000) if rules.held_out(secret, "win_back", c, 0.1)]
    assert 850 < len(held) < 1150
    assert held == [c for c in range(10_000) if rules.held_out(secret, "win_back", c, 0.1)]
    # Spread over the ids, not the first or last ones; another campaign draws anew.
    assert 400 < sum(1 for c in held if c < 5000) < 600
    other = {c for c in range(10_000) if rules.held_out(secret, "birthday", c, 0.1)}
    assert len(other & set(held)) < 200
    assert not rules.held_out(secret, "win_back", 1, 0.0)


def test_the_weekly_cap_counts_the_last_seven_days() -> None:
    sent = [NOW - timedelta(days=8), NOW - timedelta(days=2)]
    assert rules.cap_frees_at(sent, NOW, 2) is None
    assert rules.cap_frees_at(sent, NOW, 1) == NOW + timedelta(days=5)
    assert rules.retry_at(1, NOW) == NOW + timedelta(minutes=5)
    assert rules.retry_at(3, NOW) == NOW + timedelta(minutes=20)
    assert rules.retry_at(30, NOW) == NOW + timedelta(hours=6)


# ----------------------------------------------------------------------
# Occasions


MESSAGES = """
[program.expiry]
stamps_after_days = 60
warn_days = 10

[program.birthday]
reward = "Gâteau offert"

[[program.messages]]
kind = "lapse_warning"

[[program.messages]]
kind = "coupon_expiry"
days = 3

[[program.messages]]
kind = "near_reward"
stamps = 2
days = 4

[[program.messages]]
kind = "win_back"
days = 30

[[program.messages]]
kind = "birthday"
days = 3
"""


def test_each_kind_is_due_on_its_occasion_once() -> None:
    p = program(MESSAGES)
    last = NOW - timedelta(days=55)
    card = rules.CardFacts(balance=2, cycle=4, last_visit_at=last)
    due = {d.kind: d for d in rules.due(p, card, NOW, PARIS)}  # type: ignore[arg-type]
    assert due["lapse_warning"].occasion == "lapse_warning:2026-01-24"
    assert due["lapse_warning"].until == datetime(2026, 3, 25, 22, 59, 59, tzinfo=UTC)
    assert due["near_reward"].occasion == "near_reward:4:3"  # once per cycle and milestone
    assert due["win_back"].occasion == "win_back:2026-01-24"  # a visit makes a new one
    assert "birthday" not in due and "coupon_expiry" not in due
    fresh = rules.CardFacts(balance=2, cycle=4, last_visit_at=NOW - timedelta(days=2))
    assert rules.due(p, fresh, NOW, PARIS) == []  # type: ignore[arg-type]
    ends = rules.Coupon(7, "Croissant offert", NOW + timedelta(days=2), 4, 3)
    later = rules.Coupon(8, "Cookie offert", NOW + timedelta(days=20), 4, 6)
    with_coupons = rules.CardFacts(balance=7, cycle=4, last_visit_at=NOW, coupons=(ends, later))
    assert [d.occasion for d in rules.due(p, with_coupons, NOW, PARIS)] == ["coupon_expiry:7"]  # type: ignore[arg-type]


def test_a_birthday_email_goes_before_the_birthday_until_its_coupon_is_issued() -> None:
    p = program(MESSAGES)
    born = date(1990, 1, 1)
    new_year = datetime(2026, 12, 30, 9, tzinfo=UTC)
    card = rules.CardFacts(balance=0, cycle=0, last_visit_at=new_year, birthday=born)
    (due,) = rules.due(p, card, new_year, PARIS, ("birthday",))  # type: ignore[arg-type]
    assert due.occasion == "birthday:2027"  # three days before, across the new year
    gift = rules.Coupon(1, "Gâteau offert", new_year + timedelta(days=60), 2027, 0)
    given = rules.CardFacts(balance=0, cycle=0, last_visit_at=new_year, birthday=born, coupons=(gift,))
    assert rules.due(p, given, new_year, PARIS, ("birthday",)) == []  # type: ignore[arg-type]


# ----------------------------------------------------------------------
# The programme file


@pytest.mark.parametrize(
    ("extra", "rule", "key"),
    [
        ('[[program.messages]]\nkind = "newsletter"\n', "message_kind", "program.messages[1].kind"),
        (
            '[[program.messages]]\nkind = "lapse_warning"\n',
            "message_needs_expiry",
            "program.messages[1].kind",
        ),
        ('[[program.messages]]\nkind = "birthday"\n', "message_needs_birthday", "program.messages[1].kind"),
        (
            '[[program.messages]]\nkind = "win_back"\nstamps = 2\n',
            "unknown_key",
            "program.messages[1].stamps",
        ),
        ("[program.messaging]\nholdout = 0.9\n", "share", "program.messaging.holdout"),
        ("[program.messaging]\nmax_per_week = 0\n", "range", "program.messaging.max_per_week"),
    ],
)
def test_a_mistake_in_the_messages_is_named(extra: str, rule: str, key: str) -> None:
    with pytest.raises(ProgramError) as mistake:
        program(extra)
    assert (mistake.value.rule, mistake.value.params["key"]) == (rule, key)
    assert key in mistake.value.message


def test_the_messages_survive_a_round_trip() -> None:
    p = program(MESSAGES + "[program.messaging]\nholdout = 0.2\nmax_per_week = 2\n")
    again = type(p).from_dict(p.to_dict())  # type: ignore[attr-defined]
    assert again == p
    assert p.message("lapse_warning").days == 10  # type: ignore[attr-defined]  # warn_days by default
    assert (p.messaging.holdout, p.messaging.max_per_week) == (0.2, 2)  # type: ignore[attr-defined]


# ----------------------------------------------------------------------
# The report, on a history with known answers


@pytest.fixture
def history(sqlite_url: str) -> Iterator[Desk]:
    desk = make_desk(sqlite_url, Clock(datetime(2026, 5, 1, 12, tzinfo=UTC)))
    desk.load_program(EXAMPLE_PROGRAM)
    yield desk
    desk.close()


def test_the_report_measures_each_campaign_against_its_held_out_customers(history: Desk) -> None:
    desk = history
    sent_at = datetime(2026, 3, 10, 9, tzinfo=UTC)
    numbers = [desk.enrol(name=f"C{i}", at="2026-01-05T10:00:00+01:00").card.number for i in range(40)]
    with desk.store.engine.begin() as conn:
        ids = dict(conn.execute(cards.select().with_only_columns(cards.c.number, cards.c.id)).all())
        customers_of = dict(
            conn.execute(cards.select().with_only_columns(cards.c.id, cards.c.customer_id)).all()
        )
        for i, number in enumerate(numbers):
            sent = i < 20
            conn.execute(
                insert(mail_outbox).values(
                    kind="win_back",
                    card_id=ids[number],
                    customer_id=customers_of[ids[number]],
                    occasion="win_back:2026-01-05",
                    state="sent" if sent else "held_out",
                    decided_at=sent_at,
                    sent_at=sent_at if sent else None,
                    stale_at=sent_at + timedelta(days=7),
                )
            )
    # 12 of the 20 e-mailed came back within 30 days (10.00 each), one more
    # only after 40 days (not counted); 4 of the 20 held out came back, and a
    # fifth whose sale was refunded (not counted).
    for number in numbers[:12]:
        desk.checkout(card=number, amount="10.00", at="2026-03-13T10:00:00+01:00")
    desk.checkout(card=numbers[12], amount="10.00", at="2026-04-20T10:00:00+02:00")
    for number in numbers[20:24]:
        desk.checkout(card=number, amount="10.00", at="2026-03-15T10:00:00+01:00")
    refunded = desk.checkout(card=numbers[24], amount="10.00", at="2026-03-15T11:00:00+01:00")
    desk.refund(refunded.checkout)
    # Three of the e-mailed redeemed a win-back coupon costing 0.30.
    with desk.store.engine.begin() as conn:
        for i in range(3):
            conn.execute(
                insert(coupons).values(
                    code=f"TEST000{i}",
                    card_id=ids[numbers[i]],
                    cycle=1000 + i,
                    milestone_at=-1,
                    reward="Café offert",
                    origin="win_back",
                    issued_at=sent_at,
                    expires_at=sent_at + timedelta(days=14),
                    redeemed_at=sent_at + timedelta(days=3),
                    cost_cents=30,
                )
            )
        conn.execute(update(checkouts).values(till="comptoir"))
    report = desk.report("2026-03-01", "2026-03-31")
    f = report.messages["win_back"]
    assert (f.sent, f.held_out) == (20, 20)
    assert (f.came_back_sent, f.came_back_held_out) == (0.6, 0.2)
    assert (f.revenue_sent, f.revenue_held_out) == (Decimal("120.00"), Decimal("40.00"))
    assert (f.coupons_redeemed_sent, f.coupons_redeemed_held_out) == (3, 0)
    assert (f.uplift, f.uplift_low, f.uplift_high) == (0.4, 0.0963, 0.617)
    assert (f.extra_revenue, f.extra_reward_cost) == (Decimal("80.00"), Decimal("0.90"))
    assert f.verdict_code == "pays"
    assert f.verdict == (
        "Vous nous manquez : les e-mails sont rentables : 80,00 € de ventes en plus pour "
        "0,90 € de récompenses en plus."
    )
    data = report.to_dict()["messages"]["win_back"]
    assert (data["sent"], data["held_out"], data["extra_revenue"]) == (20, 20, "80.00")
    text = report_text(report, "fr_FR")
    assert "Vous nous manquez : 20 envoyés, 20 mis de côté ; revenus 60,0 % contre 20,0 % sans e-mail" in text
    assert "écart 40,0 points (intervalle à 95 % : 9,6 à 61,7)" in text
    # The HTML page says the same, the campaign's verdict as a verdict.
    page = report_html(report, "fr_FR")
    section = page[page.index('<section class="keep" id="messages">') :]
    assert "<h3>Vous nous manquez</h3>" in section
    assert html.escape("écart 40,0 points (intervalle à 95 % : 9,6 à 61,7)") in section
    assert f'<p class="verdict">{html.escape(f.verdict)}</p>' in section
