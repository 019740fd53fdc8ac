"""What every command shares: the options given before or after the
command's name, the composition root that opens the ``Desk``, and the output
(one JSON object with ``--json``, else text; errors as one line on stderr)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..results import plain
from ..words import Book, book

if TYPE_CHECKING:
    from ..desk import Desk
    from ..results import CouponInfo, NextMilestone

F = TypeVar("F", bound=Callable[..., Any])

# Exit statuses of the contract: 1 = bad input or refused, 2 = usage.
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class UsageMistake(click.UsageError):
    """A usage error the command line finds itself (click's parser finds
    the others): exit status 2, said like the engine's errors, through the
    words book's ``error.<phrase>`` with ``params`` (``Book.error``)."""

    given = None  # always said through the book

    def __init__(self, *, phrase: str, **params: Any) -> None:
        self.phrase = phrase
        self.params: dict[str, Any] = params
        super().__init__(book().error(self))


@dataclass
class CliState:
    """The options shared by every command, filled in by the group and then
    overridden by the command's own ``--db``/``--config``/``--json``."""

    db: str | None = None
    config: str | None = None
    printer: str | None = None
    json: bool = False
    locale: str | None = None  # the shop's, once its settings are read


def open_desk(state: CliState, *, upgrade: bool = True) -> Desk:
    """The one place the CLI builds settings and a ``Desk`` (creating or
    upgrading the schema, as ``stampdesk.connect`` does, unless ``upgrade``
    is false)."""
    from ..config import load_settings
    from ..db import sqlite_file
    from ..desk import connect

    settings = load_settings(db=state.db, config=state.config, printer=state.printer)
    state.locale = settings.locale
    new_file = sqlite_file(settings.database)
    if new_file is not None and new_file.exists():
        new_file = None
    desk = connect(settings=settings, upgrade=upgrade)
    if new_file is not None and new_file.exists():
        # No database made without a word: a mistyped --db or a forgotten
        # config file would otherwise start an empty shop in silence.
        click.echo(book_for(state)("cli.database_created", path=new_file), err=True)
    return desk


def book_of(desk: Desk) -> Book:
    """The shop's words: its locale, days and times in its zone."""
    return Book(desk.settings.locale, desk.store.zone)


def book_for(state: CliState) -> Book:
    """The shop's words without opening its database (a prompt, an error):
    the locale of its settings, English when they cannot be read."""
    if state.locale is None:
        from ..config import load_settings
        from ..domain.errors import StampdeskError

        try:
            state.locale = load_settings(db=state.db, config=state.config, printer=state.printer).locale
        except (StampdeskError, OSError):
            return Book()
    return Book(state.locale)


@contextmanager
def desk_for(state: CliState, *, upgrade: bool = True) -> Iterator[Desk]:
    """``open_desk`` as a context manager, so the engine is always disposed."""
    desk = open_desk(state, upgrade=upgrade)
    try:
        yield desk
    finally:
        desk.close()


def _json_default(value: object) -> object:
    # Amounts and times must never become floats or fail to serialize.
    if isinstance(value, Path | set | frozenset):
        return str(value) if isinstance(value, Path) else list(value)
    converted = plain(value)
    if converted is value:
        raise TypeError(f"cannot serialize {type(value).__name__} to JSON")
    return converted


def dumps(data: object) -> str:
    """The JSON text of a result (``Decimal`` and times as strings)."""
    return json.dumps(data, ensure_ascii=False, default=_json_default)


def one_line(text: str) -> str:
    """Collapse a message to one line: the contract promises one stderr line."""
    return " ".join(str(text).split())


def emit(state: CliState, data: dict[str, Any], text: Callable[[], str]) -> None:
    """Print a result: its JSON object with ``--json``, else the human text."""
    if state.json:
        click.echo(dumps(data))
    else:
        click.echo(text())


def report_error(code: str, message: str, said: str, *, book: Book, as_json: bool) -> None:
    """One line on stderr in the shop's language (``said``), and the JSON
    error object on stdout with ``--json`` (``message``: its English, as the
    HTTP API gives it)."""
    if as_json:
        click.echo(dumps({"error": {"code": code, "message": message}}))
    click.echo(book("cli.error", message=one_line(said)), err=True)


def warn(book: Book, message: str) -> None:
    """A warning on stderr: the command did its work, something is left to see to."""
    click.echo(book("cli.warning", message=one_line(message)), err=True)


def stamps(book: Book, count: int) -> str:
    """ "1 stamp", "3 tampons"."""
    return book.stamps(count)


def progress_line(book: Book, balance: int, per_card: int, nxt: NextMilestone | None) -> str:
    """The "7/10 — Croissant offert à 3" line the till and the receipt show."""
    if nxt is None:
        return book("card.progress.bare", balance=balance, per_card=per_card)
    if balance >= per_card:  # the card holds more than it now takes
        return book("card.progress.full", reward=nxt.reward)
    return book("card.progress", balance=balance, per_card=per_card, reward=nxt.reward, at=nxt.at)


def coupon_lines(book: Book, coupons: Sequence[CouponInfo], *, title: str) -> list[str]:
    """The ``title`` key's words then one line per coupon (valid until, or
    expired on, its day); nothing without coupons."""
    lines = [book(title)] if coupons else []
    for c in coupons:
        key = "cli.coupon.expired" if c.status == "expired" else "cli.coupon.valid"
        lines.append(book(key, code=c.code, reward=c.reward, day=c.expires))
    return lines


def current_state() -> CliState:
    """The options of the command being run."""
    return click.get_current_context().ensure_object(CliState)


def _set_db(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(CliState).db = value


def _set_config(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(CliState).config = value


def _set_json(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.ensure_object(CliState).json = True


def common_options(func: F) -> F:
    """``--db``, ``--config`` and ``--json`` after the command name; they
    override the same options given before it."""
    func = click.option(
        "--json",
        "json_output",
        is_flag=True,
        expose_value=False,
        callback=_set_json,
        help="Print one JSON object on stdout.",
    )(func)
    func = click.option(
        "--config",
        metavar="FILE",
        expose_value=False,
        callback=_set_config,
        help="Config file (TOML); default: STAMPDESK_CONFIG or the user config directory.",
    )(func)
    func = click.option(
        "--db",
        metavar="URL",
        expose_value=False,
        callback=_set_db,
        help="Database URL, e.g. sqlite:///shop.db; default: STAMPDESK_DB, the config file, "
        "or the user data directory.",
    )(func)
    return func


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@contextmanager
def progress_bar(state: CliState, label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A ``progress(done, total)`` callback drawing a bar on stderr, or None
    when stderr is not a terminal or the output is JSON (nothing to garble)."""
    if state.json or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield progress
