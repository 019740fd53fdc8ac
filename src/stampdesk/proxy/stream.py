"""What a till sends, cut into what goes to the printer at once and receipts held back.

A :class:`TillStream` reads the till's bytes with the printer emulator's
decoder (:class:`~stampdesk.printer.decode.StreamDecoder`). The status
requests (``DLE EOT``, ``DLE ENQ``, ``DLE DC4``, ``GS r``, ``GS I``,
``GS a``, ``ESC v``, ``ESC u``) are given back at once, to be sent ahead;
the rest is held until the cut that ends a receipt, then given back as a
:class:`HeldReceipt`: its bytes as the till sent them (less the requests
already sent) and where a block can go in before the cut. Bytes that are no
receipt (blank paper, settings after the last cut) and anything held when
the till pauses (:meth:`TillStream.flush`) come back as :class:`Passing`.

A stream that grows past ``max_held`` bytes without a cut, or that the
decoder cannot read, is passed on as it comes from then on (``too_big``,
``error``). No I/O: the server does the sockets.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..printer.decode import Page, PrintMode, StreamDecoder

#: Held bytes past which a connection is passed on unread.
MAX_HELD = 16 * 1024 * 1024
#: The requests a printer answers or acts on at once, sent ahead of held print data.
#: (``GS ( k`` asks a QR code's size: part of printing the code, it stays in order.)
AHEAD = frozenset({"DLE EOT", "DLE ENQ", "DLE DC4", "GS r", "GS I", "GS a", "ESC v", "ESC u"})


@dataclass(frozen=True)
class Passing:
    """Bytes to send on as they are; ``reason`` (a code) when they held a
    receipt that could not be read (the journal says why)."""

    data: bytes
    reason: str | None = None


@dataclass(frozen=True)
class HeldReceipt:
    """A whole receipt as the till sent it (``original``), decoded (``page``).

    A block goes in at ``insert_at`` (an index in ``original``): after the
    last printed line, before the feed and the cut. ``newline`` says a line
    was still waiting to be printed there (the cut printed it), so a block
    starts with a line feed; ``mode`` is the print mode the till had set
    there, to put back after the block.
    """

    original: bytes
    page: Page
    insert_at: int
    newline: bool
    mode: PrintMode

    def with_block(self, block: bytes) -> bytes:
        """The receipt with ``block`` in its place."""
        lead = b"\n" if self.newline else b""
        return self.original[: self.insert_at] + lead + block + self.original[self.insert_at :]


Out = Passing | HeldReceipt


class TillStream:
    """One till connection's bytes (see the module's docstring)."""

    def __init__(self, max_held: int = MAX_HELD) -> None:
        self.max_held = max_held
        self._decoder = StreamDecoder()
        self._held = bytearray()
        self._held_start = 0  # the stream offset of _held[0]
        self._received = 0
        self._holes: list[tuple[int, int]] = []  # requests already sent ahead
        self._page_start = 0  # where the page being read began
        self._passed_until = 0  # bytes up to here went on before their page was whole
        self._unread: str | None = None  # set: everything passes on as it comes

    @property
    def holding(self) -> bool:
        """True while bytes are held back."""
        return bool(self._held)

    def feed(self, data: bytes) -> tuple[list[bytes], list[Out]]:
        """Read ``data``: the requests to send ahead now, and what to send in order."""
        if self._unread is not None:
            return [], [Passing(data)] if data else []
        self._held += data
        self._received += len(data)
        try:
            progress = self._decoder.feed(data)
        except Exception:  # the decoder promises not to; a receipt must pass all the same
            return [], self._give_up("error")
        ahead = []
        for request in progress.requests:
            if request.command in AHEAD and request.offset >= self._held_start:
                ahead.append(request.raw)
                self._holes.append((request.offset, request.offset + len(request.raw)))
        out = [self._take_page(page) for page in progress.pages]
        if len(self._held) > self.max_held:
            out += self._give_up("too_big")
        return ahead, out

    def flush(self) -> list[Out]:
        """Send on what is held (the till paused before a cut)."""
        if not self._held:
            return []
        if self._decoder.page_begun:
            self._passed_until = self._received
        else:
            self._page_start = self._received  # settings after a cut: the next receipt starts here
        return [self._release(self._received, None)]

    def close(self) -> list[Out]:
        """The till has gone: a last page without a cut is a receipt too."""
        if self._unread is not None:
            return []
        out: list[Out] = []
        try:
            pages = self._decoder.close().pages
        except Exception:
            pages = []
        out += [self._take_page(page) for page in pages]
        if self._held:
            out.append(self._release(self._received, None))
        return out

    # -- inside

    def _give_up(self, reason: str) -> list[Out]:
        self._unread = reason
        held, self._held = bytes(self._held), bytearray()
        return [Passing(self._without_holes(held, self._held_start), reason)]

    def _take_page(self, page: Page) -> Out:
        start, end = self._page_start, page.end if page.end is not None else self._received
        self._page_start = end
        if page.ink_end is None or page.mode_at_ink is None:
            return self._release(end, None)  # blank paper: nothing to read
        if start < self._passed_until:
            return self._release(end, "idle")  # its first part already went on
        insert = min(page.ink_end, page.cut_start if page.cut_start is not None else end)
        before = self._kept(self._held_start, insert)
        original = self._release(end, None).data
        return HeldReceipt(original, page, before, page.ink_end > insert, page.mode_at_ink)

    def _kept(self, start: int, stop: int) -> int:
        """How many held bytes between two stream offsets are not sent ahead."""
        removed = sum(max(0, min(b, stop) - max(a, start)) for a, b in self._holes)
        return stop - start - removed

    def _release(self, end: int, reason: str | None) -> Passing:
        """The held bytes up to stream offset ``end``, less those sent ahead."""
        cut = end - self._held_start
        chunk = bytes(self._held[:cut])
        del self._held[:cut]
        data = self._without_holes(chunk, self._held_start)
        self._held_start = end
        self._holes = [hole for hole in self._holes if hole[1] > end]
        return Passing(data, reason)

    def _without_holes(self, chunk: bytes, start: int) -> bytes:
        if not self._holes:
            return chunk
        out = bytearray()
        position = start
        for a, b in sorted(self._holes):
            if b <= position or a >= start + len(chunk):
                continue
            out += chunk[position - start : max(position, a) - start]
            position = max(position, b)
        out += chunk[position - start :]
        return bytes(out)
