"""``create_app``: the one composition root of the web process.

``stampdesk serve`` and the tests both build the application here, from a
``Desk``: the POS plugin API under ``/api/v1``, the customer pages (when the
``stampdesk.web.pages`` module is installed), the error shape of the
contract for every 4xx, and the print outbox worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import importlib.util
import json
import logging
import traceback
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from ..desk import Desk
from ..domain.errors import StampdeskError
from ..print_outbox import ReceiptPrinter, printer_for
from ..words import book
from . import openapi
from .errors import error_response, validation_response
from .logs import install_redaction, redact
from .outbox import PrintWorker

log = logging.getLogger("stampdesk.web")

DESCRIPTION = """\
The POS plugin API of stampdesk: any till software records sales, stamps
cards, enrols customers, redeems coupons, refunds and prints receipts.

* **Auth**: `Authorization: Bearer <key>`, a key per till from
  `stampdesk apikey create NAME` (role `till`, or `admin` to change the
  programme). The key's name is recorded as the till of its sales.
* **Amounts** are decimal strings (`"12.50"`); a JSON number is refused.
* **Idempotency**: send `Idempotency-Key` (e.g. the till's receipt number)
  on checkouts, refunds and redemptions; a retry returns the first answer
  (`"replayed": true`) and changes nothing; the same key with other
  parameters is refused (409 `idempotency_conflict`).
* **Errors**: every 4xx is `{"error": {"code", "message"}}` and changes
  nothing; a 5xx is a bug.
"""

# The codes of errors that do not come from the domain.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    411: "length_required",
    413: "too_large",
    415: "unsupported_media_type",
}


def create_app(
    desk: Desk,
    *,
    printer: ReceiptPrinter | None = None,
    print_outbox: bool = True,
    print_poll_seconds: float = 2.0,
    print_retry_seconds: float = 5.0,
) -> FastAPI:
    """The web application of ``desk``.

    The print outbox worker starts with the application (its lifespan) when
    ``print_outbox`` is on and a printer is known: ``printer``, else the
    ``[printer] url`` of the desk's settings. Without a printer, receipts
    queued by the API wait for ``stampdesk print-pending``.
    """
    if printer is None and print_outbox and desk.settings.printer.url:
        printer = printer_for(desk)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker = None
        if print_outbox and printer is not None:
            worker = PrintWorker(
                desk, printer, poll_seconds=print_poll_seconds, retry_seconds=print_retry_seconds
            )
            worker.start()
        app.state.print_worker = worker
        # A server of a chain's till that lost the database replays the sales
        # it kept, once the database answers.
        syncing = asyncio.create_task(_sync_outbox(app, desk)) if desk.offline is not None else None
        try:
            yield
        finally:
            if syncing is not None:
                syncing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await syncing
            if worker is not None:
                worker.stop()
            app.state.print_worker = None
            app.state.writer.shutdown(wait=True)

    app = FastAPI(
        title="stampdesk POS API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_tags=[
            {"name": "sales", "description": "Checkouts, refunds and receipts."},
            {"name": "cards", "description": "Cards and customers."},
            {"name": "coupons", "description": "Rewards handed over as coupons."},
            {"name": "programme", "description": "The shop's stamp-card programme."},
            {"name": "service", "description": "Health of the server."},
        ],
    )
    app.state.desk = desk
    # The threads that write PostgreSQL checkouts (SQLite's are written on
    # the event loop: see ``api.in_writer``); threads start at first use.
    # Four keep the database busy (each sale waits on round trips) without
    # the GIL thrashing that eight brought in the benchmark (bench/api.py --pg).
    app.state.writer = ThreadPoolExecutor(max_workers=4, thread_name_prefix="stampdesk-writer")
    app.state.printer = printer
    app.state.print_worker = None
    install_redaction()
    _install_error_handlers(app)

    from .api import router as api_router

    app.include_router(api_router)
    _include_pages(app)
    from .unsubscribe import router as unsubscribe_router  # the customer e-mails' one click

    app.include_router(unsubscribe_router)
    from .card_link import router as card_link_router  # a lost card's link, by e-mail

    app.include_router(card_link_router)
    openapi.install(app)
    app.add_middleware(JsonBodies)
    app.add_middleware(CatchUnexpected)
    app.add_middleware(LimitApiBody)
    return app


SYNC_SECONDS = 5.0


async def _sync_outbox(app: FastAPI, desk: Desk) -> None:
    """Every few seconds, send the sales waiting in the outbox (on a writer thread)."""
    loop = asyncio.get_running_loop()
    while True:
        await asyncio.sleep(SYNC_SECONDS)
        if desk.waiting_sales():
            try:
                await loop.run_in_executor(app.state.writer, desk.sync)
            except Exception:
                logging.getLogger("stampdesk").exception("replaying the offline sales failed")


def _include_pages(app: FastAPI) -> None:
    """The customer pages, when their module is part of this installation:
    its ``router`` is included, and its ``install(app)`` (if any) may mount
    what a router cannot carry (static files)."""
    if importlib.util.find_spec("stampdesk.web.pages") is None:
        return
    pages: Any = importlib.import_module("stampdesk.web.pages")
    router = getattr(pages, "router", None)
    if router is not None:
        app.include_router(router)
    install = getattr(pages, "install", None)
    if callable(install):
        install(app)


def _install_error_handlers(app: FastAPI) -> None:
    async def stampdesk_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StampdeskError)
        return JSONResponse(exc.to_dict(), status_code=exc.http_status, headers=getattr(exc, "headers", None))

    async def validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return validation_response(exc.errors())

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        status = exc.status_code
        code = HTTP_CODES.get(status, "http_error")
        if status == 404:
            message = book()("api.no_such_address", path=redact(request.url.path))
        elif status == 405:
            message = book()("api.method_not_allowed", method=request.method, path=redact(request.url.path))
        else:
            message = str(exc.detail)
        headers = dict(exc.headers) if exc.headers else {}
        if status == 405:
            headers["Allow"] = ", ".join(allowed_methods(app, request))
        return error_response(status, code, message, headers or None)

    app.add_exception_handler(StampdeskError, stampdesk_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)


def allowed_methods(app: FastAPI, request: Request) -> list[str]:
    """Every method some route answers on the request's path: a path's GET
    and POST are often two routes, and Starlette's own ``Allow`` names only
    the first one's."""
    return [
        method
        for method in METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in app.router.routes
        )
    ]


METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")


MAX_API_BODY = 1_000_000  # bytes: a sale of 500 items is ~60 kB, a programme a few kB


class LimitApiBody:
    """An API request's body is refused before it is read when it declares
    more than ``MAX_API_BODY`` bytes (413), or no length at all (411: a till
    sends ``Content-Length``; an endless chunked body would otherwise be read
    into memory). The customer pages check their own forms."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            headers = dict(scope["headers"])
            declared = headers.get(b"content-length")
            refusal = None
            if declared is None and b"chunked" in headers.get(b"transfer-encoding", b"").lower():
                refusal = (411, "length_required", book()("api.length_required"))
            elif declared is not None and (not declared.isdigit() or int(declared) > MAX_API_BODY):
                refusal = (413, "too_large", book()("api.too_large", limit=MAX_API_BODY))
            if refusal is not None:
                status, code, message = refusal
                answer = JSONResponse({"error": {"code": code, "message": message}}, status_code=status)
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)


# What the programme's body may be besides JSON (TOML, as the file; no
# Content-Type at all is read as TOML too, as before this rule).
PROGRAM_TEXT_TYPES = ("", "application/toml", "text/plain")


class DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise DuplicateKey(key)
        seen[key] = value
    return seen


def _is_json(kind: str) -> bool:
    return kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json"))


class JsonBodies:
    """An API request's body is JSON, said so (``Content-Type:
    application/json``, else 415; the programme may also come as TOML), and
    names each key of an object once (else 400 ``duplicate_key``: which of
    two amounts did the till mean?). A body that is not JSON at all is left
    to the route, which says where it breaks."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        body = b""
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client left: let the app see it
                await self.app(scope, _replay([message], receive), send)
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
        refusal = _refusal(scope, body)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, _replay([{"type": "http.request", "body": body}], receive), send)


def _refusal(scope: Scope, body: bytes) -> JSONResponse | None:
    """The 415 or 400 of a body that breaks ``JsonBodies``' rules, if it does."""
    if not body:
        return None
    headers = dict(scope["headers"])
    kind = headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower()
    programme = scope["path"] == "/api/v1/program"
    if not _is_json(kind):
        if programme and kind in PROGRAM_TEXT_TYPES:
            return None
        shown = kind or "none"
        return error_response(415, "unsupported_media_type", book()("api.not_json", kind=shown))
    try:
        json.loads(body, object_pairs_hook=_no_duplicates)
    except DuplicateKey as twice:
        return error_response(400, "duplicate_key", book()("api.duplicate_key", key=twice.key[:60]))
    except ValueError:
        return None  # not JSON: the route answers invalid_json, with where it breaks
    return None


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """``receive`` that first gives back the messages already read."""
    waiting = list(messages)

    async def replay() -> Message:
        if waiting:
            return waiting.pop(0)
        return await receive()

    return replay


class CatchUnexpected:
    """A bug answers 500 with the error shape, and its log line carries no
    secret: the exception's type and frames, not its text (a database
    error's text holds the statement's parameters)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as error:
            frames = "".join(traceback.format_tb(error.__traceback__))
            log.error(
                "internal error on %s %s: %s\n%s",
                scope.get("method"),
                redact(scope.get("path", "")),
                type(error).__name__,
                frames,
            )
            if started:
                raise
            response = error_response(
                500, "internal_error", "stampdesk failed to answer; the error is in the server's log"
            )
            await response(scope, receive, send)
