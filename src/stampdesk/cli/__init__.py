"""The ``stampdesk`` command line: a thin caller of the same services as the
till, the HTTP API and the Python API.

Every command accepts ``--db``, ``--config`` and ``--json``, before the
command name (on the group) or after it (the command's value wins). With
``--json`` a command prints exactly one JSON object on stdout. A user error is
one line on stderr (``stampdesk: error: …``), plus ``{"error": {"code",
"message"}}`` on stdout with ``--json``; exit status 1 for bad input or a
refused operation, 2 for a usage mistake. Nothing is imported or connected at
import time: each command opens its ``Desk`` through
:func:`~stampdesk.cli.common.open_desk`, the composition root.

The commands live by area in this package's modules (``sales``, ``cards``,
``programme``, ``maintenance``…); ``common`` holds what they share.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import click

from .. import __version__
from ..domain.errors import StampdeskError
from ..words import Book
from . import cards, maintenance, printing, programme, proxy, report, sales, serve, shops, staff, till, where
from . import messages as customer_emails
from .common import (
    CONTEXT,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    CliState,
    book_for,
    one_line,
    report_error,
)

__all__ = ["cli", "main"]


@click.group(context_settings=CONTEXT)
@click.option("--db", metavar="URL", help="Database URL (sqlite:///shop.db or postgresql+psycopg://…).")
@click.option("--config", metavar="FILE", help="Config file (TOML).")
@click.option(
    "--printer", metavar="URL", help="Receipt printer, e.g. tcp://192.168.1.50:9100 or preview://DIR."
)
@click.option("--json", "json_output", is_flag=True, help="Print one JSON object on stdout.")
@click.version_option(__version__, "--version", prog_name="stampdesk", message="%(prog)s %(version)s")
@click.pass_context
def cli(
    ctx: click.Context, db: str | None, config: str | None, printer: str | None, json_output: bool
) -> None:
    """stampdesk: stamp cards and a loyalty engine for small shops."""
    state = ctx.ensure_object(CliState)
    state.db, state.config, state.printer = db, config, printer
    state.json = state.json or json_output


for area in (maintenance, programme, cards, sales, printing, proxy, staff, report, shops, serve, till, where):
    for command in area.COMMANDS:
        cli.add_command(command)
cli.add_command(customer_emails.messages)


def _wants_json(args: Sequence[str], state: CliState) -> bool:
    # A usage error can stop parsing before --json is seen; look at argv too.
    if state.json:
        return True
    before_separator = args[: list(args).index("--")] if "--" in args else args
    return "--json" in before_separator


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (the console script
    passes it to ``sys.exit``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    state = CliState()
    try:
        rv = cli.main(args, prog_name="stampdesk", standalone_mode=False, obj=state)
    except StampdeskError as exc:
        book = book_for(state)
        report_error(exc.code, exc.message, book.error(exc), book=book, as_json=_wants_json(args, state))
        return EXIT_ERROR
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.UsageError as exc:
        as_json = _wants_json(args, state)
        hint = f" (see: {exc.ctx.command_path} --help)" if exc.ctx is not None else ""
        message = one_line(exc.format_message())
        # `stampdesk` or `stampdesk program` alone (click >= 8.2): the help is
        # the answer, on stdout; its exit status stays click's 2.
        if type(exc).__name__ == "NoArgsIsHelpError" and exc.ctx is not None:
            if not as_json:
                click.echo(exc.ctx.get_help())
                return EXIT_USAGE
            message = Book()("cli.usage.command_missing")
        # A usage mistake is said in click's words (English), about the
        # command line itself: the shop's settings may not even be read.
        report_error("usage", message + hint, message + hint, book=Book(), as_json=as_json)
        return EXIT_USAGE
    except click.ClickException as exc:
        message = exc.format_message()
        report_error("error", message, message, book=book_for(state), as_json=_wants_json(args, state))
        return exc.exit_code if exc.exit_code else EXIT_ERROR
    except click.Abort:
        click.echo(book_for(state)("cli.interrupted"), err=True)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `stampdesk search a | head -1`: the reader left; say nothing more.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
    except Exception as exc:
        # A database that cannot be reached is the machine's problem, not a bug.
        from sqlalchemy.exc import OperationalError

        if isinstance(exc, OperationalError):
            detail = one_line(str(exc.orig or exc)).split(" [SQL")[0]  # the driver's own words
            book = book_for(state)
            message = Book()("cli.database_unavailable", detail=detail)
            said = book("cli.database_unavailable", detail=detail)
            report_error("database_unavailable", message, said, book=book, as_json=_wants_json(args, state))
            return EXIT_ERROR
        raise
    # Commands return None; `--help`/`--version` end through Exit above.
    return rv if isinstance(rv, int) else 0
