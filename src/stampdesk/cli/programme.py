"""`stampdesk program`: set and show the stamp-card programme."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .common import CONTEXT, common_options, current_state, desk_for, emit, plural


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
    data = info.to_dict()
    emit(state, data, lambda: program_text(data, loaded=True))


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
    emit(state, data, lambda: program_text(data, loaded=False))


def program_text(data: dict[str, Any], *, loaded: bool) -> str:
    """The programme's rules in a few lines."""
    verb = "loaded" if loaded else "current"
    lines = [
        f"Programme {data.get('name')!r} ({verb}, version {data.get('version')})",
        f"  {data.get('stamps_per_card')} stamps per card, "
        f"{plural(int(data.get('starter_stamps') or 0), 'starter stamp')}",
    ]
    for m in data.get("milestones", []):
        lines.append(f"  at {m['at']}: {m['reward']}")
    earning = data.get("earning") or {}
    per_visit = plural(int(earning.get("per_visit") or 0), "stamp")
    rule = f"  {per_visit} per visit from {earning.get('min_amount')}"
    if earning.get("per_amount"):
        rule += f", +1 per {earning['per_amount']} spent"
    if earning.get("max_per_day") is not None:
        rule += f", at most {earning['max_per_day']} a day"
    lines.append(rule)
    return "\n".join(lines)


COMMANDS = (program,)
