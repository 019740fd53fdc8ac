"""The owner's programme editor: the form on the left, a live preview of the
card and of the receipt on the right.

Every keystroke rebuilds the programme file from the form and parses it with
the domain's ``parse_program_toml`` (pure, instant): a valid form redraws the
preview, an invalid one shows the parser's error above the form. Saving
loads that same text through ``Desk.load_program_text`` in a thread worker.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from ...desk import Desk
from ...domain.errors import InvalidInput, NotFound, StampdeskError
from ...domain.program import Program
from ...results import ProgramInfo
from ..messages import ProgrammeLoaded
from ..owner_text import OwnerText
from ..widgets.plain import PlainLabel, PlainStatic
from ..widgets.stamp_grid import StampGrid
from .programme_form import MAIL_FIELDS, MilestoneRow, ProgrammeForm, sample_receipt, sample_sale

# The form's single-line fields, in the order they are shown (after the
# name and the card's size come the milestones, then the earning rules).
CARD_FIELDS = ("name", "stamps_per_card", "starter_stamps")
EARNING_FIELDS = ("per_visit", "min_amount", "per_amount", "max_per_day", "valid_days")
OPTIONAL_FIELDS = ("min_amount", "per_amount", "max_per_day")
# The e-mails to customers (a field each: empty, not sent), the share held
# out to measure them and the most a customer gets in a week.
MAILING_FIELDS = (*MAIL_FIELDS, "holdout", "max_per_week")
FORM_FIELDS = (*CARD_FIELDS, *EARNING_FIELDS, *MAILING_FIELDS)


@dataclass
class ProgrammeSaved(Message):
    """The edited programme was loaded; ``before`` is the version it replaced."""

    programme: ProgramInfo
    before: int | None


@dataclass
class NoProgramme(Message):
    """The shop has no programme yet: the editor starts from a blank one."""


class MilestoneField(Horizontal):
    """One milestone: the stamps it is reached at, and its reward."""

    def __init__(self, row: MilestoneRow, number: int, text: OwnerText) -> None:
        super().__init__(classes="ms-row")
        self.row = row
        self.number = number
        self.text = text

    def compose(self) -> ComposeResult:
        yield Input(self.row.at, placeholder="n", id=f"ms-at-{self.number}", classes="ms-at", compact=True)
        yield Input(
            self.row.reward,
            placeholder=self.text("editor.reward"),
            id=f"ms-reward-{self.number}",
            classes="ms-reward",
            compact=True,
        )

    @property
    def value(self) -> MilestoneRow:
        """The milestone as typed now."""
        return MilestoneRow(
            self.query_one(".ms-at", Input).value, self.query_one(".ms-reward", Input).value, self.row.cost
        )


class ProgrammeEditor(Horizontal):
    """The form, its status line and the preview (see the module docstring)."""

    def __init__(self, desk: Desk, text: OwnerText, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.desk = desk
        self.text = text
        self.version: int | None = None  # the programme version the form started from
        self.saved_source: str | None = None  # the form as last loaded or saved
        self.program: Program | None = None  # the form's programme, when valid
        self.error: str | None = None  # why the form is not valid
        self.saving = False
        self._numbers = 0  # ids for milestone rows (rows come and go)
        self._hidden = ProgrammeForm()  # fields not on the form, kept from the loaded programme

    # ------------------------------------------------------------------
    # Layout

    def compose(self) -> ComposeResult:
        tr = self.text
        with Vertical(id="editor-left"):
            yield PlainStatic("", id="editor-status")
            with VerticalScroll(id="editor-form"):
                for name in CARD_FIELDS:
                    yield self._field(name)
                yield PlainStatic(tr("editor.milestones"), classes="ed-section")
                yield Vertical(id="ed-milestones")
                yield PlainStatic(tr("editor.earning"), classes="ed-section")
                for name in EARNING_FIELDS:
                    yield self._field(name)
                yield PlainStatic(tr("editor.mails"), classes="ed-section")
                for name in MAILING_FIELDS:
                    yield self._field(name)
        with VerticalScroll(id="editor-preview"):
            yield PlainStatic(tr("editor.preview"), id="preview-title")
            yield StampGrid(id="preview-grid")
            yield PlainStatic("", id="preview-progress")
            yield PlainStatic("", id="preview-receipt")

    def _field(self, name: str) -> Widget:
        placeholder = self.text("editor.optional") if name in OPTIONAL_FIELDS else ""
        if name in MAIL_FIELDS:
            placeholder = self.text(f"editor.{name}.hint")
        return Horizontal(
            PlainLabel(self.text(f"editor.{name}"), classes="ed-label"),
            Input(placeholder=placeholder, id=f"ed-{name}", compact=True),
            classes="ed-row",
        )

    def on_mount(self) -> None:
        self.load_programme()

    # ------------------------------------------------------------------
    # The form

    def _input(self, name: str) -> Input:
        return self.query_one(f"#ed-{name}", Input)

    @property
    def milestone_fields(self) -> list[MilestoneField]:
        return list(self.query_one("#ed-milestones").query_children(MilestoneField))

    @property
    def form(self) -> ProgrammeForm:
        """The form as typed now."""
        values = {name: self._input(name).value for name in FORM_FIELDS}
        return ProgrammeForm(
            milestones=tuple(f.value for f in self.milestone_fields),
            max_amount=self._hidden.max_amount,
            kept=self._hidden.kept,
            mail_kept=self._hidden.mail_kept,
            **values,
        )

    @property
    def dirty(self) -> bool:
        """Whether the form differs from what was last loaded or saved."""
        return self.saved_source is not None and self.form.to_toml() != self.saved_source

    async def fill(self, form: ProgrammeForm) -> None:
        """Put ``form`` in the fields (the milestone rows are rebuilt)."""
        self._hidden = form
        with self.prevent(Input.Changed):
            for name in FORM_FIELDS:
                self._input(name).value = getattr(form, name)
        box = self.query_one("#ed-milestones")
        await box.remove_children()
        await box.mount_all([self._milestone(row) for row in form.milestones])
        self.saved_source = form.to_toml()
        self.refresh_preview()

    def _milestone(self, row: MilestoneRow) -> MilestoneField:
        self._numbers += 1
        return MilestoneField(row, self._numbers, self.text)

    async def add_milestone(self) -> None:
        """F6: a new milestone under the one being edited (or at the end)."""
        current = self._focused_milestone()
        new = self._milestone(MilestoneRow())
        box = self.query_one("#ed-milestones")
        if current is not None:
            await box.mount(new, after=current)
        else:
            await box.mount(new)
        new.query_one(".ms-at", Input).focus()
        self.refresh_preview()

    async def remove_milestone(self) -> None:
        """F7: remove the milestone being edited (or the last one)."""
        fields = self.milestone_fields
        if not fields:
            return
        current = self._focused_milestone() or fields[-1]
        index = fields.index(current)
        await current.remove()
        rest = self.milestone_fields
        if rest:
            rest[min(index, len(rest) - 1)].query_one(".ms-at", Input).focus()
        else:
            self._input("stamps_per_card").focus()
        self.refresh_preview()

    def _focused_milestone(self) -> MilestoneField | None:
        focused = self.screen.focused
        for node in focused.ancestors if focused is not None else ():
            if isinstance(node, MilestoneField):
                return node
        return None

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        self.refresh_preview()

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        # Enter moves on, as at the till; ctrl+s saves.
        self.screen.focus_next()

    # ------------------------------------------------------------------
    # Validation and preview

    def refresh_preview(self) -> None:
        """Parse the form; show the preview, or why the form is not valid."""
        tr = self.text
        form = self.form
        try:
            program = form.parse()
        except InvalidInput as error:
            self.program, self.error = None, self.text.program_error(error, mail_kinds=form.mail_kinds)
            self._status(self.error, "-error")
            self.query_one("#preview-title", Static).update(
                f"{tr('editor.preview')}\n{tr('editor.preview.invalid')}"
            )
            self.query_one("#editor-preview").set_class(True, "-invalid")
            return
        self.program, self.error = program, None
        if not self.saving:
            self._status(tr("editor.valid") if self.dirty else self._loaded_line(), "")
        self._show_preview(program)

    def _loaded_line(self) -> str:
        if self.version is None:
            return self.text("editor.no_programme")
        return self.text("editor.loaded", version=self.version)

    def _show_preview(self, program: Program) -> None:
        tr = self.text
        settings = self.desk.settings
        now, zone = self.desk.now(), settings.zone
        sample = sample_sale(program, now=now, zone=zone, name=tr("editor.sample_name"))
        card = sample.card
        self.query_one("#editor-preview").set_class(False, "-invalid")
        self.query_one("#preview-title", Static).update(f"{tr('editor.preview')} — {program.name}")
        self.query_one("#preview-grid", StampGrid).show(
            card.balance, program.stamps_per_card, [m.at for m in program.milestones]
        )
        self.query_one("#preview-progress", Static).update(
            tr.progress(card.balance, card.stamps_per_card, card.next_milestone)
        )
        receipt = sample_receipt(
            program,
            sample,
            locale=settings.locale,
            zone=zone,
            now=now,
            header=settings.printer.header,
            footer=settings.printer.footer,
            card_details=settings.printer.card_details,
        )
        self.query_one("#preview-receipt", Static).update(receipt)

    def _status(self, line: str, kind: str) -> None:
        status = self.query_one("#editor-status", Static)
        status.update(line)
        status.set_classes(kind)

    @property
    def status(self) -> str:
        """The status line above the form (for tests and logs)."""
        return str(self.query_one("#editor-status", Static).content)

    # ------------------------------------------------------------------
    # Loading and saving

    def save(self) -> None:
        """ctrl+s: save the form as a new programme version, if it is valid."""
        if self.saving:
            return
        self.refresh_preview()
        if self.error is not None:
            self._status(self.text("editor.not_saved", error=self.error), "-error")
            self.app.bell()
            return
        self.saving = True
        self._status(self.text("editor.saving"), "")
        self.save_programme(self.form.to_toml(), self.version)

    @work(thread=True, exclusive=True, exit_on_error=False, group="programme", name="programme")
    def load_programme(self) -> None:
        """Read the current programme to prefill the form."""
        try:
            self.post_message(ProgrammeLoaded(self.desk.program()))
        except NotFound:
            self.post_message(NoProgramme())

    @work(thread=True, exit_on_error=False, group="programme-save", name="save")
    def save_programme(self, source: str, before: int | None) -> None:
        """Load the edited programme (a new version, unless nothing changed)."""
        self.post_message(ProgrammeSaved(self.desk.load_program_text(source), before))

    @on(ProgrammeLoaded)
    async def _loaded(self, message: ProgrammeLoaded) -> None:
        self.version = message.programme.version
        await self.fill(
            ProgrammeForm.from_program(message.programme.program, decimal_comma=self.text.locale == "fr_FR")
        )

    @on(NoProgramme)
    async def _no_programme(self, message: NoProgramme) -> None:
        self.version = None
        await self.fill(ProgrammeForm.starter())
        self.saved_source = ""  # a blank programme is always worth saving

    @on(ProgrammeSaved)
    def _saved(self, message: ProgrammeSaved) -> None:
        info = message.programme
        self.saving = False
        self.version = info.version
        self.saved_source = self.form.to_toml()
        key = "editor.unchanged" if info.version == message.before else "editor.saved"
        self._status(self.text(key, version=info.version), "-success")

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name == "save" and event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self.saving = False
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        if isinstance(error, InvalidInput):
            line = self.text("editor.not_saved", error=self.text.program_error(error))
        elif isinstance(error, StampdeskError):
            line = self.text("editor.not_saved", error=self.text.error(error))
        else:
            self.log.error("programme worker failed", error)
            line = self.text.problem(error)
        self._status(line, "-error")
