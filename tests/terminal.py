"""The real ``stampdesk till`` in a real terminal: a tmux server of the
test's own, the till started by its installed command, keys sent as a
scanner or a person sends them, the pane read back as the cashier sees it."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from helpers import STAMPDESK, service_missing

START_TIMEOUT = 15.0  # seconds for the till to draw its first screen
STEP_TIMEOUT = 10.0  # seconds for one answer on screen


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

    def start(
        self, command: Sequence[str], *, width: int = 80, height: int = 24, cwd: Path | None = None
    ) -> None:
        """Run ``command`` in the server's one pane, in a terminal of that
        size (in the folder ``cwd``, else this process's)."""
        # The hermetic_env fixture has put the test's XDG dirs in os.environ:
        # the tmux server started here, and so the till, inherit them.
        env = {**os.environ, "TERM": "xterm-256color"}
        env.pop("TMUX", None)
        subprocess.run(
            ["tmux", "-L", self.name, "-f", os.devnull, "new-session", "-d", "-s", self.name,
             "-x", str(width), "-y", str(height), "-c", str(cwd or Path.cwd()), shlex.join(command)],
            env=env,
            check=True,
            timeout=10,
        )  # fmt: skip

    def screen(self) -> str:
        """The characters on the pane now."""
        result = self.run("capture-pane", "-p", "-t", self.name, check=False)
        return result.stdout

    def alive(self) -> bool:
        return self.run("has-session", "-t", self.name, check=False).returncode == 0

    def keys(self, *keys: str, literal: bool = False) -> None:
        """Send ``keys`` in one burst: key names (``Enter``, ``F4``) and
        strings typed as they are; with ``literal``, all typed as they are."""
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

    def quit(self) -> None:
        """ctrl+q, then wait for the till to end."""
        self.keys("C-q")
        deadline = time.monotonic() + STEP_TIMEOUT
        while self.alive():
            assert time.monotonic() < deadline, f"the till did not quit:\n{self.screen()}"
            time.sleep(0.1)


@contextmanager
def tmux_server() -> Iterator[Tmux]:
    """A tmux server for one test, killed (and its socket removed) after it."""
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


def till_command(database: str, *options: str) -> list[str]:
    """``stampdesk [options] till --db DATABASE``, the installed command."""
    return [str(STAMPDESK), *options, "till", "--db", database]


def flat(screen: str) -> str:
    """The screen as one line (a long sentence may wrap)."""
    return " ".join(screen.split())
