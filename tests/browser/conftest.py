"""The browser tests' Chromium: missing, the tests skip, unless
STAMPDESK_REQUIRE_SERVICES=1 (as in CI), where they fail."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from browser_helpers import CHROMIUM

from helpers import service_missing


@pytest.fixture
def chromium_path() -> str:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        service_missing(f"Chromium at {CHROMIUM}")
    return CHROMIUM
