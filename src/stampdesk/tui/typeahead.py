"""Keys in the order they were typed, into the field they were meant for.

A barcode scanner types a card's 13 digits and Enter within a few
milliseconds, and the cashier types the amount right after. Textual hands a
printable key to the focused field as soon as it arrives, but an Enter goes
a longer way (up the widget tree to the bindings, then a ``Submitted``
message back to the screen), and a new focus is applied from the app's
queue. In a burst the amount's digits overtook the scan's Enter and landed
in the card field; keys typed while the card was being looked up went to a
field that was then cleared.

``InOrderKeys`` (the till's app) keeps two promises:

- a key that may change what the screen shows (anything but a printable key
  into a text field) is followed by a *barrier*: the keys after it wait
  until every message it caused has been handled along the focused widget's
  chain, the new focus included; a new screen is waited for the same way,
  until it is mounted and focused;
- a screen can hold the keys while it waits for something slower (a
  database worker): ``hold_keys(node, token)`` then
  ``release_keys(node, token)``.

Kept keys are replayed in order, each by the same road, into whatever has
the focus once nothing holds them: nothing typed is dropped.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from textual import events, on
from textual.app import App
from textual.dom import DOMNode
from textual.message import Message
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.widgets import Input

# A barrier follows the messages a key caused for at most this many rounds
# along the focused chain (a key, its binding's message, that message's
# handler's message…), and never longer than this many seconds.
BARRIER_ROUNDS = 16
BARRIER_SECONDS = 5.0


@dataclass
class ReplayKeys(Message):
    """Nothing holds the keys any more: the kept ones may go on."""


def hold_keys(node: DOMNode, token: object) -> None:
    """Keep the keys typed from now on until ``release_keys(node, token)``."""
    app = node.app
    if isinstance(app, InOrderKeys):
        app.hold_keys(token)


def release_keys(node: DOMNode, token: object) -> None:
    """End the hold ``token`` (nothing happens if it is not held)."""
    app = node.app
    if isinstance(app, InOrderKeys):
        app.release_keys(token)


class InOrderKeys(App[None]):
    """An app whose keys are handled one after the other, each once the
    previous one has had all its effects (see the module docstring)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._holds: set[object] = set()
        self._barriers: dict[object, float] = {}  # barrier → when it started
        self._kept: deque[events.Key | events.Paste] = deque()
        self._replay_posted = False

    @property
    def keys_waiting(self) -> int:
        """How many typed keys are kept, not yet handled."""
        return len(self._kept)

    @on(events.Mount)
    def _follow_screens(self) -> None:
        self.screen_change_signal.subscribe(self, self._screen_changed)
        # A barrier whose message a closing widget never handled ends anyway.
        self.set_interval(BARRIER_SECONDS / 2, self._end_stale_barriers)

    # ------------------------------------------------------------------
    # Holding and replaying

    def hold_keys(self, token: object) -> None:
        """Keep the keys typed from now on until ``release_keys(token)``."""
        self._holds.add(token)

    def release_keys(self, token: object) -> None:
        """End the hold ``token``. When nothing holds the keys any more, they
        go on once what the holder did meanwhile has settled: keys already
        on their way to the app must not overtake the focus it set."""
        if token not in self._holds:
            return
        self._holds.discard(token)
        if not self._holds:
            self._barrier()

    def _end_barrier(self, token: object) -> None:
        self._barriers.pop(token, None)
        if token not in self._holds:
            return
        self._holds.discard(token)
        if not self._holds and self._kept and not self._replay_posted:
            self._replay_posted = True
            self.post_message(ReplayKeys())

    @on(ReplayKeys)
    async def _replay(self) -> None:
        self._replay_posted = False
        while not self._holds and self._kept:
            await self._press(self._kept.popleft())

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            if self._holds or self._kept:
                self._kept.append(event)  # typed after keys not handled yet
            else:
                await self._press(event)
            return
        await super().on_event(event)

    async def _press(self, event: events.Key | events.Paste) -> None:
        """Handle one key by Textual's own road; anything but text typed into
        a field is followed by a barrier."""
        into_field = isinstance(self.focused, Input) and (
            isinstance(event, events.Paste) or event.is_printable
        )
        await super().on_event(event)
        if not into_field:
            self._barrier()  # behind the key, along the road it took

    # ------------------------------------------------------------------
    # Barriers

    def _barrier(self) -> None:
        """Hold the keys until every message now on its way along the
        focused chain has been handled (see ``_round``)."""
        token = object()
        self.hold_keys(token)
        self._barriers[token] = time.monotonic()
        self._round(token, 1)

    def _chain(self) -> list[MessagePump]:
        """The focused widget and its ancestors, the app last: the road a
        key and the messages it causes bubble along."""
        start: DOMNode = self.focused or self.screen
        return list(start.ancestors_with_self)

    def _round(self, token: object, number: int) -> None:
        """One round: a callback goes from node to node along the chain,
        behind whatever each node holds. Another round follows while some
        node got new messages meanwhile or the focus moved."""
        chain = self._chain()
        focused = self.focused

        def at(index: int) -> None:
            for following in range(index, len(chain)):
                if chain[following].call_later(at, following + 1):
                    return
            finished()

        def finished() -> None:
            if token not in self._barriers:
                return  # ended by the clock
            busy = any(node.message_queue_size for node in self._chain() if node is not self)
            if (busy or self.focused is not focused) and number < BARRIER_ROUNDS:
                self._round(token, number + 1)
            else:
                self._end_barrier(token)

        at(0)

    def _screen_changed(self, screen: Screen[Any]) -> None:
        """A screen was pushed, popped or switched to: keys wait until it
        is resumed (its focus restored or set) and that focus settled."""
        token = object()
        self.hold_keys(token)
        self._barriers[token] = time.monotonic()
        if not screen.call_later(self._round, token, 1):
            self._round(token, 1)

    def _end_stale_barriers(self) -> None:
        now = time.monotonic()
        for token, started in list(self._barriers.items()):
            if now - started > BARRIER_SECONDS:
                self.log.warning("a key's effects took too long: the keys after it go on")
                self._end_barrier(token)
