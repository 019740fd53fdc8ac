"""`stampdesk proxy`: the receipt-printer plugin, between a till and its
printer; `proxy test FILE` reads a captured receipt; `proxy status` says
what it did today."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..domain.errors import InvalidInput
from .common import CONTEXT, book_for, common_options, current_state, emit

if TYPE_CHECKING:
    from ..config import Settings
    from ..words import Book


def _settings() -> Settings:
    from ..config import load_settings

    state = current_state()
    settings = load_settings(db=state.db, config=state.config)
    state.locale = settings.locale
    return settings


def _journal_folder(settings: Settings) -> Path:
    from ..proxy.journal import default_folder

    return settings.proxy.journal or default_folder()


def reason_words(say: Book, code: str) -> str:
    """A reason code in words (the code itself if the book has none)."""
    key = f"proxy.reason.{code}"
    return say(key) if key in say else code


@click.group("proxy", context_settings=CONTEXT, invoke_without_command=True)
@click.option("--listen", metavar="HOST:PORT", help="Where the till connects (default: [proxy] listen).")
@click.option(
    "--printer", "printer_url", metavar="URL", help="The printer: tcp://HOST:PORT ([proxy] printer)."
)
@click.option("--budget-ms", type=click.IntRange(1, 10_000), help="Past this, a receipt prints unchanged.")
@click.option("--journal", metavar="DIR", help="The journal's folder (default: [proxy] journal).")
@common_options
@click.pass_context
def proxy(
    ctx: click.Context,
    listen: str | None,
    printer_url: str | None,
    budget_ms: int | None,
    journal: str | None,
) -> None:
    """The receipt-printer plugin: point the till at this address instead of
    its printer's; each receipt gets its loyalty block before the cut."""
    if ctx.invoked_subcommand is not None:
        return
    import signal
    from dataclasses import replace

    from ..config import host_port
    from ..proxy.journal import Journal
    from ..proxy.server import ReceiptProxy
    from ..proxy.work import ReceiptWork

    settings = _settings()
    options = settings.proxy
    listen = listen or options.listen
    printer_url = printer_url or options.printer
    where = host_port(listen)
    if where is None:
        raise InvalidInput(code="invalid_config", phrase="config_proxy_listen", value=listen)
    if printer_url is None:
        raise InvalidInput(code="invalid_config", phrase="proxy_no_printer")
    printer = host_port(printer_url, scheme="tcp")
    if printer is None:
        raise InvalidInput(code="invalid_config", phrase="config_proxy_printer", value=printer_url)
    settings = replace(
        settings,
        proxy=replace(
            options,
            budget_ms=budget_ms or options.budget_ms,
            journal=Path(journal) if journal else options.journal,
        ),
    )
    say = book_for(current_state())
    work = ReceiptWork(settings)
    away = work.warm_up()
    if away is not None:
        click.echo(say("proxy.database_away", detail=away), err=True)
    folder = _journal_folder(settings)
    log = Journal(folder, settings.zone)
    log.prune(settings_today(settings))
    server = ReceiptProxy(
        where,
        printer,
        work,
        log,
        budget_ms=settings.proxy.budget_ms,
        on_event=lambda entry: click.echo(event_line(say, entry, settings)),
    )
    # Stopped by Ctrl-C or by a service manager's SIGTERM alike (a process
    # started in the background may have inherited an ignored SIGINT).
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda _signal, _frame: server.request_stop())
    bound = server.start()
    click.echo(
        say(
            "proxy.started",
            listen=f"{where[0]}:{bound}",
            printer=f"{printer[0]}:{printer[1]}",
            budget=settings.proxy.budget_ms,
        ),
        err=True,
    )
    try:
        server.serve_forever()
    finally:
        work.close()


def settings_today(settings: Settings) -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC).astimezone(settings.zone).date()


def event_line(say: Book, entry: dict[str, Any], settings: Settings) -> str:
    """One console line for a journal entry."""
    at = entry["at"].astimezone(settings.zone)
    if entry["event"] == "late_sale":
        return say("proxy.log.late_sale", at=at, checkout=entry["checkout"])
    if not entry.get("printed"):
        return say("proxy.log.unchanged", at=at, reason=reason_words(say, entry.get("reason") or "error"))
    if entry.get("card"):
        return say(
            "proxy.log.card", at=at, checkout=entry["checkout"], amount=entry["amount"], card=entry["card"]
        )
    return say("proxy.log.walk_in", at=at, checkout=entry["checkout"], amount=entry["amount"])


@proxy.command("test", context_settings=CONTEXT)
@click.argument("file", type=click.Path(dir_okay=False))
@common_options
def proxy_test(file: str) -> None:
    """Read a captured receipt (the raw bytes a till sends, .bin) as the
    plugin would: its lines, the total and the pattern that found it, a card
    number, a refund, and what would be recorded. Records nothing."""
    from ..domain.receipt_reading import compile_patterns
    from ..printer.decode import decode
    from ..proxy.work import read_page

    settings = _settings()
    say = book_for(current_state())
    try:
        data = Path(file).read_bytes()
    except OSError as error:
        raise InvalidInput(
            code="invalid_path", phrase="proxy_file_unreadable", path=file, detail=error.strerror
        ) from None
    patterns = compile_patterns(settings.proxy.total_patterns)
    pages = [page for page in decode(data).pages if page.ink_end is not None]
    receipts: list[dict[str, Any]] = []
    for page in pages:
        reading = read_page(page, patterns, settings.card_prefix)
        codepages = sorted({name for line in page.lines for name in line.codepages})
        would: dict[str, Any] | None = None
        if reading.outcome == "sale":
            would = {"amount": reading.total, "card": reading.card, "walk_in": reading.card is None}
        receipts.append(
            {
                "lines": page.text_lines,
                "codepages": codepages,
                "cut": page.cut is not None,
                "outcome": reading.outcome,
                "total": reading.total,
                "pattern": reading.pattern,
                "line": None if reading.line is None else reading.line + 1,
                "card": reading.card,
                "refund": reading.outcome == "refund",
                "refund_line": None if reading.refund_line is None else reading.refund_line + 1,
                "would_record": would,
            }
        )

    def text() -> str:
        out = [say("proxy.test.cut", count=len(receipts))]
        for number, receipt in enumerate(receipts, 1):
            out += ["", say("proxy.test.receipt", number=number)]
            out += [f"  {index:>3} | {line}" for index, line in enumerate(receipt["lines"], 1)]
            out.append(say("proxy.test.lines", count=len(receipt["lines"])))
            out.append(say("proxy.test.codepages", names=", ".join(receipt["codepages"]) or "-"))
            if receipt["total"] is not None:
                out.append(
                    say(
                        "proxy.test.total",
                        amount=receipt["total"],
                        pattern=receipt["pattern"],
                        line=receipt["line"],
                    )
                )
            else:
                out.append(say("proxy.test.no_total"))
            card = receipt["card"]
            out.append(say("proxy.test.card", number=card) if card else say("proxy.test.no_card"))
            if receipt["refund"]:
                line = receipt["refund_line"]
                out.append(say("proxy.test.refund", line=line) if line else say("proxy.test.refund_total"))
            if receipt["would_record"] is None:
                out.append(say("proxy.test.would_nothing", reason=reason_words(say, receipt["outcome"])))
            elif card:
                out.append(say("proxy.test.would_card", amount=receipt["total"], number=card))
            else:
                out.append(say("proxy.test.would_walk_in", amount=receipt["total"]))
        return "\n".join(out)

    emit(current_state(), {"receipts": receipts}, text)


@proxy.command("status", context_settings=CONTEXT)
@common_options
def proxy_status() -> None:
    """What the plugin did today: receipts seen, sales recorded, receipts
    printed unchanged and why (from its journal; no database needed)."""
    from ..proxy.journal import summary

    settings = _settings()
    say = book_for(current_state())
    folder = _journal_folder(settings)
    day = summary(folder, settings_today(settings))
    data = {
        "day": day.day,
        "seen": day.seen,
        "recorded": day.recorded,
        "late": day.late,
        "unchanged": day.unchanged,
        "reasons": day.reasons,
        "last_at": day.last_at,
        "journal": str(folder),
    }

    def text() -> str:
        out = [
            say("proxy.status.title", day=day.day),
            say("proxy.status.seen", count=day.seen),
            say("proxy.status.recorded", count=day.recorded),
        ]
        if day.late:
            out.append(say("proxy.status.late", count=day.late))
        out.append(say("proxy.status.unchanged", count=day.unchanged))
        out += [
            say("proxy.status.reason", reason=reason_words(say, code), count=count)
            for code, count in day.reasons.items()
        ]
        if day.last_at is not None:
            out.append(say("proxy.status.last", at=day.last_at.astimezone(settings.zone)))
        out.append(say("proxy.status.journal", path=folder))
        return "\n".join(out)

    emit(current_state(), data, text)


COMMANDS = (proxy,)
