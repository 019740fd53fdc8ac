"""The footer of the till's keys, without Textual's footer leak."""

from __future__ import annotations

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
    """

    async def recompose(self) -> None:
        await super().recompose()
        self._forget_removed_keys()

    def _forget_removed_keys(self) -> None:
        # Textual keeps a reactable's watchers in its "__watchers" attribute:
        # {reactive name: [(watching node, callback), ...]}.
        watchers: dict[str, list[tuple[object, object]]] = getattr(self, "__watchers", {})
        for bound in watchers.values():
            bound[:] = [(node, callback) for node, callback in bound if not getattr(node, "_closing", False)]
