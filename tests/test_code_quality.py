"""The code stays as STYLE.md asks: layers apart, typed, linted."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from helpers import ROOT

BIN = Path(sys.executable).parent


def test_the_engine_and_the_command_line_load_without_the_till() -> None:
    code = (
        "import sys, stampdesk, stampdesk.desk, stampdesk.cli\n"
        "print(','.join(m for m in ('textual', 'escpos') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_till_starts_without_the_rules_of_a_sale() -> None:
    """The till imports a sale's and a refund's rules and the offline outbox
    once its first screen is up (``Desk.ready_to_sell``), not before it."""
    code = (
        "import sys, stampdesk\n"
        "from stampdesk.tui.app import make_till\n"
        "later = ('stampdesk.services.checkout', 'stampdesk.services.refunds', 'stampdesk.offline')\n"
        "print(','.join(m for m in later if m in sys.modules))\n"
        "stampdesk.desk.Desk.ready_to_sell(None)\n"
        "print(','.join(m for m in later if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after = out.stdout.splitlines()
    assert before == ""
    assert after == "stampdesk.services.checkout,stampdesk.services.refunds,stampdesk.offline"


def test_importing_stampdesk_is_cheap() -> None:
    """`import stampdesk` pulls in no database layer: nothing is built at import time."""
    code = "import sys, stampdesk\nprint('sqlalchemy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff", path=str(BIN)) or "ruff"
    done = subprocess.run(
        [ruff, "check", "src", "tests", "bench", "examples", "migrations"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict_is_clean() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "src/stampdesk"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
