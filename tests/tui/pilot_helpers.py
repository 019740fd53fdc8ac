"""Helpers for driving the till with Textual's Pilot."""

from __future__ import annotations

from textual import events
from textual.pilot import Pilot
from textual.widgets import Input
from textual.worker import WorkerState

from stampdesk.tui.app import TillApp

SIZE = (80, 24)
_KEYS = {" ": "space"}


async def settle(pilot: Pilot[None]) -> None:
    """Wait until every worker is done and its messages are handled (a
    handler may start another worker: a search that selects a card)."""
    quiet = 0
    for _ in range(40):
        # A pause first: mount handlers and messages may still start a worker.
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        busy = any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in pilot.app.workers)
        quiet = 0 if busy else quiet + 1
        if quiet == 2:  # two quiet rounds in a row: nothing is left in flight
            return
    raise AssertionError("workers did not settle")


async def type_text(pilot: Pilot[None], text: str) -> None:
    """Type ``text`` key by key, as a person or a scanner would."""
    await pilot.press(*(_KEYS.get(c, c) for c in text))


async def burst(pilot: Pilot[None], text: str) -> None:
    """Put ``text`` in the focused field in one go, as a scanner's burst of
    keys arrives (Pilot's key-by-key typing costs ~60 ms a key)."""
    focused = pilot.app.focused
    assert focused is not None, "no field has the focus"
    focused.post_message(events.Paste(text))
    await pilot.pause()


async def submit(pilot: Pilot[None], text: str, key: str = "enter", *, typed: bool = False) -> None:
    """Enter ``text`` (key by key when ``typed``) then ``key`` (Enter, or
    Tab/LF as some scanners send), and wait for the till to answer."""
    if typed:
        await type_text(pilot, text)
    else:
        await burst(pilot, text)
    await pilot.press(key)
    await settle(pilot)


def screen_text(app: TillApp) -> str:
    """The characters on the terminal, line by line (what the cashier sees)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def shows(app: TillApp, text: str) -> bool:
    """Whether the screen shows ``text`` (a long line may wrap: spaces and
    line breaks count alike)."""
    return " ".join(text.split()) in " ".join(screen_text(app).split())


def feedback(app: TillApp) -> tuple[str, str]:
    """The feedback line: (kind, message)."""
    line = app.till.feedback
    return line.kind, line.message


def focused_id(app: TillApp) -> str | None:
    return app.focused.id if app.focused is not None else None


def field(app: TillApp, name: str) -> Input:
    return app.till.query_one(f"#{name}", Input)
