"""``create_app``: the customer pages join the API when their module is
installed, and a bug answers 500 in the error shape without leaking."""

from __future__ import annotations

import importlib.machinery
import logging
import sys
import types
import warnings

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse

from stampdesk.desk import Desk
from stampdesk.web.app import create_app

from .conftest import Api

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SECRET = "tok_5ecret-of-the-customer"


@pytest.fixture
def pages(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """A stand-in for ``stampdesk.web.pages``, as its author's module offers:
    a ``router`` and an optional ``install(app)``."""
    router = APIRouter()

    @router.get("/join/{token}", response_class=HTMLResponse)
    def join(token: str) -> str:
        return f"<h1>Bienvenue</h1><p>{len(token)}</p>"

    @router.get("/card/{token}")
    def broken(token: str) -> None:
        raise RuntimeError(f"bug while showing {token}")

    module = types.ModuleType("stampdesk.web.pages")
    module.__spec__ = importlib.machinery.ModuleSpec("stampdesk.web.pages", None)
    module.router = router  # type: ignore[attr-defined]
    module.installed = []  # type: ignore[attr-defined]
    module.install = lambda app: module.installed.append(app)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "stampdesk.web.pages", module)
    return module


def test_the_pages_router_is_included_and_installed(sqlite_desk: Desk, pages: types.ModuleType) -> None:
    app = create_app(sqlite_desk, print_outbox=False)
    assert pages.installed == [app] and isinstance(app, FastAPI)
    with TestClient(app) as client:
        answer = client.get(f"/join/{SECRET}")
        assert answer.status_code == 200 and "Bienvenue" in answer.text
        assert client.get("/api/v1/health").json()["status"] == "ok"


def test_a_bug_answers_500_in_the_error_shape_and_logs_no_secret(
    sqlite_desk: Desk, pages: types.ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.ERROR, logger="stampdesk.web"),
        TestClient(create_app(sqlite_desk, print_outbox=False)) as client,
    ):
        answer = client.get(f"/card/{SECRET}")
    assert answer.status_code == 500
    assert answer.json() == {
        "error": {
            "code": "internal_error",
            "message": "stampdesk failed to answer; the error is in the server's log",
        }
    }
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "RuntimeError" in logged and "/card/<redacted>" in logged
    assert SECRET not in logged


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/api/v1/cards", {"GET", "POST"}),
        ("PATCH", "/api/v1/program", {"GET", "PUT"}),
        ("GET", "/api/v1/checkouts", {"POST"}),
        ("PUT", "/join/any-token", {"GET", "POST"}),
        ("DELETE", "/api/v1/health", {"GET"}),
    ],
)
def test_a_405_names_every_method_the_address_answers(
    sqlite_api: Api, method: str, path: str, allowed: set[str]
) -> None:
    answer = sqlite_api.client.request(method, path, headers=sqlite_api.till)
    assert answer.status_code == 405
    assert {m.strip() for m in answer.headers["allow"].split(",")} == allowed
    assert answer.json()["error"]["code"] == "method_not_allowed"
