"""The receipt-printer plugin's server: between a till and its network printer.

For each till connection, :class:`ReceiptProxy` first connects to the
printer; if the printer cannot be reached, the till's connection is closed
at once (the till sees what it would see without stampdesk, never a healthy
printer that is not there). Then three threads per connection:

- the reader takes the till's bytes (:class:`~stampdesk.proxy.stream.TillStream`),
  sends the status requests ahead to the printer at once, and queues the
  rest: receipts held until their cut, bytes to pass on; when the till pauses
  (``idle_ms``) what is held goes on;
- the writer sends the queue to the printer in order; a receipt gets its
  loyalty block if :class:`~stampdesk.proxy.work.ReceiptWork` gives it
  within ``budget_ms`` of its cut, else it goes exactly as the till sent it;
- the pump sends the printer's answers (and automatic status bytes) to the
  till at once; when the printer's side ends, the till's is closed.

Receipts are worked on in a small pool of threads shared by all tills
(``workers``), at most ``max_tills`` tills are served at once (the others
wait in the listen queue). Every receipt is written to the journal.

A sale that commits after its receipt went unchanged ("late") is kept: it
was recorded under the receipt's key, once; its journal entry
(``late_sale``) counts it. A card sale keeps its stamps; a walk-in sale's
stamps cannot be claimed (no QR was printed), and a reprint of that receipt
is a reprint (nothing recorded, nothing added).
"""

from __future__ import annotations

import contextlib
import queue
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..domain.card_numbers import masked_card_number
from .journal import Journal
from .stream import HeldReceipt, Out, Passing, TillStream
from .work import Done, ReceiptWork

#: How long the till may pause before what is held goes on without its cut.
IDLE_MS = 1000
CONNECT_TIMEOUT = 3.0
MAX_TILLS = 16
WORKERS = 4
#: Receipts worked on at once, past which a new one goes unchanged at once ("late").
MAX_IN_FLIGHT = 32
_POLL = 0.2


@dataclass
class _Link:
    """One till connection and its printer connection."""

    till: socket.socket
    printer: socket.socket
    peer: str
    send_lock: threading.Lock
    broken: threading.Event


class ReceiptProxy:
    """The plugin's server (see the module's docstring).

    ``start()`` binds (port 0 picks one) and returns the port; ``stop()``
    ends it; ``with ReceiptProxy(...) as proxy:`` does both.
    ``on_event`` is called with each journal entry (the console's lines).
    """

    def __init__(
        self,
        listen: tuple[str, int],
        printer: tuple[str, int],
        work: ReceiptWork,
        journal: Journal,
        *,
        budget_ms: int = 150,
        idle_ms: int = IDLE_MS,
        max_tills: int = MAX_TILLS,
        workers: int = WORKERS,
        on_event: Callable[[dict[str, Any]], None] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.listen = listen
        self.printer = printer
        self.work = work
        self.journal = journal
        self.budget = budget_ms / 1000
        self.idle = idle_ms / 1000
        self.on_event = on_event
        self.clock = clock or (lambda: datetime.now(UTC))
        self.port = listen[1]
        self._slots = threading.BoundedSemaphore(max_tills)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="proxy-work")
        self._in_flight = 0
        self._lock = threading.Lock()
        self._handled = threading.Condition(self._lock)
        self.events: deque[dict[str, Any]] = deque(maxlen=1000)  # the latest journal entries
        self.receipts = 0  # receipts sent to the printer
        self._listener: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._links: set[socket.socket] = set()
        self._stopping = threading.Event()

    # -- running

    def start(self) -> int:
        """Listen, serve in background threads; return the port."""
        listener = socket.socket(socket.AF_INET6 if ":" in self.listen[0] else socket.AF_INET)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(self.listen)
        listener.listen(64)
        listener.settimeout(_POLL)
        self.port = int(listener.getsockname()[1])
        self._listener = listener
        self._stopping.clear()
        thread = threading.Thread(target=self._accept, name=f"proxy:{self.port}", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self.port

    def stop(self, timeout: float = 5.0) -> None:
        """Stop listening, end the open connections, let the sales being recorded finish."""
        self._stopping.set()
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            links = list(self._links)
        for sock in links:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + timeout
        for thread in list(self._threads):
            thread.join(max(0.0, deadline - time.monotonic()))
        self._pool.shutdown(wait=True)

    def request_stop(self) -> None:
        """Ask ``serve_forever`` to stop (from a signal handler: it only sets a flag)."""
        self._stopping.set()

    def serve_forever(self) -> None:
        """Serve until interrupted (Ctrl-C) or stopped."""
        if self._listener is None:
            self.start()
        try:
            while not self._stopping.wait(_POLL):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __enter__(self) -> ReceiptProxy:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_for_receipts(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait until ``count`` receipts in all went to the printer; the latest
        receipts' journal entries."""
        deadline = time.monotonic() + timeout
        with self._handled:
            while self.receipts < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._handled.wait(left)
            return [entry for entry in self.events if entry["event"] == "receipt"]

    # -- the listener

    def _accept(self) -> None:
        while not self._stopping.is_set():
            if not self._slots.acquire(timeout=_POLL):
                continue
            listener = self._listener
            try:
                if listener is None:
                    raise OSError
                till, address = listener.accept()
            except TimeoutError:
                self._slots.release()
                continue
            except OSError:
                self._slots.release()
                return
            thread = threading.Thread(
                target=self._serve, args=(till, f"{address[0]}:{address[1]}"), daemon=True
            )
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
            thread.start()

    # -- one till

    def _serve(self, till: socket.socket, peer: str) -> None:
        try:
            try:
                printer = socket.create_connection(self.printer, timeout=CONNECT_TIMEOUT)
            except OSError:
                # No printer: the till sees its connection end, as it would without us.
                with contextlib.suppress(OSError):
                    till.shutdown(socket.SHUT_RDWR)
                till.close()
                return
            for sock in (till, printer):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            printer.settimeout(None)
            link = _Link(till, printer, peer, threading.Lock(), threading.Event())
            with self._lock:
                self._links.update((till, printer))
            try:
                self._relay(link)
            finally:
                with self._lock:
                    self._links.difference_update((till, printer))
                for sock in (till, printer):
                    sock.close()
        finally:
            self._slots.release()

    def _relay(self, link: _Link) -> None:
        work: queue.Queue[tuple[Out, float] | None] = queue.Queue()
        pump = threading.Thread(target=self._pump, args=(link,), daemon=True)
        writer = threading.Thread(target=self._write, args=(link, work), daemon=True)
        pump.start()
        writer.start()
        stream = TillStream()
        link.till.settimeout(self.idle)
        try:
            while not link.broken.is_set():
                try:
                    data = link.till.recv(65536)
                except TimeoutError:
                    for out in stream.flush():
                        work.put((out, time.monotonic()))
                    continue
                except OSError:
                    break
                if not data:
                    break
                ahead, outs = stream.feed(data)
                if ahead:
                    self._send(link, b"".join(ahead))
                now = time.monotonic()
                for out in outs:
                    work.put((out, now))
            for out in stream.close():
                work.put((out, time.monotonic()))
        finally:
            work.put(None)
            writer.join()
            # All sent: let the printer finish, then it closes its side (the pump ends).
            with contextlib.suppress(OSError):
                link.printer.shutdown(socket.SHUT_WR)
            pump.join(CONNECT_TIMEOUT)

    def _send(self, link: _Link, data: bytes) -> None:
        if link.broken.is_set():
            return
        try:
            with link.send_lock:
                link.printer.sendall(data)
        except OSError:
            self._break(link)

    def _break(self, link: _Link) -> None:
        """The printer's side failed: end the till's side too."""
        link.broken.set()
        for sock in (link.till, link.printer):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _pump(self, link: _Link) -> None:
        """The printer's answers to the till, as they come."""
        try:
            while data := link.printer.recv(4096):
                link.till.sendall(data)
        except OSError:
            pass
        finally:
            self._break(link)

    def _write(self, link: _Link, work: queue.Queue[tuple[Out, float] | None]) -> None:
        while (item := work.get()) is not None:
            out, arrived = item
            if isinstance(out, Passing):
                self._send(link, out.data)
                if out.reason is not None:
                    self._record(link, arrived, Done(out.reason), printed=False)
                continue
            # The budget counts from the receipt's turn: one held behind another
            # (a till sending many at once) is not late for having waited.
            if link.broken.is_set():
                continue  # the printer is gone: nothing prints, so no sale is recorded
            done = self._within_budget(out, max(arrived, time.monotonic()))
            data = out.with_block(done.block) if done.block is not None else out.original
            self._send(link, data)
            self._record(link, arrived, done, printed=done.block is not None and not link.broken.is_set())

    def _within_budget(self, held: HeldReceipt, arrived: float) -> Done:
        with self._lock:
            if self._in_flight >= MAX_IN_FLIGHT:
                return Done("late")
            self._in_flight += 1
        future = self._pool.submit(self._process, held)
        future.add_done_callback(self._finished)
        try:
            return future.result(timeout=max(0.0, self.budget - (time.monotonic() - arrived)))
        except FutureTimeout:
            future.add_done_callback(self._late)
            return Done("late")

    def _process(self, held: HeldReceipt) -> Done:
        try:
            return self.work.process(held)
        except Exception as error:  # whatever it is, the receipt still prints
            return Done("error", detail=type(error).__name__)

    def _finished(self, _future: Future[Done]) -> None:
        with self._lock:
            self._in_flight -= 1

    def _late(self, future: Future[Done]) -> None:
        """A sale recorded after its receipt went unchanged: kept, and journaled."""
        done = future.result()
        if done.checkout is not None and not done.replayed:
            card = masked_card_number(done.card) if done.card else None
            self._log("late_sale", checkout=done.checkout, amount=done.amount, card=card)

    def _record(self, link: _Link, arrived: float, done: Done, *, printed: bool) -> None:
        reading = done.reading
        self._log(
            "receipt",
            printed=printed,
            reason=None if printed else (done.reason or "error"),
            checkout=done.checkout,
            replayed=done.replayed,
            amount=done.amount,
            card=masked_card_number(done.card) if done.card else None,
            pattern=reading.pattern if reading is not None else None,
            detail=done.detail,
            ms=round((time.monotonic() - arrived) * 1000, 1),
            till=link.peer,
        )

    def _log(self, event: str, **values: Any) -> None:
        at = self.clock()
        self.journal.write(at, event, **values)
        entry = {"at": at, "event": event, **values}
        with self._handled:
            self.events.append(entry)
            self.receipts += event == "receipt"
            self._handled.notify_all()
        if self.on_event is not None:
            with contextlib.suppress(Exception):  # the console must not stop a receipt
                self.on_event(entry)
