"""The owner's report: exact figures on a constructed history (hand-computed
below), refunds and lapsed stamps included, on SQLite and PostgreSQL; the
command line's formats."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from helpers import EXAMPLE_PROGRAM, Clock, make_desk, report_history
from stampdesk import InvalidInput
from stampdesk.desk import Desk
from stampdesk.models import cards, checkouts
from stampdesk.report_formats import report_csv, report_html, report_text


@pytest.fixture
def history(db_url: str) -> Iterator[Desk]:
    """The constructed history of ``helpers.report_history``: February's
    two members, then March's sales, refund, claim and redeemed cookie."""
    desk = report_history(db_url)
    yield desk
    desk.close()


def test_every_figure_of_a_constructed_month(history: Desk) -> None:
    r = history.report("2026-03-01", "2026-03-30")
    assert (r.start.isoformat(), r.end.isoformat(), r.days) == ("2026-03-01", "2026-03-30", 30)
    assert (r.members_total, r.members_new, r.members_active) == (3, 1, 2)
    assert (r.checkouts_members, r.checkouts_walkins) == (3, 3)
    assert (r.revenue_members, r.revenue_walkins) == (Decimal("24.00"), Decimal("18.00"))
    assert (r.avg_basket_members, r.avg_basket_walkins) == (Decimal("8.00"), Decimal("6.00"))
    assert r.visits_per_active_member == 1.5
    assert r.repeat_rate == 0.5  # of Ana and Ben (February), Ana came back
    # Sales' own stamps 2 + 1 + 1, Chloé's starter 2 and claimed 1.
    assert (r.stamps_issued, r.stamps_expired) == (7, 0)
    # Chloé's croissant and Ana's cookie; the refunded sale's cookie was cancelled.
    assert (r.coupons_issued, r.coupons_redeemed, r.redemption_rate) == (2, 1, 0.5)
    assert r.reward_cost == Decimal("0.45")
    assert r.reward_cost_share == round(0.45 / 24, 4)
    assert r.enrolments_by_channel == {"till": 0, "receipt_qr": 1, "import": 0}
    assert r.walkin_enrol_rate == round(1 / 3, 4)
    assert r.verdict == (
        "Les membres dépensent 2,00 € de plus par visite et viennent 1,5 fois en 30 jours ; "
        "les récompenses coûtent 1,9 % de leurs achats."
    )
    assert [(t.name, t.visits, t.spend) for t in r.top_customers] == [
        ("Ana", 2, Decimal("20.00")),
        ("Chloé", 1, Decimal("4.00")),
    ]
    assert r.top_customers[0].card.endswith(history.search("Ana")[0].number[-4:])
    february = next(c for c in r.cohorts if c.month == "2026-02")
    assert (february.members, february.returned) == (2, (0.5,))
    assert sum(w.visits_members for w in r.weeks) == 3 and sum(w.visits_walkins for w in r.weeks) == 3


def test_the_previous_month_and_the_default_period(history: Desk) -> None:
    february = history.report("2026-02-01", "2026-02-28")
    assert (february.members_new, february.checkouts_members, february.revenue_members) == (
        2,
        2,
        Decimal("15.00"),
    )
    assert february.enrolments_by_channel == {"till": 2, "receipt_qr": 0, "import": 0}
    assert (february.coupons_issued, february.coupons_redeemed) == (2, 0)  # Ana's and Ben's croissants
    default = history.report()  # the last 30 days: 2 to 31 March
    assert (default.start.isoformat(), default.end.isoformat()) == ("2026-03-02", "2026-03-31")


def test_lapsed_stamps_are_counted(sqlite_url: str) -> None:
    clock = Clock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    desk = make_desk(sqlite_url, clock)
    desk.load_program_text(
        EXAMPLE_PROGRAM.read_text().replace(
            "[program.coupons]", "[program.expiry]\nstamps_after_days = 30\n[program.coupons]"
        )
    )
    desk.enrol(name="Ana")  # 2 starter stamps, lapsing at the end of 4 February
    clock.advance(days=40)
    desk.expire()
    r = desk.report("2026-02-01", "2026-02-28")
    assert r.stamps_expired == 2 and r.stamps_issued == 0
    desk.close()


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        ("2026-03-31", "2026-03-01", "invalid_period"),
        ("March", None, "invalid_period"),
        ("2016-01-01", "2026-03-01", "invalid_period"),
    ],
)
def test_a_bad_period_is_refused(history: Desk, start: str, end: str | None, code: str) -> None:
    with pytest.raises(InvalidInput) as error:
        history.report(start, end)
    assert error.value.code == code


def test_the_formats_say_the_same(history: Desk) -> None:
    r = history.report("2026-03-01", "2026-03-30")
    text = report_text(r, "fr_FR")
    assert r.verdict in text and "Panier moyen membre" in text and "8,00 €" in text
    rows = dict(csv.reader(io.StringIO(report_csv(r))))
    assert rows["revenue_members"] == "24.00" and rows["repeat_rate"] == "0.5"
    assert rows["enrolments_receipt_qr"] == "1"
    page = report_html(r, "en_GB")
    assert "<script" not in page and "http" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "<svg" in page and "Members&#x27; average basket" in page


def test_the_report_command(sqlite_url: str, tmp_path: Path) -> None:
    from test_cli import ok_json, refused

    db = ("--db", sqlite_url)
    ok_json("init", *db)
    ok_json("program", "load", str(EXAMPLE_PROGRAM), *db)
    number = ok_json("enrol", "--name", "Ana", "--at", "2026-03-01T10:00:00+01:00", *db)["number"]
    ok_json("checkout", "--card", number, "--amount", "12.50", "--at", "2026-03-02T10:00:00+01:00", *db)
    ok_json("checkout", "--amount", "7.50", "--at", "2026-03-03T10:00:00+01:00", *db)
    data = ok_json("report", "--from", "2026-03-01", "--to", "2026-03-31", *db)
    assert (data["revenue_members"], data["revenue_walkins"]) == ("12.50", "7.50")
    assert (data["members_new"], data["checkouts_members"], data["stamps_issued"]) == (1, 1, 2 + 2)
    assert 0 <= data["repeat_rate"] <= 1 and isinstance(data["redemption_rate"], float | int)
    assert data["enrolments_by_channel"] == {"till": 1, "receipt_qr": 0, "import": 0}
    for form in ("csv", "html", "text"):
        out = tmp_path / f"report.{form}"
        written = ok_json(
            "report", "--from", "2026-03-01", "--to", "2026-03-31", "--format", form, "--out", str(out), *db
        )
        assert written == {"out": str(out), "format": form}
        assert data["verdict"].split(" ")[0] in out.read_text(encoding="utf-8") or form == "csv"
    assert "revenue_members,12.50" in (tmp_path / "report.csv").read_text()
    assert refused("report", "--from", "2026-03-31", "--to", "2026-03-01", *db)["code"] == "invalid_period"


def test_the_html_page_escapes_and_writes_for_the_locale(history: Desk) -> None:
    r = history.report("2026-03-01", "2026-03-30")
    hostile = replace(
        r,
        top_customers=(replace(r.top_customers[0], name='<script>alert("x")</script>'),),
        verdict="Tout va bien <img src=x onerror=alert(1)> & plus",
    )
    page = report_html(hostile, "fr_FR")
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "Tout va bien &lt;img src=x onerror=alert(1)&gt; &amp; plus" in page
    # French figures: comma decimals and no-break spaces before € and %.
    assert "8,00\u00a0€" in page and "50,0\u00a0%" in page and "01/03/2026 → 30/03/2026 (30 jours)" in page
    assert '<th scope="row">février 2026</th>' in page  # the retention table's months by name
    english = report_html(r, "en_GB")
    assert "€8.00" in english and "50.0%" in english and "01/03/2026 → 30/03/2026 (30 days)" in english
    # Every chart speaks to screen readers, and every bar says what it is.
    assert page.count('role="img"') == page.count("<svg") == 8
    assert page.count("<rect") >= 2 * len(r.weeks)


def test_the_retention_table_forgets_a_month_whose_only_sales_were_refunded(history: Desk) -> None:
    def february() -> tuple[float, ...]:
        r = history.report("2026-03-01", "2026-03-30")
        return next(c.returned for c in r.cohorts if c.month == "2026-02")

    assert february() == (0.5,)  # Ana came back in March, Ben did not
    ana = history.search("Ana")[0].number
    with history.store.read() as conn:
        march = (
            conn.execute(
                select(checkouts.c.id)
                .join(cards, cards.c.id == checkouts.c.card_id)
                .where(cards.c.number == ana, checkouts.c.day >= "2026-03-01")
            )
            .scalars()
            .all()
        )
    assert len(march) == 2
    history.refund(march[0])
    assert february() == (0.5,)  # her other March sale still counts
    history.refund(march[1])
    assert february() == (0.0,)


def test_imported_customers_are_counted_as_such(sqlite_url: str) -> None:
    from helpers import ROOT
    from stampdesk.services.importer import import_customers

    clock = Clock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    desk = make_desk(sqlite_url, clock)
    desk.load_program_file(EXAMPLE_PROGRAM)
    imported = import_customers(desk.store, ROOT / "examples" / "customers.csv")
    desk.enrol(name="Zoé Bernard")
    r = desk.report("2026-03-01", "2026-03-31")
    assert r.enrolments_by_channel == {"till": 1, "receipt_qr": 0, "import": imported.imported}
    assert r.members_new == imported.imported + 1
    desk.close()
