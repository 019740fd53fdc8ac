"""Fixtures for the till's tests (the shop fixtures come from tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest

import stampdesk
from helpers import migrated_sqlite
from stampdesk.config import Settings
from stampdesk.desk import Desk
from terminal import Tmux, tmux_server

EXAMPLE_PROGRAM = Path(__file__).resolve().parents[2] / "examples" / "program.toml"


@pytest.fixture
def bare_desk(tmp_path: Path, clock: Callable[[], datetime]) -> Iterator[Desk]:
    """A shop whose owner has not loaded a programme yet."""
    settings = Settings(database=migrated_sqlite(tmp_path / "bare.db"), timezone="Europe/Paris")
    shop = stampdesk.connect(settings=settings, clock=clock)
    yield shop
    shop.close()


@pytest.fixture
def english_desk(tmp_path: Path, clock: Callable[[], datetime]) -> Iterator[Desk]:
    """The example shop with an English till (``sqlite_desk`` is French)."""
    settings = Settings(
        database=migrated_sqlite(tmp_path / "english.db"),
        timezone="Europe/London",
        public_url="https://cafe.example/",
        locale="en_GB",
        till="front",
    )
    shop = stampdesk.connect(settings=settings, clock=clock)
    shop.load_program(EXAMPLE_PROGRAM)
    yield shop
    shop.close()


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    """A tmux server of the test's own, for the real till in a real terminal."""
    with tmux_server() as server:
        yield server
