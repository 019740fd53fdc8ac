"""The owner's staff list: who may sign in at the till, add a member with
their PIN (typed twice, never shown), deactivate one."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, OptionList, Select, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from ...desk import PIN_DIGITS, ROLES, Desk, StaffMember
from ...domain.errors import StampdeskError
from ..owner_text import OwnerText
from ..widgets.plain import PlainLabel, PlainOptionList, PlainSelect, PlainStatic
from .confirm import ConfirmScreen


@dataclass
class StaffListed(Message):
    """The active members of staff, owners first."""

    members: tuple[StaffMember, ...]


@dataclass
class StaffAdded(Message):
    member: StaffMember


@dataclass
class StaffDeactivated(Message):
    member: StaffMember


class StaffPane(Horizontal):
    """The list on the left, the form to add someone on the right."""

    # Where the owner retypes after a refusal, by the engine's error code.
    _RETRY_FIELD: ClassVar[dict[str, str]] = {
        "invalid_name": "staff-name",
        "duplicate_name": "staff-name",
        "invalid_role": "staff-role",
        "no_owner": "staff-role",
        "invalid_pin": "staff-pin",
        "pin_taken": "staff-pin",
        "weak_pin": "staff-pin",
    }
    # Refusals said in the till's language rather than the engine's words.
    _REFUSAL_TEXT: ClassVar[dict[str, str]] = {"weak_pin": "staff.weak_pin"}

    def __init__(self, desk: Desk, text: OwnerText, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.desk = desk
        self.text = text
        self.members: dict[str, StaffMember] = {}
        self.busy = False

    def compose(self) -> ComposeResult:
        tr = self.text
        with Vertical(id="staff-left"):
            yield PlainStatic(tr("staff.title"), classes="ed-section")
            yield PlainOptionList(id="staff-list")
        with Vertical(id="staff-form"):
            yield PlainStatic(tr("staff.add"), classes="ed-section")
            yield self._row("staff.name", Input(id="staff-name", compact=True))
            roles = [(tr.role(role), role) for role in ROLES]
            yield self._row(
                "staff.role",
                PlainSelect(roles, allow_blank=False, value="cashier", id="staff-role", compact=True),
            )
            for name, key in (("staff-pin", "staff.pin"), ("staff-pin2", "staff.pin_again")):
                field = Input(
                    password=True, restrict=r"[0-9]*", max_length=PIN_DIGITS[1], id=name, compact=True
                )
                yield self._row(key, field)
            yield PlainStatic(tr("staff.hint"), classes="ed-hint")
            yield PlainStatic("", id="staff-status")

    def _row(self, key: str, field: Widget) -> Horizontal:
        return Horizontal(PlainLabel(self.text(key), classes="ed-label"), field, classes="ed-row")

    def on_mount(self) -> None:
        self.load_staff()

    @property
    def status(self) -> str:
        """The line under the form (for tests and logs)."""
        return str(self.query_one("#staff-status", Static).content)

    def _say(self, line: str, kind: str = "") -> None:
        status = self.query_one("#staff-status", Static)
        status.update(line)
        status.set_classes(kind)

    def _input(self, name: str) -> Input:
        return self.query_one(f"#{name}", Input)

    # ------------------------------------------------------------------
    # The owner's input

    @on(Input.Submitted, "#staff-name")
    def _name_submitted(self) -> None:
        self.query_one("#staff-role", Select).focus()

    @on(Select.Changed, "#staff-role")
    def _role_chosen(self) -> None:
        if self.query_one("#staff-role", Select).has_focus:
            self._input("staff-pin").focus()

    @on(Input.Submitted, "#staff-pin")
    def _pin_submitted(self) -> None:
        self._input("staff-pin2").focus()

    @on(Input.Submitted, "#staff-pin2")
    def _add(self) -> None:
        name = self._input("staff-name").value.strip()
        pin, again = self._input("staff-pin").value, self._input("staff-pin2").value
        role = self.query_one("#staff-role", Select).value
        if self.busy:
            return
        if not name:
            self._say(self.text("staff.name_empty"), "-warning")
            self._input("staff-name").focus()
            return
        if pin != again:
            self._say(self.text("staff.pins_differ"), "-warning")
            self._clear_pins()
            return
        self.busy = True
        self.add_member(name, str(role), pin)

    def _clear_pins(self) -> None:
        self._input("staff-pin").value = ""
        self._input("staff-pin2").value = ""
        self._input("staff-pin").focus()

    def deactivate(self) -> None:
        """F8: deactivate the member highlighted in the list (after a yes)."""
        listed = self.query_one("#staff-list", OptionList)
        option = listed.highlighted_option
        member = self.members.get(option.id or "") if option is not None else None
        if member is None:
            self._say(self.text("staff.choose"), "-warning")
            listed.focus()
            return
        tr = self.text
        question = ConfirmScreen(
            tr("staff.deactivate.title", name=member.name),
            tr("staff.deactivate.body", name=member.name),
            yes=tr("staff.deactivate.yes"),
            no=tr("staff.deactivate.no"),
        )
        self.app.push_screen(question, partial(self._deactivate_confirmed, member))

    def _deactivate_confirmed(self, member: StaffMember, confirmed: bool | None) -> None:
        if not confirmed:
            self._say(self.text("staff.deactivate.cancelled"))
        elif not self.busy:
            self.busy = True
            self.deactivate_member(member.name)

    # ------------------------------------------------------------------
    # Workers

    @work(thread=True, exclusive=True, exit_on_error=False, group="staff-list", name="staff-list")
    def load_staff(self) -> None:
        """Read the active members of staff."""
        self.post_message(StaffListed(self.desk.staff()))

    @work(thread=True, exit_on_error=False, group="staff-write", name="staff-add")
    def add_member(self, name: str, role: str, pin: str) -> None:
        """Add a member of staff (the engine checks and hashes the PIN)."""
        self.post_message(StaffAdded(self.desk.add_staff(name, role, pin)))

    @work(thread=True, exit_on_error=False, group="staff-write", name="staff-deactivate")
    def deactivate_member(self, name: str) -> None:
        """Take a member's access away."""
        self.post_message(StaffDeactivated(self.desk.deactivate_staff(name)))

    # ------------------------------------------------------------------
    # What the engine answered

    @on(StaffListed)
    def _listed(self, message: StaffListed) -> None:
        tr = self.text
        listed = self.query_one("#staff-list", OptionList)
        listed.clear_options()
        self.members = {str(m.id): m for m in message.members}
        if not message.members:
            listed.add_option(Option(tr("staff.none"), disabled=True))
            self.query_one("#staff-role", Select).value = "owner"  # the first one must be
            return
        listed.add_options(
            Option(tr("staff.line", name=m.name, role=tr.role(m.role)), id=str(m.id)) for m in message.members
        )
        listed.highlighted = 0

    @on(StaffAdded)
    def _added(self, message: StaffAdded) -> None:
        member = message.member
        self.busy = False
        self._input("staff-name").value = ""
        self._clear_pins()
        self._input("staff-name").focus()
        self._say(self.text("staff.added", name=member.name, role=self.text.role(member.role)), "-success")
        self.load_staff()

    @on(StaffDeactivated)
    def _deactivated(self, message: StaffDeactivated) -> None:
        self.busy = False
        self._say(self.text("staff.deactivated", name=message.member.name), "-success")
        self.load_staff()

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group == "staff-write" and event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self.busy = False
        if event.state is not WorkerState.ERROR:
            return
        error = worker.error
        if isinstance(error, StampdeskError):
            key = self._REFUSAL_TEXT.get(error.code)
            self._say(self.text(key) if key else self.text.error(error), "-error")
            retry = self._RETRY_FIELD.get(error.code)
            if retry == "staff-pin":
                self._clear_pins()
            elif retry is not None:
                self.query_one(f"#{retry}").focus()
        else:
            self.log.error(f"{worker.name} worker failed", error)
            self._say(self.text.problem(error), "-error")
