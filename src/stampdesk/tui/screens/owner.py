"""The owner's screens, behind an owner's PIN: the programme editor, the
staff list, today's figures and the printer, one tab each (F2 to F5), and
the dashboard of the last 30 days (F9, the key that opened these screens).

Keyboard-first like the till: function keys and ctrl combos only, Escape
goes back to the till (after a warning when the programme is not saved).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static, TabbedContent
from textual.worker import Worker, WorkerState

from ...desk import Desk, Overview
from ...domain.errors import StampdeskError
from ...results import Leaderboard
from ..keys import translate_bindings
from ..owner_text import OwnerText
from ..widgets.plain import PlainStatic, PlainTabPane, literal
from .owner_dashboard import DashboardPane
from .owner_printer import PrinterPane
from .owner_programme import ProgrammeEditor
from .owner_staff import StaffPane

# How many customers of the month fit beside today's figures at 80×24.
BOARD_SIZE = 5


@dataclass
class OverviewLoaded(Message):
    overview: Overview
    leaderboard: Leaderboard


def overview_lines(overview: Overview, text: OwnerText) -> list[str]:
    """Today's figures as the owner reads them."""
    tr = text
    printer = overview.printer_url or tr("overview.printer_none")
    return [
        tr("overview.title", day=tr.day(overview.day)),
        "",
        tr("overview.sales", count=overview.sales, amount=tr.money(overview.amount)),
        tr("overview.refunded", count=overview.refunded),
        tr("overview.stamps", count=overview.stamps_given),
        tr("overview.enrolments", count=overview.enrolments),
        tr("overview.coupons_issued", count=overview.coupons_issued),
        tr("overview.coupons_redeemed", count=overview.coupons_redeemed),
        mails_line(overview, tr),
        "",
        tr("overview.printer", url=printer),
        tr("overview.printer_note"),
    ]


def mails_line(overview: Overview, text: OwnerText) -> str:
    """The customer e-mails of the day, or why none can go."""
    if not overview.mail_server:
        return text("overview.mails_off")
    return text(
        "overview.mails",
        sent=overview.mails_sent,
        waiting=overview.mails_waiting,
        failed=overview.mails_failed,
    )


def board_lines(board: Leaderboard, text: OwnerText) -> list[str]:
    """The customer-of-the-month board as the owner reads it, in columns
    that fit its box: rank, first name, the card's last digits, the
    month's visits."""
    tr = text
    if not board.entries:
        return [tr("board.empty")]
    head = f"   {tr('board.name'):<14}{tr('board.card'):<5} {tr('board.visits'):>7}"
    return [head] + [f"{e.rank}. {e.name[:13]:<14}…{e.card[-4:]} {e.visits:>7}" for e in board.entries]


def board_month(board: Leaderboard, text: OwnerText) -> str:
    """ "mars 2026 · volontaires": under the box, its month by name, as the
    dashboard writes its months, and who may be on it."""
    return text("board.month", month=text.month(board.month))


class OverviewPane(VerticalScroll):
    """Today's sales, stamps, new cards and coupons; the printer setting;
    beside them, the customers of the month."""

    can_focus = True

    def __init__(self, desk: Desk, text: OwnerText, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.desk = desk
        self.text = text
        self.overview: Overview | None = None
        self.leaderboard: Leaderboard | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="overview-columns"):
            yield PlainStatic(self.text("overview.loading"), id="overview-lines")
            board = PlainStatic("", id="overview-board")
            board.border_title = literal(self.text("board.title"))
            yield board

    @property
    def plain(self) -> str:
        """What the pane shows (for tests and logs)."""
        return str(self.query_one("#overview-lines", Static).content)

    @property
    def board(self) -> str:
        """What the customer-of-the-month box shows (for tests and logs)."""
        return str(self.query_one("#overview-board", Static).content)

    @work(thread=True, exclusive=True, exit_on_error=False, group="overview", name="overview")
    def load_overview(self) -> None:
        """Read today's figures and this month's board."""
        overview = self.desk.overview()
        board = self.desk.leaderboard(limit=BOARD_SIZE)
        self.post_message(OverviewLoaded(overview, board))

    @on(OverviewLoaded)
    def _loaded(self, message: OverviewLoaded) -> None:
        self.overview = message.overview
        self.leaderboard = message.leaderboard
        self.query_one("#overview-lines", Static).update(
            "\n".join(overview_lines(message.overview, self.text))
        )
        box = self.query_one("#overview-board", Static)
        box.border_subtitle = literal(board_month(message.leaderboard, self.text))
        box.update("\n".join(board_lines(message.leaderboard, self.text)))

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            if not isinstance(error, StampdeskError):
                self.log.error("overview worker failed", error)
            line = self.text.problem(error)
            self.query_one("#overview-lines", Static).update(line)


class OwnerScreen(Screen[None]):
    """The owner's tabs (see the module docstring)."""

    CSS_PATH = "owner.tcss"
    AUTO_FOCUS = "#ed-name"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "key.back", key_display="keyname.escape"),
        Binding("f2", "tab('programme')", show=False),
        Binding("f3", "tab('staff')", show=False),
        Binding("f4", "tab('today')", show=False),
        Binding("f5", "tab('printer')", show=False),
        # F9 opened the owner's screens from the till; here it opens the dashboard.
        Binding("f9", "tab('dashboard')", "key.dashboard", key_display="F9"),
        Binding("ctrl+s", "save", "key.save", key_display="^s", priority=True),
        Binding("f6", "add_milestone", "key.add_milestone", key_display="F6"),
        Binding("f7", "remove_milestone", "key.remove_milestone", key_display="F7"),
        Binding("f8", "deactivate", "key.deactivate", key_display="F8"),
        Binding("ctrl+r", "refresh", "key.refresh", key_display="^r"),
        Binding("ctrl+t", "test_print", "key.test_print", key_display="^t"),
    ]
    # Which tab each action belongs to (the footer shows only the tab's own).
    _TAB_OF: ClassVar[dict[str, str]] = {
        "add_milestone": "programme",
        "remove_milestone": "programme",
        "deactivate": "staff",
        "refresh": "today dashboard",
        "test_print": "printer",
    }

    def __init__(self, desk: Desk, text: OwnerText) -> None:
        super().__init__()
        translate_bindings(self, text)
        self.desk = desk
        self.text = text
        self._warned = False  # Escape with unsaved edits warns once

    def compose(self) -> ComposeResult:
        tr = self.text
        yield Header()
        with TabbedContent(initial="programme", id="owner-tabs"):
            with PlainTabPane(tr("owner.tab.programme"), id="programme"):
                yield ProgrammeEditor(self.desk, tr, id="editor")
            with PlainTabPane(tr("owner.tab.staff"), id="staff"):
                yield StaffPane(self.desk, tr, id="staff-pane")
            with PlainTabPane(tr("owner.tab.today"), id="today"):
                yield OverviewPane(self.desk, tr, id="overview")
            with PlainTabPane(tr("owner.tab.printer"), id="printer"):
                yield PrinterPane(self.desk, tr, id="printer-pane")
            with PlainTabPane(tr("owner.tab.dashboard"), id="dashboard"):
                yield DashboardPane(self.desk, tr, id="dashboard-pane")
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.text("owner.title")
        self.sub_title = ""

    @property
    def editor(self) -> ProgrammeEditor:
        return self.query_one("#editor", ProgrammeEditor)

    @property
    def staff(self) -> StaffPane:
        return self.query_one("#staff-pane", StaffPane)

    @property
    def overview(self) -> OverviewPane:
        return self.query_one("#overview", OverviewPane)

    @property
    def printer(self) -> PrinterPane:
        return self.query_one("#printer-pane", PrinterPane)

    @property
    def dashboard(self) -> DashboardPane:
        return self.query_one("#dashboard-pane", DashboardPane)

    @property
    def tab(self) -> str:
        """The tab shown: programme, staff, today, printer or dashboard."""
        return self.query_one("#owner-tabs", TabbedContent).active

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save":  # the programme, or the printer settings
            return self.tab in ("programme", "printer")
        if action == "tab":  # the dashboard's key is shown on the other tabs only
            return parameters != (self.tab,) or None
        tabs = self._TAB_OF.get(action)
        return tabs is None or self.tab in tabs.split()

    # ------------------------------------------------------------------
    # Key bindings

    def action_tab(self, tab: str) -> None:
        """F2 to F5, F9: show a tab."""
        self.query_one("#owner-tabs", TabbedContent).active = tab

    @on(TabbedContent.TabActivated)
    def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()
        tab = self.tab
        if tab == "programme":
            self.query_one("#ed-name", Input).focus()
        elif tab == "staff":
            self.query_one("#staff-name", Input).focus()
        elif tab == "printer":
            self.query_one("#printer-url", Input).focus()
        elif tab == "dashboard":
            self.dashboard.focus()
            self.dashboard.load_report()
        else:
            self.overview.focus()
            self.overview.load_overview()

    def action_save(self) -> None:
        """ctrl+s: save the programme, or on the printer tab its settings."""
        if self.tab == "printer":
            self.printer.save()
            return
        self._warned = False
        self.editor.save()

    def action_test_print(self) -> None:
        """ctrl+t: a test page on the printer as typed."""
        self.printer.test_print()

    async def action_add_milestone(self) -> None:
        await self.editor.add_milestone()

    async def action_remove_milestone(self) -> None:
        await self.editor.remove_milestone()

    def action_deactivate(self) -> None:
        self.staff.deactivate()

    def action_refresh(self) -> None:
        if self.tab == "dashboard":
            self.dashboard.load_report()
        else:
            self.overview.load_overview()

    def action_close(self) -> None:
        """Escape: back to the till; a programme not saved asks for a second Escape."""
        if self.editor.dirty and not self._warned:
            self._warned = True
            self.action_tab("programme")
            self.query_one("#editor-status", Static).update(self.text("owner.unsaved"))
            self.query_one("#editor-status", Static).set_classes("-warning")
            return
        self.dismiss(None)
