"""`stampdesk till`: the Textual till; `till --demo` on the demo café of ./demo/."""

from __future__ import annotations

import gc
from pathlib import Path

import click

from .common import (
    CONTEXT,
    CliState,
    UsageMistake,
    book_for,
    common_options,
    current_state,
    desk_for,
    progress_bar,
)

# The demo café: a folder of its own, its config file beside its database.
DEMO_FOLDER = "demo"
DEMO_CONFIG = "stampdesk.toml"
DEMO_DATABASE = "cafe.db"


@click.command(context_settings=CONTEXT)
@click.option(
    "--demo",
    is_flag=True,
    help="The demo café of ./demo/: its config demo/stampdesk.toml and its database demo/cafe.db, "
    "made the first time. Other commands reach it with --config demo/stampdesk.toml.",
)
@common_options
def till(demo: bool) -> None:
    """The till (Textual terminal UI)."""
    state = current_state()
    if demo:
        state.config = str(prepare_demo(state, Path.cwd() / DEMO_FOLDER))
    # No garbage collection while the till is imported and started: what
    # they build lives as long as the till (it turns it back on once its
    # first screen is drawn).
    collecting = gc.isenabled()
    gc.disable()
    try:
        from ..tui.app import run_till  # Textual is imported only for the till

        with desk_for(state) as desk:
            run_till(desk, collect_after_start=collecting)
    finally:
        if collecting:
            gc.enable()


def prepare_demo(state: CliState, folder: Path) -> Path:
    """The demo café's config file in ``folder``, written the first time
    (its database: ``cafe.db`` beside it), and the café built into that
    database when it is a SQLite file not made yet; returns the file.

    ``--demo`` is the same as ``--config demo/stampdesk.toml``, so the
    settings' order holds: ``STAMPDESK_DB`` still names another database
    (the demo is then built only into a new SQLite file)."""
    for option, given in (("--db", state.db), ("--config", state.config)):
        if given:
            raise UsageMistake(phrase="demo_with_option", option=option)
    from ..config import load_settings
    from ..config_file import create_config
    from ..db import sqlite_file

    config = folder.absolute() / DEMO_CONFIG
    if not config.exists():
        say = book_for(state)
        create_config(
            config,
            {"database": f"sqlite:///{config.parent / DEMO_DATABASE}"},
            comments=(say("cli.demo.config.title"), say("cli.demo.config.use", path=config)),
        )
    state.config = str(config)
    settings = load_settings(config=config, printer=state.printer)
    target = sqlite_file(settings.database)
    if target is not None and not target.exists():
        from ..demo.shop import build_demo_file

        state.locale = settings.locale
        say = book_for(state)
        with progress_bar(state, say("cli.demo.building", folder=target.parent)) as progress:
            build_demo_file(settings, target, progress=progress)
        click.echo(say("cli.database_created", path=target), err=True)
    return config


COMMANDS = (till,)
