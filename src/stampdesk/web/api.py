"""The POS plugin API, ``/api/v1``: thin handlers over the ``Desk``.

Each handler checks the caller's key, calls one ``Desk`` method and answers
the result's ``to_dict()``; every refusal is a ``StampdeskError`` that the
application turns into the contract's error shape. Handlers that touch the
database are plain functions: FastAPI runs them in its thread pool, so the
event loop keeps accepting requests meanwhile. The checkout, the hot path,
is the exception (see ``in_writer``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from concurrent.futures import Executor
from functools import partial
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Depends, Header, Query, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ValidationError

from .. import __version__
from ..desk import Desk
from ..domain import shapes
from ..domain.errors import InvalidInput, Refused, StampdeskError
from ..offline import OfflineSale
from ..print_outbox import print_offline_sale
from ..services import program as program_service
from ..services.apikeys import Caller
from .errors import validation_response
from .schemas import (
    CardOut,
    CheckoutIn,
    CheckoutOut,
    ClaimIn,
    ClaimOut,
    EnrolIn,
    EnrolOut,
    ErrorBody,
    HealthOut,
    MarketingIn,
    OfflineSaleOut,
    PrintJobOut,
    ProgramIn,
    ProgramOut,
    RedeemIn,
    RedeemOut,
    RefundIn,
    RefundOut,
    SaleOut,
    SearchOut,
    error_example,
)

router = APIRouter(prefix="/api/v1")
T = TypeVar("T")

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="A till's API key: `stampdesk apikey create NAME` prints it once.",
)

_ERROR_TEXT = {
    400: ("The body is not valid JSON.", "invalid_json", "the body is not valid JSON: Expecting value"),
    401: (
        "No API key, or an unknown or revoked one.",
        "invalid_api_key",
        "this API key is unknown or revoked",
    ),
    403: ("The key's role may not do this.", "forbidden", "only an admin key may change the programme"),
    404: ("What the path names does not exist.", "unknown_card", "no card 2000000000015"),
    409: (
        "Refused by the rules (already used, already refunded, idempotency key reused…).",
        "coupon_used",
        "coupon K7QH-2M9P was already used on 2026-03-02 09:10",
    ),
    422: (
        "A value is malformed (the message names it); a JSON number as an amount.",
        "invalid_amount",
        'amount must be a decimal string such as "12.50", not a JSON number',
    ),
    503: (
        "The database cannot be reached (network or server down): try again later.",
        "database_unreachable",
        "the database cannot be reached (network or server down); try again when it is back",
    ),
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error statuses a route may answer."""
    documented: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        text, code, message = _ERROR_TEXT[status]
        documented[status] = {
            "model": ErrorBody,
            "description": text,
            "content": {"application/json": {"example": error_example(code, message)}},
        }
    return documented


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="1 to 200 printable characters, e.g. the till's receipt number. "
        "A retry with the same key from the same API key returns the first answer and changes "
        "nothing; another till's key is its own. A key is kept idempotency_days (30 by default).",
        examples=["till1-receipt-0042"],
        json_schema_extra={"pattern": shapes.IDEMPOTENCY_KEY},
    ),
]


class ApiRefusal(StampdeskError):
    """An HTTP-level refusal (no key, wrong role, a body that is not JSON),
    in the contract's shape: a code and its values, said through the words
    book (the JSON body's ``message`` is the English sentence)."""

    def __init__(
        self, *, status: int, code: str, headers: dict[str, str] | None = None, **params: Any
    ) -> None:
        super().__init__(code=code, **params)
        self.http_status = status
        self.headers = headers


async def in_writer(request: Request, call: Callable[..., T], /, **kwargs: Any) -> T:
    """Run the checkout's database write.

    On SQLite it runs right here, on the event loop: SQLite takes one writer
    at a time anyway, and handing each sale to a thread and back costs about
    0.2 ms of CPU (a third of the request) in thread switches. The price is
    that the loop waits while the sale is written (about half a millisecond,
    or as long as another process holds the write lock): only the sale itself
    is on that path, never the printer. On PostgreSQL, whose writes run
    concurrently and each cost network round trips, sales go to the writer
    threads (``app.state.writer``).
    """
    if not request.app.state.desk.store.postgres:
        return call(**kwargs)
    writer: Executor = request.app.state.writer
    return await asyncio.get_running_loop().run_in_executor(writer, partial(call, **kwargs))


def desk_of(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


def authorize(request: Request) -> Caller:
    """The till whose key signs the request; 401 without a valid key.

    Keys verified lately are remembered in memory (``services.apikeys``), so
    this costs a hash and a dictionary lookup; a miss reads one row.
    """
    challenge = {"WWW-Authenticate": "Bearer"}
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        raise ApiRefusal(status=401, code="missing_api_key", headers=challenge)
    found = desk_of(request).verify_api_key(key)
    if found is None:
        raise ApiRefusal(status=401, code="invalid_api_key", headers=challenge)
    return found


async def caller(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)]
) -> Caller:
    """``authorize`` as a dependency (``credentials`` documents the scheme)."""
    return authorize(request)


async def admin(who: Annotated[Caller, Depends(caller)]) -> Caller:
    """An admin key; 403 for a till key."""
    if not who.admin:
        raise ApiRefusal(status=403, code="forbidden", name=who.name)
    return who


Till = Annotated[Caller, Depends(caller)]
Admin = Annotated[Caller, Depends(admin)]


def _kick_printer(request: Request) -> None:
    worker = request.app.state.print_worker
    if worker is not None:
        worker.kick()


# --------------------------------------------------------------------------
# Service


@router.get("/health", tags=["service"], response_model=HealthOut, summary="Is the server up (no key needed)")
async def health() -> JSONResponse:
    return JSONResponse({"status": "ok", "version": __version__})


# --------------------------------------------------------------------------
# Sales


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """A model's JSON schema with its nested models written out (no $ref)."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def expand(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return expand(definitions[node["$ref"].rsplit("/", 1)[1]])
            return {k: expand(v) for k, v in node.items()}
        if isinstance(node, list):
            return [expand(v) for v in node]
        return node

    result: dict[str, Any] = expand(schema)
    return result


# The checkout reads its own request (see create_checkout); this documents it.
_CHECKOUT_REQUEST = {
    "security": [{"ApiKey": []}],
    "parameters": [
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "description": "1 to 200 printable characters, e.g. the till's receipt number. "
            "A retry with the same key from the same API key returns the first answer and changes "
            "nothing; another till's key is its own. A key is kept idempotency_days (30 by default).",
            "schema": {"type": "string", "pattern": shapes.IDEMPOTENCY_KEY},
            "example": "till1-receipt-0042",
        }
    ],
    "requestBody": {"required": True, "content": {"application/json": {"schema": inline_schema(CheckoutIn)}}},
}


@router.post(
    "/checkouts",
    tags=["sales"],
    status_code=201,
    response_model=CheckoutOut,
    summary="Record a sale",
    responses={
        **errors(400, 401, 404, 409, 422, 503),
        202: {"model": OfflineSaleOut, "description": "Kept offline: the database is out of reach"},
    },
    openapi_extra=_CHECKOUT_REQUEST,
)
async def create_checkout(request: Request) -> JSONResponse:
    """Record a sale and stamp the card (a walk-in gets `enrol_url`, the
    receipt's link that keeps this sale's stamps). The key's name is recorded
    as the sale's till. With `receipt`, the receipt is queued with the sale
    and printed in the background."""
    # The hot path reads its key, header and body itself: FastAPI's
    # dependency resolution cost a fifth of the request. Same checks, same
    # errors as the other routes (authorize, validation_response).
    who = authorize(request)
    try:
        body = CheckoutIn.model_validate_json(await request.body())
    except ValidationError as invalid:
        return validation_response(invalid.errors())
    result = await in_writer(
        request,
        desk_of(request).checkout,
        card=body.card,
        amount=body.amount,
        items=[
            {"sku": i.sku, "category": i.category, "quantity": i.quantity, "unit_price": i.price}
            for i in body.items
        ],
        idempotency_key=request.headers.get("idempotency-key"),
        at=body.at,
        till=who.name,
        receipt=body.receipt,
    )
    if isinstance(result, OfflineSale):
        # Kept by this server until the database answers again: accepted, not
        # yet recorded. Its receipt (marked as waiting for synchronisation)
        # prints at once, since no print job can be written.
        printer = request.app.state.printer
        if body.receipt and printer is not None:
            loop = asyncio.get_running_loop()
            loop.run_in_executor(
                request.app.state.writer, partial(print_offline_sale, desk_of(request), printer, result)
            )
        return JSONResponse(result.to_dict(), status_code=202)
    if result.print_job is not None and not result.replayed:
        _kick_printer(request)
    return JSONResponse(result.to_dict(), status_code=201)


@router.get(
    "/checkouts/{checkout_id}",
    tags=["sales"],
    response_model=SaleOut,
    summary="A recorded sale",
    responses=errors(401, 404, 422),
)
def get_checkout(checkout_id: str, request: Request, who: Till) -> JSONResponse:
    """A sale's result as it was first returned, with each coupon's status
    now (`valid`, `redeemed`, `voided`, `expired`) and `refunded_at` (null
    until it is refunded whole)."""
    return JSONResponse(desk_of(request).sale(checkout_id).to_dict())


@router.post(
    "/checkouts/{checkout_id}/refund",
    tags=["sales"],
    response_model=RefundOut,
    summary="Refund a sale",
    responses=errors(401, 404, 409, 422),
)
def refund_checkout(
    checkout_id: str,
    request: Request,
    who: Till,
    idempotency_key: IdempotencyKey = None,
    body: Annotated[RefundIn | None, Body()] = None,
) -> JSONResponse:
    """Take back exactly the stamps the sale earned and void the coupons the
    card no longer qualifies for; with a body, only a part of the sale
    (`items` and/or `amount`): its stamps are worked out again on what it
    keeps and the difference is taken back. Parts add up, never past the
    sale (409 `refund_over_sale`). A sale refunded whole is refused again (409
    `already_refunded`), unless the request repeats the first one's
    `Idempotency-Key`."""
    desk = desk_of(request)
    items = None if body is None or body.items is None else [(i.sku, i.quantity) for i in body.items]
    amount = None if body is None else body.amount
    if idempotency_key is None:
        change = desk.refund(checkout_id, items=items, amount=amount, till=who.name)
    else:
        change = desk.refund_once(
            checkout_id, idempotency_key=idempotency_key, till=who.name, items=items, amount=amount
        )
    return JSONResponse(change.to_dict())


@router.post(
    "/checkouts/{checkout_id}/print",
    tags=["sales"],
    status_code=202,
    response_model=PrintJobOut,
    summary="Print a sale's receipt",
    responses=errors(401, 404, 409, 422),
)
def print_checkout(checkout_id: str, request: Request, who: Till) -> JSONResponse:
    """Queue the sale's receipt and answer at once (202): the server's print
    outbox prints it in the background, so a slow, silent or paperless
    printer never holds the till. Asking again while it waits queues nothing
    more; once a receipt of the sale was sent, it prints as DUPLICATA."""
    if request.app.state.printer is None:
        raise Refused(code="no_printer", phrase="server_without_printer")
    job = desk_of(request).print_receipt(checkout_id, till=who.name)
    _kick_printer(request)
    return JSONResponse(job.to_dict(), status_code=202)


# --------------------------------------------------------------------------
# Cards


@router.get(
    "/cards",
    tags=["cards"],
    response_model=SearchOut,
    summary="Find cards",
    responses=errors(401, 422),
)
def search_cards(
    request: Request,
    who: Till,
    q: Annotated[
        str,
        Query(
            description="A name's first letters, an e-mail or a phone number (1 to 100 characters, "
            "not only spaces).",
            min_length=1,
            max_length=100,
            json_schema_extra={"pattern": shapes.NOT_BLANK},
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> JSONResponse:
    """Cards whose holder's name (any word of it), e-mail or phone starts with `q`."""
    found = desk_of(request).search(q, limit)
    return JSONResponse({"cards": [m.to_dict() for m in found]})


@router.get(
    "/cards/{number}",
    tags=["cards"],
    response_model=CardOut,
    summary="A card",
    responses=errors(401, 404, 422),
)
def get_card(number: str, request: Request, who: Till) -> JSONResponse:
    """The card's balance, progress (`"7/10 — Un café offert at 10"`), next
    milestone and coupons."""
    return JSONResponse(desk_of(request).card(number).to_dict())


@router.post(
    "/cards",
    tags=["cards"],
    status_code=201,
    response_model=EnrolOut,
    summary="Enrol a customer",
    responses=errors(400, 401, 404, 409, 422),
)
def enrol(body: EnrolIn, request: Request, who: Till) -> JSONResponse:
    """A new card with the starter stamps, plus the stamps of a walk-in
    receipt when `claim` carries its token. With `"marketing": true` the
    customer agrees to the shop's marketing e-mails (it needs `email`: 409
    `marketing_needs_email`); without it, consent stays off."""
    result = desk_of(request).enrol(
        name=body.name,
        email=body.email,
        phone=body.phone,
        birthday=body.birthday,
        referrer=body.referrer,
        claim=body.claim,
        card=body.card,
        leaderboard=body.leaderboard,
        marketing=body.marketing,
        marketing_source="api",
    )
    return JSONResponse(result.to_dict(), status_code=201)


@router.put(
    "/cards/{number}/marketing",
    tags=["cards"],
    response_model=CardOut,
    summary="Record a customer's consent to marketing e-mails, or its withdrawal",
    responses=errors(400, 401, 404, 409, 422),
)
def set_marketing(number: str, body: MarketingIn, request: Request, who: Till) -> JSONResponse:
    """The card's customer says yes (`true`) or no (`false`) to the shop's
    marketing e-mails, asked at the till: recorded with its time and its
    source (`api`); the same answer again changes nothing. 409
    `marketing_needs_email` for a yes from a customer without an e-mail,
    `card_not_enrolled` for a card nobody enrolled; 404 `unknown_card` or
    `card_erased`."""
    card = desk_of(request).set_marketing(number, body.marketing, source="api")
    return JSONResponse(card.to_dict())


@router.post(
    "/cards/{number}/claims",
    tags=["cards"],
    status_code=201,
    response_model=ClaimOut,
    summary="Add a walk-in receipt to a card",
    responses=errors(400, 401, 404, 409, 422),
)
def claim_receipt(number: str, body: ClaimIn, request: Request, who: Till) -> JSONResponse:
    """The customer forgot their card at a sale: its receipt's stamps join the
    card now, once, within the shop's `claim_days`, as at enrolment (coupons
    they unlock come in `new_coupons`). Refused with nothing written: 409
    `already_claimed`, `claim_expired`, `refunded`, or `card_not_enrolled` (a
    pre-printed card never handed out: enrol it with `claim`); 404
    `unknown_card` or `card_erased`; 422 `invalid_claim_token`."""
    result = desk_of(request).claim(number, body.token)
    return JSONResponse(result.to_dict(), status_code=201)


# --------------------------------------------------------------------------
# Coupons


@router.post(
    "/coupons/{code}/redeem",
    tags=["coupons"],
    response_model=RedeemOut,
    summary="Use a coupon",
    responses=errors(401, 404, 409, 422),
)
def redeem(
    code: str,
    request: Request,
    who: Till,
    idempotency_key: IdempotencyKey = None,
    body: Annotated[RedeemIn | None, Body()] = None,
) -> JSONResponse:
    """Use a coupon once; a second use is refused (409 `coupon_used`), unless
    it repeats the first one's `Idempotency-Key`. An optional body says the
    sale in which the reward is handed over (`checkout`) and, for history,
    when it was used (`at`)."""
    desk = desk_of(request)
    checkout, at = (None, None) if body is None else (body.checkout, body.at)
    if idempotency_key is None:
        result = desk.redeem(code, till=who.name, checkout=checkout, at=at)
    else:
        result = desk.redeem_once(
            code, idempotency_key=idempotency_key, till=who.name, checkout=checkout, at=at
        )
    return JSONResponse(result.to_dict())


# --------------------------------------------------------------------------
# Programme


@router.get(
    "/program",
    tags=["programme"],
    response_model=ProgramOut,
    summary="The programme",
    responses=errors(401, 404),
)
def get_program(request: Request, who: Till) -> JSONResponse:
    """The current programme version and its rules."""
    return JSONResponse(desk_of(request).program().to_dict())


_PROGRAM_BODY = {
    "requestBody": {
        "required": True,
        "description": "The programme file (TOML), as the body (`application/toml` or `text/plain`), "
        'or as JSON `{"source": "<TOML>"}`.',
        "content": {
            "application/toml": {
                "schema": {"type": "string", "format": "programme-toml"},
                "example": '[program]\nname = "Café Bleu"\nstamps_per_card = 10\nstarter_stamps = 2\n\n'
                '[[program.milestones]]\nat = 10\nreward = "Un café offert"\n',
            },
            "application/json": {
                "schema": ProgramIn.model_json_schema(ref_template="#/components/schemas/{model}")
            },
        },
    }
}


@router.put(
    "/program",
    tags=["programme"],
    response_model=ProgramOut,
    summary="Load a new programme version (admin key)",
    responses=errors(400, 401, 403, 422),
    openapi_extra=_PROGRAM_BODY,
)
async def put_program(request: Request, who: Admin) -> JSONResponse:
    """Store a new programme version; the same rules again create none.
    Stamps and coupons already earned never change. A till key gets 403."""
    raw = await request.body()
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(code="invalid_program", phrase="program_not_utf8") from None
    if kind == "application/json" or kind.endswith("+json"):
        try:
            data = json.loads(text)
        except ValueError as error:
            raise ApiRefusal(status=400, code="invalid_json", detail=str(error)) from None
        if not isinstance(data, dict) or set(data) != {"source"} or not isinstance(data["source"], str):
            raise InvalidInput(code="invalid_program", phrase="program_body")
        text = data["source"]
    desk = desk_of(request)
    info = await run_in_threadpool(program_service.load_program, desk.store, text)
    return JSONResponse(info.to_dict())
