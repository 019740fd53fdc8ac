"""`stampdesk till`: the Textual till."""

from __future__ import annotations

import click

from .common import CONTEXT, common_options, current_state, desk_for


@click.command(context_settings=CONTEXT)
@common_options
def till() -> None:
    """The till (Textual terminal UI)."""
    state = current_state()
    from ..tui.app import run_till  # Textual is imported only for the till

    with desk_for(state) as desk:
        run_till(desk)


COMMANDS = (till,)
