"""The owner's dashboard: is the programme worth it? The report of the
last 30 days (``Desk.report``) as the till can show it: the verdict, the
key figures, visits per week drawn with block characters, coupons, the
retention table and the top customers.

The report's code is imported by the worker that reads it, not when the
owner's screens open: the till starts without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from rich.text import Text as RichText
from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from ...desk import Desk
from ...domain.errors import StampdeskError
from ..owner_text import OwnerText
from ..widgets.plain import PlainDataTable, PlainStatic, literal

if TYPE_CHECKING:
    from ...desk import Report

MEMBERS_STYLE = "bold #4f7df3"
WALKINS_STYLE = "bold #f28c38"
BAR_WIDTH = 22  # columns for the longest bar: two bars and their figures fit in 80


@dataclass
class DashboardLoaded(Message):
    report: Report
    view: DashboardView


@dataclass(frozen=True)
class DashboardView:
    """What the dashboard shows, in the owner's language, built in the
    worker from the report (no widget touched there)."""

    verdict: str
    period: str
    figures: list[str]
    weeks: RichText
    coupons: RichText
    cohort_columns: list[str]
    cohort_rows: list[list[str | RichText]]
    top_columns: list[str]
    top_rows: list[list[str]]


def _bar(count: float, top: float, style: str, char: str) -> RichText:
    """A bar of ``char`` as long as ``count`` is of ``top``; a thin mark for
    a count above zero too small to draw."""
    cells = round(BAR_WIDTH * count / top) if top else 0
    if count and not cells:
        return RichText("▏", style=style)
    return RichText(char * cells, style=style)


def _heat(share: float) -> str:
    """The retention cell's background: dim for none, bright blue for all."""
    low, high = (40, 44, 52), (37, 99, 235)
    r, g, b = (round(lo + (hi - lo) * min(max(share, 0.0), 1.0)) for lo, hi in zip(low, high, strict=True))
    return f"#ffffff on #{r:02x}{g:02x}{b:02x}"


def dashboard_view(report: Report, text: OwnerText) -> DashboardView:
    """The dashboard's texts, bars and table rows for ``report``."""
    from ...report_formats import value_text

    tr, locale = text, text.locale

    def v(key: str) -> str:
        return value_text(key, getattr(report, key), locale)

    figures = [
        tr("dash.basket", members=v("avg_basket_members"), walkins=v("avg_basket_walkins")),
        tr(
            "dash.visits",
            visits=v("visits_per_active_member"),
            sales=report.checkouts_members,
            members=report.members_active,
        ),
        tr("dash.repeat", rate=v("repeat_rate")),
        tr("dash.cost", cost=v("reward_cost"), share=v("reward_cost_share")),
        tr("dash.new", count=report.members_new, total=report.members_total),
        tr("dash.claimed", rate=v("walkin_enrol_rate")),
    ]

    weeks = RichText()
    weeks.append("█ ", style=MEMBERS_STYLE)
    weeks.append(tr("dash.members"))
    weeks.append("   ▒ ", style=WALKINS_STYLE)
    weeks.append(tr("dash.walkins"))
    top = max([1] + [max(w.visits_members, w.visits_walkins) for w in report.weeks])
    figure = len(str(top))  # the widest count: a label never runs into the next bar
    partial = False
    for week in report.weeks:
        # A week the period cuts (its first or last) counts fewer days: marked,
        # so that it does not read as a drop.
        cut = week.start < report.start or week.start + timedelta(days=6) > report.end
        partial = partial or cut
        weeks.append(f"\n{week.start.strftime('%d/%m')}{'*' if cut else ' '} ")
        bar = _bar(week.visits_members, top, MEMBERS_STYLE, "█")
        weeks.append_text(bar)
        weeks.append(f" {week.visits_members:>{figure}} ".ljust(BAR_WIDTH + figure + 3 - len(bar)))
        weeks.append_text(_bar(week.visits_walkins, top, WALKINS_STYLE, "▒"))
        weeks.append(f" {week.visits_walkins}")
    if partial:
        weeks.append(f"\n* {tr('dash.partial_week')}", style="dim")

    coupons = RichText()
    most = max(1, report.coupons_issued, report.coupons_redeemed)
    label = max(len(tr("dash.issued")), len(tr("dash.redeemed")))
    coupons.append(tr("dash.issued").ljust(label + 1))
    coupons.append_text(_bar(report.coupons_issued, most, "bold #9ca3af", "█"))
    coupons.append(f" {report.coupons_issued}\n")
    coupons.append(tr("dash.redeemed").ljust(label + 1))
    coupons.append_text(_bar(report.coupons_redeemed, most, MEMBERS_STYLE, "█"))
    coupons.append(f" {report.coupons_redeemed} ({v('redemption_rate')})")

    span = max([1] + [len(c.returned) for c in report.cohorts])
    cohort_columns = [tr("dash.month"), tr("dash.members")] + [f"M+{n}" for n in range(1, span + 1)]
    cohort_rows: list[list[str | RichText]] = []
    for cohort in report.cohorts:
        row: list[str | RichText] = [text.month(cohort.month), str(cohort.members)]
        for share in cohort.returned:
            if cohort.members:
                row.append(RichText(f" {value_text('repeat_rate', share, locale)} ", style=_heat(share)))
            else:
                row.append("—")
        row += [""] * (span - len(cohort.returned))
        cohort_rows.append(row)

    top_rows = [
        [str(rank), t.name, f"…{t.card[-4:]}", str(t.visits), tr.money(t.spend)]
        for rank, t in enumerate(report.top_customers, 1)
    ]
    return DashboardView(
        verdict=report.verdict,
        period=tr(
            "dash.period",
            start=tr.day(report.start),
            end=tr.day(report.end),
            days=report.days,
        ),
        figures=figures,
        weeks=weeks,
        coupons=coupons,
        cohort_columns=cohort_columns,
        cohort_rows=cohort_rows,
        top_columns=["#", tr("dash.name"), tr("dash.card"), tr("dash.visits_column"), tr("dash.spend")],
        top_rows=top_rows,
    )


class DashboardPane(VerticalScroll):
    """The report of the last 30 days, read in a worker when the tab opens
    (and on ^r); the pane scrolls with the arrows, the page keys and the mouse."""

    can_focus = True

    def __init__(self, desk: Desk, text: OwnerText, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.desk = desk
        self.text = text
        self.report: Report | None = None

    def compose(self) -> ComposeResult:
        tr = self.text
        yield PlainStatic(tr("dash.loading"), id="dash-verdict")
        yield PlainStatic("", id="dash-period")
        figures = PlainStatic("", id="dash-figures")
        figures.border_title = literal(tr("dash.figures"))
        yield figures
        weeks = PlainStatic("", id="dash-weeks")
        weeks.border_title = literal(tr("dash.weeks"))
        yield weeks
        coupons = PlainStatic("", id="dash-coupons")
        coupons.border_title = literal(tr("dash.coupons"))
        yield coupons
        yield PlainStatic(tr("dash.retention"), classes="dash-heading")
        cohorts = PlainDataTable(id="dash-cohorts", show_cursor=False, zebra_stripes=False)
        cohorts.can_focus = False  # the pane scrolls; the tables only show
        yield cohorts
        yield PlainStatic(tr("dash.top"), classes="dash-heading")
        top = PlainDataTable(id="dash-top", show_cursor=False, zebra_stripes=True)
        top.can_focus = False
        yield top

    @property
    def verdict(self) -> str:
        """The verdict line as shown (or the loading or error message)."""
        return str(self.query_one("#dash-verdict", Static).content)

    @property
    def figures(self) -> str:
        return str(self.query_one("#dash-figures", Static).content)

    @work(thread=True, exclusive=True, exit_on_error=False, group="dashboard", name="dashboard")
    def load_report(self) -> None:
        """Read the last 30 days' report and lay it out."""
        report = self.desk.report()
        self.post_message(DashboardLoaded(report, dashboard_view(report, self.text)))

    @on(DashboardLoaded)
    def _loaded(self, message: DashboardLoaded) -> None:
        self.report = message.report
        view = message.view
        verdict = self.query_one("#dash-verdict", Static)
        verdict.remove_class("-error")
        verdict.update(view.verdict)
        self.query_one("#dash-period", Static).update(view.period)
        self.query_one("#dash-figures", Static).update("\n".join(view.figures))
        self.query_one("#dash-weeks", Static).update(view.weeks)
        self.query_one("#dash-coupons", Static).update(view.coupons)
        cohorts = self.query_one("#dash-cohorts", PlainDataTable)
        cohorts.clear(columns=True)
        cohorts.add_columns(*view.cohort_columns)
        cohorts.add_rows(view.cohort_rows)
        top = self.query_one("#dash-top", PlainDataTable)
        top.clear(columns=True)
        top.add_columns(*view.top_columns)
        if view.top_rows:
            top.add_rows(view.top_rows)
        else:
            top.add_row("", self.text("dash.nobody"), "", "", "")

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        if not isinstance(error, StampdeskError):
            self.log.error("dashboard worker failed", error)
        detail = self.text.problem(error)
        verdict = self.query_one("#dash-verdict", Static)
        verdict.add_class("-error")
        verdict.update(self.text("dash.failed", detail=detail))
