"""The print outbox worker of ``stampdesk serve``.

Receipts are queued in the database with their sale (or by the print
endpoint); this thread prints them, so no request ever waits on a printer
that is slow, out of paper or silent. It wakes when a request queues a job
(``kick``), and every ``poll_seconds`` anyway, to pick up jobs queued by
another process (a till, the CLI) and to retry after a printer fault.
"""

from __future__ import annotations

import logging
import threading

from ..desk import Desk
from ..print_outbox import ReceiptPrinter, print_pending

log = logging.getLogger("stampdesk.web")


class PrintWorker:
    """A background thread draining the print outbox to one printer."""

    def __init__(
        self, desk: Desk, printer: ReceiptPrinter, *, poll_seconds: float = 2.0, retry_seconds: float = 5.0
    ) -> None:
        self.desk = desk
        self.printer = printer
        self.poll_seconds = poll_seconds
        self.retry_seconds = retry_seconds
        self._wake = threading.Event()
        self._stopping = threading.Event()
        # A daemon: a printer that never answers must not keep the server alive.
        self._thread = threading.Thread(target=self._run, name="stampdesk-print-outbox", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def kick(self) -> None:
        """A job was queued: print it now rather than at the next poll."""
        self._wake.set()

    def stop(self, timeout: float = 3.0) -> None:
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        delay = 0.0  # jobs left from before the start are printed at once
        while not self._stopping.is_set():
            self._wake.wait(delay)
            self._wake.clear()
            if self._stopping.is_set():
                break
            delay = self.poll_seconds
            try:
                # The server's printer prints for the tills that sell through it.
                tills = [k.name for k in self.desk.api_keys(include_revoked=True)]
                outcomes = print_pending(self.desk, self.printer, tills=tills)
            except Exception as error:  # a bug or a database fault: log it, keep serving
                log.error("print outbox: %s: %s", type(error).__name__, str(error).split(" [SQL")[0])
                delay = self.retry_seconds
                continue
            failed = next((o for o in outcomes if not o.printed), None)
            if failed is not None:
                log.warning("print outbox: receipt %s waits for the printer: %s", failed.job, failed.message)
                delay = self.retry_seconds
