"""What the browser tests share: the Debian Chromium, its switches, the
screen sizes and where screenshots are kept."""

from __future__ import annotations

import os
from pathlib import Path

from helpers import ROOT

CHROMIUM = os.environ.get("STAMPDESK_CHROMIUM", "/usr/bin/chromium")
# No network but 127.0.0.1 here: Chromium must not try to reach its own services.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
ARTIFACTS = Path(os.environ.get("STAMPDESK_ARTIFACTS") or ROOT / "test-artifacts")
