"""`stampdesk serve` as a shop runs it: a real process on 127.0.0.1, the
examples in examples/ against it, keys from `stampdesk apikey`, and a log
without secrets."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from helpers import EXAMPLE_PROGRAM, ROOT
from stampdesk.config import default_config_file

CLI = [sys.executable, "-m", "stampdesk.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stampdesk(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, "--db", db, *args], capture_output=True, text=True, timeout=60)


@dataclass
class Server:
    url: str
    port: int
    db: str
    log: Path
    process: subprocess.Popen[bytes]

    def stop(self) -> str:
        """Stop the server; its whole log (stdout and stderr)."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(15)
        return self.log.read_text(encoding="utf-8")

    def request(self, method: str, path: str, key: str | None = None, body: Any = None) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, self._body(answer)
        except urllib.error.HTTPError as refusal:
            return refusal.code, self._body(refusal)

    @staticmethod
    def _body(answer: Any) -> Any:
        """JSON from the API, the page's text from the customer pages."""
        text = answer.read().decode("utf-8")
        return json.loads(text) if "json" in answer.headers.get("content-type", "") else text


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    db = f"sqlite:///{tmp_path / 'shop.db'}"
    assert stampdesk("program", "load", str(EXAMPLE_PROGRAM), db=db).returncode == 0
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([*CLI, "--db", db, "serve", "--port", str(port)], stdout=out, stderr=out)
    running = Server(f"http://127.0.0.1:{port}", port, db, log, process)
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(running.url + "/api/v1/health", timeout=1):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("stampdesk serve did not start:\n" + running.stop())
            time.sleep(0.1)
    yield running
    running.stop()


def new_key(server: Server, name: str, *role: str) -> str:
    made = stampdesk("apikey", "create", name, *role, "--json", db=server.db)
    assert made.returncode == 0, made.stderr
    data = json.loads(made.stdout)
    assert data["name"] == name and data["key"].startswith("sdk_")
    return str(data["key"])


def test_the_python_and_curl_examples_run_against_a_real_server(server: Server) -> None:
    key = new_key(server, "till-1")
    env = {**os.environ, "STAMPDESK_API_KEY": key}
    python = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "till_integration.py"), server.url],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert python.returncode == 0, python.stdout + python.stderr
    out = python.stdout
    assert "Server: ok" in out and "+2 stamps, 4/10" in out
    assert "same answer, nothing stamped twice" in out
    assert "Coupon " in out and " used: Croissant offert" in out
    assert "Walk-in: scan http" in out and "/join/" in out
    assert 'Refused as expected: amount must be a decimal string such as "12.50"' in out
    assert "Refunded: -2 stamps, balance 2" in out

    if shutil.which("curl") is None or shutil.which("jq") is None:
        pytest.fail("the curl example needs curl and jq")
    curl = subprocess.run(
        ["sh", str(ROOT / "examples" / "till_curl.sh"), server.url],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert curl.returncode == 0, curl.stdout + curl.stderr
    lines = curl.stdout.splitlines()
    assert lines[0] == "Server: ok" and lines[1].startswith("New card ")
    assert "+2 stamps, 4/10" in lines and "Retry replayed: true" in lines
    assert any(line.startswith("Coupon ") and line.endswith("used: Croissant offert") for line in lines)
    assert any(line.startswith("Refused as expected: amount must be a decimal string") for line in lines)
    assert "Refunded: -2 stamps" in lines and lines[-1].startswith("2/10")


def test_keys_come_from_the_command_line_and_a_revoke_reaches_the_server(server: Server) -> None:
    till = new_key(server, "till-2")
    admin = new_key(server, "owner", "--role", "admin")
    listed = stampdesk("apikey", "list", "--json", db=server.db)
    assert till not in listed.stdout and admin not in listed.stdout
    assert [(k["name"], k["role"]) for k in json.loads(listed.stdout)["keys"]] == [
        ("owner", "admin"),
        ("till-2", "till"),
    ]
    assert server.request("POST", "/api/v1/checkouts", till, {"amount": "5.00"})[0] == 201
    program = EXAMPLE_PROGRAM.read_text(encoding="utf-8")
    assert server.request("PUT", "/api/v1/program", till, {"source": program})[0] == 403
    assert server.request("PUT", "/api/v1/program", admin, {"source": program})[0] == 200

    revoked = stampdesk("apikey", "revoke", "till-2", db=server.db)
    assert revoked.returncode == 0, revoked.stderr
    started = time.monotonic()
    while server.request("GET", "/api/v1/program", till)[0] != 401:
        assert time.monotonic() - started < 5, "the revoked key is still accepted"
        time.sleep(0.1)
    status, body = server.request("POST", "/api/v1/checkouts", till, {"amount": "5.00"})
    assert status == 401 and body["error"]["code"] == "invalid_api_key"
    again = stampdesk("apikey", "revoke", "till-2", "--json", db=server.db)
    assert again.returncode == 1 and json.loads(again.stdout)["error"]["code"] == "unknown_api_key"


def outside_address() -> str | None:
    """This machine's address on its network, if it has one besides loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # no packet is sent: only picks the route
        except OSError:
            return None
        address = str(s.getsockname()[0])
    return None if address.startswith("127.") else address


def test_serve_listens_on_loopback_and_its_log_holds_no_secret(server: Server) -> None:
    key = new_key(server, "till-3")
    status, sale = server.request("POST", "/api/v1/checkouts", key, {"amount": "4.20"})
    assert status == 201
    token = sale["claim_token"]
    for path in (f"/join/{token}", f"/card/{token}", f"/card/{token}/erase", "/api/v1/cards?q=Martin"):
        server.request("GET", path, key)
    server.request("GET", "/api/v1/cards/2000000000015", key)  # a refusal is logged too
    address = outside_address()
    if address is not None:
        with pytest.raises(OSError), socket.create_connection((address, server.port), timeout=2):
            pass
    log = server.stop()
    assert f"Uvicorn running on http://127.0.0.1:{server.port}" in log
    # No public_url in this shop's settings: its start says the receipts' QR
    # codes lead nowhere, and how to set it.
    lines = log.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("stampdesk : API de caisse sur"))
    assert lines[start + 1].startswith(
        "stampdesk : attention : Les codes QR des tickets ne s'ouvriront pas sur le téléphone d'un client"
    )
    assert 'Réglez public_url = "https://…"' in lines[start + 1]
    assert str(default_config_file()) in lines[start + 1]
    assert '"POST /api/v1/checkouts HTTP/1.1" 201' in log
    assert "/join/<redacted>" in log and "/card/<redacted>/erase" in log and "q=<redacted>" in log
    for secret in (key, key[4:], token, "Martin"):
        assert secret not in log
    assert "Authorization" not in log and "Bearer" not in log


def test_an_api_key_in_the_address_is_refused_and_never_logged(server: Server) -> None:
    key = new_key(server, "till-4")
    number = "2000000000015"
    for name in ("api_key", "key", "apikey", "apiKey", "access_token", "token"):
        status, body = server.request("GET", f"/api/v1/cards/{number}?{name}={key}&limit=1")
        assert status == 401 and body["error"]["code"] == "missing_api_key", (name, status, body)
    status, body = server.request("POST", f"/api/v1/checkouts?api_key={key}", body={"amount": "4.20"})
    assert status == 401
    log = server.stop()
    assert f'"GET /api/v1/cards/{number}?api_key=<redacted>&limit=1 HTTP/1.1" 401' in log
    assert '"POST /api/v1/checkouts?api_key=<redacted> HTTP/1.1" 401' in log
    for secret in (key, key[4:]):
        assert secret not in log
