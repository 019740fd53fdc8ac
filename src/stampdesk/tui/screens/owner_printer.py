"""The owner's printer settings: the printer's URL and model, the lines at
the top and bottom of every receipt, a test page to try them, and saving
them to the config file (the till uses them at once). Above them, a warning
when the receipts' QR codes cannot open on a customer's phone. Below them,
when the receipt-printer plugin (``stampdesk proxy``) saw receipts today,
what it did with them (read from its journal, in a worker)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from ...config import PrinterSettings
from ...desk import Desk
from ...domain.errors import StampdeskError
from ..owner_text import OwnerText
from ..present import printer_state
from ..widgets.plain import PlainLabel, PlainStatic

if TYPE_CHECKING:
    from ...proxy.journal import DaySummary

FIELDS = ("url", "profile", "header", "footer")
LINE_SEPARATOR = "|"  # "Café Bleu | 12 rue du Port": two receipt lines in one field
MAX_LINES = 4


@dataclass
class TestPrinted(Message):
    """The test page's outcome: ``reason`` is None when it printed."""

    url: str
    reason: str | None
    detail: str | None


@dataclass
class PrinterSaved(Message):
    path: str


@dataclass
class ProxyDay(Message):
    """What the receipt-printer plugin did today, from its journal."""

    summary: DaySummary


def split_lines(value: str) -> tuple[str, ...]:
    """A header or footer field as receipt lines."""
    return tuple(line.strip() for line in value.split(LINE_SEPARATOR) if line.strip())


class PrinterPane(Vertical):
    """The printer's settings form, with a test print (ctrl+t) and save (ctrl+s)."""

    def __init__(self, desk: Desk, text: OwnerText, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.desk = desk
        self.text = text
        self.busy = False

    def compose(self) -> ComposeResult:
        tr = self.text
        printer = self.desk.settings.printer
        values = {
            "url": printer.url or "",
            "profile": printer.profile or "",
            "header": f" {LINE_SEPARATOR} ".join(printer.header),
            "footer": f" {LINE_SEPARATOR} ".join(printer.footer),
        }
        yield PlainStatic(tr("printer.title"), classes="ed-section")
        # Receipt QR codes a phone cannot open: said where receipts are set up.
        for warning in self.desk.setup_warnings():
            yield PlainStatic(warning.said(tr), id="printer-public-url", classes="ed-warning")
        for name in FIELDS:
            field = Input(
                values[name],
                placeholder=tr(f"printer.placeholder.{name}"),
                id=f"printer-{name}",
                compact=True,
            )
            yield self._row(f"printer.{name}", field)
        yield PlainStatic(tr("printer.hint"), classes="ed-hint")
        yield PlainStatic("", id="printer-status-line")
        plugin = PlainStatic("", id="printer-proxy-line", classes="ed-hint")
        plugin.display = False  # shown once the plugin's journal says something
        yield plugin

    def on_mount(self) -> None:
        self.read_proxy_journal()

    @property
    def proxy_line(self) -> str:
        """What the receipt-printer plugin did today ("" when it saw nothing)."""
        return str(self.query_one("#printer-proxy-line", Static).content)

    def _row(self, key: str, field: Widget) -> Horizontal:
        return Horizontal(PlainLabel(self.text(key), classes="ed-label"), field, classes="ed-row")

    def _value(self, name: str) -> str:
        return self.query_one(f"#printer-{name}", Input).value.strip()

    @property
    def settings(self) -> PrinterSettings:
        """The settings as typed now (those the form does not show kept as they are)."""
        return replace(
            self.desk.settings.printer,
            url=self._value("url") or None,
            profile=self._value("profile") or None,
            header=split_lines(self._value("header")),
            footer=split_lines(self._value("footer")),
        )

    @property
    def status(self) -> str:
        """The line under the form (for tests and logs)."""
        return str(self.query_one("#printer-status-line", Static).content)

    @property
    def warning(self) -> str:
        """The set-up's warning above the form ("" when there is none)."""
        found = self.query("#printer-public-url")
        return str(found.first(Static).content) if found else ""

    def _say(self, line: str, kind: str = "") -> None:
        status = self.query_one("#printer-status-line", Static)
        status.update(line)
        status.set_classes(kind)

    def _checked(self) -> PrinterSettings | None:
        """The typed settings, or None after saying what is wrong with them."""
        settings = self.settings
        for lines in (settings.header, settings.footer):
            if len(lines) > MAX_LINES or any(len(line) > 48 for line in lines):
                self._say(self.text("printer.too_long", count=MAX_LINES), "-warning")
                return None
        return settings

    # ------------------------------------------------------------------
    # Actions (the owner's screen binds ctrl+t and ctrl+s to them)

    def test_print(self) -> None:
        settings = self._checked()
        if settings is None or self.busy:
            return
        self.busy = True
        self._say(self.text("printer.testing", url=settings.url or "-"))
        self.print_test(settings)

    def save(self) -> None:
        settings = self._checked()
        if settings is None or self.busy:
            return
        self.busy = True
        self.save_settings(settings)

    # ------------------------------------------------------------------
    # Workers: printer and file work, never in the UI thread

    @work(thread=True, exclusive=True, exit_on_error=False, group="printer-settings", name="test-print")
    def print_test(self, settings: PrinterSettings) -> None:
        """Print the test page on the printer as typed (saved or not)."""
        from ...print_outbox import check_printer_settings, print_test_page

        printer = check_printer_settings(settings.url, settings.profile)
        outcome = print_test_page(self.desk, printer, settings)  # header and footer as typed
        self.post_message(TestPrinted(printer.url, outcome.reason, outcome.message))

    @work(thread=True, exclusive=True, exit_on_error=False, group="printer-settings", name="save-printer")
    def save_settings(self, settings: PrinterSettings) -> None:
        """Check the URL and model, then keep them in the config file."""
        if settings.url:
            from ...print_outbox import check_printer_settings

            check_printer_settings(settings.url, settings.profile)
        path = self.desk.set_printer(settings)
        self.post_message(PrinterSaved(str(path)))

    @work(thread=True, exclusive=True, exit_on_error=False, group="proxy-journal", name="proxy-journal")
    def read_proxy_journal(self) -> None:
        """Count today's receipts in the plugin's journal (a small file beside the config)."""
        from ...proxy.journal import default_folder, summary

        settings = self.desk.settings
        folder = settings.proxy.journal or default_folder()
        today = self.desk.now().astimezone(settings.zone).date()
        self.post_message(ProxyDay(summary(folder, today)))

    @on(ProxyDay)
    def _proxy_day(self, message: ProxyDay) -> None:
        day, tr = message.summary, self.text
        if not day.seen:
            return
        line = tr("proxy.owner.line", seen=day.seen, recorded=day.recorded, unchanged=day.unchanged)
        if day.reasons:
            said = {
                code: tr(f"proxy.reason.{code}") if f"proxy.reason.{code}" in tr else code
                for code in day.reasons
            }
            reasons = ", ".join(f"{said[code]} ({count})" for code, count in day.reasons.items())
            line += "\n" + tr("proxy.owner.why", reasons=reasons)
        plugin = self.query_one("#printer-proxy-line", Static)
        plugin.update(line)
        plugin.display = True

    @on(TestPrinted)
    def _test_printed(self, message: TestPrinted) -> None:
        self.busy = False
        if message.reason is None:
            self._say(self.text("printer.test_ok", url=message.url), "-success")
        else:
            state = printer_state(message.reason, self.text)
            self._say(self.text("printer.test_failed", state=state, detail=message.detail or ""), "-warning")

    @on(PrinterSaved)
    def _saved(self, message: PrinterSaved) -> None:
        self.busy = False
        self._say(self.text("printer.saved", path=message.path), "-success")

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        self.busy = False
        error = event.worker.error
        if isinstance(error, StampdeskError):
            self._say(self.text.error(error), "-warning")
        else:
            self.log.error("printer settings worker failed", error)
            self._say(self.text.problem(error), "-error")
