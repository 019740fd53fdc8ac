"""The pages behind a real uvicorn server on 127.0.0.1: what its access log
keeps of the customers' visits (never the receipt or card tokens)."""

from __future__ import annotations

import logging
import socket

import httpx
from page_helpers import card_token, csrf_of

from stampdesk.desk import Desk
from web_app import live_server, make_app


class _Lines(logging.Handler):
    """Keeps each access-log line as the server would write it."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_the_access_log_never_shows_the_tokens(sqlite_desk: Desk) -> None:
    sale = sqlite_desk.checkout(amount="12.50")
    claim = sale.claim_token or ""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    access = logging.getLogger("uvicorn.access")
    kept = _Lines()
    try:
        with (
            live_server(sock, make_app(sqlite_desk), log_level="info", access_log=True),
            httpx.Client(base_url=base, timeout=5) as http,
        ):
            access.addHandler(kept)  # uvicorn's own logging set-up is done by now
            page = http.get(f"/join/{claim}")
            form = {"csrf": csrf_of(page.text), "name": "Ana", "email": "ana@example.org", "consent": "yes"}
            card = card_token(sqlite_desk, http.post(f"/join/{claim}", data=form))
            assert http.get(f"/card/{card}").status_code == 200
            assert http.get(f"/card/{card}/data.json").status_code == 200
    finally:
        access.removeHandler(kept)
        sock.close()
    lines = kept.lines
    assert len(lines) == 4, lines
    assert 'GET /join/<redacted> HTTP/1.1" 200' in lines[0] and "POST /join/<redacted>" in lines[1]
    assert "GET /card/<redacted>/data.json" in lines[3]
    for line in lines:
        assert claim not in line and card not in line
