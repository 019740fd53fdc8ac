"""The ``stampdesk`` command line: a thin caller of the same services as the
till, the HTTP API and the Python API.

Every command accepts ``--db``, ``--config`` and ``--json``, before the
command name (on the group) or after it (the command's value wins). With
``--json`` a command prints exactly one JSON object on stdout. A user error is
one line on stderr (``stampdesk: error: …``), plus ``{"error": {"code",
"message"}}`` on stdout with ``--json``; exit status 1 for bad input or a
refused operation, 2 for a usage mistake. Nothing is imported or connected at
import time: each command opens its ``Desk`` through :func:`open_desk`, the
composition root.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from . import __version__
from .domain.errors import InvalidInput, Refused, StampdeskError
from .results import plain

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from .desk import Desk
    from .offline import OfflineSale
    from .results import CardState, CheckoutResult, CouponInfo, NextMilestone, StampChange
    from .services.staff import StaffMember

F = TypeVar("F", bound=Callable[..., Any])

# Exit statuses of the contract: 1 = bad input or refused, 2 = usage.
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


@dataclass
class CliState:
    """The options shared by every command, filled in by the group and then
    overridden by the command's own ``--db``/``--config``/``--json``."""

    db: str | None = None
    config: str | None = None
    printer: str | None = None
    json: bool = False


# --------------------------------------------------------------------------
# Composition root


def open_desk(state: CliState, *, upgrade: bool = True) -> Desk:
    """The one place the CLI builds settings and a ``Desk`` (creating or
    upgrading the schema, as ``stampdesk.connect`` does, unless ``upgrade``
    is false)."""
    from .config import load_settings
    from .desk import connect

    settings = load_settings(db=state.db, config=state.config, printer=state.printer)
    return connect(settings=settings, upgrade=upgrade)


@contextmanager
def desk_for(state: CliState, *, upgrade: bool = True) -> Iterator[Desk]:
    """``open_desk`` as a context manager, so the engine is always disposed."""
    desk = open_desk(state, upgrade=upgrade)
    try:
        yield desk
    finally:
        desk.close()


# --------------------------------------------------------------------------
# Output


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


def report_error(code: str, message: str, *, as_json: bool) -> None:
    """One line on stderr, and the JSON error object on stdout with ``--json``."""
    if as_json:
        click.echo(dumps({"error": {"code": code, "message": message}}))
    click.echo(f"stampdesk: error: {one_line(message)}", err=True)


def _zone(desk: Desk) -> ZoneInfo:
    return desk.store.zone


def _day(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).date().isoformat()


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if abs(count) == 1 else f"{count} {word}s"


def _mismatch_line(count: int) -> str:
    return f"{_plural(count, 'card')} {'does' if count == 1 else 'do'} not match the ledger"


def _missing_line(count: int) -> str:
    return f"{_plural(count, 'completed card')} {'lacks' if count == 1 else 'lack'} the final reward"


def _progress(balance: int, per_card: int, nxt: NextMilestone | None) -> str:
    # The "7/10 — Croissant offert at 3" line the till and the receipt show.
    if nxt is None:
        return f"{balance}/{per_card}"
    return f"{balance}/{per_card} — {nxt.reward} at {nxt.at}"


def _coupon_lines(coupons: Sequence[CouponInfo], zone: ZoneInfo, *, title: str) -> list[str]:
    lines = [f"{title}:"] if coupons else []
    for c in coupons:
        state = "" if c.status == "valid" else f" ({c.status})"
        lines.append(f"  {c.code}  {c.reward} — valid until {_day(c.expires, zone)}{state}")
    return lines


def _generic_text(title: str, data: dict[str, Any]) -> str:
    # For results whose shape belongs to another module (demo, import).
    lines = [title]
    for key, value in data.items():
        if isinstance(value, str | int | float | Decimal | bool) or value is None:
            lines.append(f"  {key.replace('_', ' ')}: {value}")
    return "\n".join(lines)


def checkout_text(result: CheckoutResult, zone: ZoneInfo) -> str:
    """The cashier's view of a sale: stamps, progress, coupons to hand over."""
    head = f"Checkout {result.checkout}: {result.amount}"
    if result.replayed:
        head += " (already recorded with this key: nothing changed)"
    if result.card is None:
        lines = [
            f"{head}, no card",
            f"{_plural(result.stamps_added, 'stamp')} to claim: enrol at {result.enrol_url}",
        ]
        return "\n".join(lines)
    lines = [f"{head}, card {result.card}"]
    balance = result.balance if result.balance is not None else 0
    lines.append(
        f"+{_plural(result.stamps_added, 'stamp')} → "
        f"{_progress(balance, result.stamps_per_card, result.next_milestone)}"
    )
    if result.tier:
        lines.append(f"Tier: {result.tier}")
    for m in result.milestones:
        lines.append(f"Milestone reached: {m.reward} ({m.at} stamps)")
    lines += result.messages
    lines += _coupon_lines(result.coupons, zone, title="Coupons to hand over")
    return "\n".join(lines)


def card_text(card: CardState, zone: ZoneInfo) -> str:
    """A card as the cashier reads it."""
    name = card.name or "(anonymous)"
    lines = [f"Card {card.number} — {name}"]
    if card.status != "active":
        lines[0] += f" [{card.status}]"
    nxt = card.next_milestone
    lines.append(f"{card.progress} ({_plural(nxt.remaining, 'stamp')} to go)")
    contact = ", ".join(x for x in (card.email, card.phone) if x)
    if contact:
        lines.append(contact)
    if card.tier:
        tier = f"Tier: {card.tier}"
        if card.tier_until:
            tier += f" (holds until {_day(card.tier_until, zone)})"
        if card.perk:
            tier += f" — {card.perk}"
        lines.append(tier)
    if card.expires:
        lines.append(f"Stamps lapse on {_day(card.expires, zone)} without a visit")
    if card.notes:
        lines.append(f"Note: {card.notes}")
    if card.leaderboard:
        lines.append("On the customer-of-the-month board")
    lines += card.messages
    lines += _coupon_lines(card.coupons, zone, title="Coupons")
    return "\n".join(lines)


def change_text(change: StampChange, zone: ZoneInfo, *, what: str) -> str:
    """A refund or adjustment: what was given or taken back."""
    if change.card is None:
        return f"{what}: walk-in sale, its {_plural(abs(change.stamps), 'stamp')} can no longer be claimed"
    verb = "gave" if change.stamps > 0 else "took back"
    lines = [
        f"{what}: {verb} {_plural(abs(change.stamps), 'stamp')} on card {change.card} "
        f"(balance {change.balance})"
    ]
    if change.completions_undone:
        lines.append(f"Completed cards undone: {change.completions_undone}")
    if change.voided_coupons:
        lines.append("Coupons cancelled: " + ", ".join(change.voided_coupons))
    lines += _coupon_lines(change.new_coupons, zone, title="New coupons")
    return "\n".join(lines)


def program_text(data: dict[str, Any], *, loaded: bool) -> str:
    """The programme's rules in a few lines."""
    verb = "loaded" if loaded else "current"
    lines = [
        f"Programme {data.get('name')!r} ({verb}, version {data.get('version')})",
        f"  {data.get('stamps_per_card')} stamps per card, "
        f"{_plural(int(data.get('starter_stamps') or 0), 'starter stamp')}",
    ]
    for m in data.get("milestones", []):
        lines.append(f"  at {m['at']}: {m['reward']}")
    earning = data.get("earning") or {}
    per_visit = _plural(int(earning.get("per_visit") or 0), "stamp")
    rule = f"  {per_visit} per visit from {earning.get('min_amount')}"
    if earning.get("per_amount"):
        rule += f", +1 per {earning['per_amount']} spent"
    if earning.get("max_per_day") is not None:
        rule += f", at most {earning['max_per_day']} a day"
    lines.append(rule)
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Options shared by every command


def _state() -> CliState:
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


# --------------------------------------------------------------------------
# Database and programme


@cli.command(context_settings=CONTEXT)
@click.option("--demo", is_flag=True, help="Also build a demo café (customers, sales, coupons).")
@click.option("--customers", type=int, help="With --demo: how many card holders.  [default: 300]")
@click.option("--days", type=int, help="With --demo: how many days of history.  [default: 180]")
@click.option("--seed", type=int, help="With --demo: the same seed gives the same shop.  [default: 42]")
@common_options
def init(demo: bool, customers: int | None, days: int | None, seed: int | None) -> None:
    """Create or upgrade the database; --demo adds a demo shop."""
    from sqlalchemy.engine import make_url

    from .db import SCHEMA_REVISION
    from .db import upgrade as upgrade_schema

    state = _state()
    sizes = {k: v for k, v in (("customers", customers), ("days", days), ("seed", seed)) if v is not None}
    if sizes and not demo:
        raise click.UsageError(f"--{next(iter(sizes))} only goes with --demo")
    with desk_for(state) as desk:
        # Again, and raising: a till that may sell offline opens without its
        # database, but `init` is there to reach it.
        upgrade_schema(desk.store.engine)
        url = make_url(desk.settings.database).render_as_string(hide_password=True)
        data: dict[str, Any] = {"database": url, "schema_revision": SCHEMA_REVISION, "demo": None}
        if demo:
            from .services.demo import build_demo

            with progress_bar(state, "Building the demo shop") as progress:
                summary = build_demo(desk.store, progress=progress, **sizes)
            data["demo"] = summary.to_dict()

    def text() -> str:
        lines = [f"Database ready: {url} (schema {SCHEMA_REVISION})"]
        if data["demo"] is not None:
            lines.append(_generic_text("Demo shop built:", data["demo"]))
        else:
            lines.append("Next: stampdesk program load examples/program.toml")
        return "\n".join(lines)

    emit(state, data, text)


@cli.group(context_settings=CONTEXT)
def program() -> None:
    """Set or show the stamp-card programme."""


@program.command("load", context_settings=CONTEXT)
@click.argument("file", metavar="FILE")
@click.option(
    "--shop", metavar="SHOP", help="For this shop only (a chain); default: every shop, replacing their own."
)
@common_options
def program_load(file: str, shop: str | None) -> None:
    """Load the programme from a TOML FILE ("-" reads stdin); a changed file
    becomes a new version, and what was earned is never taken away."""
    from .services import program as program_service

    state = _state()
    with desk_for(state) as desk:
        if file == "-":
            info = program_service.load_program(desk.store, sys.stdin.read(), shop=shop)
        else:
            info = program_service.load_program_file(desk.store, Path(file), shop=shop)
    data = info.to_dict()
    emit(state, data, lambda: program_text(data, loaded=True))


@program.command("show", context_settings=CONTEXT)
@click.option(
    "--shop", metavar="SHOP", help="The programme in force in this shop; default: this till's shop."
)
@common_options
def program_show(shop: str | None) -> None:
    """Show the current programme."""
    state = _state()
    with desk_for(state) as desk:
        data = desk.program(shop=shop).to_dict()
    emit(state, data, lambda: program_text(data, loaded=False))


# --------------------------------------------------------------------------
# Cards


@cli.command(context_settings=CONTEXT)
@click.option("--name", required=True, help="The customer's name.")
@click.option("--email", metavar="E", help="E-mail address (optional).")
@click.option("--phone", metavar="P", help="Phone number (optional).")
@click.option("--birthday", metavar="YYYY-MM-DD", help="Birthday (optional).")
@click.option("--referrer", metavar="NUMBER", help="Card number of the friend who referred them.")
@click.option("--claim", metavar="TOKEN", help="Receipt claim token: keep the stamps of that walk-in sale.")
@click.option("--at", metavar="ISO", help="When, for history (a past, timezone-aware time); default now.")
@click.option(
    "--card", "card_number", metavar="NUMBER", help="Give them this pre-printed card instead of a new one."
)
@click.option(
    "--leaderboard",
    is_flag=True,
    help="They agree to be shown (first name only) on the customer-of-the-month board.",
)
@common_options
def enrol(
    name: str,
    email: str | None,
    phone: str | None,
    birthday: str | None,
    referrer: str | None,
    claim: str | None,
    at: str | None,
    card_number: str | None,
    leaderboard: bool,
) -> None:
    """Create a card (with the starter stamps, and a receipt's stamps with --claim)."""
    state = _state()
    with desk_for(state) as desk:
        result = desk.enrol(
            name=name,
            email=email,
            phone=phone,
            birthday=birthday,
            referrer=referrer,
            claim=claim,
            at=at,
            card=card_number,
            leaderboard=leaderboard,
        )
        zone = _zone(desk)

    def text() -> str:
        extra = ""
        if result.claimed_checkout is not None:
            extra = f" + {_plural(result.claimed_stamps, 'stamp')} from the receipt"
        lines = [
            f"New card {result.number} for {result.card.name}: "
            f"{_plural(result.starter_stamps, 'starter stamp')}{extra}",
            result.card.progress,
        ]
        lines += _coupon_lines(result.new_coupons, zone, title="Coupons to hand over")
        return "\n".join(lines)

    emit(state, result.to_dict(), text)


@cli.command(context_settings=CONTEXT)
@click.argument("number")
@common_options
def card(number: str) -> None:
    """Show a card's state: balance, next milestone, coupons to use."""
    state = _state()
    with desk_for(state) as desk:
        result = desk.card(number)
        zone = _zone(desk)
    emit(state, result.to_dict(), lambda: card_text(result, zone))


@cli.command(context_settings=CONTEXT)
@click.option("--at", metavar="ISO", help="As of this time (a past, timezone-aware time); default now.")
@common_options
def expire(at: str | None) -> None:
    """Write the lapse of the stamps of every card without a visit for
    [program.expiry] stamps_after_days (a sale does it for its own card), and
    forget the idempotency keys older than idempotency_days; run it nightly
    to keep the accounts current."""
    state = _state()
    with desk_for(state) as desk:
        result = desk.expire(at=at)
    emit(
        state,
        result.to_dict(),
        lambda: (
            f"Stamps lapsed: {_plural(result.stamps, 'stamp')} on {_plural(result.cards, 'card')}; "
            f"idempotency keys forgotten: {result.keys}"
        ),
    )


@cli.command(context_settings=CONTEXT)
@click.argument("number")
@click.argument("text", metavar="TEXT")
@common_options
def notes(number: str, text: str) -> None:
    """Keep a note on a card's customer, shown at the till ("usual: flat white");
    an empty TEXT clears it."""
    state = _state()
    with desk_for(state) as desk:
        result = desk.set_notes(number, text)
    emit(
        state,
        result.to_dict(),
        lambda: (
            f"Note on card {result.number}: {result.notes}"
            if result.notes
            else f"Note on card {result.number} cleared"
        ),
    )


@cli.command("leaderboard-optin", context_settings=CONTEXT)
@click.argument("number")
@click.argument("choice", metavar="on|off", type=click.Choice(["on", "off"], case_sensitive=False))
@common_options
def leaderboard_optin(number: str, choice: str) -> None:
    """Show (on) or stop showing (off) a card's customer, by first name, on
    the customer-of-the-month board: their choice, asked first."""
    state = _state()
    with desk_for(state) as desk:
        result = desk.set_leaderboard(number, choice.lower() == "on")
    emit(
        state,
        result.to_dict(),
        lambda: (
            f"Card {result.number}: shown on the customer-of-the-month board"
            if result.leaderboard
            else f"Card {result.number}: not shown on the customer-of-the-month board"
        ),
    )


@cli.command(context_settings=CONTEXT)
@click.option("--month", metavar="YYYY-MM", help="Which month; default: the current one (shop time).")
@click.option(
    "--limit", type=click.IntRange(1, 100), default=10, show_default=True, help="At most this many."
)
@common_options
def leaderboard(month: str | None, limit: int) -> None:
    """The customer-of-the-month board: the customers who opted in, by
    qualifying visits in the month (refunded sales left out)."""
    state = _state()
    with desk_for(state) as desk:
        board = desk.leaderboard(month, limit)

    def text() -> str:
        lines = [f"Customer of the month, {board.month}"]
        if not board.entries:
            lines.append("  No visits yet from customers on the board")
        width = max((len(e.name) for e in board.entries), default=0)
        lines += [
            f"{e.rank:>3}. {e.name:<{width}}  {e.card}  {_plural(e.visits, 'visit')}" for e in board.entries
        ]
        return "\n".join(lines)

    emit(state, board.to_dict(), text)


@cli.command(context_settings=CONTEXT)
@click.option("--from", "start", metavar="DATE", help="First day (YYYY-MM-DD); default: 30 days ago.")
@click.option("--to", "end", metavar="DATE", help="Last day, included (YYYY-MM-DD); default: today.")
@click.option(
    "--format",
    "form",
    type=click.Choice(["text", "json", "csv", "html"]),
    default=None,
    help="text (default), json (as --json), csv or html (one self-contained page).",
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE instead of stdout."
)
@click.option(
    "--shop", metavar="SHOP", help="One shop of the chain (name or number); default: the whole chain."
)
@common_options
def report(start: str | None, end: str | None, form: str | None, out: Path | None, shop: str | None) -> None:
    """How the programme performs: members against walk-ins, stamps and
    rewards, what the rewards cost, retention, and a verdict."""
    from .report_formats import report_csv, report_html, report_text

    state = _state()
    form = form or ("json" if state.json else "text")
    with desk_for(state) as desk:
        result = desk.report(start, end, shop=shop)
        locale = desk.settings.locale
    data = result.to_dict()
    body = {
        "json": lambda: dumps(data),
        "csv": lambda: report_csv(result),
        "html": lambda: report_html(result, locale),
        "text": lambda: report_text(result, locale),
    }[form]()
    if out is None:
        click.echo(body)
        return
    out.write_text(body if body.endswith("\n") else body + "\n", encoding="utf-8")
    emit(state, {"out": str(out), "format": form}, lambda: f"Report written to {out} ({form})")


@cli.command(context_settings=CONTEXT)
@click.argument("query")
@click.option(
    "--limit", type=click.IntRange(1, 100), default=20, show_default=True, help="At most this many."
)
@common_options
def search(query: str, limit: int) -> None:
    """Find cards by name, e-mail or phone."""
    state = _state()
    with desk_for(state) as desk:
        matches = desk.search(query, limit)
    data = {"query": query, "results": [m.to_dict() for m in matches]}

    def text() -> str:
        if not matches:
            return f"No card matches {query!r}"
        return "\n".join(
            f"{m.number}  {m.name}  {_plural(m.balance, 'stamp')}"
            + "".join(f"  {x}" for x in (m.email, m.phone) if x)
            for m in matches
        )

    emit(state, data, text)


# ignore_unknown_options lets "-2" through as STAMPS instead of an unknown option.
@cli.command(context_settings={**CONTEXT, "ignore_unknown_options": True})
@click.argument("number")
@click.argument("stamps", type=int)
@click.option("--reason", required=True, help="Why (kept in the ledger).")
@click.option("--staff", required=True, help="Who (kept in the ledger).")
@common_options
def adjust(number: str, stamps: int, reason: str, staff: str) -> None:
    """Give (STAMPS > 0) or take back (STAMPS < 0) stamps by hand."""
    state = _state()
    with desk_for(state) as desk:
        change = desk.adjust(number, stamps, reason=reason, staff=staff)
        zone = _zone(desk)
    emit(state, change.to_dict(), lambda: change_text(change, zone, what="Adjusted"))


# --------------------------------------------------------------------------
# Sales and coupons


KEY_HELP = (
    "Idempotency key: the same key again from this till returns the first result (for idempotency_days)."
)


@cli.command(context_settings=CONTEXT)
@click.option("--card", "card_number", metavar="NUMBER", help="The customer's card; none for a walk-in.")
@click.option("--amount", required=True, metavar="A", help='The sale\'s amount, e.g. "12.50".')
@click.option(
    "--item",
    "items",
    multiple=True,
    metavar="SKU:CATEGORY:QTY:PRICE",
    help="A line of the sale (repeatable).",
)
@click.option("--key", metavar="KEY", help=KEY_HELP)
@click.option("--at", metavar="ISO", help="When, for history (a past, timezone-aware time); default now.")
@click.option("--till", metavar="NAME", help="The till recording the sale (whose key it is).")
@click.option("--print", "print_it", is_flag=True, help="Print the receipt.")
@common_options
def checkout(
    card_number: str | None,
    amount: str,
    items: tuple[str, ...],
    key: str | None,
    at: str | None,
    till: str | None,
    print_it: bool,
) -> None:
    """Record a sale and stamp the card (a walk-in gets an enrolment link).

    With --print, the receipt's job is recorded with the sale and sent to the
    printer; a printer fault leaves it pending and the sale stands (exit 0).
    """
    from .offline import OfflineSale

    state = _state()
    outcome = None
    with desk_for(state) as desk:
        # A missing or malformed printer is refused before anything is written.
        printer = _printer(desk) if print_it else None
        result = desk.checkout(
            card=card_number,
            amount=amount,
            items=list(items),
            idempotency_key=key,
            at=at,
            till=till,
            receipt=print_it,
        )
        if isinstance(result, OfflineSale):
            outcome = print_offline_sale(desk, printer, result) if printer is not None else None
        else:
            zone = _zone(desk)
            if printer is not None and result.print_job is not None:
                outcome = _print_until(desk, printer, result.print_job)
    data = result.to_dict()
    if isinstance(result, OfflineSale):
        if print_it:
            data["printed"] = bool(outcome and outcome.printed)
            data["print_error"] = None if outcome is None or outcome.printed else outcome.message
        emit(state, data, lambda: offline_text(result))
        if print_it and not data["printed"]:
            click.echo(
                f"stampdesk: warning: the receipt did not print: {one_line(data['print_error'])}", err=True
            )
        return
    if print_it:
        data["printed"] = bool(outcome and outcome.printed)
        data["print_error"] = None if outcome is None or outcome.printed else outcome.message
    emit(state, data, lambda: checkout_text(result, zone))
    if print_it and not data["printed"]:
        click.echo(
            f"stampdesk: warning: checkout {result.checkout} is recorded; its receipt waits for the printer: "
            f"{one_line(data['print_error'] or 'an earlier receipt is still waiting')}",
            err=True,
        )


def offline_text(sale: OfflineSale) -> str:
    """What the cashier is told of a sale kept while the database is out of reach."""
    who = f"card {sale.card}" if sale.card else "walk-in"
    return (
        f"Offline: the sale of {sale.amount} ({who}) is kept on this till and its stamps wait for "
        f"synchronisation ({_plural(sale.waiting, 'sale')} waiting). Reference: {sale.key}"
    )


def print_offline_sale(desk: Desk, printer: Any, sale: OfflineSale) -> Any:
    from .printer.outbox import print_offline_sale as print_it

    return print_it(desk, printer, sale)


@cli.command(context_settings=CONTEXT)
@common_options
def sync() -> None:
    """Send the sales this till kept while the database was out of reach,
    in the order they were made (each is recorded once); exit 1 while the
    database still cannot be reached."""
    state = _state()
    with desk_for(state) as desk:
        report = desk.sync()
        waiting = desk.waiting_sales()
    data = report.to_dict()

    def text() -> str:
        if desk.offline is None:
            return "Nothing to send: this till has no offline outbox (offline = false)."
        lines = [f"Sent {_plural(report.sent, 'sale')}; {_plural(waiting, 'sale')} waiting."]
        if not report.online:
            lines.append("The database is still out of reach: run `stampdesk sync` again later.")
        for refusal in report.refusals:
            lines.append(f"Refused by the database: {refusal.key} ({refusal.amount}): {refusal.message}")
        return "\n".join(lines)

    emit(state, data, text)
    if not report.online:
        raise SystemExit(1)


def _printer(desk: Desk) -> Any:
    from .printer.outbox import printer_for

    return printer_for(desk)


def _print_until(desk: Desk, printer: Any, job: int) -> Any:
    """Print the waiting receipts, oldest first, up to ``job``; its outcome."""
    from .printer.outbox import print_pending

    for outcome in print_pending(desk, printer):
        if outcome.job == job or not outcome.printed:
            return outcome
    return None


def _print_one(state: CliState, desk: Desk, job: Any) -> None:
    """Print a just-queued job; exit 1 (the job stays queued) if the printer fails."""
    outcome = _print_until(desk, _printer(desk), job.id)
    data = {
        "job": job.id,
        "checkout": job.checkout,
        "duplicate": job.duplicate,
        "printed": bool(outcome and outcome.printed),
        "files": list(outcome.files) if outcome else [],
    }
    if outcome is None or not outcome.printed:
        message = outcome.message if outcome else "an earlier receipt is still waiting for the printer"
        raise Refused(
            f"the receipt waits for the printer: {message}", outcome.reason if outcome else "pending"
        )
    emit(state, data, lambda: f"Printed{' (DUPLICATA)' if job.duplicate else ''}: job {job.id}")


@cli.command(context_settings=CONTEXT)
@click.argument("checkout_id", metavar="CHECKOUT_ID")
@common_options
def reprint(checkout_id: str) -> None:
    """Print a sale's receipt again (marked DUPLICATA)."""
    state = _state()
    with desk_for(state) as desk:
        _printer(desk)  # a bad printer is refused before anything is queued
        _print_one(state, desk, desk.reprint(checkout_id))


@cli.command("print-test", context_settings=CONTEXT)
@common_options
def print_test() -> None:
    """Print a test receipt: accents, a QR code, a barcode, the columns."""
    from .services import printing

    state = _state()
    with desk_for(state) as desk:
        _printer(desk)
        _print_one(state, desk, printing.test_page(desk.store))


@cli.command("print-pending", context_settings=CONTEXT)
@click.option(
    "--till",
    "tills",
    multiple=True,
    metavar="NAME",
    help="Also print the receipts of this till (repeatable); by default those of "
    "the configured till and of no till.",
)
@common_options
def print_pending_command(tills: tuple[str, ...]) -> None:
    """Print the receipts waiting for the printer (after paper out, offline…)."""
    from .printer.outbox import print_pending

    state = _state()
    with desk_for(state) as desk:
        outcomes = print_pending(desk, _printer(desk), tills=tills)
        left = len(desk.pending_receipts(tills=tills))
    data = {
        "printed": sum(o.printed for o in outcomes),
        "pending": left,
        "error": next((o.message for o in outcomes if not o.printed), None),
    }
    emit(
        state,
        data,
        lambda: (
            f"Printed {data['printed']}, still waiting: {left}"
            + (f" ({data['error']})" if data["error"] else "")
        ),
    )
    if left:
        sys.exit(EXIT_ERROR)


@cli.group("staff", context_settings=CONTEXT)
def staff_group() -> None:
    """Cashiers and owners who sign in at the till with a PIN."""


def _read_pin(prompt: str) -> str:
    """A PIN from the terminal (hidden, asked twice) or one line of stdin."""
    if sys.stdin.isatty():
        pin: str = click.prompt(prompt, hide_input=True, confirmation_prompt=True)
        return pin
    return sys.stdin.readline().strip()


def _member_line(member: StaffMember) -> str:
    return f"{member.name} ({member.role})" + ("" if member.active else " [deactivated]")


@staff_group.command("add", context_settings=CONTEXT)
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(["cashier", "owner"]),
    default="cashier",
    show_default=True,
    help="An owner may change the programme.",
)
@common_options
def staff_add(name: str, role: str) -> None:
    """Add NAME; the PIN (4 to 8 digits; an owner's not easy to guess) is
    asked, or read from stdin."""
    state = _state()
    pin = _read_pin(f"PIN for {name}")
    with desk_for(state) as desk:
        member = desk.add_staff(name, role, pin)
    emit(state, member.to_dict(), lambda: f"Added {_member_line(member)}")


@staff_group.command("list", context_settings=CONTEXT)
@click.option("--all", "everyone", is_flag=True, help="Deactivated members too.")
@common_options
def staff_list(everyone: bool) -> None:
    """The shop's staff."""
    state = _state()
    with desk_for(state) as desk:
        members = desk.staff(include_inactive=everyone)
    data = {"staff": [m.to_dict() for m in members]}
    emit(
        state,
        data,
        lambda: "\n".join(_member_line(m) for m in members) or "No staff yet: the till opens without a PIN",
    )


@staff_group.command("pin", context_settings=CONTEXT)
@click.argument("name")
@common_options
def staff_pin(name: str) -> None:
    """Give NAME a new PIN (asked, or read from stdin; an owner's not easy
    to guess)."""
    state = _state()
    pin = _read_pin(f"New PIN for {name}")
    with desk_for(state) as desk:
        member = desk.set_pin(name, pin)
    emit(state, member.to_dict(), lambda: f"New PIN for {member.name}")


@staff_group.command("remove", context_settings=CONTEXT)
@click.argument("name")
@common_options
def staff_remove(name: str) -> None:
    """Deactivate NAME (kept in the ledger's history; the last owner stays)."""
    state = _state()
    with desk_for(state) as desk:
        member = desk.deactivate_staff(name)
    emit(state, member.to_dict(), lambda: f"Deactivated {member.name}")


@cli.group("cards", context_settings=CONTEXT)
def cards_group() -> None:
    """Pre-numbered loyalty cards for customers without a phone."""


@cards_group.command("print", context_settings=CONTEXT)
@click.option("--count", required=True, type=int, help="How many new cards (1 to 1000).")
@click.option(
    "--out", "out_file", required=True, metavar="FILE.pdf", help="The PDF to write (A4, ten cards a page)."
)
@common_options
def cards_print(count: int, out_file: str) -> None:
    """Create COUNT new card numbers and write them as printable cards: the
    programme's name, its stamp grid and a barcode; starter stamps come with
    each card's first sale or enrolment (`enrol --card NUMBER`)."""
    from .printer.card_sheet import card_pages, write_pdf

    state = _state()
    target = Path(out_file).expanduser()
    if target.suffix.lower() != ".pdf" or not target.parent.is_dir():
        raise InvalidInput(f"{out_file} must be a .pdf file in an existing folder", "invalid_path")
    with desk_for(state) as desk:
        program = desk.program()
        from .domain.program import Program

        rules = Program.from_dict(program.rules)
        numbers = desk.issue_cards(count)
        pages = card_pages(numbers, rules)
        write_pdf(pages, target)
    data = {"cards": list(numbers), "pages": len(pages), "file": str(target)}
    emit(
        state, data, lambda: f"{count} cards ({numbers[0]} … {numbers[-1]}) in {target}, {len(pages)} page(s)"
    )


@cli.command("printer-emulator", context_settings=CONTEXT)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback).")
@click.option("--port", default=9100, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@click.option("--out", "out_dir", default="receipts", show_default=True, help="Folder for PNG + text.")
@click.option(
    "--mode",
    default="ok",
    show_default=True,
    type=click.Choice(["ok", "paper_out", "cover_open", "offline", "silent"]),
    help="Play a printer fault, to try the till's handling of it.",
)
@common_options
def printer_emulator(host: str, port: int, out_dir: str, mode: str) -> None:
    """A loopback ESC/POS printer: saves each receipt as PNG + text, answers
    status queries (try stampdesk with it before buying a printer)."""
    from .printer.emulator import PrinterEmulator  # Pillow only for this command

    emulator = PrinterEmulator(host, port, Path(out_dir), mode)
    try:
        bound = emulator.start()
    except OSError as error:
        raise Refused(f"cannot listen on {host}:{port}: {error.strerror}", "port_unavailable") from None
    click.echo(f"printer emulator on tcp://{host}:{bound} ({mode}), saving receipts in {out_dir}/", err=True)
    try:
        emulator.serve_forever(echo=lambda line: click.echo(line))
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()


@cli.command(context_settings=CONTEXT)
@click.argument("coupon")
@click.option("--till", metavar="NAME", help="The till where the coupon is used.")
@click.option("--key", metavar="KEY", help=KEY_HELP)
@common_options
def redeem(coupon: str, till: str | None, key: str | None) -> None:
    """Use a COUPON (once)."""
    state = _state()
    with desk_for(state) as desk:
        if key is None:
            result = desk.redeem(coupon, till=till)
        else:
            result = desk.redeem_once(coupon, idempotency_key=key, till=till)
    emit(state, result.to_dict(), lambda: f"Coupon {result.code} used: {result.reward} (card {result.card})")


@cli.command(context_settings=CONTEXT)
@click.argument("checkout_id", metavar="CHECKOUT_ID")
@click.option("--key", metavar="KEY", help=KEY_HELP)
@click.option("--till", metavar="NAME", help="The till sending the refund (whose key it is).")
@common_options
def refund(checkout_id: str, key: str | None, till: str | None) -> None:
    """Refund a sale: take back all it gave (its stamps, a surprise, referral
    stamps on both cards, its birthday coupon), down to zero at most."""
    state = _state()
    with desk_for(state) as desk:
        if key is None:
            change = desk.refund(checkout_id)
        else:
            change = desk.refund_once(checkout_id, idempotency_key=key, till=till)
        zone = _zone(desk)
    what = f"Checkout {change.checkout} refunded"
    emit(state, change.to_dict(), lambda: change_text(change, zone, what=what))


# --------------------------------------------------------------------------
# Maintenance


@cli.command(context_settings=CONTEXT)
@common_options
def check() -> None:
    """Reconcile balances with the ledger and completions with their final
    rewards; exit 1 on any mismatch."""
    state = _state()
    with desk_for(state) as desk:
        report = desk.check()

    def text() -> str:
        if report.ok:
            return f"OK: {_plural(report.cards, 'card')} match the ledger ({report.ledger_rows} ledger rows)"
        lines = []
        if report.mismatches:
            lines.append(f"{_mismatch_line(len(report.mismatches))}:")
            lines += [
                f"  {m.card}: balance {m.balance} (ledger {m.ledger_balance}), "
                f"cycle {m.cycle} (ledger {m.ledger_cycle})"
                for m in report.mismatches
            ]
        if report.missing_rewards:
            lines.append(f"{_missing_line(len(report.missing_rewards))}:")
            lines += [
                f"  {m.card}: cycle {m.cycle} completed, no final reward" for m in report.missing_rewards
            ]
        return "\n".join(lines)

    emit(state, report.to_dict(), text)
    if not report.ok:
        problems = []
        if report.mismatches:
            problems.append(_mismatch_line(len(report.mismatches)))
        if report.missing_rewards:
            problems.append(_missing_line(len(report.missing_rewards)))
        click.echo(f"stampdesk: error: {'; '.join(problems)}", err=True)
        raise click.exceptions.Exit(EXIT_ERROR)


@cli.command(context_settings=CONTEXT)
@click.argument("path", metavar="PATH")
@common_options
def backup(path: str) -> None:
    """Write a consistent copy of the database to PATH, while tills keep selling."""
    state = _state()
    with desk_for(state) as desk:
        result = desk.backup(path)
    emit(state, result.to_dict(), lambda: f"Backup written to {result.path} ({result.bytes} bytes)")


@cli.command(context_settings=CONTEXT)
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

    from .services.backup import BackupInfo

    state = _state()

    def confirm(info: BackupInfo) -> bool:
        if yes:
            return True
        holds = f"{_plural(info.cards, 'card')}, " if info.cards is not None else ""
        question = (
            f"Restore {info.path} ({holds}schema {info.schema_revision}) into {url}? "
            "Every card, sale and coupon recorded since that backup will be lost."
        )
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
        result = desk.restore(path, confirm=confirm)

    def text() -> str:
        lines = [f"Restored {_plural(result.cards, 'card')} from {result.path} into {url}"]
        if result.backup_revision != result.schema_revision:
            lines.append(f"Schema upgraded from {result.backup_revision} to {result.schema_revision}")
        if result.previous is not None:
            lines.append(f"The database it replaced is kept as {result.previous}")
        lines.append("Restart the tills and `stampdesk serve` if they were running")
        return "\n".join(lines)

    emit(state, result.to_dict(), text)


@cli.command("import", context_settings=CONTEXT)
@click.argument("file", metavar="FILE")
@common_options
def import_(file: str) -> None:
    """Import existing customers from a CSV FILE (all lines or none)."""
    state = _state()
    from .services.importer import import_customers

    with desk_for(state) as desk, progress_bar(state, "Importing customers") as progress:
        report = import_customers(desk.store, Path(file), progress=progress)
    data = report.to_dict()
    emit(state, data, lambda: _generic_text(f"Imported {file}:", data))


@cli.command(context_settings=CONTEXT)
@common_options
def till() -> None:
    """The till (Textual terminal UI)."""
    state = _state()
    from .tui.app import run_till  # Textual is imported only for the till

    with desk_for(state) as desk:
        run_till(desk)


# --------------------------------------------------------------------------
# The HTTP API: keys for till software, and the server


@cli.group("shop", context_settings=CONTEXT)
def shop_group() -> None:
    """The shops of a chain and their tills (one card in every shop)."""


def _shop_line(info: dict[str, Any]) -> str:
    tills = ", ".join(info["tills"]) or "no till yet"
    own = f"; its own programme (version {info['own_program']})" if info["own_program"] else ""
    return f"{info['id']:>3}  {info['name']}  (tills: {tills}{own})"


@shop_group.command("add", context_settings=CONTEXT)
@click.argument("name")
@common_options
def shop_add(name: str) -> None:
    """Add the shop NAME to the chain."""
    state = _state()
    with desk_for(state) as desk:
        data = desk.add_shop(name).to_dict()
    emit(state, data, lambda: f"Shop {data['id']} added: {data['name']}")


@shop_group.command("rename", context_settings=CONTEXT)
@click.argument("shop")
@click.argument("name")
@common_options
def shop_rename(shop: str, name: str) -> None:
    """Give the shop SHOP (name or number) the name NAME."""
    state = _state()
    with desk_for(state) as desk:
        data = desk.rename_shop(shop, name).to_dict()
    emit(state, data, lambda: f"Shop {data['id']} is now {data['name']}")


@shop_group.command("list", context_settings=CONTEXT)
@common_options
def shop_list() -> None:
    """The shops, their tills, and which have a programme of their own."""
    state = _state()
    with desk_for(state) as desk:
        rows = [s.to_dict() for s in desk.shops()]
    emit(state, {"shops": rows}, lambda: "\n".join(_shop_line(r) for r in rows))


@shop_group.command("till", context_settings=CONTEXT)
@click.argument("till")
@click.argument("shop")
@common_options
def shop_till(till: str, shop: str) -> None:
    """Register the till TILL in the shop SHOP (or move it there): its sales
    are that shop's from now on."""
    state = _state()
    with desk_for(state) as desk:
        data = desk.assign_till(till, shop).to_dict()
    emit(state, data, lambda: f"Till {data['name']} is in {data['shop']}")


@cli.group("apikey", context_settings=CONTEXT)
def apikey_group() -> None:
    """API keys of the till software that calls `stampdesk serve`."""


@apikey_group.command("create", context_settings=CONTEXT)
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(["till", "admin"]),
    default="till",
    show_default=True,
    help="till: sales, cards, coupons, refunds; admin: also the programme.",
)
@click.option(
    "--shop", metavar="SHOP", help="Register the till in this shop (a chain); see `stampdesk shop`."
)
@common_options
def apikey_create(name: str, role: str, shop: str | None) -> None:
    """Print a new API key for the till NAME (shown once, stored hashed)."""
    state = _state()
    with desk_for(state) as desk:
        new = desk.create_api_key(name, role, shop=shop)
    data = {"name": new.name, "key": new.key, "role": new.role, "prefix": new.prefix, "shop": shop}
    emit(
        state,
        data,
        lambda: (
            f"API key for {new.name} ({new.role}):\n{new.key}\n"
            "Shown once: put it in the till's settings (Authorization: Bearer <key>)."
        ),
    )


@apikey_group.command("revoke", context_settings=CONTEXT)
@click.argument("name")
@common_options
def apikey_revoke(name: str) -> None:
    """Revoke the live API key of the till NAME."""
    state = _state()
    with desk_for(state) as desk:
        info = desk.revoke_api_key(name)
    emit(
        state,
        info.to_dict(),
        lambda: (
            f"API key of {info.name} ({info.prefix}…) revoked; "
            "a running server refuses it within a few seconds"
        ),
    )


@apikey_group.command("list", context_settings=CONTEXT)
@click.option("--all", "include_revoked", is_flag=True, help="Also the revoked keys.")
@common_options
def apikey_list(include_revoked: bool) -> None:
    """The API keys: name, role, first characters, last use (never the keys)."""
    state = _state()
    with desk_for(state) as desk:
        keys = desk.api_keys(include_revoked=include_revoked)
        zone = _zone(desk)

    def when(moment: datetime | None) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else "never"

    def text() -> str:
        if not keys:
            return "No API keys: create one with `stampdesk apikey create NAME`"
        lines = []
        for k in keys:
            line = f"{k.name:<20} {k.role:<6} {k.prefix}…  created {when(k.created_at)}"
            line += f", used {when(k.last_used_at)}"
            if k.revoked_at is not None:
                line += f", revoked {when(k.revoked_at)}"
            lines.append(line)
        return "\n".join(lines)

    emit(state, {"keys": [k.to_dict() for k in keys]}, text)


@cli.command(context_settings=CONTEXT)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default)."
)
@click.option("--port", default=8421, show_default=True, type=click.IntRange(1, 65535), help="TCP port.")
@click.option(
    "--forwarded-allow-ips",
    default="127.0.0.1",
    show_default=True,
    metavar="IPS",
    help="Proxies whose X-Forwarded-For/-Proto headers are trusted (comma-separated, or *).",
)
@click.option("--access-log/--no-access-log", default=True, show_default=True, help="Log each request.")
@common_options
def serve(host: str, port: int, forwarded_allow_ips: str, access_log: bool) -> None:
    """The POS API (/api/v1, schema at /openapi.json) and the customer pages.

    Listens on 127.0.0.1 unless told otherwise: publish it behind a TLS
    reverse proxy (see the README). Logs never show API keys or page tokens.
    """
    import uvicorn

    from .web.app import create_app
    from .web.logs import install_redaction

    state = _state()
    with desk_for(state) as desk:
        app = create_app(desk)
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            access_log=access_log,
            proxy_headers=True,
            forwarded_allow_ips=forwarded_allow_ips,
            server_header=False,
            log_level="info",
            timeout_graceful_shutdown=5,
        )
        install_redaction()  # after uvicorn.Config, which sets the loggers up
        click.echo(
            f"stampdesk: POS API on http://{host}:{port}/api/v1 (schema: /openapi.json, docs: /docs)",
            err=True,
        )
        uvicorn.Server(config).run()


# --------------------------------------------------------------------------
# Optional parts, imported lazily


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


# --------------------------------------------------------------------------
# Entry point


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
        report_error(exc.code, exc.message, as_json=_wants_json(args, state))
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
            message = "a command is missing"
        report_error("usage", message + hint, as_json=as_json)
        return EXIT_USAGE
    except click.ClickException as exc:
        report_error("error", exc.format_message(), as_json=_wants_json(args, state))
        return exc.exit_code if exc.exit_code else EXIT_ERROR
    except click.Abort:
        click.echo("stampdesk: interrupted", err=True)
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
            message = f"cannot use the database: {one_line(str(exc.orig or exc)).split(' [SQL')[0]}"
            report_error("database_unavailable", message, as_json=_wants_json(args, state))
            return EXIT_ERROR
        raise
    # Commands return None; `--help`/`--version` end through Exit above.
    return rv if isinstance(rv, int) else 0


if __name__ == "__main__":
    sys.exit(main())
