"""The till's widgets that show words: each shows a string exactly as written.

Textual reads a string handed to most of its widgets as content markup:
"[b]" turns the rest bold, "[@click=app.quit]" makes the text a button that
runs an action, and a stray "[/b]" raises ``MarkupError``, which stops the
whole till. The till shows words people typed (customers' names and notes,
rewards, tiers, surprises, quick picks, staff names, the shop's and the
till's names, receipt lines, searches and errors quoting them), so it never
lets Textual parse a string: every widget of the till that shows words is
one of these, or built from ``literal``, and styles come from CSS classes or
from ``rich.text.Text`` built in code, never from markup.
tests/tui/test_tui_markup.py holds every module of the till to it.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import ClassVar, TypeVar

from rich.console import RenderableType
from rich.text import Text as RichText
from rich.text import TextType
from textual.binding import Binding, BindingType
from textual.content import Content, ContentText
from textual.visual import VisualType
from textual.widget import Widget
from textual.widgets import Button, Checkbox, DataTable, Label, OptionList, Select, Static, TabPane
from textual.widgets.button import ButtonVariant
from textual.widgets.data_table import ColumnKey, RowKey
from textual.widgets.option_list import Option
from textual.widgets.select import NULL, NoSelection

Value = TypeVar("Value", bound=Hashable)
#: What a table's cell holds: words, or text styled in code.
Cell = str | RichText


def literal(words: ContentText) -> Content:
    """``words`` as Textual content, never read as markup (Content and
    ``rich.text.Text`` are kept as they are)."""
    return Content.from_text(words, markup=False)


def _rich(words: TextType, *, no_wrap: bool = False) -> RichText:
    """``words`` as Rich text, never read as markup (for Rich's widgets)."""
    return RichText(words, no_wrap=no_wrap, end="") if isinstance(words, str) else words


class PlainStatic(Static):
    """A ``Static`` whose strings are shown as written (``update`` too)."""

    def __init__(
        self,
        content: VisualType = "",
        *,
        expand: bool = False,
        shrink: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(
            content,
            expand=expand,
            shrink=shrink,
            markup=False,
            name=name,
            id=id,
            classes=classes,
            disabled=disabled,
        )


class PlainLabel(Label):
    """A ``Label`` whose strings are shown as written."""

    def __init__(
        self,
        content: VisualType = "",
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(content, markup=False, name=name, id=id, classes=classes, disabled=disabled)


class PlainButton(Button):
    """A ``Button`` whose label is shown as written (a new label too)."""

    def __init__(
        self,
        label: ContentText,
        variant: ButtonVariant = "default",
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
        compact: bool = False,
    ) -> None:
        super().__init__(
            literal(label),
            variant,
            name=name,
            id=id,
            classes=classes,
            disabled=disabled,
            compact=compact,
        )

    def validate_label(self, label: ContentText) -> Content:
        return literal(label)


class PlainCheckbox(Checkbox, inherit_bindings=False):
    """A ``Checkbox`` whose label is shown as written. Only Space ticks it:
    Enter moves on to the next field, so that a cashier pressing Enter
    through a form (or a scanner's Enter) never ticks a box by accident."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_button", "Toggle", show=False),
        Binding("enter", "app.focus_next", show=False),
    ]

    def __init__(
        self,
        label: ContentText = "",
        value: bool = False,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(literal(label), value, name=name, id=id, classes=classes, disabled=disabled)

    def _make_label(self, label: ContentText) -> Content:
        return literal(label).first_line.rstrip()


class PlainOptionList(OptionList):
    """An ``OptionList`` whose prompts are shown as written."""

    def __init__(
        self,
        *content: Option | VisualType | None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(*content, name=name, id=id, classes=classes, disabled=disabled, markup=False)


class PlainDataTable(DataTable[Cell]):
    """A ``DataTable`` whose words (cells, column and row labels) are shown
    as written: a string becomes Rich text as it is put in the table, where
    ``DataTable`` would have read it as Rich markup."""

    def add_column(
        self,
        label: TextType,
        *,
        width: int | None = None,
        key: str | None = None,
        default: Cell | None = None,
    ) -> ColumnKey:
        return super().add_column(
            _rich(label), width=width, key=key, default=None if default is None else _rich(default)
        )

    def add_row(
        self,
        *cells: Cell,
        height: int | None = 1,
        key: str | None = None,
        label: TextType | None = None,
    ) -> RowKey:
        # A one-line row cuts its cells, as DataTable does with strings.
        shown = [_rich(cell, no_wrap=height == 1) for cell in cells]
        return super().add_row(*shown, height=height, key=key, label=None if label is None else _rich(label))

    def update_cell(
        self,
        row_key: RowKey | str,
        column_key: ColumnKey | str,
        value: Cell,
        *,
        update_width: bool = False,
    ) -> None:
        one_line = self.rows[RowKey(row_key) if isinstance(row_key, str) else row_key].height == 1
        super().update_cell(row_key, column_key, _rich(value, no_wrap=one_line), update_width=update_width)


class PlainSelect(Select[Value]):
    """A ``Select`` whose options are shown as written."""

    def __init__(
        self,
        options: Iterable[tuple[str, Value]],
        *,
        allow_blank: bool = True,
        value: Value | NoSelection = NULL,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
        compact: bool = False,
    ) -> None:
        super().__init__(
            _rich_options(options),
            allow_blank=allow_blank,
            value=value,
            name=name,
            id=id,
            classes=classes,
            disabled=disabled,
            compact=compact,
        )

    def set_options(self, options: Iterable[tuple[RenderableType, Value]]) -> None:
        super().set_options(_rich_options(options))


def _rich_options(options: Iterable[tuple[RenderableType, Value]]) -> list[tuple[RenderableType, Value]]:
    return [(_rich(prompt) if isinstance(prompt, str) else prompt, value) for prompt, value in options]


class PlainTabPane(TabPane):
    """A ``TabPane`` whose title is shown as written."""

    def __init__(
        self,
        title: ContentText,
        *children: Widget,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(literal(title), *children, name=name, id=id, classes=classes, disabled=disabled)
