"""`stampdesk program`: set and show the stamp-card programme."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from ..words import Book
from .common import CONTEXT, book_of, common_options, current_state, desk_for, emit, stamps


@click.group(context_settings=CONTEXT)
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
    from ..services import program as program_service

    state = current_state()
    with desk_for(state) as desk:
        if file == "-":
            info = program_service.load_program(desk.store, sys.stdin.read(), shop=shop)
        else:
            info = program_service.load_program_file(desk.store, Path(file), shop=shop)
        say = book_of(desk)
    data = info.to_dict()
    emit(state, data, lambda: program_text(data, say, loaded=True))


@program.command("show", context_settings=CONTEXT)
@click.option(
    "--shop", metavar="SHOP", help="The programme in force in this shop; default: this till's shop."
)
@common_options
def program_show(shop: str | None) -> None:
    """Show the current programme."""
    state = current_state()
    with desk_for(state) as desk:
        data = desk.program(shop=shop).to_dict()
        say = book_of(desk)
    emit(state, data, lambda: program_text(data, say, loaded=False))


def program_text(data: dict[str, Any], say: Book, *, loaded: bool) -> str:
    """The programme's rules in a few lines, in the shop's words."""
    title = "cli.program.loaded" if loaded else "cli.program.current"
    starter = say.count("cli.starter_stamps", int(data.get("starter_stamps") or 0))
    lines = [
        say(title, name=data.get("name"), version=data.get("version")),
        say("cli.program.card", per_card=data.get("stamps_per_card"), starter=starter),
    ]
    for m in data.get("milestones", []):
        lines.append(say("cli.program.milestone", at=m["at"], reward=m["reward"]))
    earning = data.get("earning") or {}
    per_visit = stamps(say, int(earning.get("per_visit") or 0))
    rule = say(
        "cli.program.per_visit", stamps=per_visit, minimum=Decimal(str(earning.get("min_amount") or 0))
    )
    if earning.get("per_amount"):
        rule += say("cli.program.per_amount", amount=Decimal(str(earning["per_amount"])))
    if earning.get("max_per_day") is not None:
        rule += say("cli.program.max_per_day", count=earning["max_per_day"])
    lines.append(rule)
    return "\n".join(lines)


COMMANDS = (program,)
