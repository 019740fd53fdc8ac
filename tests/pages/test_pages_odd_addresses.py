"""Odd addresses under the pages (a mistyped icon, a path walking up, unicode,
nothing, something huge): a 404 in the shop's own page, never a 5xx, never
a trace in the log."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from page_helpers import ORIGIN, make_app, text_of

from helpers import EXAMPLE_PROGRAM, Clock, make_desk
from stampdesk.config import PagesSettings

ODD_NAMES = [
    "abc",
    "1e3",
    "192.0",
    " 192",
    "0x10",
    "-1",
    "0",
    "99",
    "0192",
    "99999999999999999999999999",
    "NaN",
    "é",
    "١٩٢",  # Arabic-Indic digits: Python's int() would read 192
    "🙂",
    "%00",
    "%C0%AF",  # not UTF-8
    "%2e%2e",
    "..%2F..%2Fpyproject.toml",
    "../../pyproject.toml",
    "..\\..\\pyproject.toml",
    "",
    "x" * 4000,
]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One shop for the whole module: these requests write nothing."""
    url = f"sqlite:///{tmp_path_factory.mktemp('odd') / 'shop.db'}"
    shop = make_desk(url, Clock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC)), pages=PagesSettings(rate_limit=0))
    shop.load_program_file(EXAMPLE_PROGRAM)
    with TestClient(make_app(shop), base_url=ORIGIN, follow_redirects=False) as test_client:
        yield test_client
    shop.close()


def _no_error_logged(caplog: pytest.LogCaptureFixture) -> None:
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


@pytest.mark.parametrize("name", ODD_NAMES, ids=[f"name{i}" for i in range(len(ODD_NAMES))])
def test_an_icon_that_does_not_exist_is_a_404_page(
    client: TestClient, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    answer = client.get(f"/pages/icon-{name}.png")
    assert answer.status_code == 404, (name, answer.status_code)
    # The icon's route or no route at all (a "/" in the name): the shop's page.
    assert answer.headers["content-type"].startswith("text/html")
    assert "Cette page n'existe pas." in text_of(answer.text) and "Café Bleu" in answer.text
    assert "Traceback" not in answer.text
    _no_error_logged(caplog)


def test_the_icons_themselves_still_answer(client: TestClient) -> None:
    for size in (180, 192, 512):
        icon = client.get(f"/pages/icon-{size}.png")
        assert icon.status_code == 200 and icon.content.startswith(b"\x89PNG")
    assert client.get("/pages/icon.svg").status_code == 200


@pytest.mark.parametrize("name", ODD_NAMES, ids=[f"name{i}" for i in range(len(ODD_NAMES))])
def test_odd_addresses_under_the_pages_never_answer_a_5xx(
    client: TestClient, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    for method, path in (
        ("GET", f"/pages/{name}"),
        ("GET", f"/pages/{name}.png"),
        ("GET", f"/join/{name}"),
        ("POST", f"/join/{name}"),
        ("GET", f"/card/{name}"),
        ("GET", f"/card/{name}/data.json"),
        ("GET", f"/card/{name}/manifest.webmanifest"),
    ):
        answer = client.request(method, path, data={"name": "Ana"} if method == "POST" else None)
        assert answer.status_code < 500, (method, path[:80], answer.status_code)
        assert answer.status_code in (404, 405, 403), (method, path[:80], answer.status_code)
    _no_error_logged(caplog)


def test_generated_icon_names_never_answer_a_5xx(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    # Bounded and the same every run.
    @given(name=st.text(min_size=0, max_size=40))
    @settings(
        max_examples=60,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(name: str) -> None:
        answer = client.get(f"/pages/icon-{quote(name, safe='')}.png")
        assert answer.status_code < 500, (name, answer.status_code)
        assert answer.status_code == 404 or name in ("180", "192", "512"), (name, answer.status_code)

    check()
    _no_error_logged(caplog)
