"""The one place the customer pages' tests build the shop's web app: the
same ``create_app`` as ``stampdesk serve`` (POS API + customer pages), its
print outbox off (these tests print through the emulator themselves).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from stampdesk.desk import Desk
from stampdesk.web.app import create_app


def make_app(desk: Desk) -> FastAPI:
    """The app serving the customer pages (and the API) for ``desk``."""
    return create_app(desk, print_outbox=False)


@contextmanager
def live_server(sock: socket.socket, app: FastAPI, **options: object) -> Iterator[uvicorn.Server]:
    """uvicorn serving ``app`` on an already bound socket (127.0.0.1), in a thread."""
    settings: dict[str, object] = {"log_level": "warning", "lifespan": "off", **options}
    server = uvicorn.Server(uvicorn.Config(app, **settings))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web server did not start")
        time.sleep(0.02)
    try:
        yield server
    finally:
        server.should_exit = True
        thread.join(timeout=5)
