"""`stampdesk where`: which shop a command acts on, and why."""

from __future__ import annotations

from typing import Any

import click

from .common import CONTEXT, book_for, common_options, current_state, emit


@click.command(context_settings=CONTEXT)
@common_options
def where() -> None:
    """Which database, config file, printer and public URL the commands use,
    and where each came from (an option, an environment variable, the config
    file or the default). Creates nothing."""
    from sqlalchemy.engine import make_url

    from ..config import default_config_file, load_settings
    from ..db import sqlite_file

    state = current_state()
    settings = load_settings(db=state.db, config=state.config, printer=state.printer)
    state.locale = settings.locale
    origins = settings.origins
    config = settings.config_file or (
        default_config_file() if origins["config"].source == "default" else state.config
    )
    database_file = sqlite_file(settings.database)
    data: dict[str, dict[str, Any]] = {
        "database": {
            "value": make_url(settings.database).render_as_string(hide_password=True),
            # A SQLite file: whether it is there yet (a server's database: null).
            "exists": None if database_file is None else database_file.exists(),
        },
        "config": {"value": str(config), "exists": settings.config_file is not None},
        "printer": {"value": settings.printer.url},
        "public_url": {"value": settings.public_url},
    }
    for key, entry in data.items():
        entry["source"], entry["via"] = origins[key].source, origins[key].via
    say = book_for(state)

    def shown(key: str, entry: dict[str, Any]) -> str:
        if key == "database" and entry["exists"] is False:
            return say("cli.where.database.missing", url=entry["value"])
        if key == "config" and not entry["exists"]:
            return say("cli.where.config.missing", path=entry["value"])
        if key == "printer" and entry["value"] is None:
            return say("cli.where.printer.none")
        return str(entry["value"])

    def text() -> str:
        return "\n".join(
            say(
                "cli.where.line",
                label=say(f"cli.where.{key}"),
                value=shown(key, entry),
                origin=say(f"cli.where.from.{entry['source']}", via=entry["via"]),
            )
            for key, entry in data.items()
        )

    emit(state, data, text)


COMMANDS = (where,)
