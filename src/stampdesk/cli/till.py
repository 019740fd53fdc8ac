"""`stampdesk till`: the Textual till."""

from __future__ import annotations

import gc

import click

from .common import CONTEXT, common_options, current_state, desk_for


@click.command(context_settings=CONTEXT)
@common_options
def till() -> None:
    """The till (Textual terminal UI)."""
    state = current_state()
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


COMMANDS = (till,)
