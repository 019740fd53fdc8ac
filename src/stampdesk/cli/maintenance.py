"""The database itself: create or upgrade it, check, back up, restore, expire, import."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from ..words import Book
from .common import (
    CONTEXT,
    EXIT_ERROR,
    UsageMistake,
    book_of,
    common_options,
    current_state,
    desk_for,
    emit,
    progress_bar,
    warn,
)


def _generic_text(title: str, data: dict[str, Any], say: Book) -> str:
    # For results whose shape belongs to another module (demo, import):
    # each figure by its name in the book, or its key.
    lines = [title]
    for key, value in data.items():
        if isinstance(value, str | int | float | Decimal | bool) or value is None:
            name = say(f"cli.field.{key}") if f"cli.field.{key}" in say else key.replace("_", " ")
            lines.append(say("cli.field", name=name, value=value))
    return "\n".join(lines)


@click.command(context_settings=CONTEXT)
@click.option("--demo", is_flag=True, help="Also build a demo café (customers, sales, coupons).")
@click.option("--customers", type=int, help="With --demo: how many card holders.  [default: 300]")
@click.option("--days", type=int, help="With --demo: how many days of history.  [default: 180]")
@click.option("--seed", type=int, help="With --demo: the same seed gives the same shop.  [default: 42]")
@common_options
def init(demo: bool, customers: int | None, days: int | None, seed: int | None) -> None:
    """Create or upgrade the database; --demo adds a demo shop."""
    from sqlalchemy.engine import make_url

    from ..db import SCHEMA_REVISION
    from ..db import upgrade as upgrade_schema

    state = current_state()
    sizes = {k: v for k, v in (("customers", customers), ("days", days), ("seed", seed)) if v is not None}
    if sizes and not demo:
        raise UsageMistake(phrase="only_with_demo", option=f"--{next(iter(sizes))}")
    with desk_for(state) as desk:
        # Again, and raising: a till that may sell offline opens without its
        # database, but `init` is there to reach it.
        upgrade_schema(desk.store.engine)
        url = make_url(desk.settings.database).render_as_string(hide_password=True)
        say = book_of(desk)
        data: dict[str, Any] = {"database": url, "schema_revision": SCHEMA_REVISION, "demo": None}
        if demo:
            from ..demo import build_demo

            with progress_bar(state, say("cli.init.building")) as progress:
                summary = build_demo(desk.store, progress=progress, **sizes)
            data["demo"] = summary.to_dict()

    def text() -> str:
        lines = [say("cli.init.ready", url=url, revision=SCHEMA_REVISION)]
        if data["demo"] is not None:
            lines.append(_generic_text(say("cli.init.demo"), data["demo"], say))
        else:
            lines.append(say("cli.init.next"))
        return "\n".join(lines)

    emit(state, data, text)


@click.command(context_settings=CONTEXT)
@click.option("--at", metavar="ISO", help="As of this time (a past, timezone-aware time); default now.")
@common_options
def expire(at: str | None) -> None:
    """Write the lapse of the stamps of every card without a visit for
    [program.expiry] stamps_after_days (a sale does it for its own card), and
    forget the idempotency keys older than idempotency_days; run it nightly
    to keep the accounts current."""
    state = current_state()
    with desk_for(state) as desk:
        result = desk.expire(at=at)
        say = book_of(desk)
    emit(
        state,
        result.to_dict(),
        lambda: say(
            "cli.expired",
            stamps=say.count("stamps", result.stamps),
            cards=say.count("cli.cards", result.cards),
            keys=result.keys,
        ),
    )


@click.command(context_settings=CONTEXT)
@common_options
def check() -> None:
    """Reconcile balances with the ledger and completions with their final
    rewards; exit 1 on any mismatch."""
    state = current_state()
    with desk_for(state) as desk:
        report = desk.check()
        say = book_of(desk)
    mismatch = say.count("cli.check.mismatch", len(report.mismatches))
    missing = say.count("cli.check.missing", len(report.missing_rewards))

    def text() -> str:
        if report.ok:
            return say("cli.check.ok", cards=say.count("cli.cards", report.cards), rows=report.ledger_rows)
        lines = []
        if report.mismatches:
            lines.append(say("cli.check.list", problem=mismatch))
            lines += [
                say(
                    "cli.check.balance",
                    card=m.card,
                    balance=m.balance,
                    ledger_balance=m.ledger_balance,
                    cycle=m.cycle,
                    ledger_cycle=m.ledger_cycle,
                )
                for m in report.mismatches
            ]
        if report.missing_rewards:
            lines.append(say("cli.check.list", problem=missing))
            lines += [say("cli.check.no_reward", card=m.card, cycle=m.cycle) for m in report.missing_rewards]
        return "\n".join(lines)

    emit(state, report.to_dict(), text)
    if not state.json:  # with --json, its "warnings" say them
        for warning in report.warnings:
            warn(say, warning.said(say))
    if not report.ok:
        problems = [
            p for p, there in ((mismatch, report.mismatches), (missing, report.missing_rewards)) if there
        ]
        click.echo(say("cli.error", message="; ".join(problems)), err=True)
        raise click.exceptions.Exit(EXIT_ERROR)


@click.command(context_settings=CONTEXT)
@click.argument("path", metavar="PATH")
@common_options
def backup(path: str) -> None:
    """Write a consistent copy of the database to PATH, while tills keep selling."""
    state = current_state()
    with desk_for(state) as desk:
        result = desk.backup(path)
        say = book_of(desk)
    emit(state, result.to_dict(), lambda: say("cli.backup.done", path=result.path, size=result.bytes))


@click.command(context_settings=CONTEXT)
@click.argument("path", metavar="PATH")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (for scripts).")
@common_options
def restore(path: str, yes: bool) -> None:
    """Replace the whole database with the backup PATH (from `stampdesk
    backup`), then upgrade it. What it replaces is kept first: a SQLite
    database as <db>.before-restore-<time>, a PostgreSQL shop beside the
    backup as <database>-<schema>.dump.before-restore-<time>. Stop the tills
    and the server first."""
    from sqlalchemy.engine import make_url

    from ..services.backup import BackupInfo

    state = current_state()

    def confirm(info: BackupInfo) -> bool:
        if yes:
            return True
        holds = (
            say("cli.restore.holds", cards=say.count("cli.cards", info.cards))
            if info.cards is not None
            else ""
        )
        question = say("cli.restore.ask", path=info.path, holds=holds, revision=info.schema_revision, url=url)
        try:
            answer = click.confirm(question, default=False, err=True)
            echoed = sys.stdin.isatty()
        except click.Abort:  # no answer (end of input, Ctrl+C): nothing is done
            answer, echoed = False, False
        if not echoed:
            click.echo("", err=True)  # end the question's line before what follows
        return answer

    # Not upgraded on opening: a database that is damaged or from another
    # version is exactly what a restore replaces.
    with desk_for(state, upgrade=False) as desk:
        url = make_url(desk.settings.database).render_as_string(hide_password=True)
        say = book_of(desk)
        result = desk.restore(path, confirm=confirm)

    def text() -> str:
        cards = say.count("cli.cards", result.cards)
        lines = [say("cli.restore.done", cards=cards, path=result.path, url=url)]
        if result.backup_revision != result.schema_revision:
            lines.append(say("cli.restore.upgraded", old=result.backup_revision, new=result.schema_revision))
        if result.previous is not None:
            lines.append(say("cli.restore.kept", previous=result.previous))
        lines.append(say("cli.restore.restart"))
        return "\n".join(lines)

    emit(state, result.to_dict(), text)


@click.command("import", context_settings=CONTEXT)
@click.argument("file", metavar="FILE")
@common_options
def import_(file: str) -> None:
    """Import existing customers from a CSV FILE (all lines or none)."""
    state = current_state()
    from ..services.importer import import_customers

    with desk_for(state) as desk:
        say = book_of(desk)
        with progress_bar(state, say("cli.import.progress")) as progress:
            report = import_customers(desk.store, Path(file), progress=progress)
    data = report.to_dict()
    emit(state, data, lambda: _generic_text(say("cli.import.done", file=file), data, say))


COMMANDS = (
    init,
    expire,
    check,
    backup,
    restore,
    import_,
)
