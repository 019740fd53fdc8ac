"""The customers matching a search, to choose one."""

from __future__ import annotations

from collections.abc import Iterable

from textual.widgets.option_list import Option

from ...results import CustomerMatch
from ..text import Text
from .plain import PlainOptionList


class SearchResults(PlainOptionList):
    """One line per customer (name, card number, stamps); each option's id
    is the card number, so ``OptionSelected`` says which card to look up."""

    DEFAULT_CSS = """
    SearchResults {
        height: 1fr;
        border: round $accent 50%;
    }
    SearchResults:focus {
        border: round $accent;
    }
    """

    def __init__(self, text: Text, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.text = text

    def show(self, query: str, matches: Iterable[CustomerMatch]) -> int:
        """List ``matches`` for ``query``; returns how many there are."""
        options = [
            Option(
                self.text("search.line", name=m.name, number=m.number, stamps=self.text.stamps(m.balance)),
                id=m.number,
            )
            for m in matches
        ]
        self.set_options(options)
        if options:
            self.highlighted = 0
        return len(options)
