"""The footer of the till's keys, without Textual's footer leak."""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer


class TillFooter(Footer):
    """Textual's ``Footer``, minus the memory it never gives back.

    The footer recomposes its keys at every change of focus (a scan moves
    the focus two or three times), and each new key is data-bound to the
    footer's ``compact``. Textual (8.2) keeps the watcher of every key ever
    made and forgets the removed ones only when ``compact`` changes, which it
    never does here: each scan cost about 1 MB that a till open all day
    would never get back. After each recompose the removed keys' watchers
    are dropped.

    The footer also recomposes when nothing it shows changed (most focus
    changes): those recomposes are skipped, which takes a tenth of a second
    off the till's start and a few milliseconds off every scan.
    """

    _shown: tuple[Any, ...] | None = None

    async def recompose(self) -> None:
        shown = self._keys_shown()
        if shown is not None and shown == self._shown and self.children:
            return
        self._shown = shown
        await super().recompose()
        self._forget_removed_keys()

    def _keys_shown(self) -> tuple[Any, ...] | None:
        """What ``compose`` would draw: the shown keys, their labels and state."""
        if not self._bindings_ready:
            return None
        return (
            self.compact,
            self.show_command_palette,
            *(
                (binding.key, self.app.get_key_display(binding), binding.description, binding.action, on, tip)
                for _, binding, on, tip in self.screen.active_bindings.values()
                if binding.show or binding.action == "command_palette"
            ),
        )

    def _forget_removed_keys(self) -> None:
        # Textual keeps a reactable's watchers in its "__watchers" attribute:
        # {reactive name: [(watching node, callback), ...]}.
        watchers: dict[str, list[tuple[object, object]]] = getattr(self, "__watchers", {})
        for bound in watchers.values():
            bound[:] = [(node, callback) for node, callback in bound if not getattr(node, "_closing", False)]
