"""The real ``stampdesk till`` in a real terminal (tmux, 80×24): started by
its command, driven by keys as a scanner sends them, quit with ctrl+q.

Pilot drives the app inside the test's process; this drives the installed
command, so what it proves is what a shop runs: the console script, the
settings from the command line and the environment, the terminal handling.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import stampdesk
from helpers import EXAMPLE_PROGRAM, service_missing
from stampdesk.config import Settings
from stampdesk.tui.present import printer_line, printer_state
from stampdesk.tui.text import Text

START_TIMEOUT = 15.0  # seconds for the till to draw its first screen
STEP_TIMEOUT = 10.0  # seconds for one answer on screen
STAMPDESK = Path(sys.executable).with_name("stampdesk")


class Tmux:
    """One tmux server of the test's own (its own socket, no user config)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["tmux", "-L", self.name, "-f", os.devnull, *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=check,
        )

    def screen(self) -> str:
        """The characters on the pane now."""
        result = self.run("capture-pane", "-p", "-t", self.name, check=False)
        return result.stdout

    def alive(self) -> bool:
        return self.run("has-session", "-t", self.name, check=False).returncode == 0

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.run("send-keys", "-t", self.name, *(["-l"] if literal else []), *keys)

    def wait_for(self, seen: Callable[[str], bool], timeout: float, what: str) -> str:
        """Poll the pane until ``seen(screen)``; fail after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if seen(screen):
                return screen
            if not self.alive():
                raise AssertionError(f"the till ended while waiting for {what}:\n{screen}")
            time.sleep(0.1)
        raise AssertionError(f"no {what} on screen after {timeout} s:\n{screen}")


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    if shutil.which("tmux") is None:
        service_missing("tmux")
    server = Tmux(f"stampdesk-test-{uuid.uuid4().hex[:12]}")
    try:
        yield server
    finally:
        server.run("kill-server", check=False)
        # A server that ended with its last session leaves its socket behind.
        socket_dir = Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}"
        (socket_dir / server.name).unlink(missing_ok=True)


def flat(screen: str) -> str:
    """The screen as one line (a long sentence may wrap)."""
    return " ".join(screen.split())


def test_the_till_command_sells_in_a_real_terminal(tmp_path: Path, tmux: Tmux) -> None:
    database = f"sqlite:///{tmp_path / 'shop.db'}"
    with stampdesk.connect(settings=Settings(database=database, timezone="Europe/Paris")) as desk:
        desk.load_program(EXAMPLE_PROGRAM)
        ana = desk.enrol(name="Ana Martin")
        tr = Text(desk.settings.locale, desk.settings.zone)
    receipts = tmp_path / "receipts"
    command = shlex.join([str(STAMPDESK), "--printer", f"preview://{receipts}", "till", "--db", database])
    # The hermetic_env fixture has put the test's XDG dirs in os.environ: the
    # tmux server started here, and so the till, inherit them.
    env = {**os.environ, "TERM": "xterm-256color"}
    env.pop("TMUX", None)
    subprocess.run(
        ["tmux", "-L", tmux.name, "-f", os.devnull, "new-session", "-d", "-s", tmux.name,
         "-x", "80", "-y", "24", command],
        env=env,
        check=True,
        timeout=10,
    )  # fmt: skip

    ready = tr("hint.cleared")  # "Prêt : scannez une carte."
    # The header names the shop once the programme is read (a worker), which
    # may come a frame after the ready line: wait for both.
    screen = tmux.wait_for(
        lambda s: ready in s and "F7" in s and "Café Bleu" in s.split("\n")[0], START_TIMEOUT, "ready screen"
    )
    lines = screen.rstrip("\n").split("\n")
    assert len(lines) <= 24 and all(len(line) <= 80 for line in lines)
    assert "Café Bleu" in lines[0]

    tmux.keys(ana.number, literal=True)
    tmux.keys("Enter")
    tmux.wait_for(lambda s: tr("card.greeting", name="Ana Martin") in s, STEP_TIMEOUT, "card")
    tmux.keys("4.50", literal=True)
    tmux.keys("Enter")
    added = tr("sale.done", checkout=1)
    printed = printer_line(printer_state(None, tr), None, tr)  # "Imprimante : prête"
    screen = tmux.wait_for(
        lambda s: added in flat(s) and printed in s, STEP_TIMEOUT, "stamps added and receipt printed"
    )
    assert tr.count("added", 1) in flat(screen)
    with stampdesk.connect(database) as desk:
        assert desk.card(ana.number).balance == 3
    assert sorted(p.name for p in receipts.iterdir()) == ["receipt-000001.png", "receipt-000001.txt"]

    tmux.keys("C-q")
    deadline = time.monotonic() + STEP_TIMEOUT
    while tmux.alive():
        assert time.monotonic() < deadline, f"the till did not quit:\n{tmux.screen()}"
        time.sleep(0.1)
