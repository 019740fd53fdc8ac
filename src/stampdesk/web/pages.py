"""The customer's pages: server-rendered HTML, mobile first, no JavaScript.

- ``/join/{token}``: what a walk-in's receipt QR opens. Shows the programme
  and the stamps waiting; the form (first name, e-mail, optional phone and
  birthday, consent) keeps the receipt's stamps, once: on a new card with the
  starter stamps, or on the card the e-mail already has. The answer is the
  same page either way (it must not tell a stranger who is a customer).
  A browser that holds a card's link (the ``card`` cookie, set by the card's
  page) is offered "add to my card Léa …7313" instead (``/join/{token}/add``);
  any other visitor can paste their card's link there. Only the link proves
  a card: an e-mail typed in the form never shows one.
- ``/card/{token}``: the card's private page (its address is an unguessable
  token, never the card number): status tier and perk, stamp grid, progress,
  when the stamps lapse, the card's messages, coupons with their
  barcodes, the card's barcode for the till, its own QR code; the holder can
  add a walk-in receipt to it (``claim``), download their data
  (``data.json``) or erase the card (``erase``). The page remembers its link
  in the browser (the ``card`` cookie) for the next receipt scanned.
- ``/manifest.webmanifest``, ``/pages/…``: the stylesheet (in the shop's
  colours) and the icons that make "add to home screen" work.

The router is self-contained: the shop's ``Desk`` comes from
``request.app.state.desk``; problems (a forged link, a used receipt, too many
requests…) become friendly pages with a 4xx status through ``PageRoute``.
``install(app)`` keeps the pages' tokens out of the server's access log.
"""

from __future__ import annotations

import hashlib
import inspect
import io
import json
import logging
import math
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, Template
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..desk import Desk
from ..domain.errors import InvalidInput, NotFound, Refused, StampdeskError
from ..domain.validate import clean_birthday, clean_email, clean_name, clean_phone
from ..results import CardState
from ..services.join import JoinPreview
from . import page_guard, page_symbols
from .logs import install_redaction, redact
from .page_text import LANGUAGE_COOKIE, LANGUAGES, PageText, choose, language_of_locale, page_text

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static" / "pages"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
# The card's link, remembered by the browser that opened the card's page: a
# receipt scanned later offers "add to my card". httponly, same-site only.
CARD_COOKIE = "card"
CARD_COOKIE_AGE = 365 * 24 * 3600
MAX_FIELD = 300  # longer form values are cut before validation refuses them
log = logging.getLogger("stampdesk.pages")

# What a problem's code shows, and with which status.
PROBLEM_STATUS = {
    "invalid_claim_token": 404,
    "claim_expired": 410,
    "already_claimed": 409,
    "refunded": 410,
    "invalid_card_link": 404,
    "card_erased": 410,
    "unknown_card": 404,
    "csrf": 403,
    "rate_limited": 429,
    "no_program": 503,
    "too_large": 413,
}
PROBLEM_MESSAGES = frozenset(PROBLEM_STATUS) | {"not_found", "unexpected", "no_receipt_link", "no_card_link"}
# What a refused receipt says on the card's page (and with which status).
RECEIPT_PROBLEMS = ("invalid_claim_token", "claim_expired", "already_claimed", "refunded")
# The form's fields, and the problems the enrolment service reports for each.
FIELDS = ("name", "email", "phone", "birthday")
FIELD_PROBLEMS = {f"invalid_{field}": field for field in FIELDS}

# What the enrolment routes answer besides 200, for the OpenAPI schema (HTML pages).
JOIN_RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {"description": "the form's token is missing, stale or from another site"},
    404: {"description": "not a receipt link of this shop"},
    409: {"description": "the receipt's stamps were already claimed"},
    410: {"description": "the receipt is too old, or its sale was refunded"},
    413: {"description": "the form is too large"},
    422: {"description": "the form needs correcting (shown again, filled in)"},
    429: {"description": "too many pages from this client: see Retry-After"},
    503: {"description": "no programme is loaded yet"},
}
MAX_FORM_BYTES = 16 * 1024

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; manifest-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # The card's token is in its address: never send it to another site.
    "Referrer-Policy": "same-origin",
    "X-Robots-Tag": "noindex, nofollow",
}
PRIVATE = {"Cache-Control": "no-store", "Vary": "Accept-Language, Cookie"}


class PageProblem(Exception):
    """A request the pages answer with a friendly page and a 4xx status."""

    def __init__(self, code: str, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.status = status or PROBLEM_STATUS.get(code, 400)
        self.retry_after = retry_after


class PageRoute(APIRoute):
    """Turns problems raised by a page into a friendly page, whatever app
    includes the router (no app-wide exception handler needed)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except PageProblem as problem:
                return problem_page(request, problem)
            except RequestValidationError:
                # FastAPI checks a route's parameters inside the handler: an
                # address whose parts do not read as the route's ("icon-abc.png")
                # names no page. Not a bug of ours: no trace in the log.
                return problem_page(request, PageProblem("not_found", 404))
            except StampdeskError as error:
                return problem_page(request, PageProblem(error.code, PROBLEM_STATUS.get(error.code)))
            except Exception:
                # Logged without the path's token; the customer sees a plain page.
                log.exception("page %s failed", redact(request.url.path))
                return problem_page(request, PageProblem("unexpected", 500))

        return guarded


router = APIRouter(route_class=PageRoute)


def install(app: FastAPI) -> None:
    """What the pages need beyond ``include_router``: access-log lines with
    the receipt and card tokens blanked out (they open a customer's card),
    and a friendly page, in the customer's language, for an address outside
    the API that names no page (``/``, ``/join/`` without its token…)."""
    install_redaction()
    api_answer = app.exception_handlers.get(StarletteHTTPException)

    async def not_found(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        path = request.url.path
        if exc.status_code == 404 and not (path == "/api" or path.startswith("/api/")):
            return problem_page(request, PageProblem(_missing_page(path), 404))
        if api_answer is None:
            raise exc
        answer = api_answer(request, exc)
        return await answer if inspect.isawaitable(answer) else answer

    app.add_exception_handler(StarletteHTTPException, not_found)


def _missing_page(path: str) -> str:
    """What to tell someone at an address that names no page: how to reach
    the page they were likely after."""
    if path == "/" or path.startswith("/join"):
        return "no_receipt_link"
    if path.startswith("/card"):
        return "no_card_link"
    return "not_found"


# --------------------------------------------------------------------------- state


@dataclass
class _Shop:
    """What the pages build once per app: the limiter and the shop's assets."""

    limiter: page_guard.RateLimiter
    css: bytes
    css_version: str
    icon_svg: bytes
    pngs: dict[int, bytes]
    secret: bytes | None = None  # the shop's secret, read once (it never changes)
    name: tuple[float, str] | None = None  # (read at, programme name) for problem pages
    mail_on: bool | None = None  # whether customer e-mails can go (the settings never change)


_state_lock = threading.Lock()


def _desk(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


def _shop(request: Request) -> _Shop:
    state = getattr(request.app.state, "stampdesk_pages", None)
    if state is None:
        with _state_lock:
            state = getattr(request.app.state, "stampdesk_pages", None)
            if state is None:
                pages = _desk(request).settings.pages
                css = f":root{{--brand:{pages.colour};--accent:{pages.accent}}}\n".encode() + _css_text()
                state = _Shop(
                    limiter=page_guard.RateLimiter(pages.rate_limit),
                    css=css,
                    css_version=hashlib.sha256(css).hexdigest()[:10],
                    icon_svg=_icon_svg_text()
                    .replace("{brand}", pages.colour)
                    .replace("{accent}", pages.accent)
                    .encode(),
                    pngs={},
                )
                request.app.state.stampdesk_pages = state
    assert isinstance(state, _Shop)
    return state


@cache
def _css_text() -> bytes:
    return (STATIC / "pages.css").read_bytes()


@cache
def _icon_svg_text() -> str:
    return (STATIC / "icon.svg").read_text(encoding="utf-8")


@cache
def _templates() -> Environment:
    """Compiled once: no file is read again while the server runs."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,  # every customer-supplied text is escaped
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _template(name: str) -> Template:
    return _templates().get_template(f"pages/{name}")


def _limit(request: Request) -> None:
    """One page view for this client, or a 429 page to wait."""
    client = request.client.host if request.client else "unknown"
    wait = _shop(request).limiter.wait(client)
    if wait > 0:
        raise PageProblem("rate_limited", retry_after=wait)


def _text(request: Request, remembered: str | None = None) -> PageText:
    """The page's words in its language (``choose``); ``remembered``: the
    language the customer chose before, for a browser that never chose
    (a link opened from an e-mail, a new phone)."""
    query = request.query_params.get("lang")
    lang = choose(
        query,
        request.cookies.get(LANGUAGE_COOKIE),
        request.headers.get("accept-language"),
        _desk(request).settings.locale,
        remembered,
    )
    return page_text(lang)


def _finish(request: Request, response: Response, t: PageText, private: bool = True) -> Response:
    response.headers.update(SECURITY_HEADERS)
    if private:
        response.headers.update(PRIVATE)
    if request.query_params.get("lang") in LANGUAGES:  # the switch is remembered
        response.set_cookie(
            LANGUAGE_COOKIE,
            t.lang,
            max_age=LANGUAGE_COOKIE_AGE,
            path="/",
            samesite="lax",
            httponly=True,
            secure=request.url.scheme == "https",
        )
    return response


def _page(request: Request, name: str, t: PageText, status: int = 200, **context: Any) -> Response:
    shop = _shop(request)
    html = _template(name).render(
        t=t,
        languages=[page_text(lang) for lang in LANGUAGES if lang != t.lang],
        css=f"pages/style.css?v={shop.css_version}",
        colour=_desk(request).settings.pages.colour,
        # "Lost it?" leads to the card's link by e-mail only where e-mails can go.
        mail_on=_mail_on(request),
        **context,
    )
    return _finish(request, HTMLResponse(html, status_code=status), t)


def _mail_on(request: Request) -> bool:
    shop = _shop(request)
    if shop.mail_on is None:
        from ..services.messages import mail_can_go

        shop.mail_on = mail_can_go(_desk(request).store)
    return shop.mail_on


def problem_page(request: Request, problem: PageProblem) -> Response:
    """The friendly page of a problem, in the customer's language."""
    t = _text(request)
    message = getattr(t, problem.code) if problem.code in PROBLEM_MESSAGES else t.unexpected
    if problem.code == "rate_limited":
        message = message.format(n=math.ceil(problem.retry_after or 1))
    # Links are relative: from "/join/" the stylesheet is one level up.
    root = "../" * (request.url.path.count("/") - 1)
    response = _page(
        request,
        "problem.html",
        t,
        problem.status,
        root=root,
        shop=_shop_name(request),
        message=message,
        at_till=problem.code in ("invalid_claim_token", "claim_expired", "refunded", "no_receipt_link"),
        card_link=_own_card(request, root) if problem.code == "already_claimed" else None,
        lost_link=problem.code in ("no_card_link", "invalid_card_link"),
    )
    if problem.retry_after is not None:
        response.headers["Retry-After"] = str(math.ceil(problem.retry_after))
    return response


def _own_card(request: Request, root: str) -> str | None:
    """The page of the card this browser holds (its cookie), if it still opens."""
    held = _remembered_card(request)
    return f"{root}card/{held[0]}" if held else None


def _forget_card(request: Request, response: Response, token: str) -> Response:
    """The browser no longer holds the card ``token`` (it was erased)."""
    if request.cookies.get(CARD_COOKIE) == token:
        response.delete_cookie(CARD_COOKIE, path="/")
    return response


NAME_SECONDS = 60.0  # how long a problem page trusts the programme name it read


def _shop_name(request: Request) -> str:
    """The programme's name for pages that must stay cheap (a flood of 429s
    must not become a flood of queries): read at most once a minute."""
    shop = _shop(request)
    now = time.monotonic()
    if shop.name is None or now - shop.name[0] > NAME_SECONDS:
        try:
            shop.name = (now, _desk(request).program().program.name)
        except Exception:  # no programme yet, or the database is away: no name
            return ""
    return shop.name[1]


# --------------------------------------------------------------------------- enrolment


def _cells(stamps_per_card: int, filled: int, milestones: list[tuple[int, str]]) -> list[dict[str, Any]]:
    """The stamp grid: one cell per stamp, milestones marked with their reward."""
    rewards = dict(milestones)
    return [
        {"at": at, "on": at <= filled, "reward": rewards.get(at, "")} for at in range(1, stamps_per_card + 1)
    ]


def _secret(request: Request) -> bytes:
    """The shop's secret (signs the form tokens), read from the database once."""
    shop = _shop(request)
    if shop.secret is None:
        store = _desk(request).store
        with store.read() as conn:
            shop.secret = store.claim_secret(conn)
    return shop.secret


def _remembered_card(request: Request) -> tuple[str, CardState] | None:
    """The card whose link this browser holds (the ``card`` cookie), if it
    still opens one."""
    link = request.cookies.get(CARD_COOKIE)
    if not link:
        return None
    try:
        return link, _desk(request).card_for_link(link)
    except NotFound:  # a forged cookie, or the card was erased since
        return None


def _remember_card(request: Request, response: Response, link: str) -> None:
    response.set_cookie(
        CARD_COOKIE,
        link,
        max_age=CARD_COOKIE_AGE,
        path="/",
        samesite="lax",
        httponly=True,
        secure=request.url.scheme == "https",
    )


def _link_of(pasted: str) -> str:
    """A card's link token from what the customer pasted: the page's whole
    address (``…/card/<token>``, maybe with a query) or the token itself."""
    text = pasted.strip()
    if "/card/" in text:
        text = text.rsplit("/card/", 1)[1]
    return text.split("?", 1)[0].split("#", 1)[0].split("/", 1)[0]


def _join_form(
    request: Request,
    t: PageText,
    token: str,
    offer: JoinPreview,
    *,
    values: dict[str, str] | None = None,
    errors: tuple[str, ...] = (),
    bad: frozenset[str] = frozenset(),
    status: int = 200,
    link_errors: tuple[str, ...] = (),
    link_value: str = "",
) -> Response:
    desk = _desk(request)
    remembered = _remembered_card(request)
    mine = None
    if remembered is not None:
        _, card = remembered
        # The holder's name and the card's last 4 digits (an unnamed card: the digits only).
        mine = " ".join(t.add_to_my_card.format(name=card.name or "", last4=card.number[-4:]).split())
    now = desk.now().timestamp()
    milestones = [(m.at, m.reward) for m in offer.milestones]
    final = next((r for at, r in milestones if at == offer.stamps_per_card), "")
    return _page(
        request,
        "join.html",
        t,
        status,
        root="../",
        shop=offer.program,
        offer=offer,
        amount=t.money(offer.amount),
        until=t.day(offer.claim_until),
        final_reward=final,
        cells=_cells(offer.stamps_per_card, offer.stamps_waiting, milestones),
        values=values or {},
        errors=errors,
        bad=bad,
        csrf=page_guard.csrf_token(_secret(request), "join", token, now),
        add_csrf=page_guard.csrf_token(_secret(request), "join-add", token, now),
        mine=mine,
        link_errors=link_errors,
        link_value=link_value,
        token=token,
        manifest="../manifest.webmanifest",
    )


@router.get(
    "/join/{token}",
    response_class=HTMLResponse,
    summary="The enrolment page a walk-in's receipt QR opens",
    responses=JOIN_RESPONSES,
)
def join_page(request: Request, token: str) -> Response:
    """The programme, the stamps waiting, and the form that creates the card."""
    _limit(request)
    t = _text(request)
    return _join_form(request, t, token, _desk(request).join_preview(token))


@router.post(
    "/join/{token}",
    response_class=HTMLResponse,
    summary="Keep the receipt's stamps on the card of the form's e-mail (a new card, or the one it has)",
    responses={
        200: {"description": "the stamps are kept: the same page whether or not the e-mail had a card"},
        **JOIN_RESPONSES,
    },
)
async def join_submit(request: Request, token: str) -> Response:
    """Check the form, keep the receipt's stamps (once) on the e-mail's card,
    new or not, and say so without telling which."""
    _limit(request)
    fields = await _form(request)
    return await run_in_threadpool(_join, request, token, fields)


async def _form(request: Request) -> dict[str, str]:
    """A page's small form (URL-encoded, as browsers send one without a file),
    read up to ``MAX_FORM_BYTES``; each value cut to ``MAX_FIELD`` characters."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        raise PageProblem("too_large")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise PageProblem("too_large")
    try:
        pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=20)
    except ValueError:
        raise PageProblem("too_large") from None
    return {key: value[:MAX_FIELD] for key, value in pairs}


def _check_form(request: Request, action: str, page_token: str, fields: dict[str, str]) -> None:
    """A form must come from our page, recently: else a 403 page, nothing written."""
    desk = _desk(request)
    public_host = desk.settings.public_url.split("://", 1)[1].split("/", 1)[0]
    if not page_guard.same_origin(request.headers.get("origin"), request.headers.get("host"), public_host):
        raise PageProblem("csrf")
    now = desk.now().timestamp()
    if not page_guard.csrf_valid(_secret(request), action, page_token, fields.get("csrf"), now):
        raise PageProblem("csrf")


def _field_problems(desk: Desk, t: PageText, values: dict[str, str]) -> tuple[list[str], set[str]]:
    """Every mistake in the customer's details at once (so they correct them
    all in one go): the messages, and the fields to mark."""
    errors: list[str] = []
    bad: set[str] = set()
    today = desk.now().astimezone(desk.store.zone).date()
    checks: dict[str, Callable[[str], object]] = {
        "name": clean_name,
        "email": clean_email,
        "phone": clean_phone,
        "birthday": lambda value: clean_birthday(value, today),
    }
    for field, check in checks.items():
        if not values[field]:
            if field in ("name", "email"):  # the card needs both
                errors.append(t.invalid_name if field == "name" else t.need_email)
                bad.add(field)
            continue
        try:
            check(values[field])
        except InvalidInput:
            errors.append(getattr(t, f"invalid_{field}"))
            bad.add(field)
    return errors, bad


def _join(request: Request, token: str, fields: dict[str, str]) -> Response:
    desk = _desk(request)
    t = _text(request)
    offer = desk.join_preview(token)  # forged, expired, used: the problem page
    _check_form(request, "join", token, fields)
    values = {name: fields.get(name, "").strip() for name in FIELDS}
    errors, bad = _field_problems(desk, t, values)
    values["marketing"] = "yes" if fields.get("marketing") == "yes" else ""  # shown again as it was
    if fields.get("consent") != "yes":
        errors.append(t.need_consent)
        bad.add("consent")
    if errors:
        return _join_form(
            request, t, token, offer, values=values, errors=tuple(errors), bad=frozenset(bad), status=422
        )
    try:
        desk.join(
            token,
            name=values["name"],
            email=values["email"],
            phone=values["phone"] or None,
            birthday=values["birthday"] or None,
            # Its own box, unticked unless the customer ticks it: never implied by the card.
            marketing=fields.get("marketing") == "yes",
            # Read in another language than the shop's: what the shop sends them speaks it.
            language=t.lang if t.lang != language_of_locale(desk.settings.locale) else None,
        )
    except InvalidInput as error:
        wrong = FIELD_PROBLEMS.get(error.code)
        if wrong is None:
            raise
        return _join_form(
            request,
            t,
            token,
            offer,
            values=values,
            errors=(getattr(t, error.code),),
            bad=frozenset({wrong}),
            status=422,
        )
    # The same page whether the e-mail got a new card or already had one (its
    # stamps went there): the page never tells a stranger who is a customer,
    # and never leads to a card that may be someone else's.
    return _page(
        request,
        "done.html",
        t,
        root="../",
        shop=offer.program,
        title=t.joined_title,
        message=t.joined_text.format(name=values["name"], email=values["email"]),
        more=t.joined_next,
        manifest="../manifest.webmanifest",
    )


# Not in the OpenAPI schema, as the card's pages: it takes a card's link.
@router.post("/join/{token}/add", response_class=HTMLResponse, include_in_schema=False)
async def join_add(request: Request, token: str) -> Response:
    """The receipt's stamps onto the card whose link the browser holds (the
    ``card`` cookie) or the customer pasted (``card_link``), then on to it."""
    _limit(request)
    fields = await _form(request)
    return await run_in_threadpool(_join_add, request, token, fields)


def _join_add(request: Request, token: str, fields: dict[str, str]) -> Response:
    desk = _desk(request)
    t = _text(request)
    offer = desk.join_preview(token)  # forged, expired, used: the problem page
    _check_form(request, "join-add", token, fields)
    pasted = fields.get("card_link", "").strip()
    link = _link_of(pasted) if pasted else request.cookies.get(CARD_COOKIE, "")
    try:
        card = desk.card_for_link(link)
    except NotFound:
        # Said the same for a forged link and an erased card's: nothing about whose.
        return _join_form(
            request, t, token, offer, link_errors=(t.invalid_card_link,), link_value=pasted, status=404
        )
    desk.claim(card.number, token)
    response = RedirectResponse(f"../../card/{link}?added=1", status_code=303)
    _remember_card(request, response, link)
    return _finish(request, response, t)


# --------------------------------------------------------------------------- the card


def _card(request: Request, token: str) -> tuple[Desk, CardState]:
    desk = _desk(request)
    return desk, desk.card_for_link(token)


@router.get("/card/{token}", response_class=HTMLResponse, include_in_schema=False)
def card_page(request: Request, token: str) -> Response:
    """The card: status tier, stamps, progress, when they lapse, what the
    card has to say, coupons, barcode, own QR code, a receipt to add, data.
    The browser remembers the card's link (for the next receipt it scans)."""
    _limit(request)
    desk, card = _card(request, token)
    t = _text(request, card.language)
    if request.query_params.get("lang") in LANGUAGES and card.name is not None:
        # The customer chose this language: what the shop sends them speaks
        # it too (a card nobody enrolled has no customer to remember it).
        desk.set_language(card.number, t.lang)
    response = _card_page(
        request,
        t,
        token,
        card,
        added=request.query_params.get("added") == "1",
        marketing_changed=request.query_params.get("mail") == "1",
    )
    _remember_card(request, response, token)
    return response


def _card_page(
    request: Request,
    t: PageText,
    token: str,
    card: CardState | None = None,
    *,
    added: bool = False,
    marketing_changed: bool = False,
    receipt_errors: tuple[str, ...] = (),
    receipt_value: str = "",
    status: int = 200,
) -> Response:
    """The card's page (``card``: its state, when the caller read it already)."""
    desk, card = (_desk(request), card) if card is not None else _card(request, token)
    milestones = [(m.at, m.reward) for m in desk.program().program.milestones]
    zone = desk.store.zone
    coupons = [
        {
            "reward": c.reward,
            "code": c.code,
            "expired": c.status == "expired",
            "until": t.day(c.expires, zone),
            "barcode": page_symbols.code128_svg(c.code),
        }
        for c in card.coupons
    ]
    return _page(
        request,
        "card.html",
        t,
        status,
        root="../",
        shop=card.program,
        saved=request.query_params.get("saved") == "1",
        card=card,
        number=f"{card.number[0]} {card.number[1:7]} {card.number[7:]}",
        cells=_cells(card.stamps_per_card, card.balance, milestones),
        coupons=coupons,
        tier_until=t.day(card.tier_until, zone) if card.tier_until else None,
        expires=t.day(card.expires, zone) if card.expires else None,
        barcode=page_symbols.ean13_svg(card.number),
        qr=page_symbols.qr_svg(f"{desk.settings.public_url}card/{token}"),
        manifest=f"{token}/manifest.webmanifest",
        token=token,
        added=added,
        receipt_errors=receipt_errors,
        receipt_value=receipt_value,
        claim_csrf=page_guard.csrf_token(_secret(request), "claim", token, desk.now().timestamp()),
        marketing_changed=marketing_changed,
        marketing_csrf=page_guard.csrf_token(_secret(request), "marketing", token, desk.now().timestamp()),
    )


@router.post("/card/{token}/claim", response_class=HTMLResponse, include_in_schema=False)
async def claim_submit(request: Request, token: str) -> Response:
    """Add a walk-in receipt (its link or code) to the card, then back to it."""
    _limit(request)
    fields = await _form(request)
    return await run_in_threadpool(_claim, request, token, fields)


def _claim(request: Request, token: str, fields: dict[str, str]) -> Response:
    t = _text(request)
    desk, card = _card(request, token)
    _check_form(request, "claim", token, fields)
    receipt = fields.get("receipt", "").strip()
    try:
        desk.claim(card.number, receipt)
    except (InvalidInput, Refused) as error:
        if error.code not in RECEIPT_PROBLEMS:
            raise
        message = getattr(t, error.code)
        status = PROBLEM_STATUS.get(error.code, 422)
        return _card_page(request, t, token, receipt_errors=(message,), receipt_value=receipt, status=status)
    return _finish(request, RedirectResponse(f"../{token}?added=1", status_code=303), t)


@router.post("/card/{token}/marketing", response_class=HTMLResponse, include_in_schema=False)
async def marketing_submit(request: Request, token: str) -> Response:
    """The holder gives or withdraws their consent to the shop's e-mails,
    then back to the card, which says what is now recorded."""
    _limit(request)
    fields = await _form(request)
    return await run_in_threadpool(_marketing, request, token, fields)


def _marketing(request: Request, token: str, fields: dict[str, str]) -> Response:
    t = _text(request)
    desk, card = _card(request, token)
    _check_form(request, "marketing", token, fields)
    choice = fields.get("marketing")
    if choice not in ("yes", "no"):  # not the page's own form
        raise PageProblem("csrf")
    try:
        desk.set_marketing(card.number, choice == "yes", source="card_page")
    except Refused as error:
        if error.code != "marketing_needs_email":
            raise
        # No e-mail to send to: the card's page says to add one first.
        return _finish(request, RedirectResponse(f"../{token}#marketing", status_code=303), t)
    return _finish(request, RedirectResponse(f"../{token}?mail=1#marketing", status_code=303), t)


@router.get("/card/{token}/data.json", include_in_schema=False)
def card_data(request: Request, token: str) -> Response:
    """Everything kept about the card's holder, as a JSON download."""
    _limit(request)
    t = _text(request)
    desk, card = _card(request, token)
    body = json.dumps(desk.export(card.number), ensure_ascii=False, indent=2).encode()
    response = Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="card-{card.number}.json"'},
    )
    return _finish(request, response, t)


@router.get("/card/{token}/erase", response_class=HTMLResponse, include_in_schema=False)
def erase_page(request: Request, token: str) -> Response:
    """Asks for confirmation before erasing."""
    _limit(request)
    t = _text(request)
    desk, card = _card(request, token)
    return _page(
        request,
        "erase.html",
        t,
        root="../../",
        shop=card.program,
        card=card,
        live_coupons=sum(1 for c in card.coupons if c.status == "valid"),
        csrf=page_guard.csrf_token(_secret(request), "erase", token, desk.now().timestamp()),
        back=f"../{token}",
        manifest="../../manifest.webmanifest",
    )


@router.post("/card/{token}/erase", response_class=HTMLResponse, include_in_schema=False)
async def erase_submit(request: Request, token: str) -> Response:
    """Erase the card (after the confirmation page's form)."""
    _limit(request)
    fields = await _form(request)
    return await run_in_threadpool(_erase, request, token, fields)


def _erase(request: Request, token: str, fields: dict[str, str]) -> Response:
    t = _text(request)
    desk, card = _card(request, token)
    _check_form(request, "erase", token, fields)
    desk.erase(card.number)
    # To a page of its own: reloading it erases nothing more, asks nothing.
    answer = _finish(request, RedirectResponse("erased", status_code=303), t)
    return _forget_card(request, answer, token)


@router.get("/card/{token}/erased", response_class=HTMLResponse, include_in_schema=False)
def erased_page(request: Request, token: str) -> Response:
    """Says the card was erased (where erasing leads); a card still there
    leads back to itself."""
    _limit(request)
    t = _text(request)
    try:
        _desk(request).card_for_link(token)
    except StampdeskError as error:
        if error.code != "card_erased":
            raise
    else:
        return _finish(request, RedirectResponse(f"../{token}", status_code=303), t)
    response = _page(
        request,
        "done.html",
        t,
        root="../../",
        shop=_shop_name(request),
        title=t.erased_title,
        message=t.erased_text,
        manifest="../../manifest.webmanifest",
    )
    return _forget_card(request, response, token)


@router.get("/card/{token}/qr.svg", include_in_schema=False)
def card_qr(request: Request, token: str) -> Response:
    """The card page's own address as a QR code (to open it on another phone)."""
    _limit(request)
    t = _text(request)
    desk, _ = _card(request, token)
    svg = page_symbols.qr_svg(f"{desk.settings.public_url}card/{token}")
    return _finish(request, Response(svg, media_type="image/svg+xml"), t)


@router.get("/card/{token}/manifest.webmanifest", include_in_schema=False)
def card_manifest(request: Request, token: str) -> Response:
    """ "Add to home screen" for this card: the icon opens the card itself."""
    _limit(request)
    t = _text(request)
    _, card = _card(request, token)
    return _finish(request, _manifest(request, card.program, start=f"../{token}"), t)


def _edit_form(
    request: Request,
    t: PageText,
    token: str,
    card: CardState,
    values: dict[str, str],
    errors: tuple[str, ...] = (),
    bad: frozenset[str] = frozenset(),
    status: int = 200,
) -> Response:
    desk = _desk(request)
    return _page(
        request,
        "edit.html",
        t,
        status,
        root="../../",
        shop=card.program,
        values=values,
        errors=errors,
        bad=bad,
        csrf=page_guard.csrf_token(_secret(request), "edit", token, desk.now().timestamp()),
        back=f"../{token}",
        manifest="../../manifest.webmanifest",
    )


@router.get("/card/{token}/edit", response_class=HTMLResponse, include_in_schema=False)
def edit_page(request: Request, token: str) -> Response:
    """The holder's details, to correct."""
    _limit(request)
    t = _text(request)
    _, card = _card(request, token)
    values = {
        "name": card.name or "",
        "email": card.email or "",
        "phone": card.phone or "",
        "birthday": card.birthday.isoformat() if card.birthday else "",
    }
    return _edit_form(request, t, token, card, values)


@router.post("/card/{token}/edit", response_class=HTMLResponse, include_in_schema=False)
async def edit_submit(request: Request, token: str) -> Response:
    """Save the corrected details, then back to the card."""
    _limit(request)
    fields = await _form(request)
    return await run_in_threadpool(_edit, request, token, fields)


def _edit(request: Request, token: str, fields: dict[str, str]) -> Response:
    t = _text(request)
    desk, card = _card(request, token)
    _check_form(request, "edit", token, fields)
    values = {name: fields.get(name, "").strip() for name in FIELDS}
    errors, bad = _field_problems(desk, t, values)
    if errors:
        return _edit_form(request, t, token, card, values, tuple(errors), frozenset(bad), 422)
    try:
        desk.correct(
            card.number,
            name=values["name"],
            email=values["email"],
            phone=values["phone"] or None,
            birthday=values["birthday"] or None,
        )
    except Refused as error:
        if error.code != "already_enrolled":
            raise
        return _edit_form(request, t, token, card, values, (t.email_taken,), frozenset({"email"}), 409)
    return _finish(request, RedirectResponse(f"../{token}?saved=1", status_code=303), t)


# --------------------------------------------------------------------------- assets


def _manifest(request: Request, shop: str, start: str | None = None) -> Response:
    pages = _desk(request).settings.pages
    data: dict[str, Any] = {
        "name": shop,
        "short_name": shop[:12],
        "display": "standalone",
        "background_color": "#f4f5f7",
        "theme_color": pages.colour,
        "icons": [
            {"src": "../pages/icon-192.png", "sizes": "192x192", "type": "image/png"},
            {"src": "../pages/icon-512.png", "sizes": "512x512", "type": "image/png"},
            {"src": "../pages/icon.svg", "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    if start is not None:
        data["start_url"] = start
        data["scope"] = start
        # The card's icons sit one level deeper than the shop's.
        for icon in data["icons"]:
            icon["src"] = "../" + icon["src"]
    return Response(json.dumps(data, ensure_ascii=False), media_type="application/manifest+json")


@router.get("/manifest.webmanifest", include_in_schema=False)
def manifest(request: Request) -> Response:
    """The shop's web app manifest (name, colours, icons)."""
    t = _text(request)
    return _finish(request, _manifest(request, _shop_name(request)), t, private=False)


_ASSET_CACHE = {"Cache-Control": "public, max-age=86400"}


@router.get("/pages/style.css", include_in_schema=False)
def stylesheet(request: Request) -> Response:
    """The pages' stylesheet, in the shop's colours."""
    return Response(_shop(request).css, media_type="text/css", headers=_ASSET_CACHE)


@router.get("/pages/icon.svg", include_in_schema=False)
def icon_svg(request: Request) -> Response:
    return Response(_shop(request).icon_svg, media_type="image/svg+xml", headers=_ASSET_CACHE)


ICON_SIZES = (180, 192, 512)
# The icons by the exact name of their size: "0192" or "١٩٢" names no icon.
_ICON_NAMES = {str(size): size for size in ICON_SIZES}


@router.get("/pages/icon-{name}.png", include_in_schema=False)
def icon_png(request: Request, name: str) -> Response:
    """The home-screen icon as PNG (drawn once per size)."""
    size = _ICON_NAMES.get(name)
    if size is None:
        raise PageProblem("not_found", 404)
    shop = _shop(request)
    png = shop.pngs.get(size)
    if png is None:
        pages = _desk(request).settings.pages
        png = _draw_icon(size, pages.colour, pages.accent)
        shop.pngs[size] = png
    return Response(png, media_type="image/png", headers=_ASSET_CACHE)


def _draw_icon(size: int, colour: str, accent: str) -> bytes:
    """The icon: a stamp (a ring and a star) on the shop's colour."""
    from PIL import Image, ImageDraw

    scale = size / 512
    image = Image.new("RGB", (size, size), colour)
    draw = ImageDraw.Draw(image)
    ring = 150 * scale
    centre = size / 2
    box = (centre - ring, centre - ring, centre + ring, centre + ring)
    draw.ellipse(box, outline="#ffffff", width=max(2, int(36 * scale)))
    star = [
        (256, 168),
        (283, 224),
        (344, 232),
        (300, 274),
        (311, 335),
        (256, 306),
        (201, 335),
        (212, 274),
        (168, 232),
        (229, 224),
    ]
    draw.polygon([(x * scale, y * scale) for x, y in star], fill=accent)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
